"""What `deployment promote|fail|pause|resume` and `job promote` share: the reply of a
deployment write, and following the evaluation it created unless `-detach`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from caravan.api import Client
from caravan.cli.common import Ui, client_flag_set, make_client, reported_as
from caravan.cli.deployment_lookup import deployment_by_prefix, one_deployment_argument
from caravan.cli.deployment_monitor import DeploymentMonitor
from caravan.cli.flags import Flags, FlagSet
from caravan.cli.formatting import id_length
from caravan.cli.monitor import EvalMonitor
from caravan.structs import Deployment, DeploymentUpdateResponse


def action_flags(*extra_bools: str) -> FlagSet:
    fs = client_flag_set()
    for name in ("detach", "verbose", *extra_bools):
        fs.bool_flag(name)
    return fs


def follow(client: Client, ui: Ui, reply: DeploymentUpdateResponse, *, detach: bool,
           verbose: bool) -> int:
    """Nomad's tail of these commands: nothing without an eval, its ID with `-detach`,
    else the evaluation and then its deployment, followed to the end."""
    if not reply.eval_id:
        return 0
    if detach:
        ui.output("Evaluation ID: " + reply.eval_id)
        return 0
    length = id_length(verbose)
    monitor = EvalMonitor(client, ui, length)
    code = monitor.monitor(reply.eval_id)
    return follow_deployment(client, ui, monitor.deployment_id, code, verbose=verbose)


def follow_deployment(client: Client, ui: Ui, deployment_id: str, code: int, *,
                      verbose: bool) -> int:
    """After an evaluation's monitor: its deployment, if any, decides the exit code (0 when
    it succeeds, 1 otherwise), as Nomad's `job run` does. Unlike Nomad, a placement
    failure (exit 2) ends here: that deployment could only end at its progress deadline."""
    if not deployment_id or code != 0:
        return code
    status = DeploymentMonitor(client, ui, id_length(verbose), verbose=verbose).monitor(
        deployment_id)
    return 0 if status == "successful" else 1


@dataclass(frozen=True)
class DeploymentAction:
    """One of `deployment promote|fail|pause|resume`: the write it makes on the deployment
    a prefix names, what it says afterwards, and whether it follows the evaluation."""

    error: str  # the prefix of a failed write's message, in Nomad's words
    write: Callable[[Client, Deployment, Flags], DeploymentUpdateResponse | None]
    said: Callable[[Deployment, DeploymentUpdateResponse | None], str] | None = None
    follows: bool = True
    blank_after: bool = False  # fail and resume end with an empty line, as Nomad's do

    def run(self, args: list[str], ui: Ui, fs: FlagSet | None = None) -> int:
        flags = (fs or action_flags()).parse(args)
        prefix = one_deployment_argument(flags.args)
        client = make_client(flags)
        verbose = flags.get_bool("verbose")
        d = deployment_by_prefix(client, prefix, id_length(verbose))
        with reported_as(self.error):
            reply = self.write(client, d, flags)
        if self.said is not None:
            ui.output(self.said(d, reply))
        if not self.follows or reply is None:
            return 0
        code = follow(client, ui, reply, detach=flags.get_bool("detach"), verbose=verbose)
        if self.blank_after:
            ui.output("")
        return code
