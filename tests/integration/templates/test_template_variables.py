"""A Nomad Variable and a service rendered into an exec task's config file and env file,
with ACLs on (the task reads as its workload identity), from a job file run by the CLI:
the task waits for a variable not yet written, starts once `caravan var put` writes it,
is signalled when only its config file changes and restarted when its env file does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.agents import wait_until
from tests.e2e.cli import caravan
from tests.integration.acl.cluster import ACL_ON, AclAgent

pytestmark = pytest.mark.integration
SECOND = 1_000_000_000

JOB = '''
job "tpl-v" {
  datacenters = ["dc1"]
  group "g" {
    restart {
      attempts = 5
      interval = "10m"
      delay    = "100ms"
      mode     = "fail"
    }
    task "t" {
      driver       = "exec"
      user         = "nobody"
      kill_timeout = "1s"
      config {
        command = "/bin/sh"
        args    = ["-c", "trap 'echo HUP' HUP; echo \\"start PW=$PW\\"; while true; do sleep 0.1; done"]
      }
      resources {
        cpu    = 20
        memory = 64
      }
      template {
        data          = <<EOH
{{ with nomadVar "nomad/jobs/tpl-v" }}user={{ .user }}{{ end }}
{{ range nomadService "tpl-vs" }}port={{ .Port }}{{ end }}
EOH
        destination   = "local/app.conf"
        change_mode   = "signal"
        change_signal = "SIGHUP"
        splay         = "0s"
        wait {
          min = "0s"
          max = "1s"
        }
      }
      template {
        data        = <<EOH
PW={{ with nomadVar "nomad/jobs/tpl-v" }}{{ .pw }}{{ end }}
EOH
        destination = "secrets/pw.env"
        env         = true
        splay       = "0s"
        wait {
          min = "0s"
          max = "1s"
        }
      }
    }
  }
}
'''


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AclAgent]:
    agent = AclAgent(root=Path(tmp_path_factory.mktemp("tplvars")), name="tplv", config=ACL_ON)
    try:
        agent.start(timeout_s=60)
        yield agent
    finally:
        agent.stop()


def _backend() -> dict[str, Any]:
    task = {"Name": "b", "Driver": "raw_exec", "KillTimeout": SECOND,
            "Config": {"command": "/bin/sleep", "args": ["600"]},
            "Resources": {"CPU": 20, "MemoryMB": 32}}
    group = {"Name": "g", "Tasks": [task], "Networks": [{"DynamicPorts": [{"Label": "http"}]}],
             "Services": [{"Name": "tpl-vs", "PortLabel": "http"}]}
    return {"Job": {"ID": "tpl-vs", "Datacenters": ["dc1"], "TaskGroups": [group]}}


def test_a_variable_reaches_a_config_file_and_the_env_and_changes_signal_or_restart(
        agent: AclAgent, tmp_path: Path) -> None:
    env = {**agent.env, "CARAVAN_TOKEN": agent.root_secret}
    with agent.http(agent.root_secret) as root:
        assert root.put("/v1/jobs", json=_backend()).status_code == 200
        wait_until(lambda: len(root.get("/v1/service/tpl-vs").json()) == 1, 60,
                   what="the service registered")
        job_file = tmp_path / "tpl-v.nomad.hcl"
        job_file.write_text(JOB)
        run = caravan(None, "job", "run", "-detach", str(job_file), env=env)
        assert run.returncode == 0, run.stderr
        alloc_id = wait_until(lambda: (a := root.get("/v1/job/tpl-v/allocations").json())
                              and a[0]["ID"], 60, what="an allocation")

        def state() -> dict[str, Any]:
            alloc = root.get(f"/v1/allocation/{alloc_id}").json()
            return dict((alloc.get("TaskStates") or {}).get("t") or {"Events": []})

        missing = wait_until(lambda: [e["DisplayMessage"] for e in state()["Events"]
                                      if e["Type"] == "Template"], 60, what="Missing event")
        assert missing[0] == "Missing: nomad.var.block(nomad/jobs/tpl-v@default.global)"
        assert state().get("State") != "running"  # held until the variable exists

        put = caravan(None, "var", "put", "-out", "none", "nomad/jobs/tpl-v", "user=alice",
                      "pw=one", env=env)
        assert put.returncode == 0, put.stderr
        task_dir = agent.data_dir / "alloc" / alloc_id / "t"
        stdout = agent.data_dir / "alloc" / alloc_id / "alloc" / "logs" / "t.stdout.0"
        wait_until(lambda: stdout.is_file() and "start PW=one" in stdout.read_text(), 60,
                   what="the task started with the variable in its env")
        port = root.get("/v1/service/tpl-vs").json()[0]["Port"]
        assert (task_dir / "local" / "app.conf").read_text() == f"user=alice\nport={port}\n"

        # Only the config file changes: SIGHUP, no restart.
        forced = caravan(None, "var", "put", "-force", "-out", "none", "nomad/jobs/tpl-v",
                         "user=bob", "pw=one", env=env)
        assert forced.returncode == 0, forced.stderr
        wait_until(lambda: "HUP" in stdout.read_text(), 60, what="the task signalled")
        assert (task_dir / "local" / "app.conf").read_text() == f"user=bob\nport={port}\n"
        assert state()["Restarts"] == 0

        # The env file changes: the task restarts with the new value.
        forced = caravan(None, "var", "put", "-force", "-out", "none", "nomad/jobs/tpl-v",
                         "user=bob", "pw=two", env=env)
        assert forced.returncode == 0, forced.stderr
        wait_until(lambda: state()["Restarts"] == 1 and "start PW=two" in _logs(stdout), 60,
                   what="the task restarted with the new env")
        for job_id in ("tpl-v", "tpl-vs"):
            root.delete(f"/v1/job/{job_id}", params={"purge": "true"})


def _logs(first: Path) -> str:
    return "".join(p.read_text() for p in sorted(first.parent.glob("t.stdout.*")))


def test_another_jobs_variable_is_refused_to_the_template(agent: AclAgent) -> None:
    with agent.http(agent.root_secret) as root:
        assert root.put("/v1/var/nomad/jobs/secret-job", json={"Items": {"k": "v"}}
                        ).status_code == 200
        task = {"Name": "t", "Driver": "raw_exec", "Config": {"command": "/bin/true"},
                "Resources": {"CPU": 20, "MemoryMB": 32},
                "Templates": [{"EmbeddedTmpl": '{{ with nomadVar "nomad/jobs/secret-job" }}'
                               "{{ .k }}{{ end }}", "DestPath": "local/stolen"}]}
        group = {"Name": "g", "Tasks": [task], "RestartPolicy": {"Attempts": 0, "Mode": "fail"},
                 "ReschedulePolicy": {"Attempts": 0, "Unlimited": False}}
        body = {"Job": {"ID": "tpl-thief", "Type": "batch", "Datacenters": ["dc1"],
                        "TaskGroups": [group]}}
        assert root.put("/v1/jobs", json=body).status_code == 200
        events = wait_until(lambda: (allocs := root.get("/v1/job/tpl-thief/allocations").json())
                            and allocs[0]["ClientStatus"] == "failed" and
                            root.get(f"/v1/allocation/{allocs[0]['ID']}").json()
                            ["TaskStates"]["t"]["Events"], 60, what="the task failed")
        messages = [e["DisplayMessage"] for e in events]
        assert any(m.startswith("Template failed: reading nomad.var.block("
                                "nomad/jobs/secret-job@default.global)") for m in messages), \
            messages
        root.delete("/v1/job/tpl-thief", params={"purge": "true"})
