"""Capability names and what each shorthand policy expands to (Nomad's exact sets).

Namespace capabilities are checked per namespace; the `Coarse` permissions are the
cluster-wide ones (node, agent, operator, ...) plus `MANAGEMENT` for endpoints only a
management token may use. `alloc-node-exec` is deliberately in no shorthand: exec
into a task without filesystem isolation (raw_exec) is a shell on the host.
`alloc-port-forward` (caravan's own) is in `write`, beside the stronger `alloc-exec`:
it reaches only the ports the allocation holds, which its node already serves on the
network. Neither of the two implies the other.
"""

from __future__ import annotations

from enum import StrEnum


class NamespaceCapability(StrEnum):
    DENY = "deny"
    LIST_JOBS = "list-jobs"
    PARSE_JOB = "parse-job"
    READ_JOB = "read-job"
    SUBMIT_JOB = "submit-job"
    DISPATCH_JOB = "dispatch-job"
    READ_LOGS = "read-logs"
    READ_FS = "read-fs"
    ALLOC_EXEC = "alloc-exec"
    ALLOC_NODE_EXEC = "alloc-node-exec"
    ALLOC_PORT_FORWARD = "alloc-port-forward"
    ALLOC_LIFECYCLE = "alloc-lifecycle"
    SENTINEL_OVERRIDE = "sentinel-override"
    CSI_REGISTER_PLUGIN = "csi-register-plugin"
    CSI_WRITE_VOLUME = "csi-write-volume"
    CSI_READ_VOLUME = "csi-read-volume"
    CSI_LIST_VOLUME = "csi-list-volume"
    CSI_MOUNT_VOLUME = "csi-mount-volume"
    HOST_VOLUME_CREATE = "host-volume-create"
    HOST_VOLUME_REGISTER = "host-volume-register"
    HOST_VOLUME_READ = "host-volume-read"
    HOST_VOLUME_WRITE = "host-volume-write"
    HOST_VOLUME_DELETE = "host-volume-delete"
    LIST_SCALING_POLICIES = "list-scaling-policies"
    READ_SCALING_POLICY = "read-scaling-policy"
    READ_JOB_SCALING = "read-job-scaling"
    SCALE_JOB = "scale-job"
    SUBMIT_RECOMMENDATION = "submit-recommendation"
    REGISTER_JOB = "register-job"
    REVERT_JOB = "revert-job"
    DEREGISTER_JOB = "deregister-job"
    PURGE_JOB = "purge-job"
    EVALUATE_JOB = "evaluate-job"
    PLAN_JOB = "plan-job"
    TAG_JOB_VERSION = "tag-job-version"
    STABLE_JOB = "stable-job"
    FAIL_DEPLOYMENT = "fail-deployment"
    PAUSE_DEPLOYMENT = "pause-deployment"
    PROMOTE_DEPLOYMENT = "promote-deployment"
    UNBLOCK_DEPLOYMENT = "unblock-deployment"
    CANCEL_DEPLOYMENT = "cancel-deployment"
    SET_ALLOC_HEALTH_DEPLOYMENT = "set-alloc-health-deployment"
    GC_ALLOCATION = "gc-allocation"
    PAUSE_ALLOCATION = "pause-allocation"
    FORCE_PERIODIC_JOB = "force-periodic-job"
    DELETE_SERVICE_REGISTRATION = "delete-service-registration"


class Coarse(StrEnum):
    """Permissions that are not bound to a namespace."""

    NODE_READ = "node:read"
    NODE_WRITE = "node:write"
    AGENT_READ = "agent:read"
    AGENT_WRITE = "agent:write"
    OPERATOR_READ = "operator:read"
    OPERATOR_WRITE = "operator:write"
    QUOTA_READ = "quota:read"
    QUOTA_WRITE = "quota:write"
    PLUGIN_READ = "plugin:read"
    PLUGIN_LIST = "plugin:list"
    MANAGEMENT = "management"


Capability = NamespaceCapability | Coarse

# The `policy = "..."` values; merged across policies with deny > write > read > list.
DENY, READ, LIST, WRITE, SCALE = "deny", "read", "list", "write", "scale"
POLICY_LEVELS = (DENY, READ, WRITE, SCALE)
PLUGIN_LEVELS = (DENY, READ, LIST, WRITE)

