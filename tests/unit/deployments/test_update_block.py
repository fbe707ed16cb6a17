"""The `update` block: HCL and JSON decoding, Nomad's defaults and merge, its checks."""

import json

import pytest

from caravan.errors import JobValidationError
from caravan.jobspec import parse_hcl, parse_json
from caravan.structs import canonicalize, validate_job
from caravan.structs.deployment import DEFAULT_UPDATE

S = 1_000_000_000


def hcl(job_update: str = "", group_update: str = "", job_type: str = "service") -> str:
    return f'''job "web" {{
  type = "{job_type}"
  {job_update}
  group "a" {{
    count = 2
    {group_update}
    task "t" {{
      driver = "raw_exec"
      config {{ command = "/bin/sleep" }}
    }}
  }}
  group "b" {{
    task "t" {{
      driver = "raw_exec"
      config {{ command = "/bin/sleep" }}
    }}
  }}
}}
'''


def test_service_groups_get_nomads_defaults():
    job = canonicalize(parse_hcl(hcl()))
    for group in job.task_groups:
        assert group.update == DEFAULT_UPDATE
    assert DEFAULT_UPDATE.max_parallel == 1 and DEFAULT_UPDATE.health_check == "checks"
    assert DEFAULT_UPDATE.min_healthy_time == 10 * S
    assert DEFAULT_UPDATE.healthy_deadline == 300 * S
    assert DEFAULT_UPDATE.progress_deadline == 600 * S


def test_group_block_overrides_the_jobs_field_by_field():
    job = canonicalize(parse_hcl(hcl(
        'update {\n max_parallel = 2\n min_healthy_time = "1s"\n auto_revert = true\n }',
        'update {\n max_parallel = 3\n canary = 1\n auto_promote = true\n }')))
    a, b = job.task_groups
    assert (a.update.max_parallel, a.update.min_healthy_time, a.update.auto_revert) == (3, S, True)
    assert (a.update.canary, a.update.auto_promote) == (1, True)
    assert (b.update.max_parallel, b.update.min_healthy_time, b.update.canary) == (2, S, 0)
    assert canonicalize(job) == job  # idempotent


def test_json_update_is_the_same_as_hcl():
    from_hcl = parse_hcl(hcl("", 'update {\n max_parallel = 3\n health_check = "task_states"\n'
                                 ' min_healthy_time = "0s"\n }'))
    document = json.loads(from_hcl.model_dump_json(by_alias=True))
    assert document["TaskGroups"][0]["Update"]["MaxParallel"] == 3
    from_json = parse_json(json.dumps({"Job": document}))
    group = canonicalize(from_json).task_groups[0]
    assert (group.update.health_check, group.update.min_healthy_time) == ("task_states", 0)


@pytest.mark.parametrize("body, message", [
    ('health_check = "bogus"', 'Invalid health check given: "bogus"'),
    ("max_parallel = -1", "Max parallel can not be less than zero"),
    ("auto_promote = true", "Auto Promote requires a Canary count greater than zero"),
    ('min_healthy_time = "10m"', "Minimum healthy time must be less than healthy deadline"),
    ('healthy_deadline = "20m"', "Healthy deadline must be less than progress deadline"),
])
def test_invalid_update_is_refused_with_nomads_words(body, message):
    job = canonicalize(parse_hcl(hcl("", f"update {{\n {body}\n }}")))
    with pytest.raises(JobValidationError) as info:
        validate_job(job)
    assert any(e.message == message and e.path.startswith("TaskGroups[0].Update")
               for e in info.value.errors), info.value.errors


def test_batch_jobs_do_not_roll():
    job = canonicalize(parse_hcl(hcl(job_type="batch")))
    assert job.update is None and all(g.update is None for g in job.task_groups)
    refused = canonicalize(parse_hcl(hcl("", "update {\n canary = 1\n }", job_type="batch")))
    with pytest.raises(JobValidationError) as info:
        validate_job(refused)
    assert 'Job type "batch" does not allow update block' in str(info.value)


def test_unknown_update_attribute_is_an_error():
    with pytest.raises(Exception) as info:
        parse_hcl(hcl("", "update {\n max_paralel = 1\n }"))
    assert 'unknown attribute "max_paralel"' in str(info.value)
