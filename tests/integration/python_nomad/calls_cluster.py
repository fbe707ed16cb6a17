"""python-nomad's calls on cluster-wide objects: namespaces, variables, scaling policies,
Sentinel policies (Enterprise) and the `system` endpoints."""

from __future__ import annotations

import pytest
from nomad.api import exceptions

from tests.integration.python_nomad.world import NO_ID, World

ENT_ONLY = "Nomad Enterprise only endpoint"

def _namespace(w: World, name: str) -> str:
    reply = w.api.namespace.create_namespace({"Name": name, "Description": "made"})
    assert reply.ok
    return name


def get_namespaces(w: World) -> None:
    _namespace(w, "pn-listed")
    found = {n["Name"]: n for n in w.api.namespaces.get_namespaces()}
    assert found["default"]["Description"] == "Default shared namespace"
    assert found["pn-listed"]["Description"] == "made"
    assert [n["Name"] for n in w.api.namespaces.get_namespaces(prefix="pn-l")] == ["pn-listed"]


def create_namespace(w: World) -> None:
    assert w.api.namespace.get_namespace(_namespace(w, "pn-made"))["Description"] == "made"


def get_namespace(w: World) -> None:
    namespace = w.api.namespace.get_namespace("default")
    assert namespace["Name"] == "default" and {"Quota", "Meta", "CreateIndex"} <= set(namespace)


def update_namespace(w: World) -> None:
    name = _namespace(w, "pn-updated")
    assert w.api.namespace.update_namespace(name, {"Name": name, "Description": "new"}).ok
    assert w.api.namespace.get_namespace(name)["Description"] == "new"


def delete_namespace(w: World) -> None:
    name = _namespace(w, "pn-doomed")
    assert w.api.namespace.delete_namespace(name).ok
    with pytest.raises(exceptions.URLNotFoundNomadException):
        w.api.namespace.get_namespace(name)


def create_variable(w: World) -> None:
    made = w.api.variable.create_variable("pn/made", {"Items": {"k": "v"}})
    assert made["Path"] == "pn/made" and made["Items"] == {"k": "v"} and made["ModifyIndex"] > 0
    with pytest.raises(exceptions.VariableConflict):
        w.api.variable.create_variable("pn/made", {"Items": {"k": "w"}}, cas=0)


def get_variable(w: World) -> None:
    w.api.variable.create_variable("pn/read", {"Items": {"a": "1"}})
    found = w.api.variable.get_variable("pn/read")
    assert found["Items"] == {"a": "1"} and found["Namespace"] == "default"


def get_variables(w: World) -> None:
    w.api.variable.create_variable("pn/listed", {"Items": {"a": "1"}})
    [stub] = w.api.variables.get_variables(prefix="pn/listed")
    assert stub["Path"] == "pn/listed" and "Items" not in stub


def delete_variable(w: World) -> None:
    w.api.variable.create_variable("pn/doomed", {"Items": {"a": "1"}})
    assert w.api.variable.delete_variable("pn/doomed").status_code == 204
    with pytest.raises(exceptions.URLNotFoundNomadException):
        w.api.variable.get_variable("pn/doomed")


def get_scaling_policies(w: World) -> None:
    w.running_alloc("pn-svc")
    assert w.api.scaling.get_scaling_policies() == []
    assert w.api.scaling.get_scaling_policies(job="pn-svc", type_="horizontal") == []
    with pytest.raises(exceptions.URLNotAuthorizedNomadException):
        w.api_as(None).scaling.get_scaling_policies()


def get_scaling_policy(w: World) -> None:
    with pytest.raises(exceptions.URLNotFoundNomadException) as info:
        w.api.scaling.get_scaling_policy(NO_ID)
    assert info.value.nomad_resp.text == "policy not found"


def _enterprise_only(call: object) -> None:
    with pytest.raises(exceptions.BaseNomadException) as info:
        call()  # type: ignore[operator]
    assert info.value.nomad_resp.status_code == 501
    assert info.value.nomad_resp.text == ENT_ONLY


def sentinel_get_policies(w: World) -> None:
    _enterprise_only(w.api.sentinel.get_policies)


def sentinel_get_policy(w: World) -> None:
    _enterprise_only(lambda: w.api.sentinel.get_policy("pn"))


def sentinel_create_policy(w: World) -> None:
    policy = {"Name": "pn", "EnforcementLevel": "advisory", "Policy": "main = rule { true }"}
    # python-nomad returns the response object here, so only a 501 raises.
    _enterprise_only(lambda: w.api.sentinel.create_policy("pn", policy))


def sentinel_update_policy(w: World) -> None:
    _enterprise_only(lambda: w.api.sentinel.update_policy("pn", {"Name": "pn"}))


def sentinel_delete_policy(w: World) -> None:
    _enterprise_only(lambda: w.api.sentinel.delete_policy("pn"))


def reconcile_summaries(w: World) -> None:
    w.running_alloc("pn-svc")
    assert w.api.system.reconcile_summaries() is True
    with pytest.raises(exceptions.URLNotAuthorizedNomadException):
        w.api_as(None).system.reconcile_summaries()  # management only, as in Nomad
    assert w.api.job.get_summary("pn-svc")["Summary"]["main"]["Running"] == 1


def initiate_garbage_collection(w: World) -> None:
    assert w.api.system.initiate_garbage_collection() is True


ROWS = [
    ("namespaces.get_namespaces", get_namespaces, None),
    ("namespace.create_namespace", create_namespace, None),
    ("namespace.get_namespace", get_namespace, None),
    ("namespace.update_namespace", update_namespace, None),
    ("namespace.delete_namespace", delete_namespace, None),
    ("variable.create_variable", create_variable, None),
    ("variable.get_variable", get_variable, None),
    ("variables.get_variables", get_variables, None),
    ("variable.delete_variable", delete_variable, None),
    ("scaling.get_scaling_policies", get_scaling_policies, None),
    ("scaling.get_scaling_policy", get_scaling_policy, None),
    ("sentinel.get_policies", sentinel_get_policies, None),
    ("sentinel.get_policy", sentinel_get_policy, None),
    ("sentinel.create_policy", sentinel_create_policy, None),
    ("sentinel.update_policy", sentinel_update_policy, None),
    ("sentinel.delete_policy", sentinel_delete_policy, None),
    ("system.reconcile_summaries", reconcile_summaries, None),
    ("system.initiate_garbage_collection", initiate_garbage_collection, None),
]
