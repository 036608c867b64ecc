"""The course repository the platform serves, and the versions published into it.

The repository is a bare git repository in a named volume. Each published version is one
commit of the whole course tree on the course branch, tagged ``v<N>``; learners' servers pull
it with nbgitpuller. ``git daemon`` serves it read-only on the compose network.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO_NAME = "course.git"
GIT_IDENTITY = ["-c", "user.name=coursehub", "-c", "user.email=coursehub@localhost"]
# Never published, even when present in the source tree.
IGNORED = [".ipynb_checkpoints/", "__pycache__/", "*.pyc", ".DS_Store"]


class CourseError(RuntimeError):
    """The course repository or source tree cannot be used; the message says why."""


def unreadable_notebooks(source: Path) -> list[str]:
    """Each notebook under ``source`` that is not a notebook document, with the reason."""
    broken = []
    for path in sorted(source.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        name = path.relative_to(source)
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            broken.append(f"{name} ({error})")
            continue
        if not isinstance(document, dict) or not isinstance(document.get("cells"), list):
            broken.append(f"{name} (no list of cells)")
        elif document.get("nbformat") != 4:
            broken.append(f"{name} (nbformat {document.get('nbformat')!r}, not 4)")
    return broken


@dataclass(frozen=True)
class Version:
    label: str
    commit: str
    date: str
    message: str


def _git(*args: str, env: dict | None = None, cwd: Path | None = None) -> str:
    result = subprocess.run(
        ["git", *GIT_IDENTITY, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )
    if result.returncode != 0:
        raise CourseError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout.strip()


def remote_head(url: str, branch: str, timeout: float = 5.0) -> str | None:
    """The commit ``branch`` points to in the repository at ``url``, or None if it doesn't answer."""
    try:
        result = subprocess.run(
            ["git", "ls-remote", url, f"refs/heads/{branch}"], capture_output=True, text=True, timeout=timeout
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    commit = result.stdout.split("\t", 1)[0].strip()
    return commit if result.returncode == 0 and commit else None


class CourseRepository:
    def __init__(self, root: Path, branch: str = "main"):
        self.root = root
        self.path = root / REPO_NAME
        self.branch = branch

    def exists(self) -> bool:
        return (self.path / "HEAD").is_file()

    def init(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        _git("init", "--quiet", "--bare", f"--initial-branch={self.branch}", str(self.path))

    def head(self) -> str | None:
        try:
            return _git("--git-dir", str(self.path), "rev-parse", "--verify", "--quiet", self.branch)
        except CourseError:
            return None

    def versions(self) -> list[Version]:
        if self.head() is None:
            return []
        tags = {}
        for line in _git(
            "--git-dir", str(self.path), "tag", "--list", "v*", "--format=%(objectname) %(refname:short)"
        ).splitlines():
            commit, tag = line.split(" ", 1)
            tags[commit] = tag
        log = _git("--git-dir", str(self.path), "log", self.branch, "--format=%H%x1f%cI%x1f%s")
        versions = []
        for line in log.splitlines():
            commit, date, message = line.split("\x1f")
            versions.append(Version(tags.get(commit, commit[:12]), commit, date, message))
        return versions

    def publish(self, source: Path, message: str) -> Version:
        """Commit the whole ``source`` tree as the next version; nothing changes if it fails."""
        if not source.is_dir():
            raise CourseError(f"course source {source} is not a folder")
        broken = unreadable_notebooks(source)
        if broken:
            raise CourseError(
                "not published: these notebooks cannot be read, learners could not open them: "
                + "; ".join(broken)
            )
        if not self.exists():
            self.init()
        number = len(self.versions()) + 1
        label = f"v{number}"
        with tempfile.TemporaryDirectory() as scratch:
            exclude = Path(scratch) / "exclude"
            exclude.write_text("\n".join(IGNORED) + "\n")
            env = {
                "GIT_DIR": str(self.path),
                "GIT_WORK_TREE": str(source),
                "GIT_INDEX_FILE": f"{scratch}/index",
            }
            _git("-c", f"core.excludesFile={exclude}", "add", "--all", ".", env=env, cwd=source)
            tree = _git("write-tree", env=env)
            parent = self.head()
            commit = _git(
                "commit-tree",
                tree,
                *(["-p", parent] if parent else []),
                "-m",
                f"{message} ({label})",
                env=env,
            )
        # Moving the branch is the single step that makes the version visible.
        _git(
            "--git-dir",
            str(self.path),
            "update-ref",
            f"refs/heads/{self.branch}",
            commit,
            *([parent] if parent else []),
        )
        _git("--git-dir", str(self.path), "tag", label, commit)
        return self.versions()[0]

    def serve_command(self, port: int = 9418) -> list[str]:
        return [
            "git",
            "daemon",
            "--reuseaddr",
            "--export-all",
            "--informative-errors",
            f"--base-path={self.root}",
            f"--port={port}",
            str(self.root),
        ]
