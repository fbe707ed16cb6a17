"""Task environment building and `${...}` interpolation, as tables."""

from __future__ import annotations

from typing import Any

import pytest

from caravan.client.taskenv import (
    AGENT_CREDENTIALS,
    DEFAULT_ENV_DENYLIST,
    TaskEnvDirs,
    build_task_env,
    cpuset,
    env_denylist,
    interpolate,
    interpolate_config,
    interpolation_vars,
    node_attributes,
)
from caravan.structs import (
    AllocatedCpu,
    AllocatedMemory,
    AllocatedResources,
    AllocatedTaskResources,
    Allocation,
    Job,
    Node,
    Task,
    TaskGroup,
)

ALLOC_ID = "0f8b1c2d-aaaa-bbbb-cccc-1234567890ab"
DIRS = TaskEnvDirs(alloc_dir="/d/alloc", task_dir="/d/web/local", secrets_dir="/d/web/secrets")


def make(task_env: dict[str, str] | None = None, *, job_meta: dict[str, str] | None = None,
         group_meta: dict[str, str] | None = None,
         task_meta: dict[str, str] | None = None) -> tuple[Allocation, Task, Node]:
    task = Task(name="web", driver="raw_exec", env=task_env, meta=task_meta)
    group = TaskGroup(name="api", tasks=[task], meta=group_meta)
    job = Job(id="shop", name="shop", region="eu", meta=job_meta, task_groups=[group])
    alloc = Allocation(
        id=ALLOC_ID, name="shop.api[2]", namespace="prod", job_id="shop", job=job,
        task_group="api",
        allocated_resources=AllocatedResources(tasks={"web": AllocatedTaskResources(
            cpu=AllocatedCpu(cpu_shares=250), memory=AllocatedMemory(memory_mb=128))}))
    node = Node(id="node-1", name="n1", datacenter="dc2", node_class="big",
                attributes={"kernel.name": "linux"}, meta={"rack": "r7"})
    return alloc, task, node


def env_of(*args: Any, host_env: dict[str, str] | None = None, **kwargs: Any) -> dict[str, str]:
    alloc, task, node = make(*args, **kwargs)
    return build_task_env(alloc=alloc, task=task, node=node, dirs=DIRS,
                          host_env=host_env or {}, denylist=DEFAULT_ENV_DENYLIST)


def test_nomad_variables() -> None:
    env = env_of()
    assert {k: v for k, v in env.items() if k.startswith("NOMAD_")} == {
        "NOMAD_ALLOC_DIR": "/d/alloc", "NOMAD_TASK_DIR": "/d/web/local",
        "NOMAD_SECRETS_DIR": "/d/web/secrets", "NOMAD_MEMORY_LIMIT": "128",
        "NOMAD_CPU_LIMIT": "250", "NOMAD_ALLOC_ID": ALLOC_ID, "NOMAD_SHORT_ALLOC_ID": "0f8b1c2d",
        "NOMAD_ALLOC_NAME": "shop.api[2]", "NOMAD_ALLOC_INDEX": "2", "NOMAD_GROUP_NAME": "api",
        "NOMAD_TASK_NAME": "web", "NOMAD_JOB_ID": "shop", "NOMAD_JOB_NAME": "shop",
        "NOMAD_DC": "dc2", "NOMAD_NAMESPACE": "prod", "NOMAD_REGION": "eu",
    }


def test_meta_merges_job_group_task_with_both_key_cases() -> None:
    env = env_of(job_meta={"owner": "job", "tier": "gold"}, group_meta={"owner": "group"},
                 task_meta={"owner": "task", "my-key": "x"})
    assert env["NOMAD_META_owner"] == env["NOMAD_META_OWNER"] == "task"
    assert env["NOMAD_META_tier"] == env["NOMAD_META_TIER"] == "gold"
    # Characters other than letters, digits, _ and . are replaced in meta variable names.
    assert env["NOMAD_META_my_key"] == env["NOMAD_META_MY_KEY"] == "x"


@pytest.mark.parametrize(("host", "expected"), [
    ({"HOME": "/root"}, {"HOME": "/root"}),
    ({"VAULT_TOKEN": "s3cr3t", "AWS_SECRET_ACCESS_KEY": "k"}, {}),
    ({"NOMAD_TASK_NAME": "from-host"}, {"NOMAD_TASK_NAME": "web"}),
])
def test_host_environment_minus_denylist_never_overrides(host: dict[str, str],
                                                         expected: dict[str, str]) -> None:
    env = env_of(host_env=host)
    for key in host:
        assert env.get(key) == expected.get(key)


