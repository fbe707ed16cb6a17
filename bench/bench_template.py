"""Render time of a 1,000-line Go template with a 100-iteration range, next to string.Template.

    python bench/bench_template.py [--rounds 30]

The Go template (caravan.gotemplate) is a config file of 1,000 source lines: 991 lines
that each substitute one value (half through a pipeline: `{{ .vals.kN | toUpper }}`)
and an 8-line `range` body (fields, join, add, if/else) run over 100 services. The baseline builds the same output
with Python's `string.Template`: one substitute() for the static part and one per
service in a Python loop (string.Template has no loops or functions, so the upper-
casing is done in Python beforehand). Both render the same data in the same run, in
alternating rounds; the median round is reported. Parsing is timed separately
(a task runner parses once and re-renders on every change). Prints figures only.
"""

from __future__ import annotations

import argparse
import statistics
import string
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from metric import emit  # noqa: E402
from caravan.gotemplate import parse  # noqa: E402

STATIC_LINES = 991
SERVICES = 100
BODY = ("service {{ $i }} {\n  name = \"{{ .name }}\"\n  address = \"{{ .address }}\"\n"
        "  port = {{ .port }}\n  tags = {{ .tags | join \",\" }}\n  weight = {{ add .port 1 }}\n"
        "  healthy = {{ if .healthy }}yes{{ else }}no{{ end }}\n}\n")


def data() -> dict[str, object]:
    return {
        "vals": {f"k{i}": f"value-{i}" for i in range(STATIC_LINES)},
        "services": [{"name": f"svc{i}", "address": f"10.0.{i // 256}.{i % 256}", "port": 8000 + i,
                      "tags": ["a", "b"], "healthy": i % 3 != 0} for i in range(SERVICES)],
    }


def go_text() -> str:
    lines = [f"key{i} = {{{{ .vals.k{i} | toUpper }}}}" if i % 2 else f"key{i} = {{{{ .vals.k{i} }}}}"
             for i in range(STATIC_LINES)]
    range_block = "{{ range $i, $s := .services }}" + BODY + "{{ end }}"
    text = "\n".join(lines) + "\n" + range_block
    assert text.count("\n") + 1 == 1000, text.count("\n")
    return text


def baseline(values: dict[str, object]) -> Callable[[], str]:
    static = string.Template("\n".join(
        f"key{i} = ${{k{i}}}" for i in range(STATIC_LINES)) + "\n")
    body = string.Template("service $i {\n  name = \"$name\"\n  address = \"$address\"\n"
                           "  port = $port\n  tags = $tags\n  weight = $weight\n"
                           "  healthy = $healthy\n}\n")
    vals = values["vals"]
    services = values["services"]
    assert isinstance(vals, dict) and isinstance(services, list)

    def render() -> str:
        mapping = {k: (v.upper() if int(k[1:]) % 2 else v) for k, v in vals.items()}
        out = [static.substitute(mapping)]
        for i, svc in enumerate(services):
            out.append(body.substitute(i=i, name=svc["name"], address=svc["address"],
                                       port=svc["port"], tags=",".join(svc["tags"]),
                                       weight=svc["port"] + 1,
                                       healthy="yes" if svc["healthy"] else "no"))
        return "".join(out)

    return render


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    rounds = parser.parse_args().rounds
    values = data()
    text = go_text()
    parse_s = statistics.median(timed(lambda: parse("bench.tpl", text)) for _ in range(5))
    tmpl = parse("bench.tpl", text)
    base = baseline(values)
    assert tmpl.execute(values) == base(), "the two renderings differ"
    go_times, base_times = [], []
    for _ in range(rounds):
        go_times.append(timed(lambda: tmpl.execute(values)))
        base_times.append(timed(base))
    go_ms, base_ms = statistics.median(go_times) * 1e3, statistics.median(base_times) * 1e3
    lines = text.count("\n") + 1
    print(f"template: {lines} source lines, range over {SERVICES} services, "
          f"{len(base().splitlines())} output lines; median of {rounds} rounds")
    print(f"  parse (once per template)        {parse_s * 1e3:8.2f} ms")
    print(f"  gotemplate render                {go_ms:8.2f} ms")
    print(f"  string.Template render (baseline){base_ms:8.2f} ms")
    print(f"  ratio                            {go_ms / base_ms:8.1f}x")
    emit(f"gotemplate render, {lines} lines vs string.Template", go_ms, base_ms, "ms", "")


if __name__ == "__main__":
    main()
