"""A parsed template and the options consul-template (and so Nomad) gives it.

    tmpl = parse("config.tpl", text, Options(missing_key="error"))
    tmpl.execute({"port": 8080})      # -> str, or TemplateExecError

Parsing checks the whole text once; `execute` may run many times, concurrently.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from caravan.gotemplate.builtins import BUILTINS
from caravan.gotemplate.calls import GoFunc
from caravan.gotemplate.errors import TemplateError
from caravan.gotemplate.exec import Executor
from caravan.gotemplate.funcs import DEFAULT_FUNCTION_DENYLIST, FuncContext, function_map
from caravan.gotemplate.nodes import ListNode
from caravan.gotemplate.parser import parse as parse_trees


@dataclass(frozen=True)
class Options:
    """How to parse and run one template.

    left_delim/right_delim: Nomad's `left_delimiter`/`right_delimiter`.
    missing_key: "default" prints `<no value>` for a missing map key; "error" is
      consul-template's `error_on_missing_key` (Go's missingkey=error).
    function_denylist: glob patterns of functions that fail when called (Nomad's
      client `template { function_denylist }`; default plugin and writeToFile).
    env: what `env` reads (the task's environment; nothing is read from os.environ).
    read_file: what `file` calls with the path; None makes `file` fail.
    now: the clock for `timestamp`; None means the UTC wall clock.
    extra_funcs: functions the caller supplies, such as Nomad's nomadVar; they
      replace the built-in placeholders of the same name.
    """

    left_delim: str = "{{"
    right_delim: str = "}}"
    missing_key: Literal["default", "zero", "error"] = "default"
    function_denylist: tuple[str, ...] = DEFAULT_FUNCTION_DENYLIST
    env: Mapping[str, str] = field(default_factory=dict)
    read_file: Callable[[str], str] | None = None
    now: Callable[[], datetime] | None = None
    extra_funcs: Mapping[str, GoFunc] = field(default_factory=dict)


class Template:
    """Parsed trees plus the function map; immutable after construction."""

    def __init__(self, name: str, text: str, options: Options) -> None:
        self.name = name
        self.text = text
        self.options = options
        context = FuncContext(options.env, options.read_file, options.now, self._execute_named)
        self.funcs: dict[str, GoFunc] = {**BUILTINS, **function_map(
            context, options.extra_funcs, options.function_denylist)}
        try:
            self.trees: dict[str, ListNode] = parse_trees(
                name, text, self.funcs, options.left_delim, options.right_delim)
        except RecursionError:
            raise TemplateError(f"template: {name}: too deeply nested to parse") from None

    def execute(self, data: object = None) -> str:
        return self._execute_named(self.name, data)

    def _execute_named(self, name: str, data: object) -> str:
        executor = Executor(self.trees, self.funcs, self.name, self.text,
                            self.options.missing_key == "error")
        try:
            return executor.execute(name, data)
        except RecursionError:
            raise TemplateError(f"template: {self.name}: too deeply nested to execute") from None

    def defined_templates(self) -> list[str]:
        return sorted(self.trees)


def parse(name: str, text: str, options: Options | None = None) -> Template:
    return Template(name, text, options or Options())


def render(text: str, data: object = None, *, name: str = "template",
           options: Options | None = None) -> str:
    """Parse and execute in one step."""
    return parse(name, text, options).execute(data)
