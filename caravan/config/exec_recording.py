"""The client's `exec_recording { }` block: whether exec sessions' terminals are recorded.

    client {
      exec_recording {
        enabled = true    # output of every exec session, as asciicast v2 (default false)
        input   = false   # also what the caller typed (default false: it carries passwords)
      }
    }

An audit record of every session is written either way; this only adds the recording.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ExecRecordingConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = False
    input: bool = False
