"""`caravan acl policy list`: the ACL policies the token may see."""

from __future__ import annotations

from caravan.api.acl import ACLPolicies
from caravan.cli.acl_format import policies_table
from caravan.cli.common import CLIENT_OPTIONS_HELP
from caravan.cli.object_commands import ListCommand

HELP = """
Usage: caravan acl policy list

  List is used to list available ACL policies.
""" + CLIENT_OPTIONS_HELP + """
List Options:

  -json
    Output the ACL policies in a JSON format.
"""


run = ListCommand("Error listing ACL policies: ", lambda client: ACLPolicies(client).list()[0],
                  lambda policies, _: policies_table(policies)).run
