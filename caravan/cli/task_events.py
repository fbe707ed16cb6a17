"""Per-task sections of `alloc status`: resources, task events and their descriptions.

Pure: models (and optional live stats) in, text out.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import tzinfo

from caravan.structs.stats import AllocResourceUsage, ResourceUsage
from caravan.cli.formatting import (
    format_kv,
    format_list,
    format_list_with_spaces,
    format_rfc3339,
    format_unix_nano,
    go_duration,
    ibytes,
    mib,
)
from caravan.structs import Allocation, TaskEvent, TaskState

_RESTART_WITHIN_POLICY = "Restart within policy"


def _terminated(e: TaskEvent) -> str:
    parts = [f"Exit Code: {e.exit_code}"]
    if e.signal:
        parts.append(f"Signal: {e.signal}")
    if e.message:
        parts.append(f'Exit Message: "{e.message}"')
    return ", ".join(parts)


def _killing(e: TaskEvent) -> str:
    if e.kill_reason:
        return f"Killing task: {e.kill_reason}"
    if e.kill_timeout:
        return f"Sent interrupt. Waiting {go_duration(e.kill_timeout)} before force killing"
    return "Sent interrupt"


def _restarting(e: TaskEvent) -> str:
    text = f"Task restarting in {go_duration(e.start_delay)}"
    if e.restart_reason and e.restart_reason != _RESTART_WITHIN_POLICY:
        return f"{e.restart_reason} - {text}"
    return text


def _signaling(e: TaskEvent) -> str:
    sig, reason = e.details.get("signal", ""), e.details.get("reason", "")
    if sig and reason:
        return f"Task being sent signal {sig}: {reason}"
    return f"Task being sent signal {sig}" if sig else (reason or "Task being sent a signal")


_BUILDERS: dict[str, Callable[[TaskEvent], str]] = {
    "Task Setup": lambda e: e.message,
    "Started": lambda e: "Task started by client",
    "Received": lambda e: "Task received by client",
    "Failed Validation": lambda e: e.validation_error or "Validation of task failed",
    "Setup Failure": lambda e: e.setup_error or "Task setup failed",
    "Driver Failure": lambda e: e.driver_error or "Failed to start task",
    "Downloading Artifacts": lambda e: "Client is downloading artifacts",
    "Failed Artifact Download": lambda e: e.download_error or "Failed to download artifacts",
    "Killing": _killing,
    "Killed": lambda e: e.details.get("kill_error") or "Task successfully killed",
    "Terminated": _terminated,
    "Restarting": _restarting,
    "Not Restarting": lambda e: e.restart_reason or "Task exceeded restart policy",
    "Sibling Task Failed": lambda e: (f'Task\'s sibling "{e.details["failed_sibling"]}" failed'
                                      if e.details.get("failed_sibling")
                                      else "Task's sibling failed"),
    "Signaling": _signaling,
    "Restart Signaled": lambda e: e.restart_reason or "Task signaled to restart",
    "Driver": lambda e: e.details.get("driver_message", e.message),
    "Leader Task Dead": lambda e: "Leader Task in Group dead",
    "Reconnected": lambda e: "Client reconnected",
}


def event_description(event: TaskEvent) -> str:
    """The DisplayMessage, or Nomad's text built from the event's type and fields."""
    if event.display_message:
        return event.display_message
    builder = _BUILDERS.get(event.type)
    return builder(event) if builder else event.message


def _task_time(text: str, tz: tzinfo | None) -> str:
    return format_rfc3339(text, tz) or "N/A"


def task_events_text(state: TaskState, tz: tzinfo | None = None) -> str:
    """`Task Events:` (start/finish/restarts) and `Recent Events:` (newest first)."""
    basic = format_kv([
        ("Started At", _task_time(state.started_at, tz)),
        ("Finished At", _task_time(state.finished_at, tz)),
        ("Total Restarts", state.restarts),
        ("Last Restart", _task_time(state.last_restart, tz)),
    ])
    rows: list[list[str]] = [["Time", "Type", "Description"]]
    for event in reversed(state.events):
        rows.append([format_unix_nano(event.time, tz), event.type, event_description(event)])
    return f"Task Events:\n{basic}\n\nRecent Events:\n{format_list(rows)}"


def _live_usage(stats: AllocResourceUsage | None, task: str) -> ResourceUsage | None:
    if stats is None:
        return None
    usage = stats.tasks.get(task)
    return usage.resource_usage if usage else None


def task_resources_text(
    alloc: Allocation, task: str, stats: AllocResourceUsage | None
) -> str | None:
    """`Task Resources:` with live usage when stats are known; None if nothing allocated."""
    res = alloc.allocated_resources.tasks.get(task)
    if res is None:
        return None
    cpu, memory = str(res.cpu.cpu_shares), mib(res.memory.memory_mb)
    usage = _live_usage(stats, task)
    if usage and usage.cpu_stats:
        cpu = f"{math.floor(usage.cpu_stats.total_ticks)}/{cpu}"
    if usage and usage.memory_stats:
        ms = usage.memory_stats
        used = ms.usage if ms.rss == 0 and "RSS" not in (ms.measured or []) else ms.rss
        memory = f"{ibytes(used)}/{memory}"
    rows: list[list[str]] = [
        ["CPU", "Memory", "Disk", "Addresses"],
        [f"{cpu} MHz", memory, mib(alloc.allocated_resources.shared.disk_mb), ""],
    ]
    max_mb = res.memory.memory_max_mb
    if max_mb and max_mb != res.memory.memory_mb:
        rows.append(["", f"Max: {mib(max_mb)}", "", ""])
    return "Task Resources:\n" + format_list_with_spaces(rows)


def _memory_value(usage: ResourceUsage, name: str) -> str:
    ms = usage.memory_stats
    assert ms is not None
    values = {"RSS": ms.rss, "Cache": ms.cache, "Swap": ms.swap, "Usage": ms.usage,
              "Max Usage": ms.max_usage, "Kernel Usage": ms.kernel_usage,
              "Kernel Max Usage": ms.kernel_max_usage}
    return ibytes(values[name]) if name in values else ""


def _cpu_value(usage: ResourceUsage, name: str) -> str:
    cs = usage.cpu_stats
    assert cs is not None
    values = {"Percent": f"{cs.percent:.2f}%", "Throttled Periods": str(cs.throttled_periods),
              "Throttled Time": str(cs.throttled_time), "User Mode": f"{cs.user_mode:.2f}%",
              "System Mode": f"{cs.system_mode:.2f}%"}
    return values.get(name, "")


def verbose_usage_text(stats: AllocResourceUsage | None, task: str) -> str | None:
    """The `-stats` tables: every measured memory and CPU figure."""
    usage = _live_usage(stats, task)
    if usage is None:
        return None
    parts = []
    if usage.memory_stats and usage.memory_stats.measured:
        names = sorted(usage.memory_stats.measured)
        parts.append("Memory Stats\n" + format_list(
            [names, [_memory_value(usage, n) for n in names]]))
    if usage.cpu_stats and usage.cpu_stats.measured:
        names = sorted(usage.cpu_stats.measured)
        parts.append("CPU Stats\n" + format_list([names, [_cpu_value(usage, n) for n in names]]))
    return "\n\n".join(parts) or None
