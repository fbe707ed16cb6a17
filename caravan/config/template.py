"""The client's `template { }` block: Nomad's keys and defaults for rendering templates.

    client {
      template {
        function_denylist = ["plugin", "writeToFile"]  # the default; [] allows neither here:
                                                       # caravan has no plugin, no writeToFile
        disable_file_sandbox = false                   # true is refused: always sandboxed
        block_query_wait = "5m"                        # how long one watch query blocks
        wait        { min = "5s" max = "4m" }          # default quiescence of re-renders
        wait_bounds { min = "0s" max = "1h" }          # clamps a job's own `wait`
      }
    }

`max_stale` and the `consul_retry`, `vault_retry`, `nomad_retry` blocks are accepted so
that Nomad agent files load; they change nothing here.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from caravan.durations import parse_duration


def _seconds(value: Any) -> Any:
    return parse_duration(value) / 1e9 if isinstance(value, str) else value


Seconds = Annotated[float, BeforeValidator(_seconds), Field(ge=0)]


class WaitBlock(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min: Seconds | None = None
    max: Seconds | None = None


class TemplateConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    function_denylist: tuple[str, ...] = ("plugin", "writeToFile")
    disable_file_sandbox: bool = False
    block_query_wait: Seconds = 300.0
    wait: WaitBlock = WaitBlock(min=5.0, max=240.0)
    wait_bounds: WaitBlock | None = None
    max_stale: Seconds | None = None
    consul_retry: dict[str, Any] | None = None
    vault_retry: dict[str, Any] | None = None
    nomad_retry: dict[str, Any] | None = None

    @field_validator("disable_file_sandbox")
    @classmethod
    def _always_sandboxed(cls, value: bool) -> bool:
        if value:
            raise ValueError("caravan always renders templates inside the allocation dir; "
                             "remove disable_file_sandbox")
        return value

    @field_validator("function_denylist")
    @classmethod
    def _plugin_and_write_stay_denied(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # caravan implements neither function; keep them refused whatever the list says.
        return tuple(dict.fromkeys((*value, "plugin", "writeToFile")))

    def wait_for(self, job_min_ns: int | None, job_max_ns: int | None) -> tuple[float, float]:
        """A template's (min, max) quiescence in seconds: the job's own `wait` where set,
        else this block's, then clamped by `wait_bounds` (Nomad's order)."""
        low = job_min_ns / 1e9 if job_min_ns is not None else (self.wait.min or 0.0)
        high = job_max_ns / 1e9 if job_max_ns is not None else (self.wait.max or 0.0)
        bounds = self.wait_bounds
        if bounds is not None and job_min_ns is not None and bounds.min is not None:
            low = max(low, bounds.min)
        if bounds is not None and job_max_ns is not None and bounds.max is not None:
            high = min(high, bounds.max)
        return low, high
