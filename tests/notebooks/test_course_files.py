"""The course's notebooks follow course/AUTHORING.md: checked on the host, without torch or Docker."""

from __future__ import annotations

import ast
import io
import json
import re
import tokenize
from functools import cache
from pathlib import Path
from typing import Any

import nbformat
import pytest
from coursehub.datasets import DATASETS

REPO = Path(__file__).resolve().parents[2]
COURSE = REPO / "course"
LANGUAGES = ("zh", "en")
SYLLABI = (COURSE / "README.md", COURSE / "README.zh.md")
# Markdown every notebook carries, in its own language (AUTHORING.md, "Shape of a notebook").
SECTIONS = {"zh": ("学习目标", "练习", "小结"), "en": ("Objectives", "Exercise", "Summary")}


def authoring_notebooks() -> list[str]:
    """``partN-<part>/NN-<slug>.ipynb`` for every notebook in AUTHORING.md's table."""
    found = []
    for line in (COURSE / "AUTHORING.md").read_text(encoding="utf-8").splitlines():
        match = re.match(r"\|\s*`(part\d-[a-z-]+)`\s*\|(.*)\|\s*$", line)
        if match:
            found += [
                f"{match.group(1)}/{slug}.ipynb"
                for slug in re.findall(r"`(\d\d-[a-z0-9-]+)`", match.group(2))
            ]
    return found


EXPECTED = authoring_notebooks()
ON_DISK = sorted(
    {str(p.relative_to(COURSE / lang)) for lang in LANGUAGES for p in (COURSE / lang).glob("part*/*.ipynb")}
)
ALL = sorted(set(EXPECTED) | set(ON_DISK))


@cache
def load(lang: str, relative: str) -> dict[str, Any]:
    path = COURSE / lang / relative
    if not path.is_file():
        pytest.fail(f"{path.relative_to(REPO)} is missing (its twin or AUTHORING.md names it)")
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(nb: dict[str, Any]) -> list[str]:
    return [
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for c in nb["cells"]
        if c["cell_type"] == "code"
    ]


def markdown(nb: dict[str, Any]) -> str:
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def without_comments(source: str, strings: bool = True) -> str:
    """Code without ``#`` comments, and without string literals unless ``strings``.

    Notebooks keep their strings: ``torch.device("cuda:0")`` hides its index in one. The
    checks modules drop them: their hints and wrong answers may spell out what not to do.
    """
    dropped = {tokenize.COMMENT} if strings else {tokenize.COMMENT, tokenize.STRING}
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type not in dropped]
        return tokenize.untokenize(tokens)
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return source  # shell escapes or magics: check the raw text


def test_authoring_table_is_parsed() -> None:
    assert len(EXPECTED) == 26 and len(set(EXPECTED)) == 26, EXPECTED


def test_every_notebook_exists_in_both_languages() -> None:
    problems = []
    for lang in LANGUAGES:
        present = {str(p.relative_to(COURSE / lang)) for p in (COURSE / lang).glob("part*/*.ipynb")}
        problems += [f"missing {lang}/{n}" for n in sorted(set(EXPECTED) - present)]
        problems += [f"{lang}/{n} is not in AUTHORING.md's table" for n in sorted(present - set(EXPECTED))]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("relative", ALL)
def test_twins_have_identical_code_cells(relative: str) -> None:
    zh, en = code_cells(load("zh", relative)), code_cells(load("en", relative))
    for index, (a, b) in enumerate(zip(zh, en, strict=False)):
        assert a == b, f"code cell {index} differs between zh and en:\n--- zh\n{a}\n--- en\n{b}"
    assert len(zh) == len(en), f"zh has {len(zh)} code cells, en has {len(en)}"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("relative", ALL)
