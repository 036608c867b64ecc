"""The course catalogue on the hub's home page: parts, notebooks, and nbgitpuller links.

Read from the published course repository (not from learners' copies), once per published
version.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePosixPath
from urllib.parse import urlencode

from .course import CourseRepository

NOTEBOOK = re.compile(r"^(zh|en)/(part\d+-[^/]+)/([^/]+\.ipynb)$")
# Chinese first: the order of the catalogue.
LANGUAGES = {"zh": "中文", "en": "English"}
PART_TITLES = {
    ("zh", "part1-fundamentals"): "第 1 部分 · 基础",
    ("zh", "part2-intermediate"): "第 2 部分 · 进阶",
    ("zh", "part3-practice"): "第 3 部分 · 实战案例",
    ("en", "part1-fundamentals"): "Part 1 · Fundamentals",
    ("en", "part2-intermediate"): "Part 2 · Intermediate",
    ("en", "part3-practice"): "Part 3 · Practical cases",
}


def part_title(language: str, part: str) -> str:
    return PART_TITLES.get((language, part), part)


@dataclass(frozen=True)
class Entry:
    path: str
    title: str
    link: str


@dataclass
class Catalogue:
    version: str = ""
    # language -> part folder -> notebooks
    languages: dict[str, dict[str, list[Entry]]] = field(default_factory=dict)


def git_pull_link(repo_url: str, branch: str, path: str, target: str = "course") -> str:
    """An nbgitpuller link (relative to the hub's /hub/) that pulls the course, then opens ``path``."""
    query = {"repo": repo_url, "branch": branch, "targetpath": target, "urlpath": f"lab/tree/{target}/{path}"}
    return f"user-redirect/git-pull?{urlencode(query)}"


def notebook_title(text: str, fallback: str) -> str:
    try:
        cells = json.loads(text)["cells"]
    except (ValueError, KeyError):
        return fallback
    for cell in cells:
        if cell.get("cell_type") == "markdown":
            source = "".join(cell.get("source", ""))
            heading = re.search(r"^#\s+(.+)$", source, re.M)
            if heading:
                # The page already groups by part: "Part 3 · 01 …" reads as "01 …" there.
                title = re.sub(r"^(Part\s*\d+|第.部分)\s*·\s*", "", heading.group(1))
                return title.replace("`", "").strip()
    return fallback


@lru_cache(maxsize=4)
def _read(repo_path: str, commit: str, repo_url: str, branch: str) -> Catalogue:
    def git(*args: str) -> str:
        return subprocess.run(["git", "--git-dir", repo_path, *args], capture_output=True, text=True).stdout

    catalogue = Catalogue(version=git("describe", "--tags", "--always", commit).strip())
    for path in sorted(git("ls-tree", "-r", "--name-only", commit).splitlines()):
        match = NOTEBOOK.match(path)
        if not match:
            continue
        language, part, _ = match.groups()
        title = notebook_title(git("show", f"{commit}:{path}"), PurePosixPath(path).stem)
        entry = Entry(path, title, git_pull_link(repo_url, branch, path))
        catalogue.languages.setdefault(language, {}).setdefault(part, []).append(entry)
    return catalogue


def read_catalogue(repo: CourseRepository, repo_url: str) -> Catalogue:
    head = repo.head()
    if head is None:
        return Catalogue()
    return _read(str(repo.path), head, repo_url, repo.branch)
