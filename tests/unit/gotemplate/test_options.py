"""What the caller controls: delimiters, missing keys, the function denylist, env, file,
the clock, Nomad's functions, and the Consul/Vault functions that cannot work here."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from caravan.gotemplate import (CONSUL_FUNCS, NOMAD_FUNCS, VAULT_FUNCS, FuncError, GoFunc,
                                Options, TemplateExecError, TemplateParseError, parse, render,
                                untyped)


def test_custom_delimiters_leave_braces_as_text() -> None:
    options = Options(left_delim="[[", right_delim="]]")
    assert render("{{ not an action }} [[ .x ]] [[- .x -]] !", {"x": 1}, options=options) == \
        "{{ not an action }} 11!"


def test_custom_delimiters_comment() -> None:
    assert render("a<</* c */>>b", None, options=Options(left_delim="<<", right_delim=">>")) == "ab"


def test_missing_key_default_prints_no_value() -> None:
    assert render("{{ .a }}|{{ .a.b }}", {}) == "<no value>|<no value>"


def test_denylist_defaults_refuse_plugin_and_write_to_file() -> None:
    for call in ('{{ plugin "/bin/echo" "x" }}', '{{ "x" | writeToFile "/tmp/f" "" "" "" }}'):
        with pytest.raises(TemplateExecError, match="function is disabled"):
            render(call)


def test_denylist_globs_disable_any_function() -> None:
    options = Options(function_denylist=("env", "base64*"))
    assert render('{{ "x" | toUpper }}', options=options) == "X"
    for call in ('{{ env "HOME" }}', '{{ base64Encode "x" }}', '{{ base64URLDecode "x" }}'):
        with pytest.raises(TemplateExecError, match="function_denylist"):
            render(call, options=options)


@pytest.mark.parametrize("name", CONSUL_FUNCS)
def test_consul_functions_say_they_need_consul(name: str) -> None:
    with pytest.raises(TemplateExecError, match=f"error calling {name}: {name} needs Consul"):
        render(f'{{{{ {name} "x" }}}}')


@pytest.mark.parametrize("name", VAULT_FUNCS)
def test_vault_functions_say_they_need_vault(name: str) -> None:
    with pytest.raises(TemplateExecError, match=f"{name} needs Vault"):
        render(f'{{{{ {name} "secret/x" }}}}')


@pytest.mark.parametrize("name", NOMAD_FUNCS)
def test_nomad_functions_parse_and_fail_until_injected(name: str) -> None:
    tmpl = parse("t", f'{{{{ {name} "x" }}}}')
    with pytest.raises(TemplateExecError, match="only available when a task runner renders"):
        tmpl.execute()


def test_injected_nomad_functions_replace_the_placeholders() -> None:
    items = {"nomad/jobs/web": {"password": "s3cret", "user": "app"}}

    def nomad_var(path: str) -> object:
        if path not in items:
            raise FuncError(f"variable {path!r} not found")
        return items[path]

    options = Options(extra_funcs={"nomadVar": GoFunc(nomad_var, ("string",)),
                                   "nomadServices": untyped(lambda: [])})
    text = ('{{ with nomadVar "nomad/jobs/web" }}{{ .user }}:{{ .password }}{{ end }}'
            '{{ range nomadServices }}x{{ else }} none{{ end }}')
    assert render(text, options=options) == "app:s3cret none"
    with pytest.raises(TemplateExecError, match="error calling nomadVar: variable 'x' not found"):
        render('{{ nomadVar "x" }}', options=options)


def test_env_reads_only_the_given_environment() -> None:
    options = Options(env={"NOMAD_TASK_NAME": "web", "EMPTY": ""})
    assert render('{{ env "NOMAD_TASK_NAME" }}|{{ env "PATH" }}|{{ envOrDefault "X" "d" }}',
                  options=options) == "web||d"
    with pytest.raises(TemplateExecError, match="required environment variable EMPTY is empty"):
        render('{{ mustEnv "EMPTY" }}', options=options)


def test_file_goes_through_the_injected_reader() -> None:
    seen: list[str] = []

    def read(path: str) -> str:
        seen.append(path)
        if path == "missing":
            raise FileNotFoundError(2, "No such file or directory")
        return "contents"

    options = Options(read_file=read)
    assert render('{{ file "local/a.txt" }}|{{ file "" }}', options=options) == "contents|"
    assert seen == ["local/a.txt"]
    with pytest.raises(TemplateExecError, match="file missing: No such file or directory"):
        render('{{ file "missing" }}', options=options)
    with pytest.raises(TemplateExecError, match="file is not available"):
        render('{{ file "x" }}')


def test_timestamp_uses_go_layouts_and_the_given_clock() -> None:
    moment = datetime(2026, 3, 4, 5, 6, 7, 891000, tzinfo=timezone.utc)
    options = Options(now=lambda: moment)
    assert render("{{ timestamp }}", options=options) == "2026-03-04T05:06:07Z"
    assert render('{{ timestamp "unix" }}', options=options) == str(int(moment.timestamp()))
    assert render('{{ timestamp "2006-01-02 15:04:05.000 Mon Jan _2 3PM" }}', options=options) \
        == "2026-03-04 05:06:07.891 Wed Mar  4 5AM"
    east = moment.astimezone(timezone(timedelta(hours=5, minutes=30)))
    assert render("{{ timestamp }}", options=Options(now=lambda: east)) == \
        "2026-03-04T10:36:07+05:30"


def test_execute_template_renders_a_define() -> None:
    text = '{{ define "x" }}[{{ . }}]{{ end }}{{ executeTemplate "x" 3 | toUpper }}'
    assert render(text) == "[3]"


def test_one_template_renders_many_times_with_different_data() -> None:
    tmpl = parse("t", "{{ range . }}{{ . }}{{ end }}")
    assert [tmpl.execute(d) for d in ([1], [2, 3], None)] == ["1", "23", ""]


def test_sprig_functions_are_not_defined() -> None:
    with pytest.raises(TemplateParseError, match='function "sprig_upper" not defined'):
        parse("t", '{{ sprig_upper "x" }}')


def test_unsupported_consul_template_functions_say_so() -> None:
    with pytest.raises(TemplateExecError, match="toTOML is not supported by caravan"):
        render("{{ toTOML . }}", {"a": 1})
    with pytest.raises(TemplateExecError, match="byKey works on Consul data"):
        render("{{ byKey . }}", [])
