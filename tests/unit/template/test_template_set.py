"""A task's templates rendered into a real alloc dir from a scripted cluster: Nomad's
functions, what a template waits for, once, delimiters, source files, env templates,
error_on_missing_key and the functions Nomad refuses (issue 11 part 3)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from caravan.client.template.deps import Dep
from caravan.client.template.envfile import EnvFileError, parse_env
from caravan.client.template.files import AllocFiles
from caravan.client.template.manager import TemplateFailed, TemplateSet
from caravan.client.template.nomad_vars import NomadVarMeta, VariableData
from caravan.client.template.render import TemplateRenderer
from caravan.structs import ServiceRegistration, Template, WaitConfig
from caravan.structs.template import canonical_template


class Cluster:
    """The servers' answers, changed by the test; blocking queries wake on a change."""

    def __init__(self) -> None:
        self.values: dict[Dep, object] = {}
        self.index = 1
        self.changed = asyncio.Event()
        self.fetched: list[Dep] = []

    def set(self, dep: Dep, value: object) -> None:
        self.values[dep] = value
        self.index += 1
        self.changed.set()

    async def fetch(self, dep: Dep, namespace: str, index: int, wait_s: float, token=None):
        self.fetched.append(dep)
        while index >= self.index and wait_s > 0:
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), wait_s)
        default = None if dep.kind == "var" else []
        return self.values.get(dep, default), self.index


@pytest.fixture
def files(tmp_path: Path) -> AllocFiles:
    for sub in ("alloc", "t/local", "t/secrets"):
        (tmp_path / "a" / sub).mkdir(parents=True)
    return AllocFiles(tmp_path / "a", "t")


def make(files: AllocFiles, cluster: Cluster, *templates: Template,
         env: dict[str, str] | None = None) -> TemplateSet:
    renderers = []
    for t in templates:
        t = canonical_template(t)
        text = files.read_source(files.relative(t.source_path, "source")) if t.source_path \
            else t.embedded_tmpl
        renderers.append(TemplateRenderer(t, files, files.relative(t.dest_path, "destination"),
                                          text, env or {}))
    return TemplateSet(renderers, cluster, "default")


def reg(i: int, name: str = "web", tags: list[str] | None = None) -> ServiceRegistration:
    return ServiceRegistration(id=f"id{i}", service_name=name, address="10.0.0.1", port=8000 + i,
                               tags=tags or [], namespace="default")


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(asyncio.wait_for(coro, 20))


def test_services_render_with_tags_and_the_sharded_form(files: AllocFiles) -> None:
    cluster = Cluster()
    cluster.set(Dep("service", "web"), [reg(1, tags=["blue"]), reg(2), reg(3)])
    text = ('{{ range nomadService "web" }}{{ .Address }}:{{ .Port }} {{ end }}|'
            '{{ range nomadService "blue.web" }}{{ .ID }}{{ end }}|'
            '{{ len (nomadService 2 "k" "web") }}|{{ len (nomadService "none") }}')
    tset = make(files, cluster, Template(embedded_tmpl=text, dest_path="local/out"))
    run(tset.render(first=True))
    assert (files.alloc_dir / "t/local/out").read_text() == \
        "10.0.0.1:8001 10.0.0.1:8002 10.0.0.1:8003 |id1|2|0"
    assert tset.asked == {Dep("service", "web"), Dep("service", "none")}


def test_a_variable_not_yet_written_holds_the_first_render_until_it_is(
        files: AllocFiles) -> None:
    cluster = Cluster()
    meta = NomadVarMeta("default", "nomad/jobs/j", 5, 5, 0, 0)
    cluster.set(Dep("var_list", "nomad"), [meta])
    tset = make(files, cluster, Template(
        embedded_tmpl='{{ with nomadVar "nomad/jobs/j" }}pw={{ .password }}{{ end }}\n'
                      '{{ nomadVarExists "other" }} {{ range nomadVarList "nomad" }}'
                      '{{ .Path }} {{ end }}', dest_path="local/out"))
    told: list[list[str]] = []
    tset.on_missing = told.append

    async def scenario() -> None:
        render = asyncio.create_task(tset.render(first=True))
        await asyncio.sleep(0.2)
        assert not render.done() and not (files.alloc_dir / "t/local/out").exists()
        cluster.set(Dep("var", "nomad/jobs/j"), VariableData(meta, {"password": "s3cret"}))
        await render

    run(scenario())
    assert told == [["nomad.var.block(nomad/jobs/j@default.global)"]]
    assert (files.alloc_dir / "t/local/out").read_text() == "pw=s3cret\nfalse nomad/jobs/j "


def test_a_change_re_renders_all_but_once_templates_after_the_wait(files: AllocFiles) -> None:
    cluster = Cluster()
    cluster.set(Dep("service", "web"), [reg(1)])
    quick = {"splay": 0, "wait": WaitConfig(min=0, max=10**9)}
    text = '{{ len (nomadService "web") }}'
    tset = make(files, cluster,
                Template(embedded_tmpl=text, dest_path="local/every", **quick),
                Template(embedded_tmpl=text, dest_path="local/once", once=True, **quick))
    changes: list[list[str]] = []

    async def scenario() -> None:
        await tset.render(first=True)
        done = asyncio.Event()

        async def on_change(changed: list[Template]) -> None:
            changes.append([t.dest_path for t in changed])
            done.set()

        async def on_error(err: TemplateFailed) -> None:
            raise AssertionError(err)

        watch = asyncio.create_task(tset.watch(on_change, on_error))
        await asyncio.sleep(0.1)
        cluster.set(Dep("service", "web"), [reg(1), reg(2)])
        await done.wait()
        watch.cancel()

    run(scenario())
    assert changes == [["local/every"]]
    assert (files.alloc_dir / "t/local/every").read_text() == "2"
    assert (files.alloc_dir / "t/local/once").read_text() == "1"


