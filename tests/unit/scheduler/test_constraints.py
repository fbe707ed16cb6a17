"""Constraint operands and targets, table-driven."""

from __future__ import annotations

import pytest

from caravan.server.scheduler.constraints import ConstraintEvaluator, resolve_target
from caravan.structs import Constraint

from .factories import node

NODE = node(7, datacenter="eu-west", node_class="gpu", node_pool="batch",
            attributes={"kernel.name": "linux", "kernel.version": "6.1.0",
                        "nomad.version": "1.7.2", "cpu.numcores": "8", "os.name": "ubuntu",
                        "tags": "a, b,c", "beta": "2.0.0-beta.2"},
            meta={"rack": "r1", "zone": "z10"})


@pytest.mark.parametrize("target, expected", [
    ("${attr.kernel.name}", "linux"),
    ("${meta.rack}", "r1"),
    ("${node.unique.id}", NODE.id),
    ("${node.unique.name}", "node-7"),
    ("${node.datacenter}", "eu-west"),
    ("${node.class}", "gpu"),
    ("${node.pool}", "batch"),
    ("literal", "literal"),
    ("", ""),
    ("${attr.missing}", None),
    ("${meta.missing}", None),
    ("${node.nonsense}", None),
])
def test_targets(target: str, expected: str | None) -> None:
    assert resolve_target(target, NODE) == expected


@pytest.mark.parametrize("l_target, operand, r_target, expected", [
    ("${attr.kernel.name}", "=", "linux", True),
    ("${attr.kernel.name}", "==", "linux", True),
    ("${attr.kernel.name}", "is", "windows", False),
    ("${attr.missing}", "=", "linux", False),
    ("${attr.kernel.name}", "!=", "windows", True),
    ("${attr.kernel.name}", "not", "linux", False),
    ("${attr.missing}", "!=", "linux", True),        # Nomad: absent != value holds
    ("${attr.cpu.numcores}", ">", "4", True),         # numeric: 8 > 4
    ("${attr.cpu.numcores}", ">", "10", False),       # numeric, not lexical ("8" > "10")
    ("${attr.cpu.numcores}", ">=", "8", True),
    ("${attr.cpu.numcores}", "<", "8", False),
    ("${attr.cpu.numcores}", "<=", "8.0", True),
    ("${meta.zone}", ">", "z09", True),               # lexical when not numbers
    ("${meta.zone}", "<", "z2", True),
    ("${attr.missing}", "<", "z2", False),
    ("${attr.os.name}", "regexp", "^ubu", True),
    ("${attr.os.name}", "regexp", "untu", True),      # unanchored search
    ("${attr.os.name}", "regexp", "^debian", False),
    ("${attr.os.name}", "regexp", "([", False),       # bad pattern never matches
    ("${attr.tags}", "set_contains", "a,c", True),
    ("${attr.tags}", "set_contains", "a, d", False),
    ("${attr.tags}", "set_contains_all", "b", True),
    ("${attr.tags}", "set_contains_any", "x,c", True),
    ("${attr.tags}", "set_contains_any", "x,y", False),
    ("${attr.kernel.name}", "is_set", "", True),
    ("${attr.missing}", "is_set", "", False),
    ("${attr.missing}", "is_not_set", "", True),
    ("${attr.kernel.name}", "is_not_set", "", False),
    ("${attr.kernel.name}", "bogus_operand", "linux", False),
    ("${node.class}", "=", "gpu", True),
    ("${meta.rack}", "=", "${meta.rack}", True),
])
def test_operands(l_target: str, operand: str, r_target: str, expected: bool) -> None:
    c = Constraint(l_target=l_target, operand=operand, r_target=r_target)
    assert ConstraintEvaluator().meets(c, NODE) is expected


@pytest.mark.parametrize("version, constraint, expected", [
    ("1.7.2", ">= 1.2, < 2.0", True),
    ("2.0.0", ">= 1.2, < 2.0", False),
    ("1.7.2", "~> 1.2", True),
    ("2.1.0", "~> 1.2", False),
    ("1.2.9", "~> 1.2.3", True),
    ("1.3.0", "~> 1.2.3", False),
    ("1.2.2", "~> 1.2.3", False),
    ("1.7.2", "= 1.7.2", True),
    ("1.7.2", "1.7.2", True),
    ("1.7", "= 1.7.0", True),                        # missing segments are zeros
    ("v1.7.2", "!= 1.7.3", True),
    ("1.7.2", "> 1.7.2", False),
    ("1.7.2.4", "> 1.7.2", True),                    # loose: four segments
    ("2.0.0-beta.2", ">= 1.0", False),               # pre-releases need a pre-release term
    ("2.0.0-beta.2", ">= 2.0.0-beta.1", True),
    ("2.0.0-beta.2", ">= 1.9.0-beta.1", False),      # ... of the same base version
    ("not-a-version", ">= 1.0", False),
    ("1.7.2", ">= nonsense", False),
])
def test_version(version: str, constraint: str, expected: bool) -> None:
    assert ConstraintEvaluator().check("version", version, constraint) is expected


@pytest.mark.parametrize("version, constraint, expected", [
    ("1.7.2", ">= 1.2.0, < 2.0.0", True),
    ("2.0.0", ">= 1.2.0, < 2.0.0", False),
    ("2.0.0-beta.2", ">= 1.0.0", True),              # semver orders pre-releases, no exclusion
    ("2.0.0-beta.2", "< 2.0.0", True),
    ("1.0.0-alpha.1", "< 1.0.0-alpha.beta", True),   # numbers sort below words
    ("1.0.0-alpha", "< 1.0.0-alpha.1", True),        # longer pre-release sorts higher
    ("1.0.0-rc.10", "> 1.0.0-rc.9", True),           # numeric identifiers compare as numbers
    ("1.0.0+build.5", "= 1.0.0", True),              # metadata is ignored
    ("1.2.3.4", ">= 1.0.0", False),                  # not semver
    ("1.7.2", "~> 1.7", False),                      # no pessimistic operator
])
def test_semver(version: str, constraint: str, expected: bool) -> None:
    assert ConstraintEvaluator().check("semver", version, constraint) is expected


def test_version_constraint_against_node_attribute() -> None:
    c = Constraint(l_target="${attr.nomad.version}", operand="version", r_target=">= 1.7, < 1.8")
    assert ConstraintEvaluator().meets(c, NODE)
    assert Constraint(l_target="${attr.kernel.name}", operand="=", r_target="linux").describe() \
        == "${attr.kernel.name} = linux"