NS = NamespaceCapability
_READ = frozenset({NS.LIST_JOBS, NS.PARSE_JOB, NS.READ_JOB, NS.CSI_LIST_VOLUME,
                   NS.CSI_READ_VOLUME, NS.READ_JOB_SCALING, NS.LIST_SCALING_POLICIES,
                   NS.READ_SCALING_POLICY, NS.HOST_VOLUME_READ})
_WRITE = _READ | {NS.SCALE_JOB, NS.SUBMIT_JOB, NS.DISPATCH_JOB, NS.READ_LOGS, NS.READ_FS,
                  NS.ALLOC_EXEC, NS.ALLOC_PORT_FORWARD, NS.ALLOC_LIFECYCLE, NS.CSI_MOUNT_VOLUME,
                  NS.CSI_WRITE_VOLUME, NS.SUBMIT_RECOMMENDATION, NS.HOST_VOLUME_CREATE}
_SCALE = frozenset({NS.LIST_SCALING_POLICIES, NS.READ_SCALING_POLICY, NS.READ_JOB_SCALING,
                    NS.SCALE_JOB, NS.READ_JOB, NS.SUBMIT_RECOMMENDATION})
NAMESPACE_SHORTHANDS: dict[str, frozenset[str]] = {
    DENY: frozenset({NS.DENY}), READ: _READ, WRITE: _WRITE, SCALE: _SCALE}

# Fine-grained host volume capabilities that carry weaker ones with them.
NAMESPACE_IMPLIED: dict[str, frozenset[str]] = {
    NS.HOST_VOLUME_WRITE: frozenset({NS.HOST_VOLUME_REGISTER, NS.HOST_VOLUME_CREATE,
                                     NS.HOST_VOLUME_DELETE, NS.HOST_VOLUME_READ}),
    NS.HOST_VOLUME_REGISTER: frozenset({NS.HOST_VOLUME_CREATE, NS.HOST_VOLUME_READ}),
    NS.HOST_VOLUME_CREATE: frozenset({NS.HOST_VOLUME_READ}),
}

OPERATOR_CAPABILITIES = frozenset({"deny", "snapshot-save", "license-read", "keyring-rotate",
                                   "keyring-read", "keyring-delete"})
OPERATOR_SHORTHANDS: dict[str, frozenset[str]] = {
    DENY: frozenset({"deny"}),
    READ: frozenset({"license-read", "keyring-read"}),
    WRITE: OPERATOR_CAPABILITIES - {"deny"},
}

HOST_VOLUME_CAPABILITIES = frozenset({"deny", "mount-readonly", "mount-readwrite"})
HOST_VOLUME_SHORTHANDS: dict[str, frozenset[str]] = {
    DENY: frozenset({"deny"}), READ: frozenset({"mount-readonly"}),
    WRITE: frozenset({"mount-readonly", "mount-readwrite"}),
}

NODE_POOL_CAPABILITIES = frozenset({"deny", "read", "write", "delete"})
NODE_POOL_SHORTHANDS: dict[str, frozenset[str]] = {
    DENY: frozenset({"deny"}), READ: frozenset({"read"}),
    WRITE: frozenset({"read", "write", "delete"}),
}

SENTINEL_CAPABILITIES = frozenset({"deny", "sentinel-read", "sentinel-submit",
                                   "sentinel-delete"})
VARIABLE_CAPABILITIES = frozenset({"list", "read", "write", "destroy", "deny"})

NAMESPACE_CAPABILITIES = frozenset(c.value for c in NamespaceCapability)


def expand_namespace(policy: str, capabilities: frozenset[str]) -> frozenset[str]:
    """The namespace capabilities a rule grants: its list, its shorthand, and implications."""
    granted = set(capabilities) | NAMESPACE_SHORTHANDS.get(policy, frozenset())
    for capability in list(granted):
        granted |= NAMESPACE_IMPLIED.get(capability, frozenset())
    return frozenset(str(c) for c in granted)


def max_privilege(a: str, b: str) -> str:
    """Two coarse policy levels merged: deny overrides, then write, read, list."""
    for level in (DENY, WRITE, READ, LIST):
        if level in (a, b):
            return level
    return ""
