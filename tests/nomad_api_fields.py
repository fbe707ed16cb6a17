"""Every JSON key of Nomad's api structs for a job, at the zero value Nomad's CLI and
python-nomad send for an unset field (null for Go pointers, slices and maps; "", 0,
false otherwise). Pinned from Nomad's api package (api/jobs.go, tasks.go, resources.go,
constraint.go, services.go at aa026cc99c) so that a key Nomad sends can never be "unknown" to caravan.
"""

from __future__ import annotations

import copy
from typing import Any

JOB = {
    "Region": None, "Namespace": None, "ID": None, "Name": None, "Type": None, "Priority": None,
    "AllAtOnce": None, "Datacenters": None, "NodePool": None, "Constraints": None,
    "Affinities": None, "TaskGroups": None, "Update": None, "Multiregion": None,
    "Spreads": None, "Periodic": None, "ParameterizedJob": None, "Reschedule": None,
    "Migrate": None, "Meta": None, "UI": None, "Stop": None, "ParentID": None,
    "Dispatched": False, "DispatchIdempotencyToken": None, "Payload": None,
    "ConsulNamespace": None, "VaultNamespace": None, "NomadTokenID": None, "Status": None,
    "StatusDescription": None, "Stable": None, "Version": None, "SubmitTime": None,
    "CreateIndex": None, "ModifyIndex": None, "JobModifyIndex": None, "VersionTag": None,
}
TASKGROUP = {
    "Name": None, "Count": None, "Constraints": None, "Affinities": None, "Tasks": None,
    "Spreads": None, "Volumes": None, "RestartPolicy": None, "Disconnect": None,
    "ReschedulePolicy": None, "EphemeralDisk": None, "Update": None, "Migrate": None,
    "Networks": None, "Meta": None, "Services": None, "ShutdownDelay": None,
    "MaxRunDuration": None, "StopAfterClientDisconnect": None, "MaxClientDisconnect": None,
    "Scaling": None, "Consul": None, "PreventRescheduleOnLost": None,
}
TASK = {
    "Name": "", "Driver": "", "User": "", "Lifecycle": None, "Config": None,
    "Constraints": None, "Affinities": None, "Env": None, "Services": None, "Resources": None,
    "RestartPolicy": None, "Meta": None, "KillTimeout": None, "LogConfig": None,
    "Artifacts": None, "Vault": None, "Consul": None, "Templates": None,
    "DispatchPayload": None, "VolumeMounts": None, "CSIPluginConfig": None, "Leader": False,
    "ShutdownDelay": 0, "KillSignal": "", "Kind": "", "ScalingPolicies": None, "Secrets": None,
    "Identity": None, "Identities": None, "Actions": None, "Schedule": None,
}
TEMPLATE = {
    "SourcePath": None, "DestPath": None, "EmbeddedTmpl": None, "ChangeMode": None,
    "ChangeScript": None, "ChangeSignal": None, "Once": None, "Splay": None, "Perms": None,
    "Uid": None, "Gid": None, "LeftDelim": None, "RightDelim": None, "Envvars": None,
    "VaultGrace": None, "Wait": None, "ErrMissingKey": None,
}
CHANGESCRIPT = {"Command": None, "Args": None, "Timeout": None, "FailOnError": None,
                "RunOnFirstRender": None}
