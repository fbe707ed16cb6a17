"""HCL2 job files -> structs.Job: every attribute the grammar reads lands in its field."""

from pathlib import Path

import pytest

from caravan.jobspec import hcl_to_api_json, parse_file, parse_hcl
from caravan.structs import (
    Constraint,
    EphemeralDisk,
    LogConfig,
    ReschedulePolicy,
    Resources,
    RestartPolicy,
    TaskArtifact,
    VolumeMount,
    VolumeRequest,
)

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = Path(__file__).parents[3] / "examples"
S = 1_000_000_000


@pytest.fixture(scope="module")
def full():
    return parse_file(FIXTURES / "full.nomad.hcl")


def test_job_attributes(full):
    assert (full.id, full.name, full.namespace, full.region) == ("full", "full-job", "apps", "eu")
    assert (full.type, full.priority, full.all_at_once) == ("batch", 70, True)
    assert full.datacenters == ["dc1", "dc2"]
    assert full.node_pool == "linux"
    assert full.meta == {"owner": "team-a", "tier": "2"}
    assert full.constraints == [
        Constraint(l_target="${attr.kernel.name}", operand="=", r_target="linux"),
        Constraint(operand="distinct_hosts"),
    ]
    assert [g.name for g in full.task_groups] == ["web", "worker"]


def test_group_attributes(full):
    web = full.group("web")
    assert web.count == 3
    assert web.meta == {"group_key": "g"}
    assert web.constraints == [
        Constraint(l_target="${attr.cpu.arch}", operand="regexp", r_target="amd64|arm64"),
        Constraint(l_target="${meta.rack}", operand="is_set"),
    ]
    assert web.restart_policy == RestartPolicy(attempts=5, interval=90 * S, delay=250_000_000,
                                               mode="delay")
    assert web.reschedule_policy == ReschedulePolicy(
        attempts=2, interval=3600 * S, delay=30 * S, delay_function="exponential",
        max_delay=86400 * S, unlimited=False)
    assert web.ephemeral_disk == EphemeralDisk(size_mb=500)
    assert web.volumes == {"data": VolumeRequest(name="data", type="host", source="shared-data",
                                                 read_only=True)}
    assert [t.name for t in web.tasks] == ["server", "sidecar"]


def test_unset_group_blocks_stay_unset(full):
    worker = full.group("worker")
    assert worker.count is None
    assert worker.restart_policy is None and worker.reschedule_policy is None
    assert worker.ephemeral_disk is None and worker.volumes is None
    task = worker.task("work")
    assert task.kill_timeout is None and task.log_config is None and task.env is None
    assert task.resources == Resources()


def test_task_attributes(full):
    server = full.group("web").task("server")
    assert (server.driver, server.user, server.kill_signal, server.leader) == (
        "exec", "nobody", "SIGINT", True)
    assert server.kill_timeout == 20 * S
    assert server.env == {"GREETING": "hi ${NOMAD_TASK_NAME}", "WORKERS": "4", "DEBUG": "true"}
    assert server.meta == {"task_key": "t"}
    assert server.resources == Resources(cpu=500, memory_mb=256, memory_max_mb=512, disk_mb=150,
                                         secrets_mb=2)
    assert server.constraints == [Constraint(l_target="${attr.nomad.version}",
                                             operand="version", r_target=">= 1.6")]
    assert server.restart_policy == RestartPolicy(attempts=1, delay=5 * S)
    assert server.log_config == LogConfig(max_files=3, max_file_size_mb=15, disabled=False)
    assert server.volume_mounts == [VolumeMount(volume="data", destination="/srv/data",
                                                read_only=True)]
    sidecar = full.group("web").task("sidecar")
    assert sidecar.resources == Resources(cores=1, memory_mb=64)


def test_artifacts(full):
    server = full.group("web").task("server")
    assert server.artifacts == [
        TaskArtifact(getter_source="https://example.com/app.tar.gz", relative_dest="local/app",
                     getter_mode="dir", chown=True, getter_insecure=False,
                     getter_options={"checksum": "sha256:0123"},
                     getter_headers={"User-Agent": "caravan"}),
        TaskArtifact(getter_source="git::https://example.com/repo.git"),
    ]


