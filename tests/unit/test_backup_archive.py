"""A restore reads nothing it has not checked: the archive's manifest, checksums and paths."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from coursehub.backup import FORMAT, BackupError, _safe_members, verify


def write_archive(path: Path, files: dict[str, bytes], manifest: dict | None = None) -> Path:
    if manifest is None:
        parts = [
            {"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "user": None}
            for name, data in files.items()
        ]
        manifest = {"format": FORMAT, "created": "2026-11-26T00:00:00Z", "parts": parts}
    with tarfile.open(path, "w") as archive:
        for name, data in {"manifest.json": json.dumps(manifest).encode(), **files}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def quiet(*args) -> None:
    pass


def garbage(path: Path) -> Path:
    path.write_bytes(b"not a tar at all" * 100)
    return path


def symlink(name: str, target: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = tarfile.SYMTYPE, target
    return info


def test_a_sound_archive_passes(tmp_path):
    archive = write_archive(tmp_path / "ok.tar", {"course.tar": b"course", "homes/ana.tar": b"ana"})
    manifest = verify(archive, quiet)
    assert [part["name"] for part in manifest["parts"]] == ["course.tar", "homes/ana.tar"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (garbage, "not a coursehub backup"),
        (lambda p: write_archive(p, {}, manifest={"format": 99, "parts": []}), "format 99"),
        (
            lambda p: write_archive(p, {}, manifest={"format": FORMAT, "parts": [{"name": "../etc/x"}]}),
            "unsafe path",
        ),
        (
            lambda p: write_archive(
                p,
                {},
                manifest={"format": FORMAT, "parts": [{"name": "course.tar", "size": 1, "sha256": "0"}]},
            ),
            "lacks course.tar",
        ),
        (
            lambda p: write_archive(
                p,
                {"course.tar": b"changed"},
                manifest={"format": FORMAT, "parts": [{"name": "course.tar", "size": 7, "sha256": "0" * 64}]},
            ),
            "damaged",
        ),
    ],
    ids=["not-a-tar", "other-format", "unsafe-path", "missing-part", "checksum"],
)
def test_a_bad_archive_is_refused_with_the_reason(tmp_path, make, message):
    archive = make(tmp_path / "bad.tar")
    with pytest.raises(BackupError, match=message):
        verify(archive, quiet)


def test_a_missing_archive_is_named():
    with pytest.raises(BackupError, match="is not a file"):
        verify(Path("/nowhere/backup.tar"), quiet)


@pytest.mark.parametrize(
    "member",
    [
        tarfile.TarInfo("../outside"),
        tarfile.TarInfo("/etc/passwd"),
        symlink("link", "/etc/shadow"),
    ],
    ids=["parent", "absolute", "symlink-out"],
)
def test_members_that_would_land_outside_are_refused(member):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        archive.addfile(member, io.BytesIO(b"") if member.isfile() else None)
    buffer.seek(0)
    with tarfile.open(fileobj=buffer) as archive, pytest.raises(BackupError, match="outside"):
        _safe_members(archive, "hub-state.tar")
