"""Everything a hub holds, in one archive, and back: ``coursehub backup`` and ``coursehub restore``.

The archive is a plain tar (learners' notebooks do not compress much, and plain tar streams):

    manifest.json         format, when, from which hub, and every part with its size and SHA-256
    hub-state.tar         the hub database (an online SQLite backup: consistent while the hub
                          runs) and the generated secrets
    course.tar            the course repository, every published version
    settings.env          the hub's COURSEHUB_* settings, for the admin's .env on the new host
    homes/<user>.tar      each learner's home volume

Images are not in it: a new host builds or pulls them. A restore checks every checksum before
it changes anything, refuses to overwrite a learner's existing home, and stops JupyterHub only
while it swaps the database and secrets.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import docker

from . import __version__
from .settings import Settings
from .spawner import HOME, LABEL_PREFIX, LABEL_ROLE, LABEL_USER, ROLE_LEARNER_HOME, home_labels
from .supervisor import is_runtime_file

FORMAT = 1
MANIFEST = "manifest.json"
CHUNK = 1 << 20

# (what is being done, bytes done so far in this step, bytes in this step or None if unknown)
Progress = Callable[[str, int, int | None], None]


class BackupError(Exception):
    """A backup or restore that cannot go ahead; nothing was changed."""


@dataclass
class Part:
    name: str
    size: int
    sha256: str
    user: str | None = None


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            sha.update(block)
    return sha.hexdigest()


def _sqlite_path(settings: Settings) -> Path:
    url = settings.database_url
    if not url.startswith("sqlite:///"):
        raise BackupError(
            f"the hub database is {url.split(':', 1)[0]}, not SQLite: back it up with its own tools "
            "(pg_dump), and the rest with this command"
        )
    return Path(url.removeprefix("sqlite:///"))


def home_volumes(settings: Settings, client: docker.DockerClient) -> dict[str, str]:
    """user -> name of their home volume, for this hub."""
    volumes = client.volumes.list(
        filters={"label": [f"{LABEL_PREFIX}={settings.prefix}", f"{LABEL_ROLE}={ROLE_LEARNER_HOME}"]}
    )
    return {volume.attrs["Labels"][LABEL_USER]: volume.name for volume in volumes}


@contextmanager
def _helper(settings: Settings, client: docker.DockerClient, volume: str, read_only: bool) -> Iterator:
    """A container that is never started, with ``volume`` as the home: for docker cp in and out."""
    container = client.containers.create(
        settings.notebook_image,
        command=["true"],
        volumes={volume: {"bind": HOME, "mode": "ro" if read_only else "rw"}},
        labels={LABEL_PREFIX: settings.prefix, LABEL_ROLE: "backup-helper"},
        network_disabled=True,
    )
    try:
        yield container
    finally:
        container.remove(force=True)


def _settings_env() -> str:
    lines = [f"{name}={value}" for name, value in sorted(os.environ.items()) if name.startswith("COURSEHUB_")]
    return (
        "# The hub's settings when the backup was made: use them as .env on the new host.\n"
        + "\n".join(lines)
        + "\n"
    )


class Backup:
    """Writes one archive; ``output`` appears only once it is complete."""

    def __init__(self, settings: Settings, client: docker.DockerClient, progress: Progress):
        self.settings, self.client, self.progress = settings, client, progress

    def write(self, output: Path) -> dict:
        output = output.resolve()
        output.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=output.parent, prefix=".coursehub-backup-") as work_dir:
            work = Path(work_dir)
            parts = [self._hub_state(work), self._course(work), self._settings(work)]
            (work / "homes").mkdir()
            for user, volume in sorted(home_volumes(self.settings, self.client).items()):
                parts.append(self._home(work, user, volume))
            manifest = {
                "format": FORMAT,
                "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "coursehub": __version__,
                "prefix": self.settings.prefix,
                "parts": [asdict(part) for part in parts],
            }
            (work / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
            partial = output.with_name(output.name + ".partial")
            total = sum(part.size for part in parts)
            with tarfile.open(partial, "w") as archive:
                archive.add(work / MANIFEST, MANIFEST)
                done = 0
                for part in parts:
                    self.progress("writing the archive", done, total)
                    archive.add(work / part.name, part.name)
                    done += part.size
                self.progress("writing the archive", total, total)
            os.replace(partial, output)
        return manifest

    def _part(self, work: Path, name: str, user: str | None = None) -> Part:
        path = work / name
        return Part(name=name, size=path.stat().st_size, sha256=_digest(path), user=user)

    def _hub_state(self, work: Path) -> Part:
        self.progress("hub database and secrets", 0, None)
        database = _sqlite_path(self.settings)
        skip = {database.name, f"{database.name}-journal", f"{database.name}-wal", f"{database.name}-shm"}
        snapshot = work / database.name
        source, copy = sqlite3.connect(database), sqlite3.connect(snapshot)
        try:
            source.backup(copy)  # SQLite's online backup: a consistent copy while the hub writes
        finally:
            source.close()
            copy.close()
        state = self.settings.state_dir
        with tarfile.open(work / "hub-state.tar", "w") as archive:
            archive.add(snapshot, database.name)
            for path in sorted(state.iterdir()):
                if path.name not in skip and not is_runtime_file(path.name):
                    archive.add(path, path.name)
        snapshot.unlink()
        return self._part(work, "hub-state.tar")

    def _course(self, work: Path) -> Part:
        self.progress("course repository", 0, None)
        with tarfile.open(work / "course.tar", "w") as archive:
            for path in sorted(self.settings.course_repo_dir.iterdir()):
                archive.add(path, path.name)
        return self._part(work, "course.tar")

    def _settings(self, work: Path) -> Part:
        (work / "settings.env").write_text(_settings_env())
        return self._part(work, "settings.env")

    def _home(self, work: Path, user: str, volume: str) -> Part:
        name = f"homes/{user}.tar"
        with _helper(self.settings, self.client, volume, read_only=True) as helper:
            stream, _ = helper.get_archive(HOME)
            done = 0
            with (work / name).open("wb") as handle:
                for chunk in stream:
                    handle.write(chunk)
                    done += len(chunk)
                    self.progress(f"home of {user}", done, None)
        return self._part(work, name, user)


def _unsafe(name: str) -> bool:
    return name.startswith("/") or ".." in Path(name).parts


def _safe_members(archive: tarfile.TarFile, label: str) -> list[tarfile.TarInfo]:
    """Every member, once none of them could write outside the folder it is unpacked into."""
    members = archive.getmembers()
    for member in members:
        link_escapes = (member.issym() or member.islnk()) and _unsafe(member.linkname)
        if _unsafe(member.name) or link_escapes or member.isdev():
            raise BackupError(f"{label} holds {member.name!r}, which would land outside its folder")
    return members


def verify(archive_path: Path, progress: Progress) -> dict:
    """The manifest, once every part is present and matches its checksum."""
    if not archive_path.is_file():
        raise BackupError(f"{archive_path} is not a file")
    try:
        with tarfile.open(archive_path, "r") as archive:
            manifest = _manifest(archive)
            for part in manifest["parts"]:
                try:
                    member = archive.getmember(part["name"])
                except KeyError:
                    member = None
                if member is None or not member.isfile():
                    raise BackupError(f"{archive_path} lacks {part['name']}, listed in its manifest")
                progress(f"checking {part['name']}", 0, part["size"])
                sha = hashlib.sha256()
                with archive.extractfile(member) as handle:
                    while block := handle.read(CHUNK):
                        sha.update(block)
                if sha.hexdigest() != part["sha256"]:
                    raise BackupError(f"{part['name']} in {archive_path} is damaged (checksum mismatch)")
    except tarfile.TarError as error:
        raise BackupError(f"{archive_path} is not a coursehub backup: {error}") from None
    return manifest


def _manifest(archive: tarfile.TarFile) -> dict:
    try:
        manifest = json.load(archive.extractfile(MANIFEST))
    except (KeyError, json.JSONDecodeError):
        raise BackupError("no readable manifest.json: not a coursehub backup") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')!r}; this coursehub reads format {FORMAT}")
    for part in manifest["parts"]:
        if _unsafe(part["name"]):
            raise BackupError(f"unsafe path in the manifest: {part['name']!r}")
    return manifest


class Restore:
    """Rebuilds a hub from an archive, on this host, for the running stack."""

    def __init__(self, settings: Settings, client: docker.DockerClient, progress: Progress):
        self.settings, self.client, self.progress = settings, client, progress

    def run(self, archive_path: Path, hub_stopped: Callable, settings_out: Path) -> dict:
        """Restore, then leave the old hub's settings in ``settings_out`` for the admin."""
        manifest = verify(archive_path, self.progress)
        homes = {part["user"]: part for part in manifest["parts"] if part["user"]}
        existing = home_volumes(self.settings, self.client)
        clashes = sorted(set(homes) & set(existing))
        if clashes:
            raise BackupError(
                "these learners already have a home on this hub, which a restore would overwrite: "
                + ", ".join(clashes)
                + ". Restore onto a fresh stack, or remove those volumes first."
            )
        with tarfile.open(archive_path, "r") as archive:
            for user, part in sorted(homes.items()):
                self._home(archive, user, part)
            self._course(archive)
            with hub_stopped():
                self._hub_state(archive)
            settings_out.write_bytes(archive.extractfile("settings.env").read())
        return manifest

    def _home(self, archive: tarfile.TarFile, user: str, part: dict) -> None:
        self.progress(f"home of {user}", 0, part["size"])
        volume = f"{self.settings.prefix}-home-{user}"
        self.client.volumes.create(volume, labels=home_labels(user, self.settings.prefix))
        with _helper(self.settings, self.client, volume, read_only=False) as helper:
            # The tar holds the folder "jovyan/": it goes back into the home's parent.
            helper.put_archive(str(Path(HOME).parent), archive.extractfile(part["name"]))
        self.progress(f"home of {user}", part["size"], part["size"])

    def _extract_replacing(
        self, archive: tarfile.TarFile, name: str, target: Path, keep: Callable[[str], bool] = lambda _: False
    ) -> None:
        """Unpack the tar ``name`` into ``target``, swapping each top-level entry in whole."""
        with tempfile.TemporaryDirectory(dir=target, prefix=".restore-") as unpack_dir:
            unpacked = Path(unpack_dir)
            with tarfile.open(fileobj=archive.extractfile(name)) as inner:
                inner.extractall(unpacked, members=_safe_members(inner, name))
            for entry in sorted(unpacked.iterdir()):
                destination = target / entry.name
                if keep(destination.name):
                    continue
                if destination.is_dir() and not destination.is_symlink():
                    old = target / f".restore-old-{entry.name}"
                    os.replace(destination, old)
                    os.replace(entry, destination)
                    shutil.rmtree(old)
                else:
                    os.replace(entry, destination)

    def _course(self, archive: tarfile.TarFile) -> None:
        self.progress("course repository", 0, None)
        self._extract_replacing(archive, "course.tar", self.settings.course_repo_dir)

    def _hub_state(self, archive: tarfile.TarFile) -> None:
        self.progress("hub database and secrets", 0, None)
        self._extract_replacing(archive, "hub-state.tar", self.settings.state_dir, keep=is_runtime_file)
        secrets = self.settings.secrets_dir
        if secrets.is_dir():
            os.chmod(secrets, 0o700)
