"""The errors a template raises, worded as Go's text/template words them.

    CaravanError
     └── TemplateError            a template that cannot be parsed or executed (400)
          ├── TemplateParseError  "template: NAME:LINE: message"
          └── TemplateExecError   "template: NAME:LINE:COL: executing "NAME" at <node>: message"

`FuncError` is not a CaravanError: a template function raises it to say "this call
failed", and the evaluator turns it into Go's "error calling NAME: message".
"""

from __future__ import annotations

from caravan.errors import CaravanError
from caravan.gotemplate.fmtvalue import go_quote


class TemplateError(CaravanError):
    status = 400


class TemplateParseError(TemplateError):
    """The text is not a valid template; `line` is 1-based."""

    def __init__(self, name: str, line: int, message: str) -> None:
        super().__init__(f"template: {name}:{line}: {message}")
        self.name = name
        self.line = line


class TemplateExecError(TemplateError):
    """Executing failed at one node; `line` is 1-based, `column` a 0-based byte offset.

    `location` is the name the text was parsed under, `name` the template (maybe a
    `define`d one) that was executing.
    """

    def __init__(self, location: str, line: int, column: int, name: str, context: str,
                 message: str) -> None:
        super().__init__(f"template: {location}:{line}:{column}: executing {go_quote(name)} "
                         f"at <{context}>: {message}")
        self.name = name
        self.line = line
        self.column = column


class FuncError(Exception):
    """Raised by a template function; reported as 'error calling NAME: <message>'."""

