"""Strict decoding of a driver's `config` block into its model, with HCL-like messages.

Unknown keys are errors, as Nomad's HCL spec decoding makes them; the message is
what a Nomad user sees for a misspelt or missing key.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from caravan.client.drivers.base import DriverConfigError

M = TypeVar("M", bound=BaseModel)


def decode(model: type[M], raw: dict[str, Any], prefix: str = "failed to parse config: ") -> M:
    try:
        return model.model_validate(raw)
    except ValidationError as err:
        raise DriverConfigError(prefix + "; ".join(_describe(e) for e in err.errors())) from err


def _describe(error: ErrorDetails) -> str:
    name = ".".join(str(part) for part in error["loc"]) or "config"
    if error["type"] == "missing":
        return (f'Missing required argument: The argument "{name}" is required, '
                "but no definition was found.")
    if error["type"] == "extra_forbidden":
        return f'Unsupported argument: An argument named "{name}" is not expected here.'
    return (f'Incorrect attribute value type: Inappropriate value for attribute "{name}": '
            f'{error["msg"]}.')
