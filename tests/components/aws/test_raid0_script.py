"""The RAID0 user-data script (components/aws/scripts/raid0.sh), run against fake disks.

Loop devices are not available in the test environment, so the script is run two ways:
with ``RAID0_DRY_RUN=1`` (it prints every command instead of running it), and for real with
stub ``mdadm``/``mkfs.xfs``/``mount``/``mountpoint``/``udevadm`` on PATH that record their
arguments. Disks are discovered from a fake sysfs tree (``RAID0_SYSFS``), where EBS volumes
and partitions sit beside the instance-store NVMe that must be picked.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from components.aws import translate

SCRIPT = Path(translate.__file__).parent / "scripts" / "raid0.sh"
INSTANCE_STORE = "Amazon EC2 NVMe Instance Storage"
EBS = "Amazon Elastic Block Store"


def fake_sysfs(root: Path, disks: dict[str, str]) -> Path:
    """``/sys/block/<name>/device/model`` for each disk (model padded as the kernel does)."""
    for name, model in disks.items():
        dev = root / "block" / name / "device"
        dev.mkdir(parents=True)
        (dev / "model").write_text(model.ljust(40) + "\n")
    return root


def run(env: dict[str, str], path: str | None = None) -> subprocess.CompletedProcess[str]:
    full = {"PATH": path or os.environ["PATH"], "LC_ALL": "C", **env}
    return subprocess.run(["bash", str(SCRIPT)], env=full, capture_output=True, text=True, check=False, timeout=30)


def commands(out: str) -> list[str]:
    return [line[2:] for line in out.splitlines() if line.startswith("+ ")]


def test_script_is_valid_bash_and_executable() -> None:
    assert subprocess.run(["bash", "-n", str(SCRIPT)], check=False).returncode == 0
    assert os.access(SCRIPT, os.X_OK)
    assert SCRIPT.read_text().startswith("#!/usr/bin/env bash\n")


def test_dry_run_assembles_only_instance_store_in_order(tmp_path: Path) -> None:
    sysfs = fake_sysfs(
        tmp_path / "sys",
        {
            "nvme0n1": EBS,  # root volume: never touched
            "nvme1n1": INSTANCE_STORE,
            "nvme2n1": INSTANCE_STORE,
            "nvme10n1": INSTANCE_STORE,  # numeric order: after nvme2n1
            "nvme3n1": EBS,
        },
    )
    (sysfs / "block" / "nvme1n1p1").mkdir()  # a partition: skipped
    result = run({"RAID0_SYSFS": str(sysfs), "RAID0_DRY_RUN": "1"})
    assert result.returncode == 0, result.stderr
    assert commands(result.stdout) == [
        "mdadm --create /dev/md/aiinfra-scratch --level=0 --raid-devices=3 --name=aiinfra-scratch --force --run "
        "--homehost=any /dev/nvme1n1 /dev/nvme2n1 /dev/nvme10n1",
        "udevadm settle",
        "mkfs.xfs -f -L scratch /dev/md/aiinfra-scratch",
        "mkdir -p /mnt/scratch",
        "mount -o defaults,noatime,nodiratime /dev/md/aiinfra-scratch /mnt/scratch",
        "chmod 1777 /mnt/scratch",
        "append to /etc/fstab: LABEL=scratch /mnt/scratch xfs defaults,noatime,nodiratime,nofail 0 2",
    ]


def test_dry_run_p5_eight_disks(tmp_path: Path) -> None:
    sysfs = fake_sysfs(tmp_path / "sys", {f"nvme{i}n1": INSTANCE_STORE for i in range(1, 9)} | {"nvme0n1": EBS})
    out = commands(run({"RAID0_SYSFS": str(sysfs), "RAID0_DRY_RUN": "1"}).stdout)
    assert "--raid-devices=8" in out[0]
    assert out[0].endswith(" ".join(f"/dev/nvme{i}n1" for i in range(1, 9)))


def test_single_disk_is_formatted_without_raid(tmp_path: Path) -> None:
    sysfs = fake_sysfs(tmp_path / "sys", {"nvme0n1": EBS, "nvme1n1": INSTANCE_STORE})
    out = commands(run({"RAID0_SYSFS": str(sysfs), "RAID0_DRY_RUN": "1"}).stdout)
    assert not any(c.startswith("mdadm") for c in out)
    assert "mkfs.xfs -f -L scratch /dev/nvme1n1" in out


def test_no_instance_store_is_not_an_error(tmp_path: Path) -> None:
    sysfs = fake_sysfs(tmp_path / "sys", {"nvme0n1": EBS})
    result = run({"RAID0_SYSFS": str(sysfs), "RAID0_DRY_RUN": "1"})
    assert result.returncode == 0
    assert commands(result.stdout) == []
    assert "no instance-store NVMe found" in result.stderr


def test_injected_device_list_and_settings(tmp_path: Path) -> None:
    result = run(
        {
            "RAID0_DEVICES": "/dev/fake0 /dev/fake1",
            "RAID0_MOUNT_POINT": "/data",
            "RAID0_MD_NAME": "nvme",
            "RAID0_LABEL": "data",
            "RAID0_DRY_RUN": "1",
            "RAID0_SYSFS": str(tmp_path / "empty"),
        }
    )
    out = commands(result.stdout)
    assert out[0].startswith("mdadm --create /dev/md/nvme --level=0 --raid-devices=2 --name=nvme")
    assert out[0].endswith("/dev/fake0 /dev/fake1")
    assert "mount -o defaults,noatime,nodiratime /dev/md/nvme /data" in out


STUB = """#!/usr/bin/env bash
echo "$(basename "$0") $*" >> "{log}"
{extra}
"""


def stub_bin(tmp_path: Path, mounted: bool = False) -> tuple[str, Path]:
    """A PATH whose mdadm/mkfs.xfs/mount/mountpoint/udevadm record their arguments."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    log = tmp_path / "calls.log"
    for tool in ("mdadm", "mkfs.xfs", "mount", "udevadm", "mountpoint"):
        extra = ""
        if tool == "mountpoint":
            extra = "exit 0" if mounted else "exit 1"
        script = bindir / tool
        script.write_text(STUB.format(log=log, extra=extra))
        script.chmod(0o755)
    # keep the real coreutils (mkdir, chmod, sort, tr, sed, grep ...) after the stubs
    return f"{bindir}:{os.environ['PATH']}", log


