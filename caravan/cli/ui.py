"""`caravan ui [<identifier>]`: the web UI's URL on the agent, opened in a browser where
one exists; an identifier (a job, allocation or node ID or unique prefix) opens its page,
as `nomad ui` does."""

from __future__ import annotations

import os
import sys
from urllib.parse import quote, urlencode

from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client, reported_as
from caravan.cli.status import find_matches, pick_context
from caravan.errors import CommandFailed, UsageError

HELP = """
Usage: caravan ui [options] <identifier>

  Open the caravan web UI in the default browser. An optional identifier may be
  provided, in which case the UI is opened to view the details for that object.
  Supported identifiers are jobs, allocations and nodes (an ID or unique prefix).
  Where no browser can open (no graphical session), the URL is printed.
""" + CLIENT_OPTIONS_HELP + """
UI Options:

  -show-url
    Show the caravan UI URL instead of opening it with the default browser.

  -authenticate
    Exchange your ACL token for a one-time token in the web UI's URL, if ACLs
    are enabled: the browser trades it for your token once, within ten minutes,
    so the Secret ID never has to be pasted.
"""

# Where each kind of object lives in the UI (Nomad's paths).
_PAGES = {"jobs": "jobs", "allocs": "allocations", "nodes": "clients"}


def page_path(context: str, full_id: str, namespace: str | None) -> str:
    """The UI path of one object: /ui/jobs/<id>[@<namespace>], /ui/allocations/<id>, ..."""
    suffix = f"@{quote(namespace, safe='')}" if context == "jobs" and namespace else ""
    return f"/ui/{_PAGES[context]}/{quote(full_id, safe='')}{suffix}"


def can_open_browser() -> bool:
    """A browser can show a page only in a graphical session (or on macOS)."""
    return sys.platform == "darwin" or bool(os.environ.get("DISPLAY") or
                                            os.environ.get("WAYLAND_DISPLAY"))


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    fs.bool_flag("show-url")
    fs.bool_flag("authenticate")
    flags = fs.parse(args)
    if len(flags.args) > 1:
        raise UsageError("This command takes no or one optional argument, [<identifier>]")
    client = make_client(flags)
    one_time = ""
    if flags.get_bool("authenticate"):
        with reported_as("Could not get one-time token: "):
            one_time = client.acl_tokens.upsert_one_time_token().one_time_secret_id
    path = "/ui/"
    if flags.args:
        identifier = flags.args[0]
        with reported_as("Error querying search with id: "):
            matches = find_matches(client, identifier)
        matches.pop("evals", None)  # the UI opens jobs, allocations and nodes by ID
        context = pick_context(identifier, matches)
        if context is None:
            raise CommandFailed(f'Unable to resolve ID: "{identifier}"')
        path = page_path(context, matches[context][0], client.namespace)
    query = {k: v for k, v in (("namespace", client.namespace), ("region", client.region)) if v}
    url = client.address.rstrip("/") + path + (f"?{urlencode(query)}" if query else "")
    shown = f'Opening URL "{url}"'
    if one_time:  # the message names the URL without the secret, as Nomad's does
        shown += " with one-time token"
        url += ("&" if query else "?") + urlencode({"ott": one_time})
    if flags.get_bool("show-url") or not can_open_browser():
        ui.output(f"URL for web UI: {url}")
        return 0
    ui.output(shown)
    import webbrowser  # only when a browser may open

    if not webbrowser.open(url):
        raise CommandFailed(f"Error opening URL: no browser could be started; open {url}")
    return 0
