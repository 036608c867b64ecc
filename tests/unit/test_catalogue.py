"""The home page's catalogue, read from the published course repository."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

from coursehub.catalogue import read_catalogue
from coursehub.course import CourseRepository


def notebook(title: str) -> str:
    return json.dumps(
        {"cells": [{"cell_type": "markdown", "source": [f"# {title}\n", "text"]}], "nbformat": 4}
    )


def test_parts_titles_and_links(tmp_path):
    source = tmp_path / "course"
    for language, title in (("zh", "张量"), ("en", "Tensors")):
        part = source / language / "part1-fundamentals"
        part.mkdir(parents=True)
        (part / "02-tensors.ipynb").write_text(notebook(title))
    (source / "README.md").write_text("not a notebook")
    repo = CourseRepository(tmp_path / "repo")
    repo.publish(source, "first")

    catalogue = read_catalogue(repo, "git://course/course.git")
    assert catalogue.version == "v1"
    [entry] = catalogue.languages["zh"]["part1-fundamentals"]
    assert entry.title == "张量"
    assert catalogue.languages["en"]["part1-fundamentals"][0].title == "Tensors"
    link = urlparse(entry.link)
    assert link.path == "user-redirect/git-pull"
    assert parse_qs(link.query) == {
        "repo": ["git://course/course.git"],
        "branch": ["main"],
        "targetpath": ["course"],
        "urlpath": ["lab/tree/course/zh/part1-fundamentals/02-tensors.ipynb"],
    }


def test_unpublished_course_is_empty(tmp_path):
    assert read_catalogue(CourseRepository(tmp_path / "none"), "git://x").languages == {}
