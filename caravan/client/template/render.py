"""One template of a task, parsed once and rendered on demand into bytes.

The text comes from `data`, or from `source` read beneath the alloc dir once, when
the hook starts. It is parsed with the template's delimiters, `error_on_missing_key`,
the task's environment for `env`, `file` reading beneath the task dir, the client's
function denylist (plugin, writeToFile), and Nomad's functions over a snapshot of
cluster data (`nomad_funcs`).
"""

from __future__ import annotations

from collections.abc import Mapping

from caravan.client.template.files import AllocFiles
from caravan.client.template.deps import Dep, Reads
from caravan.client.template.nomad_funcs import nomad_funcs
from caravan.client.template.sockaddr import SOCKADDR_FUNCS
from caravan.client.template.yaml_funcs import YAML_FUNCS
from caravan.gotemplate import DEFAULT_FUNCTION_DENYLIST, Options, parse
from caravan.structs import Template
from caravan.structs.template import parse_perms


class TemplateRenderer:
    def __init__(self, template: Template, files: AllocFiles, dest_rel: str, text: str,
                 env: Mapping[str, str],
                 denylist: tuple[str, ...] = DEFAULT_FUNCTION_DENYLIST) -> None:
        self.template = template
        self.files = files
        self.dest_rel = dest_rel
        self.perms = parse_perms(template.perms or "0644")
        self._reads = Reads({})
        options = Options(
            left_delim=template.left_delim or "{{", right_delim=template.right_delim or "}}",
            missing_key="error" if template.err_missing_key else "default",
            function_denylist=denylist, env=dict(env), read_file=self._read_file,
            extra_funcs={**YAML_FUNCS, **SOCKADDR_FUNCS, **nomad_funcs(lambda: self._reads)})
        # TemplateParseError here is the hook's to report.
        self.parsed = parse(template.dest_path, text, options)

    def render(self, data: Mapping[Dep, object]) -> tuple[bytes, Reads]:
        """The output and what it read; TemplateError when it fails to execute."""
        reads = self._reads = Reads(data)
        try:
            return self.parsed.execute(None).encode("utf-8"), reads
        finally:
            self._reads = Reads({})

    def _read_file(self, path: str) -> str:
        """consul-template's `file`, sandboxed to the alloc dir like a template source."""
        return self.files.read_source(self.files.relative(path, "file"))

    @property
    def owner(self) -> tuple[int, int]:
        uid, gid = self.template.uid, self.template.gid
        return (uid if uid is not None and uid >= 0 else -1,
                gid if gid is not None and gid >= 0 else -1)
