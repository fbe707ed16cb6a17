"""The functions a Nomad job file may call (Nomad's jobspec2 table, minus bcrypt,
rsadecrypt, the cidr family, fileset and the YAML pair), plus `try`/`can`, which the
evaluator runs itself because their arguments are evaluated lazily."""

from __future__ import annotations

from caravan.hcl.expr.funcs_base import Function, arity
from caravan.hcl.expr.funcs_collection import COLLECTION_FUNCTIONS
from caravan.hcl.expr.funcs_encoding import ENCODING_FUNCTIONS
from caravan.hcl.expr.funcs_file import file_functions
from caravan.hcl.expr.funcs_numeric import NUMERIC_FUNCTIONS
from caravan.hcl.expr.funcs_string import STRING_FUNCTIONS
from caravan.hcl.expr.funcs_time import TIME_FUNCTIONS
from caravan.hcl.expr.types import convert, parse_type
from caravan.hcl.expr.values import Value, as_string


def _convert(value: Value, type_text: Value) -> Value:
    return convert(value, parse_type(as_string(type_text)))


def job_functions(base_dir: str, allow_fs: bool) -> dict[str, Function]:
    """A fresh table; `allow_fs` decides whether file() and friends may read files."""
    return {**STRING_FUNCTIONS, **COLLECTION_FUNCTIONS, **NUMERIC_FUNCTIONS,
            **ENCODING_FUNCTIONS, **TIME_FUNCTIONS, **file_functions(base_dir, allow_fs),
            "convert": arity(2, _convert)}
