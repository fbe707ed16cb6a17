"""One table of implemented and refused fields (caravan/jobspec/fields.py) for HCL and JSON:
the HCL specs, the models and Nomad's own JSON keys all agree with it, and every refused
field is refused by both decoders with its place named."""

import json

import pytest

from caravan.errors import InvalidInput
from caravan.jobspec import (
    fields,
    hcl_batch,
    hcl_common,
    hcl_job,
    hcl_network,
    hcl_placement,
    hcl_service,
    hcl_task,
    hcl_template,
    parse_hcl,
    parse_json,
)
from caravan.jobspec.hcl_body import Spec
from caravan.jobspec.json_keys import field_names
from tests import nomad_api_fields as nomad

SPECS: list[tuple[Spec, fields.Table]] = [
    (hcl_job.JOB, fields.JOB), (hcl_job.GROUP, fields.GROUP), (hcl_task.TASK, fields.TASK),
    (hcl_task.RESOURCES, fields.RESOURCES), (hcl_network.NETWORK, fields.NETWORK),
    (hcl_network.PORT, fields.PORT), (hcl_task.LOGS, fields.LOGS),
    (hcl_task.ARTIFACT, fields.ARTIFACT), (hcl_job.VOLUME, fields.VOLUME),
    (hcl_task.VOLUME_MOUNT, fields.VOLUME_MOUNT), (hcl_common.CONSTRAINT, fields.CONSTRAINT),
    (hcl_common.RESTART, fields.RESTART), (hcl_common.RESCHEDULE, fields.RESCHEDULE),
    (hcl_job.EPHEMERAL_DISK, fields.EPHEMERAL_DISK), (hcl_task.LIFECYCLE, fields.LIFECYCLE),
    (hcl_service.SERVICE, fields.SERVICE), (hcl_service.CHECK, fields.CHECK),
    (hcl_batch.PERIODIC, fields.PERIODIC), (hcl_batch.PARAMETERIZED, fields.PARAMETERIZED),
    (hcl_batch.DISPATCH_PAYLOAD, fields.DISPATCH_PAYLOAD),
    (hcl_service.CHECK_RESTART, fields.CHECK_RESTART), (hcl_task.IDENTITY, fields.IDENTITY),
    (hcl_template.TEMPLATE, fields.TEMPLATE), (hcl_template.CHANGE_SCRIPT, fields.CHANGE_SCRIPT),
    (hcl_template.WAIT, fields.WAIT), (hcl_placement.AFFINITY, fields.AFFINITY),
    (hcl_placement.SPREAD, fields.SPREAD), (hcl_placement.SPREAD_TARGET, fields.SPREAD_TARGET),
]
NOMAD_KEYS = {fields.JOB: nomad.JOB, fields.GROUP: nomad.TASKGROUP, fields.TASK: nomad.TASK,
              fields.RESOURCES: nomad.RESOURCES, fields.NETWORK: nomad.NETWORKRESOURCE,
              fields.PORT: nomad.PORT, fields.LOGS: nomad.LOGCONFIG,
              fields.ARTIFACT: nomad.TASKARTIFACT, fields.VOLUME: nomad.VOLUMEREQUEST,
              fields.VOLUME_MOUNT: nomad.VOLUMEMOUNT, fields.CONSTRAINT: nomad.CONSTRAINT,
              fields.RESTART: nomad.RESTARTPOLICY, fields.RESCHEDULE: nomad.RESCHEDULEPOLICY,
              fields.EPHEMERAL_DISK: nomad.EPHEMERALDISK, fields.LIFECYCLE: nomad.TASKLIFECYCLE,
              fields.SERVICE: nomad.SERVICE, fields.CHECK: nomad.SERVICECHECK,
              fields.CHECK_RESTART: nomad.CHECKRESTART, fields.IDENTITY: nomad.WORKLOADIDENTITY,
              fields.TEMPLATE: nomad.TEMPLATE, fields.CHANGE_SCRIPT: nomad.CHANGESCRIPT,
              fields.WAIT: nomad.WAITCONFIG}


@pytest.mark.parametrize(("spec", "table"), SPECS)
def test_hcl_specs_are_the_table(spec, table):
    assert set(spec.attrs) | spec.blocks | spec.maps == table.implemented_hcl
    assert spec.unsupported_blocks == table.refused_blocks
    assert spec.unsupported_attrs == table.refused_attrs


