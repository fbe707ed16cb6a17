"""Finding the one deployment an ID prefix names, with Nomad's messages."""

from __future__ import annotations

from caravan.api import Client
from caravan.cli.common import reported_as
from caravan.cli.deployment_format import deployments_table
from caravan.cli.lookup import sanitize_uuid_prefix
from caravan.errors import CommandFailed, UsageError
from caravan.structs import Deployment


def deployment_by_prefix(client: Client, prefix: str, length: int) -> Deployment:
    prefix = sanitize_uuid_prefix(prefix.strip())
    with reported_as("Error retrieving deployment: "):
        found, _ = client.deployments.list(prefix=prefix)
    if not found:
        raise CommandFailed(f'Error retrieving deployment: no deployment found with prefix '
                            f'"{prefix}"')
    exact = [d for d in found if d.id == prefix]
    if len(found) > 1 and not exact:
        raise CommandFailed("Prefix matched multiple deployments\n\n"
                            + deployments_table(found, length))
    return exact[0] if exact else found[0]


def one_deployment_argument(args: list[str]) -> str:
    if len(args) != 1:
        raise UsageError("This command takes one argument: <deployment id>")
    return args[0]