def test_delimiters_source_env_and_perms(files: AllocFiles) -> None:
    (files.alloc_dir / "alloc/in.tpl").write_text('A=[[ env "X" ]]\nB="q\\"uoted {{ x }}"\n')
    tset = make(files, Cluster(), Template(
        source_path="../alloc/in.tpl", dest_path="secrets/app.env", envvars=True,
        left_delim="[[", right_delim="]]", perms="0600"), env={"X": "from-env"})
    run(tset.render(first=True))
    dest = files.alloc_dir / "t/secrets/app.env"
    assert oct(dest.stat().st_mode & 0o777) == "0o600"
    assert tset.env() == {"A": "from-env", "B": 'q"uoted {{ x }}'}


@pytest.mark.parametrize(("text", "missing_key", "message"), [
    ('{{ (parseJSON "{}").nope }}', True, 'map has no entry for key "nope"'),
    ('{{ key "a/b" }}', False, "needs Consul"),
    ('{{ secret "kv/x" }}', False, "needs Vault"),
    ('{{ plugin "x" }}', False, "function_denylist"),
    ('{{ writeToFile "/etc/x" "c" "root" "0644" }}', False, "function_denylist"),
    ('{{ file "../../../etc/shadow" }}', False, "escapes alloc directory"),
])
def test_what_fails_a_template(files: AllocFiles, text: str, missing_key: bool,
                               message: str) -> None:
    tset = make(files, Cluster(), Template(embedded_tmpl=text, dest_path="local/x",
                                           err_missing_key=missing_key))
    with pytest.raises(TemplateFailed, match=message):
        run(tset.render(first=True))
    assert not (files.alloc_dir / "t/local/x").exists()


def test_a_missing_key_is_no_value_without_error_on_missing_key(files: AllocFiles) -> None:
    tset = make(files, Cluster(), Template(embedded_tmpl='{{ (parseJSON "{}").nope }}',
                                           dest_path="local/x"))
    run(tset.render(first=True))
    assert (files.alloc_dir / "t/local/x").read_text() == "<no value>"


@pytest.mark.parametrize(("text", "parsed"), [
    ("# comment\n\nexport A=1\nB = two words \nC='lit $x'\nD=a#b\n",
     {"A": "1", "B": "two words", "C": "lit $x", "D": "a#b"}),
    ('E="line\\nnext"\n', {"E": "line\nnext"}),
])
def test_env_files(text: str, parsed: dict[str, str]) -> None:
    assert parse_env(text) == parsed


@pytest.mark.parametrize("text", ["NOEQUALS\n", "1BAD=x\n", 'Q="open\n'])
def test_bad_env_files(text: str) -> None:
    with pytest.raises(EnvFileError):
        parse_env(text)


@pytest.mark.parametrize(("text", "expected"), [
    ('{{ with parseYAML "a: 1\\nb: [x, y]\\nwhen: 2024-01-02\\n" }}{{ .a }} {{ index .b 1 }} '
     "{{ .when }}{{ end }}", "1 y 2024-01-02"),
    ('{{ parseYAML "" }}', "map[]"),
    ('{{ parseJSON "{\\"b\\": [1, \\"two\\"], \\"a\\": {\\"c\\": true}}" | toYAML }}',
     "a:\n  c: true\nb:\n- 1\n- two"),
])
def test_yaml_functions_in_task_templates(files: AllocFiles, text: str, expected: str) -> None:
    tset = make(files, Cluster(), Template(embedded_tmpl=text, dest_path="local/y"))
    run(tset.render(first=True))
    assert (files.alloc_dir / "t/local/y").read_text() == expected


def test_bad_yaml_fails_the_template(files: AllocFiles) -> None:
    tset = make(files, Cluster(), Template(embedded_tmpl='{{ parseYAML "a: [" }}',
                                           dest_path="local/y"))
    with pytest.raises(TemplateFailed, match="parseYAML"):
        run(tset.render(first=True))


def test_sockaddr_answers_the_cheap_cases_and_names_the_rest(files: AllocFiles) -> None:
    tset = make(files, Cluster(), Template(
        embedded_tmpl='{{ sockaddr "GetInterfaceIP" "\\"lo\\"" }}', dest_path="local/ip"))
    run(tset.render(first=True))
    assert (files.alloc_dir / "t/local/ip").read_text() == "127.0.0.1"
    tset = make(files, Cluster(), Template(
        embedded_tmpl='{{ sockaddr "GetAllInterfaces | include \\"flags\\" \\"up\\"" }}',
        dest_path="local/all"))
    with pytest.raises(TemplateFailed, match="is not supported by caravan: use GetPrivateIP"):
        run(tset.render(first=True))
