"""The OCI config an exec task runs with."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from caravan.client.drivers.exec.bundle import BundleSpec, oci_config
from caravan.client.drivers.exec.capabilities import DEFAULTS, ROOT_LEGACY
from caravan.client.drivers.exec.resolve import Mount


def spec(**kw: object) -> BundleSpec:
    base: dict[str, object] = dict(
        argv=["/bin/sleep", "1"], env={"A": "1"}, cwd="/", uid=65534, gid=65534,
        additional_gids=[], capabilities=DEFAULTS, root_user=False, task_dir=Path("/t/task"),
        shared_dir=Path("/t/alloc"), chroot=[Mount(Path("/usr"), PurePosixPath("/usr"))],
        volumes=[Mount(Path("/srv/data"), PurePosixPath("/data"), read_only=True)],
        pid_private=True, ipc_private=False, cgroups_path="/caravan/a.t/task", hostname="h")
    base.update(kw)
    return BundleSpec(**base)  # type: ignore[arg-type]


def _mount(cfg: dict, dest: str) -> dict:  # type: ignore[type-arg]
    return next(m for m in cfg["mounts"] if m["destination"] == dest)  # type: ignore[no-any-return]


def test_root_is_the_task_dir_and_chroot_env_is_read_only_binds() -> None:
    cfg = oci_config(spec())
    assert cfg["root"] == {"path": "/t/task", "readonly": False}
    usr = _mount(cfg, "/usr")
    assert usr["type"] == "bind" and usr["source"] == "/usr" and "ro" in usr["options"]
    assert "nosuid" in usr["options"]
    assert "ro" in _mount(cfg, "/data")["options"]
    assert "rw" in _mount(cfg, "/alloc")["options"]
    assert _mount(cfg, "/alloc")["source"] == "/t/alloc"
    assert "ro" in _mount(cfg, "/alloc/logs")["options"]
    assert "ro" in _mount(cfg, "/sys")["options"]
    assert "/proc/kcore" in cfg["linux"]["maskedPaths"]


def test_namespaces_follow_pid_and_ipc_modes() -> None:
    kinds = {n["type"] for n in oci_config(spec())["linux"]["namespaces"]}
    assert kinds == {"mount", "uts", "pid"}
    kinds = {n["type"] for n in oci_config(spec(pid_private=False, ipc_private=True))
             ["linux"]["namespaces"]}
    assert kinds == {"mount", "uts", "ipc"}
    assert all(n["type"] != "network" for n in oci_config(spec())["linux"]["namespaces"])


def test_non_root_capabilities_are_ambient_and_root_gets_none_ambient() -> None:
    proc = oci_config(spec())["process"]
    assert proc["noNewPrivileges"] is True and proc["user"] == {"uid": 65534, "gid": 65534}
    assert sorted(proc["capabilities"]["ambient"]) == sorted(f"CAP_{c.upper()}" for c in DEFAULTS)
    root = oci_config(spec(root_user=True, capabilities=ROOT_LEGACY, uid=0, gid=0))["process"]
    assert root["capabilities"]["ambient"] == [] and len(root["capabilities"]["effective"]) == 38


def test_devices_default_deny_and_cpuset() -> None:
    linux = oci_config(spec(cpuset_cpus="1"))["linux"]
    assert linux["resources"]["devices"] == [{"allow": False, "access": "rwm"}]
    assert linux["resources"]["cpu"] == {"cpus": "1"}
    assert linux["cgroupsPath"] == "/caravan/a.t/task"


def test_root_is_bound_first_and_every_writable_mount_is_nosuid_nodev() -> None:
    mounts = oci_config(spec())["mounts"]
    assert mounts[0] == {"destination": "/", "type": "bind", "source": "/t/task",
                         "options": ["rbind", "rw", "nosuid", "nodev"]}
    for m in mounts:
        if "ro" not in m["options"] and m["destination"] not in ("/dev", "/dev/pts"):
            assert {"nosuid", "nodev"} <= set(m["options"]), m


def test_masked_paths_follow_the_runtime_defaults() -> None:
    masked = oci_config(spec(extra_masked=["/etc/shadow"]))["linux"]["maskedPaths"]
    assert masked[-1] == "/etc/shadow" and "/proc/kcore" in masked
