"""Typed models with Nomad's JSON names, shared by server, client, http and api."""

from caravan.structs.action import Action, JobAction
from caravan.structs.alloc import (
    AllocatedCpu,
    AllocatedMemory,
    AllocatedPortMapping,
    AllocatedResources,
    AllocatedSharedResources,
    AllocatedTaskResources,
    AllocClientUpdate,
    Allocation,
    AllocListStub,
    AllocMetric,
    DesiredTransition,
    RescheduleEvent,
    RescheduleTracker,
    TaskEvent,
    TaskState,
)
from caravan.structs.base import Struct, to_nomad
from caravan.structs.canonicalize import canonicalize
from caravan.structs.deployment import (
    AllocDeploymentStatus,
    Deployment,
    DeploymentState,
    DeploymentUpdateResponse,
    UpdateStrategy,
)
from caravan.structs.evaluation import Evaluation
from caravan.structs.job import (
    Constraint,
    EphemeralDisk,
    Job,
    JobListStub,
    JobSummary,
    JobSummaryCounts,
    LogConfig,
    NetworkResource,
    Port,
    ReschedulePolicy,
    Resources,
    RestartPolicy,
    Task,
    TaskArtifact,
    TaskLifecycleConfig,
    WorkloadIdentity,
    TaskGroup,
    VolumeMount,
    VolumeRequest,
)
from caravan.structs.node import (
    ClientHostVolume,
    DriverInfo,
    LegacyResources,
    Node,
    NodeCpuResources,
    NodeDiskResources,
    NodeListStub,
    NodeMemoryResources,
    NodeResources,
)
from caravan.structs.responses import (
    AllocStopResponse,
    JobDeregisterResponse,
    JobParseRequest,
    JobRegisterRequest,
    JobRegisterResponse,
    JobValidateRequest,
    JobValidateResponse,
    NodeRegisterResponse,
)
from caravan.structs.service import (
    CheckQueryResult,
    CheckRestart,
    Service,
    ServiceCheck,
    ServiceRegistration,
    ServiceRegistrationListStub,
    ServiceRegistrationStub,
)
from caravan.structs.placement import Affinity, Spread, SpreadTarget
from caravan.structs.template import ChangeScript, Template, WaitConfig
from caravan.structs.validate import validate_job

__all__ = [
    "Action", "Affinity", "Spread", "SpreadTarget",
    "JobAction",
    "AllocDeploymentStatus", "Deployment", "DeploymentState", "DeploymentUpdateResponse",
    "UpdateStrategy",
    "AllocClientUpdate", "AllocListStub", "AllocMetric", "AllocStopResponse", "AllocatedCpu",
    "ChangeScript", "CheckQueryResult", "CheckRestart", "Template", "WaitConfig",
    "AllocatedMemory", "AllocatedPortMapping", "AllocatedResources", "AllocatedSharedResources", "AllocatedTaskResources",
    "Allocation", "ClientHostVolume", "Constraint", "DesiredTransition", "DriverInfo",
    "EphemeralDisk", "Evaluation", "Job", "JobDeregisterResponse", "JobListStub",
    "JobParseRequest", "JobRegisterRequest", "JobRegisterResponse", "JobSummary",
    "JobSummaryCounts", "JobValidateRequest", "JobValidateResponse", "LegacyResources", "LogConfig", "NetworkResource", "Node", "NodeCpuResources",
    "NodeDiskResources", "NodeListStub", "NodeMemoryResources", "NodeRegisterResponse",
    "NodeResources", "Port", "RescheduleEvent", "ReschedulePolicy", "RescheduleTracker", "Resources",
    "RestartPolicy", "Service", "ServiceCheck", "ServiceRegistration", "ServiceRegistrationListStub",
    "ServiceRegistrationStub", "Struct", "Task", "TaskArtifact", "TaskEvent", "TaskGroup",
    "TaskLifecycleConfig", "TaskState", "WorkloadIdentity",
    "VolumeMount", "VolumeRequest", "canonicalize", "to_nomad", "validate_job",
]