WAITCONFIG = {"Min": None, "Max": None}
RESOURCES = {
    "CPU": None, "Cores": None, "MemoryMB": None, "MemoryMaxMB": None, "DiskMB": None,
    "Networks": None, "Devices": None, "NUMA": None, "SecretsMB": None, "IOPS": None,
}
NETWORKRESOURCE = {
    "Mode": "", "Device": "", "CIDR": "", "IP": "", "DNS": None, "ReservedPorts": None,
    "DynamicPorts": None, "Hostname": "", "MBits": None, "CNI": None,
}
PORT = {
    "Label": "", "Value": 0, "To": 0, "HostNetwork": "", "IgnoreCollision": False,
}
LOGCONFIG = {
    "MaxFiles": None, "MaxFileSizeMB": None, "Enabled": None, "Disabled": None,
}
TASKARTIFACT = {
    "GetterSource": None, "GetterOptions": None, "GetterHeaders": None, "GetterMode": None,
    "GetterInsecure": None, "RelativeDest": None, "Chown": False,
}
VOLUMEREQUEST = {
    "Name": "", "Type": "", "Source": "", "ReadOnly": False, "Sticky": False, "AccessMode": "",
    "AttachmentMode": "", "MountOptions": None, "PerAlloc": False,
}
VOLUMEMOUNT = {
    "Volume": None, "Destination": None, "ReadOnly": None, "PropagationMode": None,
    "SELinuxLabel": None,
}
CONSTRAINT = {
    "LTarget": "", "RTarget": "", "Operand": "",
}
RESTARTPOLICY = {
    "Interval": None, "Attempts": None, "Delay": None, "Mode": None, "RenderTemplates": None,
}
RESCHEDULEPOLICY = {
    "Attempts": None, "Interval": None, "Delay": None, "DelayFunction": None, "MaxDelay": None,
    "Unlimited": None,
}
EPHEMERALDISK = {
    "Sticky": None, "Migrate": None, "SizeMB": None,
}
WORKLOADIDENTITY = {
    "Name": "", "Audience": None, "ChangeMode": "", "ChangeSignal": "", "Env": False,
    "File": False, "Filepath": "", "ServiceName": "", "TTL": 0,
}
TASKLIFECYCLE = {
    "Hook": "", "Sidecar": False,
}
SERVICE = {
    "Name": "", "Tags": None, "CanaryTags": None, "EnableTagOverride": False, "PortLabel": "",
    "AddressMode": "", "Address": "", "Checks": None, "CheckRestart": None, "Connect": None,
    "Meta": None, "CanaryMeta": None, "TaggedAddresses": None, "TaskName": "", "OnUpdate": "",
    "Identity": None, "Weights": None, "Provider": "", "Cluster": "", "Kind": "",
}
SERVICECHECK = {
    "Name": "", "Type": "", "Command": "", "Args": None, "Path": "", "Protocol": "",
    "PortLabel": "", "Expose": False, "AddressMode": "", "Advertise": "", "Interval": 0,
    "Timeout": 0, "InitialStatus": "", "Notes": "", "TLSServerName": "", "TLSSkipVerify": False,
    "Header": None, "Method": "", "CheckRestart": None, "GRPCService": "", "GRPCUseTLS": False,
    "TaskName": "", "SuccessBeforePassing": 0, "FailuresBeforeCritical": 0,
    "FailuresBeforeWarning": 0, "Body": "", "OnUpdate": "",
}
CHECKRESTART = {"Limit": 0, "Grace": None, "IgnoreWarnings": False}


def zero_job(job_id: str, command: str = "/bin/true") -> dict[str, Any]:
    """A raw_exec job in which every struct Nomad's api has is present, every field at its
    zero value except what a valid job needs: what `nomad job run -output` would print."""
    port = {**PORT, "Label": "http"}
    network = {**NETWORKRESOURCE, "DynamicPorts": [port]}
    task = {**TASK, "Name": "main", "Driver": "raw_exec", "Config": {"command": command},
            "Lifecycle": None, "Resources": {**RESOURCES, "CPU": 100, "MemoryMB": 64},
            "LogConfig": dict(LOGCONFIG), "RestartPolicy": dict(RESTARTPOLICY),
            "Constraints": [{**CONSTRAINT, "LTarget": "${attr.kernel.name}",
                             "RTarget": "linux", "Operand": "="}]}
    group = {**TASKGROUP, "Name": "main", "Tasks": [task], "Networks": [network],
             "EphemeralDisk": dict(EPHEMERALDISK), "ReschedulePolicy": dict(RESCHEDULEPOLICY)}
    job = {**JOB, "ID": job_id, "Name": job_id, "Type": "batch", "Datacenters": ["dc1"],
           "TaskGroups": [group]}
    return copy.deepcopy({"Job": job})
