"""Where the client library sends requests inside a task: the Task API socket when no
address is configured, `unix://` addresses, and an explicit address always winning."""

from __future__ import annotations

from pathlib import Path

from caravan.api import Client


def test_the_task_socket_is_used_only_without_an_address(tmp_path: Path) -> None:
    (tmp_path / "api.sock").touch()
    inside = {"NOMAD_SECRETS_DIR": str(tmp_path)}
    with Client(env=inside) as client:
        assert client.address == "http://localhost"
    with Client(env={**inside, "NOMAD_ADDR": "http://10.0.0.1:4646"}) as client:
        assert client.address == "http://10.0.0.1:4646"
    with Client(address="127.0.0.1:9999", env=inside) as client:
        assert client.address == "http://127.0.0.1:9999"
    with Client(env={"NOMAD_SECRETS_DIR": str(tmp_path / "none")}) as client:
        assert client.address == "http://127.0.0.1:4646"


def test_unix_addresses(tmp_path: Path) -> None:
    with Client(address=f"unix://{tmp_path}/x.sock", env={}) as client:
        assert client.address == "http://localhost"
