"""Every notebook runs top to bottom in smoke mode, and every self-check can pass and fail.

Both run inside the learner image, the way a learner's server runs them: the course folder and
the data volume are mounted read-only, there is no network (notebooks never download), and the
container gets a learner's default limits (2 CPUs, 4 GB). The data are tiny generated stand-ins
with the real layout (``standins.py``), made in the image at the start of the session.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docker
import pytest
import requests

HERE = Path(__file__).resolve().parent
COURSE = HERE.parents[1] / "course"
ZH_NOTEBOOKS = sorted(str(p.relative_to(COURSE / "zh")) for p in (COURSE / "zh").glob("part*/*.ipynb"))

NOTEBOOK_TIMEOUT = 60  # seconds per notebook, kernel start included; the run is killed past it
CONTAINER_GRACE = 60  # container start and kernel shutdown, before the host-side kill
LEARNER_LIMITS: dict[str, Any] = {"nano_cpus": 2_000_000_000, "mem_limit": "4g", "shm_size": "1g"}
RESULT = "@@RESULT@@"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

# Runs in the image: execute one notebook with nbclient and report the time and any error.
# SIGALRM bounds the whole notebook (nbclient's own timeout is per cell).
RUN_NOTEBOOK = """
import json, os, signal, sys, time
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

path, limit = sys.argv[1], int(sys.argv[2])

def expire(signum, frame):
    raise TimeoutError(f"the notebook was still running after {limit} s (smoke mode must stay far below)")

nb = nbformat.read(path, as_version=4)
client = NotebookClient(nb, timeout=limit, kernel_name="python3",
                        resources={"metadata": {"path": os.path.dirname(path)}})
signal.signal(signal.SIGALRM, expire)
signal.alarm(limit)
start, error = time.perf_counter(), None
try:
    client.execute()
except CellExecutionError as exc:
    error = str(exc)
except BaseException as exc:
    error = f"{type(exc).__name__}: {exc}"
finally:
    signal.alarm(0)
print("@@RESULT@@" + json.dumps({"seconds": time.perf_counter() - start, "error": error}), flush=True)
sys.exit(0 if error is None else 1)
"""

# Runs in the image: import every checks module, then try each exercise's reference and wrong answer.
RUN_EXERCISES = """
import importlib, json, pkgutil, traceback
import coursekit.checks
from coursekit.exercises import REGISTRY, ExerciseFailed

modules = sorted(m.name for m in pkgutil.iter_modules(coursekit.checks.__path__))
import_errors = {}
for name in modules:
    try:
        importlib.import_module("coursekit.checks." + name)
    except BaseException:
        import_errors[name] = traceback.format_exc()

results = []
for key, ex in sorted(REGISTRY.items()):
    row = {"exercise": key, "module": ex.module.rsplit(".", 1)[-1]}
    try:
        ex.check(ex.reference())
        row["reference"] = None
    except BaseException as exc:
        row["reference"] = f"{type(exc).__name__}: {exc}"
    try:
        ex.check(ex.wrong())
        row["wrong"] = "the wrong answer passed: this check cannot fail"
    except ExerciseFailed as exc:
        row["wrong"], row["hint"] = None, str(exc)
    except BaseException as exc:
        row["wrong"] = f"raised {type(exc).__name__} instead of ExerciseFailed with a hint: {exc}"
    results.append(row)