@pytest.mark.parametrize(("value", "expected"), [
    ("plain", "plain"),
    ("${NOMAD_ALLOC_INDEX}-x", "2-x"),
    ("${HOME}/bin", "/root/bin"),
    ("${attr.kernel.name}", "linux"),
    ("${node.unique.id}@${node.datacenter}", "node-1@dc2"),
    ("${meta.rack}", "r7"),
    ("${nope}", "${nope}"),
    ("${not valid}", "${not valid}"),
])
def test_task_env_values_are_interpolated(value: str, expected: str) -> None:
    env = env_of({"OUT": value}, host_env={"HOME": "/root"})
    assert env["OUT"] == expected


def test_task_env_overrides_host_env() -> None:
    assert env_of({"HOME": "/home/app"}, host_env={"HOME": "/root"})["HOME"] == "/home/app"


@pytest.mark.parametrize(("text", "expected"), [
    ("${NOMAD_TASK_NAME}", "web"),
    ('${env["A.B"]}', "dotted"),
    ("${node.unique.name}/${node.class}/${node.region}", "n1/big/eu"),
    ("${attr.kernel.name} ${node.attr.kernel.name}", "linux linux"),
    ("${meta.rack}-${node.meta.rack}", "r7-r7"),
    ("${ missing.thing }", "${ missing.thing }"),
])
def test_driver_config_interpolation(text: str, expected: str) -> None:
    alloc, _, node = make()
    env = {"NOMAD_TASK_NAME": "web", "A.B": "dotted"}
    config = {"command": text, "args": [text, 3], "nested": {"k": text}, "flag": True}
    out = interpolate_config(config, env, node_attributes(node, "eu"))
    assert out == {"command": expected, "args": [expected, 3], "nested": {"k": expected},
                   "flag": True}


def test_simple_interpolation_prefers_env() -> None:
    assert interpolate("${x}", {"x": "env"}, {"x": "attr"}) == "env"


def test_env_denylist_option_replaces_the_default_but_never_frees_agent_credentials() -> None:
    assert env_denylist({}) == {*DEFAULT_ENV_DENYLIST, *AGENT_CREDENTIALS}
    assert env_denylist({"env.denylist": "A, B"}) == {"A", "B", *AGENT_CREDENTIALS}
    assert env_denylist({"env.blacklist": "C"}) == {"C", *AGENT_CREDENTIALS}
    assert "VAULT_TOKEN" not in env_denylist({"env.denylist": ""})
    assert {"CARAVAN_TOKEN", "NOMAD_TOKEN"} <= env_denylist({"env.denylist": ""})


@pytest.mark.parametrize(("text", "expected"), [
    ("${meta.owner}", "task"),          # task meta over group over job
    ("${meta.tier}", "gold"),           # from the job when nobody overrides it
    ("${meta.rack}", "r7"),             # the node's meta when the job has no such key
    ("${node.meta.rack}", "r7"),
    ("${node.unique.id} ${node.datacenter} ${node.pool}", "node-1 dc2 default"),
    ("${NOMAD_ALLOC_INDEX}-${NOMAD_JOB_ID}", "2-shop"),
    ("${meta.nope}", "${meta.nope}"),    # unknown variables stay as written
])
def test_interpolation_families(text: str, expected: str) -> None:
    alloc, task, node = make(job_meta={"owner": "job", "tier": "gold"},
                             group_meta={"owner": "group"}, task_meta={"owner": "task"})
    env = build_task_env(alloc=alloc, task=task, node=node, dirs=DIRS, host_env={},
                         denylist=DEFAULT_ENV_DENYLIST)
    assert interpolate_config(text, env, interpolation_vars(alloc, task, node, "eu")) == expected


@pytest.mark.parametrize(("cores", "text"), [
    ([0, 1, 2, 5], "0-2,5"), ([3], "3"), ([], ""), ([7, 1, 3, 4, 5], "1,3-5,7"),
])
def test_cpuset_notation(cores: list[int], text: str) -> None:
    assert cpuset(cores) == text


def test_reserved_cores_are_in_the_environment() -> None:
    alloc, task, node = make()
    alloc.allocated_resources.tasks["web"].cpu.reserved_cores = [0, 1]
    env = build_task_env(alloc=alloc, task=task, node=node, dirs=DIRS, host_env={},
                         denylist=DEFAULT_ENV_DENYLIST)
    assert env["NOMAD_CPU_CORES"] == "0-1"
    assert "NOMAD_CPU_CORES" not in env_of()
