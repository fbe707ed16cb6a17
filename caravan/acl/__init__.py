"""ACLs: Nomad's policy grammar, capability sets, compiled ACLs and the one `authorize()`.

    capabilities.py  capability names (NamespaceCapability, Coarse) and shorthands
    document.py      policy text (HCL or JSON) -> blocks with lines
    rules.py         one block -> one rule, with Nomad's error texts
    parse.py         parse_policy(): text -> Policy (every problem at once)
    policy.py        the typed rules of one policy
    globs.py         exact names and the closest matching glob
    acl.py           compile_acl(): policies merged into an ACL (deny wins)
    cache.py         ACLCache: compiled ACLs by (policy name, hash) set; CallerCache:
                     resolved callers by secret (the one token cache)
    authorize.py     authorize(acl, capability, namespace), and the checks on ACL
                     objects (policies, tokens) and namespaces themselves
    identity.py      Caller (token + ACL), anonymous token, secret hashing
    validate.py      check_policy(): Nomad's ACLPolicy checks before a write

Pure: no I/O, no HTTP, no clock. Token lookup and expiry live in the server.
"""

from caravan.acl.acl import ACL, ALL_NAMESPACES, DEFAULT_NAMESPACE, compile_acl
from caravan.acl.authorize import authorize
from caravan.acl.cache import ACLCache, CallerCache, PolicySource
from caravan.acl.capabilities import Capability, Coarse, NamespaceCapability
from caravan.acl.identity import Caller, anonymous_token, hash_secret, is_uuid
from caravan.acl.parse import parse_policy
from caravan.acl.policy import CapabilityRule, LabeledRule, NamespaceRule, Policy

__all__ = [
    "ACL", "ACLCache", "ALL_NAMESPACES", "Caller", "CallerCache", "Capability", "CapabilityRule", "Coarse",
    "DEFAULT_NAMESPACE", "LabeledRule", "NamespaceCapability", "NamespaceRule", "Policy",
    "PolicySource", "anonymous_token", "authorize", "compile_acl", "hash_secret", "is_uuid",
    "parse_policy",
]