@pytest.mark.parametrize(("model", "table"), fields.BY_MODEL.items())
def test_models_are_the_table(model, table):
    aliases = {(info.alias or name).lower() for name, info in model.model_fields.items()}
    assert table.implemented_json <= aliases, "an implemented key the model lacks"
    assert aliases <= table.implemented_json | set(table.refused_json), \
        "a model field with no row: it would be accepted and perhaps not honoured"


@pytest.mark.parametrize("table", NOMAD_KEYS)
def test_every_key_nomad_sends_has_a_row(table):
    known = table.implemented_json | set(table.refused_json)
    assert {key.lower() for key in NOMAD_KEYS[table]} <= known


def test_what_nomads_cli_sends_for_an_unset_field_is_accepted():
    job = parse_json(json.dumps(nomad.zero_job("zero")))
    assert job.id == "zero"
    [task] = job.task_groups[0].tasks
    assert task.resources.cpu == 100 and task.config == {"command": "/bin/true"}
    assert job.task_groups[0].networks[0].dynamic_ports[0].label == "http"


def _places(document):
    """Where each refusable JSON key sits in `document`'s job: (table, object, path)."""
    job = document["Job"]
    group = job["TaskGroups"][0]
    task = group["Tasks"][0]
    return [(fields.JOB, job, "Job"), (fields.GROUP, group, "Job.TaskGroups[0]"),
            (fields.TASK, task, "Job.TaskGroups[0].Tasks[0]"),
            (fields.RESOURCES, task["Resources"], "Job.TaskGroups[0].Tasks[0].Resources"),
            (fields.NETWORK, group["Networks"][0], "Job.TaskGroups[0].Networks[0]"),
            (fields.LOGS, task["LogConfig"], "Job.TaskGroups[0].Tasks[0].LogConfig"),
            (fields.EPHEMERAL_DISK, group["EphemeralDisk"], "Job.TaskGroups[0].EphemeralDisk")]


REFUSED_JSON = [(i, key) for i, (table, _, _) in enumerate(_places(nomad.zero_job("j")))
                for key in table.refused_json.values()]


@pytest.mark.parametrize(("place", "key"), REFUSED_JSON)
def test_every_refused_json_key_with_a_value_is_named(place, key):
    document = nomad.zero_job("j")
    _, obj, path = _places(document)[place]
    obj[key] = "set"
    with pytest.raises(InvalidInput) as info:
        parse_json(json.dumps(document))
    assert [(e.path, e.message) for e in info.value.errors] == [
        (f"{path}.{key}", "not supported by caravan")]


def _hcl(job_body="", group_body="", task_body=""):
    return (f'job "j" {{\n{job_body}\n  group "g" {{\n{group_body}\n'
            f'    task "t" {{\n      driver = "raw_exec"\n{task_body}\n    }}\n  }}\n}}\n')


def _written(field: fields.Field) -> str:
    return f"{field.hcl} {{\n}}" if field.block else f'{field.hcl} = "x"'


REFUSED_HCL = [(where, f) for where, table in (("job", fields.JOB), ("group", fields.GROUP),
                                               ("task", fields.TASK))
               for f in table.refused if f.hcl]


@pytest.mark.parametrize(("where", "field"), REFUSED_HCL,
                         ids=[f"{w}-{f.hcl}" for w, f in REFUSED_HCL])
def test_every_refused_hcl_name_is_named(where, field):
    source = _hcl(**{f"{where}_body": _written(field)})
    with pytest.raises(InvalidInput) as info:
        parse_hcl(source, filename="j.hcl")
    [error] = info.value.errors
    kind = "block" if field.block else "attribute"
    assert error.message == f'{kind} "{field.hcl}" is not supported by caravan'


def test_nomads_canonical_values_of_refused_fields_carry_nothing():
    document = nomad.zero_job("j")
    document["Job"]["TaskGroups"][0]["Tasks"][0]["VolumeMounts"] = [
        {**nomad.VOLUMEMOUNT, "Volume": "v", "Destination": "/d", "PropagationMode": "private"}]
    document["Job"]["TaskGroups"][0]["Update"] = {"MaxParallel": 1, "HealthCheck": "checks"}
    assert parse_json(json.dumps(document)).task_groups[0].tasks[0].volume_mounts[0].volume == "v"
    document["Job"]["TaskGroups"][0]["Tasks"][0]["VolumeMounts"][0]["PropagationMode"] = \
        "host-to-task"
    with pytest.raises(InvalidInput) as info:
        parse_json(json.dumps(document))
    assert [e.path for e in info.value.errors] == [
        "Job.TaskGroups[0].Tasks[0].VolumeMounts[0].PropagationMode"]