def test_config_is_kept_as_written(full):
    config = full.group("web").task("server").config
    assert config["command"] == "/bin/server"
    # ${...} is runtime interpolation, kept verbatim; $${ is HCL's escape for a literal ${.
    assert config["args"] == ["--port", "${NOMAD_PORT_http}", "--id=${literal}"]
    assert (config["retries"], config["verbose"], config["ratio"]) == (3, True, 0.5)
    assert config["labels"] == {"app": "web"}
    assert config["mount"] == [{"source": "a", "target": "b"}]
    assert config["script"].startswith("echo hello")
    # The legacy artifact form stays inside config for a later stage to handle.
    assert config["artifact_source"] == "https://example.com/server.tar.gz"
    assert config["checksum"] == "sha256:abc123"


def test_hcl_to_api_json_is_nomads_shape():
    wire = hcl_to_api_json((FIXTURES / "full.nomad.hcl").read_text())
    assert wire["ID"] == "full"
    group = wire["TaskGroups"][0]
    assert group["Count"] == 3
    assert group["RestartPolicy"]["Interval"] == 90 * S
    task = group["Tasks"][0]
    assert task["KillTimeout"] == 20 * S
    assert task["Resources"]["MemoryMB"] == 256
    assert task["Artifacts"][0]["GetterSource"] == "https://example.com/app.tar.gz"
    assert task["Config"]["command"] == "/bin/server"
    # Not canonicalized: the worker group's count stays unset.
    assert wire["TaskGroups"][1]["Count"] is None


def test_examples_parse():
    hello = parse_file(EXAMPLES / "hello.nomad.hcl")
    assert hello.id == "hello" and hello.type in ("service", "batch")
    [group] = hello.task_groups
    [task] = group.tasks
    assert task.driver == "raw_exec"
    assert task.config["command"] == "/bin/sh" and task.config["args"][0] == "-c"
    assert (task.resources.cpu, task.resources.memory_mb) == (100, 64)

    sleepy = parse_file(EXAMPLES / "sleep-batch.nomad.hcl")
    assert (sleepy.id, sleepy.type) == ("sleepy", "batch")
    [task] = sleepy.task_groups[0].tasks
    assert task.driver == "raw_exec"
    assert task.config == {"command": "/bin/sleep", "args": ["2"]}


def _task(body: str, extra_task: str = ""):
    job = parse_hcl(f'job "j" {{\n  group "g" {{\n    task "t" {{\n      driver = "exec"\n'
                    f"{body}\n    }}\n{extra_task}  }}\n}}\n")
    return job.task_groups[0].tasks[0]


def test_env_and_meta_may_be_attribute_maps():
    task = _task('      env = { "A.B" = "x", N = 1 }\n      meta = { k = true }')
    assert task.env == {"A.B": "x", "N": "1"}
    assert task.meta == {"k": "true"}


@pytest.mark.parametrize(("line", "expected"), [
    ('regexp = "^a"', Constraint(operand="regexp", r_target="^a")),
    ('set_contains = "a,b"', Constraint(operand="set_contains", r_target="a,b")),
    ('semver = ">= 1.0"', Constraint(operand="semver", r_target=">= 1.0")),
    ('distinct_property = "${meta.rack}"',
     Constraint(operand="distinct_property", l_target="${meta.rack}")),
    ('operator = "distinct_hosts"', Constraint(operand="distinct_hosts")),
    ('operator = "is_not_set"', Constraint(operand="is_not_set")),
])
def test_constraint_shorthands(line, expected):
    task = _task(f'      constraint {{\n        attribute = ""\n        {line}\n      }}')
    assert task.constraints == [expected]


def test_types_convert_as_hcl_does():
    task = _task('      kill_timeout = 1000\n      leader = "true"\n'
                 '      resources {\n        cpu = "200"\n        memory = 128.0\n      }')
    assert task.kill_timeout == 1000  # a bare number is nanoseconds, as in Nomad
    assert task.leader is True
    assert (task.resources.cpu, task.resources.memory_mb) == (200, 128)


def test_heredoc_and_escapes_in_strings():
    task = _task('      user = "a\\"b"\n      config {\n        script = <<EOT\nline1\n'
                 '  line2 ${X}\nEOT\n      }')
    assert task.user == 'a"b'
    assert task.config["script"].startswith("line1\n  line2 ${X}")


def test_parse_file_reads_hcl_whatever_the_extension(tmp_path):
    path = tmp_path / "job.nomad"
    path.write_text((EXAMPLES / "sleep-batch.nomad.hcl").read_text())
    assert parse_file(path).id == "sleepy"
    assert parse_file(str(path)).id == "sleepy"
