"""`/` and `/ui/...`: the page shell, its hashed assets, and the headers that guard them.

    /                    307 -> /ui/
    /ui                  307 -> /ui/
    /ui/assets/<name>    a built file; names carry a content hash, so a year's caching
                         (immutable) is safe; an unknown name is a 404; gzip-compressed
                         (once, when the app is built) for a browser that accepts it
    /ui/<anything else>  the page shell (no-cache: it names the current hashes); the
                         browser-side router reads the path (/ui/jobs/<id>, ...)

Every answer carries a Content-Security-Policy that allows only the agent's own origin:
scripts, styles, fonts, images and connections (fetch and the exec WebSocket) from
'self', nothing inline but styles (xterm.js sizes its cells in a <style> element it
writes), no frames, no plugins, no foreign form targets. The agent file's
`ui { content_security_policy { ... } }` replaces the directives it names.

With `ui { enabled = false }`, every `/ui/...` path answers a short page saying so (as
Nomad's agent does) and `/` still redirects there.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from collections.abc import Mapping, Sequence

from caravan.ui.assets import NOT_BUILT, Asset, Bundle, load, static_dir

DIRECTIVES = {"default-src": ["'none'"], "script-src": ["'self'"],
              "style-src": ["'self'", "'unsafe-inline'"], "img-src": ["'self'", "data:"],
              "font-src": ["'self'"], "connect-src": ["'self'"], "manifest-src": ["'self'"],
              "base-uri": ["'none'"], "form-action": ["'self'"],
              "frame-ancestors": ["'none'"], "object-src": ["'none'"]}
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
DISABLED = b"<html><p>The caravan UI is disabled on this agent</p></html>"


Directives = Mapping[str, Sequence[str]]


def csp_header(overrides: Directives | None = None) -> str:
    """caravan's policy with the agent file's directives in place of its own."""
    directives = {**DIRECTIVES, **(overrides or {})}
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


CSP = csp_header()


def security_headers(overrides: Directives | None = None) -> dict[str, str]:
    headers = {"Content-Security-Policy": csp_header(overrides),
               "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
    if "frame-ancestors" not in (overrides or {}):  # an operator who allows framing means it
        headers["X-Frame-Options"] = "DENY"
    return headers


def routes(bundle: Bundle | None = None, *, enabled: bool = True,
           csp: Directives | None = None) -> list[BaseRoute]:
    """The UI's routes over `bundle` (by default the one built into the package), as the
    agent file's `ui { enabled content_security_policy }` says (`csp`: directives by their
    CSP names, replacing caravan's)."""
    headers = security_headers(csp)
    if not enabled:
        return _disabled(headers)
    files = bundle if bundle is not None else load(static_dir())

    async def asset(request: Request) -> Response:
        found = files.assets.get(request.path_params["name"])
        if found is None:
            return _guarded(PlainTextResponse("no such UI asset", status_code=404), headers)
        return _send(request, found, IMMUTABLE, headers)

    async def shell(request: Request) -> Response:
        if files.index is None:
            return _guarded(PlainTextResponse(NOT_BUILT, status_code=503), headers)
        return _send(request, files.index, REVALIDATE, headers)

    return [Route("/", _to_ui, methods=["GET", "HEAD"]),
            Route("/ui", _to_ui, methods=["GET", "HEAD"]),
            Route("/ui/assets/{name}", asset, methods=["GET", "HEAD"]),
            Route("/ui/{path:path}", shell, methods=["GET", "HEAD"])]


async def _to_ui(request: Request) -> Response:
    return RedirectResponse("/ui/", status_code=307)


def _disabled(headers: dict[str, str]) -> list[BaseRoute]:
    async def stub(request: Request) -> Response:
        return _guarded(Response(DISABLED, media_type="text/html; charset=utf-8"), headers)

    return [Route("/", _to_ui, methods=["GET", "HEAD"]),
            Route("/ui", _to_ui, methods=["GET", "HEAD"]),
            Route("/ui/{path:path}", stub, methods=["GET", "HEAD"])]


def _send(request: Request, found: Asset, cache: str, guard: dict[str, str]) -> Response:
    headers = {"ETag": found.etag, "Cache-Control": cache, "Vary": "Accept-Encoding"}
    if request.headers.get("if-none-match") == found.etag:
        return _guarded(Response(status_code=304, headers=headers), guard)
    body = found.body
    if found.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
        body = found.gzipped
        headers["Content-Encoding"] = "gzip"
    return _guarded(Response(body, media_type=found.media_type, headers=headers), guard)


def _guarded(response: Response, headers: dict[str, str]) -> Response:
    response.headers.update(headers)
    return response
