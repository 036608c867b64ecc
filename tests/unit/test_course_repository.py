"""Publishing the course into the repository learners pull from (real git)."""

from __future__ import annotations

import subprocess

import pytest
from coursehub.course import CourseError, CourseRepository


@pytest.fixture
def source(tmp_path):
    root = tmp_path / "course"
    (root / "zh").mkdir(parents=True)
    (root / "zh" / "01.md").write_text("第一课\n")
    (root / ".ipynb_checkpoints").mkdir()
    (root / ".ipynb_checkpoints" / "junk.ipynb").write_text("{}")
    return root


def files_at(repo: CourseRepository, ref: str) -> set[str]:
    out = subprocess.run(
        ["git", "--git-dir", str(repo.path), "ls-tree", "-r", "--name-only", ref],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(out.split())


def test_versions_are_numbered_tagged_and_cloneable(tmp_path, source):
    repo = CourseRepository(tmp_path / "repo")
    first = repo.publish(source, "First week")
    (source / "zh" / "02.md").write_text("第二课\n")
    second = repo.publish(source, "Second week")

    assert [v.label for v in repo.versions()] == ["v2", "v1"]
    assert second.message == "Second week (v2)"
    assert files_at(repo, "v1") == {"zh/01.md"}
    assert files_at(repo, "v2") == {"zh/01.md", "zh/02.md"}
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo.path), str(clone)], check=True)
    assert (clone / "zh" / "02.md").read_text() == "第二课\n"
    assert first.commit != second.commit


def test_missing_source_is_refused_and_changes_nothing(tmp_path, source):
    repo = CourseRepository(tmp_path / "repo")
    repo.publish(source, "First")
    with pytest.raises(CourseError, match="is not a folder"):
        repo.publish(tmp_path / "nowhere", "Broken")
    assert [v.label for v in repo.versions()] == ["v1"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"cells": [', "Expecting"),
        ('{"nbformat": 4}', "no list of cells"),
        ('{"cells": [], "nbformat": 3}', "nbformat 3"),
    ],
    ids=["cut-off", "no-cells", "old-format"],
)
def test_a_notebook_nobody_could_open_is_not_published(tmp_path, source, text, reason):
    repo = CourseRepository(tmp_path / "repo")
    repo.publish(source, "First")
    (source / "zh" / "02-broken.ipynb").write_text(text)
    with pytest.raises(CourseError, match=rf"zh/02-broken.ipynb \({reason}"):
        repo.publish(source, "Broken")
    assert [v.label for v in repo.versions()] == ["v1"]
