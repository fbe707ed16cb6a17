"""The effective capability set of an exec task (nomad-facts §1.3, CVE-2019-12618)."""

from __future__ import annotations

from pathlib import Path

import pytest

from caravan.client.drivers.exec.capabilities import (
    DEFAULTS,
    NAMES,
    ROOT_LEGACY,
    agent_bounding,
    bitmask,
    from_bitmask,
    normalize,
    oci_names,
    task_capabilities,
    within_bounding,
)
from caravan.errors import DriverError

ALL = frozenset(NAMES)


def caps(*, add: list[str] = [], drop: list[str] = [], allow: frozenset[str] = DEFAULTS,
         user: str = "nobody") -> list[str]:
    return sorted(task_capabilities(allow=allow, cap_add=add, cap_drop=drop, user=user,
                                    supported=ALL))


def test_defaults_are_nomads_thirteen_without_net_raw() -> None:
    assert len(DEFAULTS) == 13 and "net_raw" not in DEFAULTS
    assert caps() == sorted(DEFAULTS)


@pytest.mark.parametrize("add,drop,allow,expected", [
    ([], ["all"], DEFAULTS, []),
    (["chown"], ["all"], DEFAULTS, ["chown"]),
    (["CAP_CHOWN"], ["ALL"], DEFAULTS, ["chown"]),
    ([" Cap_Kill "], ["all"], DEFAULTS, ["kill"]),
    ([], ["kill", "cap_chown"], DEFAULTS, sorted(DEFAULTS - {"kill", "chown"})),
    (["chown"], ["chown"], DEFAULTS, sorted(DEFAULTS)),               # cap_add wins over drop
    (["net_raw"], [], DEFAULTS | {"net_raw"}, sorted(DEFAULTS | {"net_raw"})),
    ([], [], frozenset({"kill", "sys_admin"}), ["kill"]),              # defaults ∩ allow_caps
    (["all"], [], ALL, sorted(ALL)),
])
def test_effective_set(add: list[str], drop: list[str], allow: frozenset[str],
                       expected: list[str]) -> None:
    assert caps(add=add, drop=drop, allow=allow) == expected


def test_cap_add_outside_allow_caps_is_refused_with_sorted_names() -> None:
    with pytest.raises(DriverError) as info:
        caps(add=["sys_admin", "NET_RAW"])
    assert str(info.value) == "driver does not allow the following capabilities: net_raw, sys_admin"


def test_all_in_cap_add_needs_allow_all() -> None:
    with pytest.raises(DriverError, match="driver does not allow"):
        caps(add=["all"])


def test_unknown_capability_names() -> None:
    with pytest.raises(DriverError) as info:
        caps(add=["fly"])
    assert "cap_add configured with capabilities not supported by system: fly" in str(info.value)
    with pytest.raises(DriverError, match="cap_drop configured"):
        caps(drop=["swim"])
    with pytest.raises(DriverError, match="allow_caps configured"):
        normalize(["warp"], ALL, "allow_caps")


def test_root_gets_the_legacy_set_but_cap_add_is_still_checked() -> None:
    assert caps(user="root") == sorted(ROOT_LEGACY)
    assert len(ROOT_LEGACY) == 38 and "audit_read" in ROOT_LEGACY and "perfmon" not in ROOT_LEGACY
    with pytest.raises(DriverError):
        caps(user="root", add=["sys_admin"])


def test_oci_names_and_bitmask() -> None:
    assert oci_names(frozenset({"kill", "chown"})) == ["CAP_CHOWN", "CAP_KILL"]
    assert bitmask(frozenset({"chown", "kill"})) == 0x21


def test_agent_bounding_reads_cap_bnd(tmp_path: Path) -> None:
    status = tmp_path / "status"
    status.write_text("Name:\tx\nCapBnd:\t0000000000000005\n")
    assert agent_bounding(status) == {"chown", "dac_read_search"}
    assert from_bitmask(bitmask(ROOT_LEGACY)) == ROOT_LEGACY


def test_within_bounding_keeps_what_the_agent_holds_and_names_the_rest() -> None:
    assert within_bounding(DEFAULTS, ROOT_LEGACY) == (DEFAULTS, "")
    kept, message = within_bounding(ROOT_LEGACY, ROOT_LEGACY - {"sys_time", "sys_module"})
    assert kept == ROOT_LEGACY - {"sys_time", "sys_module"}
    assert message == ("capabilities the client agent does not hold were dropped: "
                       "sys_module, sys_time")
