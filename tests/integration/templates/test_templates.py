"""Templates rendered by a real client into real tasks (issue 11 part 3): a service from
Nomad's own registry into a config file and an env file of an exec task; a change of the
service re-renders them and signals or restarts the task; a destination planted as a
symlink by another task of the allocation is replaced, never written through."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.agents import AgentProcess, wait_until

pytestmark = pytest.mark.integration

SECOND = 1_000_000_000
QUICK = {"Splay": 0, "Wait": {"Min": 0, "Max": SECOND}}


def _backend(job_id: str, service: str, count: int = 1) -> dict[str, Any]:
    task = {"Name": "b", "Driver": "raw_exec", "KillTimeout": SECOND,
            "Config": {"command": "/bin/sleep", "args": ["600"]},
            "Resources": {"CPU": 20, "MemoryMB": 32}}
    group = {"Name": "g", "Count": count, "Tasks": [task],
             "Networks": [{"DynamicPorts": [{"Label": "http"}]}],
             "Services": [{"Name": service, "PortLabel": "http"}]}
    return {"Job": {"ID": job_id, "Datacenters": ["dc1"], "TaskGroups": [group]}}


def _put(agent: AgentProcess, body: dict[str, Any]) -> None:
    reply = httpx.put(f"{agent.address}/v1/jobs", json=body, timeout=10)
    assert reply.status_code == 200, reply.text


def _running(agent: AgentProcess, job_id: str, count: int = 1) -> list[dict[str, Any]]:
    return wait_until(lambda: len(allocs := [a for a in httpx.get(
        f"{agent.address}/v1/job/{job_id}/allocations", timeout=10).json()
        if a["ClientStatus"] == "running"]) == count and allocs, 90, what=f"{job_id} running")


def _registered(agent: AgentProcess, service: str, count: int) -> None:
    wait_until(lambda: len(httpx.get(f"{agent.address}/v1/service/{service}",
                                     timeout=10).json()) == count, 60,
               what=f"{count} instances of {service}")


def _task_state(agent: AgentProcess, alloc_id: str) -> dict[str, Any]:
    alloc = httpx.get(f"{agent.address}/v1/allocation/{alloc_id}", timeout=10).json()
    return dict(alloc["TaskStates"]["t"])


def _stdout(agent: AgentProcess, alloc_id: str) -> str:
    logs = agent.data_dir / "alloc" / alloc_id / "alloc" / "logs"
    return "".join(p.read_text() for p in sorted(logs.glob("t.stdout.*")))


@pytest.fixture
def purge(dev_agent: AgentProcess):  # type: ignore[no-untyped-def]
    jobs: list[str] = []
    yield jobs
    for job_id in jobs:
        httpx.delete(f"{dev_agent.address}/v1/job/{job_id}?purge=true", timeout=10)


def test_a_service_renders_into_a_config_and_an_env_file_and_changes_reach_the_task(
        dev_agent: AgentProcess, purge: list[str]) -> None:
    purge += ["tpl-a", "tpl-b", "tpl-front"]
    _put(dev_agent, _backend("tpl-a", "tpl-a"))
    _registered(dev_agent, "tpl-a", 1)
    script = ("trap 'echo HUP; cat /local/app.conf' HUP; echo \"start BACKENDS=$BACKENDS\"; "
              "echo \"file $(head -1 /secrets/app.env)\"; cat /local/app.conf; "
              "while true; do sleep 0.1; done")
    templates = [
        {"EmbeddedTmpl": '{{ range nomadService "tpl-a" }}server {{ .Address }}:{{ .Port }}\n'
                         "{{ end }}", "DestPath": "local/app.conf", "ChangeMode": "signal",
         "ChangeSignal": "SIGHUP", "Perms": "0640", **QUICK},
        {"EmbeddedTmpl": 'BACKENDS={{ len (nomadService "tpl-b") }}\n'
                         'HOME_IS="{{ env "NOMAD_TASK_NAME" }}"\n'
                         'OS={{ env "attr.kernel.name" }}\n',
         "DestPath": "${NOMAD_SECRETS_DIR}/app.env", "Envvars": True, **QUICK},
    ]
    task = {"Name": "t", "Driver": "exec", "User": "nobody", "KillTimeout": SECOND,
            "Config": {"command": "/bin/sh", "args": ["-c", script]},
            "Resources": {"CPU": 20, "MemoryMB": 64}, "Templates": templates}
    group = {"Name": "g", "Tasks": [task], "RestartPolicy": {
        "Attempts": 5, "Interval": 600 * SECOND, "Delay": SECOND // 10, "Mode": "fail"}}
    _put(dev_agent, {"Job": {"ID": "tpl-front", "Datacenters": ["dc1"], "TaskGroups": [group]}})
    [alloc] = _running(dev_agent, "tpl-front")
    alloc_id = alloc["ID"]
    task_dir = dev_agent.data_dir / "alloc" / alloc_id / "t"
    conf = task_dir / "local" / "app.conf"
    assert conf.read_text().startswith("server 127.0.0.1:") and conf.read_text().count("\n") == 1
    assert oct(conf.stat().st_mode & 0o777) == "0o640"
    assert (task_dir / "secrets" / "app.env").read_text() == \
        'BACKENDS=0\nHOME_IS="t"\nOS=linux\n'
    wait_until(lambda: "start BACKENDS=0" in _stdout(dev_agent, alloc_id), 30,
               what="the env template in the task's environment")
    assert "file BACKENDS=0" in _stdout(dev_agent, alloc_id)

    # A second instance of tpl-a: the config is rendered again and the task gets SIGHUP.
    _put(dev_agent, _backend("tpl-a", "tpl-a", count=2))
    _registered(dev_agent, "tpl-a", 2)
    wait_until(lambda: conf.read_text().count("\n") == 2, 60, what="app.conf re-rendered")
    wait_until(lambda: "HUP" in _stdout(dev_agent, alloc_id), 30, what="the task signalled")
    assert _task_state(dev_agent, alloc_id)["Restarts"] == 0

    # tpl-b appears: the env template changes, and its change_mode (restart) restarts the
    # task, which starts with the new environment.
    _put(dev_agent, _backend("tpl-b", "tpl-b"))
    wait_until(lambda: "start BACKENDS=1" in _stdout(dev_agent, alloc_id), 60,
               what="the task restarted with the new env")
    # ... and its secrets/ (a tmpfs for each run) holds the file as last rendered.
    wait_until(lambda: "file BACKENDS=1" in _stdout(dev_agent, alloc_id), 30,
               what="the re-rendered file in the restarted task")
    state = _task_state(dev_agent, alloc_id)
    assert state["Restarts"] == 1
    assert any(e["Type"] == "Restart Signaled" and "Template with change_mode restart"
               in e["DisplayMessage"] for e in state["Events"])


def test_a_symlink_planted_at_the_destination_is_not_followed(
        dev_agent: AgentProcess, purge: list[str], tmp_path: Path) -> None:
    purge.append("tpl-plant")
    victim = tmp_path / "victim"
    victim.write_text("host file\n")
    plant = {"Name": "plant", "Driver": "raw_exec", "Lifecycle": {"Hook": "prestart"},
             "Config": {"command": "/bin/ln",
                        "args": ["-s", str(victim), "${NOMAD_ALLOC_DIR}/out.txt"]},
             "Resources": {"CPU": 20, "MemoryMB": 32}}
    main = {"Name": "t", "Driver": "raw_exec", "KillTimeout": SECOND,
            "Config": {"command": "/bin/sleep", "args": ["600"]},
            "Resources": {"CPU": 20, "MemoryMB": 32},
            "Templates": [{"EmbeddedTmpl": "rendered\n", "DestPath": "../alloc/out.txt"}]}
    group = {"Name": "g", "Tasks": [plant, main]}
    _put(dev_agent, {"Job": {"ID": "tpl-plant", "Datacenters": ["dc1"], "TaskGroups": [group]}})
    [alloc] = _running(dev_agent, "tpl-plant")
    out = dev_agent.data_dir / "alloc" / alloc["ID"] / "alloc" / "out.txt"
    assert _task_state_of(dev_agent, alloc["ID"], "plant")["State"] == "dead"
    assert victim.read_text() == "host file\n"
    assert not out.is_symlink() and out.read_text() == "rendered\n"


def test_a_template_that_fails_fails_the_task_with_nomads_words(
        dev_agent: AgentProcess, purge: list[str]) -> None:
    purge.append("tpl-bad")
    task = {"Name": "t", "Driver": "raw_exec", "Config": {"command": "/bin/true"},
            "Resources": {"CPU": 20, "MemoryMB": 32},
            "Templates": [{"EmbeddedTmpl": '{{ key "x" }}', "DestPath": "local/x"},
                          {"EmbeddedTmpl": '{{ plugin "x" }}', "DestPath": "local/y"}]}
    group = {"Name": "g", "Tasks": [task], "RestartPolicy": {"Attempts": 0, "Mode": "fail"},
             "ReschedulePolicy": {"Attempts": 0, "Unlimited": False}}
    _put(dev_agent, {"Job": {"ID": "tpl-bad", "Type": "batch", "Datacenters": ["dc1"],
                             "TaskGroups": [group]}})
    state = wait_until(lambda: (allocs := httpx.get(
        f"{dev_agent.address}/v1/job/tpl-bad/allocations", timeout=10).json()) and
        allocs[0]["ClientStatus"] == "failed" and _task_state_of(
            dev_agent, allocs[0]["ID"], "t"), 60, what="the task failed")
    messages = [e["DisplayMessage"] for e in state["Events"]]
    assert any(m.startswith("Template failed: ") and "Consul" in m for m in messages), messages


def _task_state_of(agent: AgentProcess, alloc_id: str, task: str) -> dict[str, Any]:
    alloc = httpx.get(f"{agent.address}/v1/allocation/{alloc_id}", timeout=10).json()
    return dict(alloc["TaskStates"][task])


def test_change_scripts_run_in_the_task_and_fail_on_error_kills_it(
        dev_agent: AgentProcess, purge: list[str]) -> None:
    purge += ["tpl-s", "tpl-script"]
    text = '{{ range nomadService "tpl-s" }}{{ .Port }}{{ end }}\n'
    ok = {"Command": "/bin/sh", "Args": ["-c", 'echo ran > "$NOMAD_TASK_DIR/ran"'],
          "Timeout": 10 * SECOND}
    templates = [
        {"EmbeddedTmpl": text, "DestPath": "local/a", "ChangeMode": "script",
         "ChangeScript": ok, "Uid": 65534, "Gid": 65534, **QUICK},
        {"EmbeddedTmpl": text, "DestPath": "local/b", "ChangeMode": "script",
         "ChangeScript": {"Command": "/bin/false", "FailOnError": True}, **QUICK},
        {"EmbeddedTmpl": text, "DestPath": "local/once", "Once": True, **QUICK},
    ]
    task = {"Name": "t", "Driver": "raw_exec", "KillTimeout": SECOND,
            "Config": {"command": "/bin/sleep", "args": ["600"]},
            "Resources": {"CPU": 20, "MemoryMB": 32}, "Templates": templates}
    group = {"Name": "g", "Tasks": [task], "RestartPolicy": {"Attempts": 0, "Mode": "fail"},
             "ReschedulePolicy": {"Attempts": 0, "Unlimited": False}}
    _put(dev_agent, {"Job": {"ID": "tpl-script", "Datacenters": ["dc1"],
                             "TaskGroups": [group]}})
    [alloc] = _running(dev_agent, "tpl-script")
    task_dir = dev_agent.data_dir / "alloc" / alloc["ID"] / "t"
    owned = (task_dir / "local" / "a").stat()
    assert (owned.st_uid, owned.st_gid) == (65534, 65534)
    assert (task_dir / "local" / "once").read_text() == "\n"

    _put(dev_agent, _backend("tpl-s", "tpl-s"))
    state = wait_until(lambda: (s := _task_state(dev_agent, alloc["ID"]))["State"] == "dead"
                       and s, 60, what="the task killed by its failing change script")
    messages = [e["DisplayMessage"] for e in state["Events"]]
    assert (task_dir / "local" / "ran").read_text() == "ran\n"
    assert any(m.startswith("Template successfully ran script /bin/sh") for m in messages)
    assert any(m.startswith("Template ran script /bin/false with arguments [] on change but "
                            "it exited with code: 1") for m in messages), messages
    assert "Template script failed, task is being killed" in messages
    assert (task_dir / "local" / "once").read_text() == "\n"  # `once`: never rendered again


def test_a_task_waiting_for_its_variable_stops_when_its_job_stops(
        dev_agent: AgentProcess, purge: list[str]) -> None:
    purge.append("tpl-wait")
    task = {"Name": "t", "Driver": "raw_exec", "KillTimeout": SECOND,
            "Config": {"command": "/bin/sleep", "args": ["600"]},
            "Resources": {"CPU": 20, "MemoryMB": 32},
            "Templates": [{"EmbeddedTmpl": '{{ with nomadVar "nomad/jobs/tpl-wait" }}'
                                           "{{ .x }}{{ end }}", "DestPath": "local/x"}]}
    _put(dev_agent, {"Job": {"ID": "tpl-wait", "Datacenters": ["dc1"],
                             "TaskGroups": [{"Name": "g", "Tasks": [task]}]}})
    alloc_id = wait_until(lambda: (a := httpx.get(
        f"{dev_agent.address}/v1/job/tpl-wait/allocations", timeout=10).json()) and
        any(e["Type"] == "Template" for e in
            (a[0].get("TaskStates") or {}).get("t", {}).get("Events") or []) and a[0]["ID"],
        60, what="the task waiting for its variable")
    httpx.delete(f"{dev_agent.address}/v1/job/tpl-wait", timeout=10)
    state = wait_until(lambda: (s := _task_state(dev_agent, alloc_id))["State"] == "dead" and s,
                       60, what="the waiting task stopped")
    assert not any(e["Type"] == "Started" for e in state["Events"])