def test_real_run_with_stub_tools(tmp_path: Path) -> None:
    sysfs = fake_sysfs(tmp_path / "sys", {"nvme0n1": EBS, "nvme1n1": INSTANCE_STORE, "nvme2n1": INSTANCE_STORE})
    path, log = stub_bin(tmp_path)
    mnt = tmp_path / "mnt" / "scratch"
    fstab = tmp_path / "fstab"
    fstab.write_text("# existing\n")
    env = {
        "RAID0_SYSFS": str(sysfs),
        "RAID0_DEV": str(tmp_path / "dev"),
        "RAID0_MOUNT_POINT": str(mnt),
        "RAID0_FSTAB": str(fstab),
    }
    result = run(env, path)
    assert result.returncode == 0, result.stderr
    dev = tmp_path / "dev"
    calls = log.read_text().splitlines()
    assert calls[0] == f"mountpoint -q {mnt}"
    assert calls[1].startswith(f"mdadm --create {dev}/md/aiinfra-scratch --level=0 --raid-devices=2")
    assert calls[1].endswith(f"{dev}/nvme1n1 {dev}/nvme2n1")
    assert f"mkfs.xfs -f -L scratch {dev}/md/aiinfra-scratch" in calls
    assert f"mount -o defaults,noatime,nodiratime {dev}/md/aiinfra-scratch {mnt}" in calls
    assert mnt.is_dir() and (mnt.stat().st_mode & 0o1777) == 0o1777
    entry = f"LABEL=scratch {mnt} xfs defaults,noatime,nodiratime,nofail 0 2"
    assert fstab.read_text().splitlines() == ["# existing", entry]
    # a second run on a fresh boot records the fstab entry once
    run(env, path)
    assert fstab.read_text().count(entry) == 1


def test_already_mounted_does_nothing(tmp_path: Path) -> None:
    sysfs = fake_sysfs(tmp_path / "sys", {"nvme1n1": INSTANCE_STORE, "nvme2n1": INSTANCE_STORE})
    path, log = stub_bin(tmp_path, mounted=True)
    result = run(
        {"RAID0_SYSFS": str(sysfs), "RAID0_MOUNT_POINT": str(tmp_path / "m"), "RAID0_FSTAB": str(tmp_path / "f")}, path
    )
    assert result.returncode == 0
    assert log.read_text().splitlines() == [f"mountpoint -q {tmp_path / 'm'}"]
    assert "already mounted" in result.stderr


def test_a_failing_tool_fails_the_script(tmp_path: Path) -> None:
    sysfs = fake_sysfs(tmp_path / "sys", {"nvme1n1": INSTANCE_STORE, "nvme2n1": INSTANCE_STORE})
    path, _log = stub_bin(tmp_path)
    (tmp_path / "bin" / "mdadm").write_text("#!/usr/bin/env bash\nexit 3\n")
    result = run(
        {"RAID0_SYSFS": str(sysfs), "RAID0_MOUNT_POINT": str(tmp_path / "m"), "RAID0_FSTAB": str(tmp_path / "f")}, path
    )
    assert result.returncode == 3
    assert not (tmp_path / "f").exists()