print("@@RESULT@@" + json.dumps({"modules": modules, "import_errors": import_errors, "results": results}))
"""


def run_in_image(
    client: docker.DockerClient,
    image: str,
    command: list[str],
    volumes: dict[str, dict[str, str]],
    timeout: float,
    environment: dict[str, str] | None = None,
) -> tuple[int | None, str, float]:
    """Run ``command`` in a fresh container; returns (exit code or None on timeout, output, seconds)."""
    start = time.perf_counter()
    container = client.containers.run(
        image,
        command,
        detach=True,
        environment=environment or {},
        volumes=volumes,
        network_mode="none",
        **LEARNER_LIMITS,
    )
    try:
        try:
            status: int | None = container.wait(timeout=timeout)["StatusCode"]
        except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError):
            container.kill()
            status = None
        output = container.logs(stdout=True, stderr=True).decode("utf-8", "replace")
    finally:
        container.remove(force=True)
    return status, ANSI.sub("", output), time.perf_counter() - start


def parse_result(output: str) -> dict[str, Any] | None:
    for line in reversed(output.splitlines()):
        if line.startswith(RESULT):
            result = json.loads(line[len(RESULT) :])
            if result.get("error"):
                result["error"] = ANSI.sub("", result["error"])  # IPython colours its tracebacks
            return result
    return None


@pytest.fixture(scope="session")
def standins(docker_client: docker.DockerClient, learner_image: str) -> Iterator[Path]:
    """The stand-in data volume, generated inside the learner image for this session."""
    out = Path(tempfile.mkdtemp(prefix="coursehub-standins-"))
    out.chmod(0o777)  # the image writes as jovyan (uid 1000)
    try:
        status, output, _ = run_in_image(
            docker_client,
            learner_image,
            ["python", "/t/standins.py", "/out"],
            {str(HERE): {"bind": "/t", "mode": "ro"}, str(out): {"bind": "/out", "mode": "rw"}},
            timeout=300,
        )
        if status != 0:
            pytest.fail(f"generating the stand-in datasets failed (exit {status}):\n{output}")
        yield out
    finally:
        shutil.rmtree(out, ignore_errors=True)


def _course_volumes(data: Path) -> dict[str, dict[str, str]]:
    return {
        str(COURSE): {"bind": "/home/jovyan/course", "mode": "ro"},
        str(data): {"bind": "/srv/data", "mode": "ro"},
    }


def test_there_are_notebooks() -> None:
    assert ZH_NOTEBOOKS, f"no notebooks under {COURSE / 'zh'}"


@pytest.mark.parametrize("relative", ZH_NOTEBOOKS)
def test_notebook_runs_in_smoke_mode(
    relative: str, docker_client: docker.DockerClient, learner_image: str, standins: Path, record_property
) -> None:
    record_property("notebook", relative)
    status, output, wall = run_in_image(
        docker_client,
        learner_image,
        ["python", "-c", RUN_NOTEBOOK, f"/home/jovyan/course/zh/{relative}", str(NOTEBOOK_TIMEOUT)],
        _course_volumes(standins),
        timeout=NOTEBOOK_TIMEOUT + CONTAINER_GRACE,
        environment={"COURSE_SMOKE": "1"},
    )
    result = parse_result(output)
    if result is not None:
        record_property("runtime_s", round(result["seconds"], 1))
    if status is None:
        pytest.fail(
            f"{relative}: killed after {wall:.0f} s, past the {NOTEBOOK_TIMEOUT} s limit\n{output[-4000:]}"
        )
    if result is None:
        pytest.fail(f"{relative}: the runner gave no result (exit {status}):\n{output[-4000:]}")
    if result["error"]:
        pytest.fail(f"{relative} failed in smoke mode:\n{result['error']}", pytrace=False)
    assert status == 0, output[-4000:]


@pytest.fixture(scope="session")
def exercise_report(docker_client: docker.DockerClient, learner_image: str, standins: Path) -> dict[str, Any]:
    status, output, _ = run_in_image(
        docker_client,
        learner_image,
        ["python", "-c", RUN_EXERCISES],
        _course_volumes(standins),
        timeout=600,
        environment={"COURSE_SMOKE": "1"},
    )
    report = parse_result(output)
    if status != 0 or report is None:
        pytest.fail(f"running the exercises failed (exit {status}):\n{output[-4000:]}")
    return report


def test_every_checks_module_imports(exercise_report: dict[str, Any]) -> None:
    errors = exercise_report["import_errors"]
    assert not errors, "\n\n".join(f"coursekit.checks.{name}:\n{trace}" for name, trace in errors.items())


def test_every_exercise_passes_its_reference_and_fails_its_wrong_answer(
    exercise_report: dict[str, Any],
) -> None:
    results = exercise_report["results"]
    assert results, "no exercises registered"
    problems = [
        f"{row['exercise']}: reference: {row['reference']}" for row in results if row["reference"] is not None
    ] + [f"{row['exercise']}: wrong answer: {row['wrong']}" for row in results if row["wrong"] is not None]
    assert not problems, "\n".join(problems)
    modules = len(exercise_report["modules"])
    print(
        f"\n{len(results)} exercises in {modules} modules: every reference passes, every wrong answer fails"
    )


def test_every_notebook_has_two_registered_exercises(exercise_report: dict[str, Any]) -> None:
    per_module: dict[str, int] = {}
    for row in exercise_report["results"]:
        per_module[row["module"]] = per_module.get(row["module"], 0) + 1
    problems = []
    for relative in ZH_NOTEBOOKS:
        part, number = re.match(r"part(\d)-[a-z-]+/(\d\d)-", relative).groups()  # type: ignore[union-attr]
        module = f"part{part}_{number}"
        if per_module.get(module, 0) < 2:
            problems.append(
                f"{relative}: coursekit.checks.{module} registers {per_module.get(module, 0)} exercises"
            )
    assert not problems, "\n".join(problems)
