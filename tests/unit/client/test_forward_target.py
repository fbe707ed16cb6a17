"""`forward_target`: a port-forward reaches only a port the allocation holds."""

from __future__ import annotations

import pytest

from caravan.client.forward_target import forward_target
from caravan.errors import InvalidInput
from caravan.structs import Allocation


def _alloc() -> Allocation:
    return Allocation.model_validate({
        "ID": "0123456789abcdef", "AllocatedResources": {
            "Shared": {"Ports": [{"Label": "http", "Value": 23001, "To": 80,
                                  "HostIP": "10.1.2.3"},
                                 {"Label": "any", "Value": 23002, "HostIP": "0.0.0.0"}]},
            "Tasks": {"t": {"Networks": [{"IP": "", "ReservedPorts": [
                {"Label": "legacy", "Value": 8080}]}]}}}})


@pytest.mark.parametrize("remote, target", [
    (23001, ("10.1.2.3", 23001)), ("http", ("10.1.2.3", 23001)),
    (23002, ("127.0.0.1", 23002)), ("legacy", ("127.0.0.1", 8080)), (8080, ("127.0.0.1", 8080))])
def test_a_held_port_by_number_or_label_on_its_address(remote: int | str,
                                                       target: tuple[str, int]) -> None:
    assert forward_target(_alloc(), remote) == target


@pytest.mark.parametrize("remote", [80, 4646, 22, "nope", 0])
def test_anything_else_is_refused_naming_the_ports_there_are(remote: int | str) -> None:
    """80 is http's `to`: host mode maps nothing, and the node's port 80 is not the
    allocation's."""
    with pytest.raises(InvalidInput, match=f"port {remote} is not a port of allocation "
                       "01234567; its ports: http=23001, any=23002, legacy=8080"):
        forward_target(_alloc(), remote)
