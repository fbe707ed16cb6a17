"""HCL2 expressions and templates, evaluated as HashiCorp's HCL does: a pure package.

    reader.py     the character scanner both parsers share
    parser.py     expressions -> nodes.py; template.py: "${...}" / "%{...}" templates
    evaluate.py   nodes + Scope -> values; ops.py: operators; values.py: the value model
    types.py      type constraints (`list(string)`, `object({...})`) and conversion
    functions.py  the table of Nomad's job-file functions (funcs_*.py)

Values are plain Python: None (null), bool, int/float (number), str, list (tuple, list,
set), dict (object, map). Every failure is an `ExprError` with a message; nothing else
escapes (a hypothesis test holds us to that).
"""

from caravan.hcl.expr.evaluate import Scope, evaluate
from caravan.hcl.expr.functions import job_functions
from caravan.hcl.expr.nodes import ExprError, Node
from caravan.hcl.expr.parser import parse_expression, parse_template
from caravan.hcl.expr.types import Type, convert, parse_type

__all__ = ["ExprError", "Node", "Scope", "Type", "convert", "evaluate", "job_functions",
           "parse_expression", "parse_template", "parse_type"]
