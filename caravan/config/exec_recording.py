"""The client's `exec_recording { }` block: whether exec sessions' terminals are recorded.

    client {
      exec_recording {
        enabled  = true     # output of every exec session, as asciicast v2 (default false)
        input    = false    # also what the caller typed (default false: it carries passwords)
        max_size = "100MB"  # per recording; the rest of a session is not recorded (0: no limit)
      }
    }

An audit record of every session is written either way; this only adds the recording.
Sizes are go-humanize strings as elsewhere in agent files (`100MB`, `1GiB`) or bytes.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from caravan.config.artifact import Bytes


class ExecRecordingConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = False
    input: bool = False
    # A `cat` of a large file would otherwise fill the client's data dir.
    max_size: Bytes = 100 * 10**6
