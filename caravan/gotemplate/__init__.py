"""Go's text/template language as consul-template runs it, in pure Python.

    from caravan.gotemplate import Options, parse, render
    render('{{ range $k, $v := . }}{{ $k }}={{ $v }}\n{{ end }}', {"b": 2, "a": 1})

Lexer (lexer.py) -> parser (parser.py, nodes.py) -> evaluator (exec.py) over Go's
built-ins (builtins.py, printf.py) and consul-template's functions (funcs*.py).
No I/O: `env`, `file` and `timestamp` read what Options hands them.
"""

from caravan.gotemplate.calls import GoFunc, untyped
from caravan.gotemplate.errors import (FuncError, TemplateError, TemplateExecError,
                                       TemplateParseError)
from caravan.gotemplate.funcs import (CONSUL_FUNCS, DEFAULT_FUNCTION_DENYLIST, NOMAD_FUNCS,
                                      VAULT_FUNCS)
from caravan.gotemplate.template import Options, Template, parse, render

__all__ = ["CONSUL_FUNCS", "DEFAULT_FUNCTION_DENYLIST", "NOMAD_FUNCS", "VAULT_FUNCS", "FuncError",
           "GoFunc", "Options", "Template", "TemplateError", "TemplateExecError",
           "TemplateParseError", "parse", "render", "untyped"]
