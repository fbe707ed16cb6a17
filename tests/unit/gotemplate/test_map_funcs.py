"""consul-template's map and service-list functions (added for templates in tasks)."""

from __future__ import annotations

import pytest

from caravan.gotemplate import TemplateExecError, render


class Svc:
    def __init__(self, name: str, tags: list[str]) -> None:
        self.Name, self.Tags = name, tags


@pytest.mark.parametrize(("template", "data", "expected"), [
    ('{{ range $tag, $s := byTag . }}{{ $tag }}={{ range $s }}{{ .Name }},{{ end }};{{ end }}',
     [Svc("a", ["x", "y"]), Svc("b", ["y"]), Svc("c", [])], "x=a,;y=a,b,;"),
    ("{{ explodeMap . }}", {"a/b": 1, "a/c": 2, "d": 3}, "map[a:map[b:1 c:2] d:3]"),
    ("{{ mergeMap .dst .src }}", {"dst": {"a": 1, "n": {"x": 1}}, "src": {"a": 2, "b": 3,
                                                                       "n": {"x": 9, "y": 2}}},
     "map[a:1 b:3 n:map[x:1 y:2]]"),
    ("{{ mergeMapWithOverride .dst .src }}", {"dst": {"a": 1}, "src": {"a": 2, "b": 3}},
     "map[a:2 b:3]"),
])
def test_function(template: str, data: object, expected: str) -> None:
    assert render(template, data) == expected


@pytest.mark.parametrize(("template", "message"), [
    ('{{ parseYAML "a: 1" }}', "parseYAML is not supported by caravan's template engine"),
    ('{{ byTag "x" }}', "byTag"),
    ('{{ explodeMap . }}', "explodeMap"),
])
def test_failures(template: str, message: str) -> None:
    with pytest.raises(TemplateExecError, match=message):
        render(template, {"a": 1, "a/b": 2})