def test_saved_clean_in_nbformat_4_5(relative: str, lang: str) -> None:
    nb = load(lang, relative)
    assert (nb["nbformat"], nb["nbformat_minor"]) == (4, 5)
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3"
    nbformat.validate(nbformat.reads(json.dumps(nb), as_version=4))  # cell ids included
    dirty = [
        i
        for i, cell in enumerate(nb["cells"])
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count") is not None)
    ]
    assert not dirty, f"cells {dirty} were saved with outputs or execution counts: clear them"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("relative", ALL)
def test_has_the_notebook_sections(relative: str, lang: str) -> None:
    text = markdown(load(lang, relative))
    missing = [s for s in SECTIONS[lang] if s not in text]
    assert not missing, f"markdown lacks {missing} (see AUTHORING.md, 'Shape of a notebook')"


@pytest.mark.parametrize("syllabus", SYLLABI, ids=lambda p: p.name)
def test_every_notebook_is_in_the_syllabus(syllabus: Path) -> None:
    assert syllabus.is_file(), f"{syllabus.relative_to(REPO)} is missing"
    text = syllabus.read_text(encoding="utf-8")
    missing = [n for n in ALL if n not in text]
    assert not missing, f"{syllabus.name} does not list {missing}"


def _exercise_names(module: Path) -> set[str]:
    """Functions decorated with ``@exercise(...)`` in a checks module."""
    names = set()
    for node in ast.parse(module.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if isinstance(target, ast.Name | ast.Attribute) and ast.unparse(target).endswith("exercise"):
                    names.add(node.name)
    return names


@pytest.mark.parametrize("relative", ALL)
def test_at_least_two_self_checked_exercises(relative: str) -> None:
    part, number = re.match(r"part(\d)-[a-z-]+/(\d\d)-", relative).groups()  # type: ignore[union-attr]
    module_name = f"part{part}_{number}"
    module = COURSE / "coursekit" / "checks" / f"{module_name}.py"
    assert module.is_file(), f"self-checks belong in {module.relative_to(REPO)}"
    code = "\n".join(code_cells(load("zh", relative)))
    assert re.search(rf"from coursekit\.checks import {module_name} as checks\b", code), (
        f"import the checks as: from coursekit.checks import {module_name} as checks"
    )
    called = set(re.findall(r"\bchecks\.(\w+)\(", code))
    defined = _exercise_names(module)
    assert not called - defined, f"called but not @exercise in {module.name}: {sorted(called - defined)}"
    assert len(called) >= 2, f"needs at least two exercises with self-checks, found {sorted(called)}"


FORBIDDEN = {
    r"cuda:\d": "a fixed GPU index: use ck.device()",
    r"\.cuda\(": ".cuda(): use .to(ck.device())",
    r"set_device\(": "torch.cuda.set_device: the platform picks the GPU",
    r"download\s*=\s*True": "downloading at run time: data comes from ck.data_path(...)",
}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("relative", ALL)
def test_no_fixed_gpu_and_no_downloads(relative: str, lang: str) -> None:
    problems = []
    for index, source in enumerate(code_cells(load(lang, relative))):
        code = without_comments(source)
        problems += [f"cell {index}: {why}" for pattern, why in FORBIDDEN.items() if re.search(pattern, code)]
    assert not problems, "\n".join(problems)


def test_coursekit_never_downloads_or_pins_a_gpu() -> None:
    problems = []
    for path in sorted((COURSE / "coursekit").rglob("*.py")):
        code = without_comments(path.read_text(encoding="utf-8"), strings=False)
        problems += [f"{path.name}: {why}" for pattern, why in FORBIDDEN.items() if re.search(pattern, code)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("relative", ALL)
def test_data_comes_from_registered_datasets(relative: str) -> None:
    unknown: set[str] = set()
    for source in code_cells(load("zh", relative)):
        names = set(re.findall(r"data_path\(\s*[\"']([^\"']+)[\"']", source))
        # A cell that catches DataMissingError may ask for a missing name on purpose, to show the error.
        if "DataMissingError" not in source:
            unknown |= names - set(DATASETS)
    assert not unknown, f"ck.data_path names {sorted(unknown)} are not datasets (coursehub data list)"
