// The parts of Nomad's API objects the UI reads (Nomad's JSON names).

export interface GroupSummary {
  Queued: number; Starting: number; Running: number; Failed: number; Complete: number; Lost: number;
}

export interface JobStub {
  ID: string; Name: string; Namespace: string; Type: string; Status: string; Priority: number;
  Stop: boolean; JobSummary?: { Summary: Record<string, GroupSummary> } | null;
}

export interface Task { Name: string; Driver: string }
export interface TaskGroup { Name: string; Count: number; Tasks: Task[] }

export interface Job {
  ID: string; Name: string; Namespace: string; Type: string; Status: string; Version: number;
  Stop: boolean; Priority: number; Datacenters: string[]; TaskGroups: TaskGroup[];
  Stable?: boolean; SubmitTime?: number;
}

export interface TaskEvent {
  Type: string; Time: number; DisplayMessage?: string; Message?: string;
}

export interface TaskState {
  State: string; Failed: boolean; Restarts: number; StartedAt: string | null;
  FinishedAt: string | null; Events: TaskEvent[] | null;
}

export interface Port { Label: string; Value: number; To: number; HostIP: string }

export interface AllocStub {
  ID: string; Name: string; Namespace: string; NodeID: string; NodeName: string; JobID: string;
  TaskGroup: string; ClientStatus: string; DesiredStatus: string; JobVersion: number;
  CreateTime: number; ModifyTime: number; TaskStates?: Record<string, TaskState> | null;
}

export interface Alloc extends AllocStub {
  Job?: Job | null;
  AllocatedResources?: { Shared?: { Ports?: Port[] | null } | null } | null;
}

export interface AllocMetric {
  NodesEvaluated: number; NodesExhausted: number; CoalescedFailures: number;
  NodesAvailable?: Record<string, number> | null;
  ClassFiltered?: Record<string, number> | null;
  ConstraintFiltered?: Record<string, number> | null;
  ClassExhausted?: Record<string, number> | null;
  DimensionExhausted?: Record<string, number> | null;
  QuotaExhausted?: string[] | null;
}

export interface Evaluation {
  ID: string; Namespace: string; JobID: string; Type: string; TriggeredBy: string;
  Status: string; StatusDescription: string; CreateTime: number; Priority: number;
  NodeID?: string; FailedTGAllocs?: Record<string, AllocMetric> | null;
}

export interface DriverInfo { Detected: boolean; Healthy: boolean; HealthDescription: string }

export interface NodeStub {
  ID: string; Name: string; Datacenter: string; NodeClass: string; Status: string;
  SchedulingEligibility: string; Drain: boolean; Address: string;
  Drivers?: Record<string, DriverInfo> | null;
}

export interface Node extends NodeStub {
  Attributes?: Record<string, string> | null;
  NodeResources?: { Cpu?: { CpuShares: number }; Memory?: { MemoryMB: number };
    Disk?: { DiskMB: number } } | null;
}

export interface ResourceUsage {
  MemoryStats?: { RSS: number; Usage: number } | null;
  CpuStats?: { Percent: number; TotalTicks: number } | null;
}

export interface AllocStats {
  ResourceUsage: ResourceUsage; Tasks?: Record<string, { ResourceUsage: ResourceUsage }> | null;
}

export interface FileInfo { Name: string; IsDir: boolean; Size: number; FileMode: string; ModTime: string }

export interface Namespace { Name: string; Description: string }

export interface TokenInfo {
  AccessorID: string; Name: string; Type: string; Policies: string[] | null; ExpirationTime?: string | null;
}
