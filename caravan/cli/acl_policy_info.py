"""`caravan acl policy info <name>`: one policy with its rules."""

from __future__ import annotations

from caravan.api.acl import ACLPolicies
from caravan.cli.acl_format import policy_text
from caravan.cli.common import CLIENT_OPTIONS_HELP
from caravan.cli.object_commands import InfoCommand

HELP = """
Usage: caravan acl policy info <name>

  Info is used to fetch information on an existing ACL policy.
""" + CLIENT_OPTIONS_HELP + """
Info Options:

  -json
    Output the ACL policy in a JSON format.
"""


run = InfoCommand("<name>", "Error fetching info on ACL policy: ",
                  lambda client, name: ACLPolicies(client).info(name)[0], policy_text).run
