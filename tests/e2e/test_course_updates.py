"""An instructor publishes a course update mid-course; `coursehub course sync` brings it to every
running server, merging notebooks cell by cell, and no learner loses an edit."""

from __future__ import annotations

import json

NOTEBOOK = "zh/part1-fundamentals/02-tensors.ipynb"

# Runs in the hub container: copy the course, change one cell of NOTEBOOK, publish it.
PUBLISH = """
import json, shutil, subprocess, sys
cell, text, message = int(sys.argv[1]), sys.argv[2], sys.argv[3]
shutil.rmtree("/tmp/next-course", ignore_errors=True)
shutil.copytree("/opt/coursehub/course", "/tmp/next-course")
path = "/tmp/next-course/{notebook}"
nb = json.load(open(path))
nb["cells"][cell]["source"] = text
json.dump(nb, open(path, "w"), ensure_ascii=False, indent=1)
subprocess.run(["coursehub", "course", "publish", "/tmp/next-course", "-m", message], check=True)
""".replace("{notebook}", NOTEBOOK)


def publish_change(stack, cell: int, text: str, message: str) -> None:
    stack.compose("exec", "-T", "hub", "python3", "-c", PUBLISH, str(cell), text, message)


def learner_notebook(learner) -> dict:
    return learner.contents(f"course/{NOTEBOOK}")["content"]


def edit_cell(learner, cell: int, text: str) -> None:
    notebook = learner_notebook(learner)
    notebook["cells"][cell]["source"] = text
    learner.save_file(f"course/{NOTEBOOK}", {"type": "notebook", "format": "json", "content": notebook})


def code_cells(notebook: dict) -> list[int]:
    return [i for i, cell in enumerate(notebook["cells"]) if cell["cell_type"] == "code"]


def test_publish_and_sync_merge_cell_by_cell_and_keep_every_edit(stack, new_learner):
    learner = new_learner("sync")
    learner.start_server()
    learner.wait_ready()
    idle = new_learner("sync-idle")  # has not touched anything
    idle.start_server()
    idle.wait_ready()

    cells = code_cells(learner_notebook(learner))
    learner_cell, instructor_cell = cells[4], cells[1]
    edit_cell(learner, learner_cell, "print('my own experiment')")
    publish_change(stack, instructor_cell, "print('instructor fix 1')", "Fix cell two")

    reports = stack.cli_json("course", "sync")
    assert reports[learner.name]["status"] == "merged", reports[learner.name]
    assert reports[idle.name]["status"] == "updated", reports[idle.name]
    assert (
        reports[learner.name]["version"]
        == reports[idle.name]["version"]
        == stack.cli_json("course", "log")[0]["label"]
    )
    merged = learner_notebook(learner)
    assert merged["cells"][learner_cell]["source"] == "print('my own experiment')"
    assert merged["cells"][instructor_cell]["source"] == "print('instructor fix 1')"
    assert learner_notebook(idle)["cells"][instructor_cell]["source"] == "print('instructor fix 1')"

    # Both change the same cell: the learner's stays, the instructor's is saved beside it.
    edit_cell(learner, instructor_cell, "print('my version of cell two')")
    publish_change(stack, instructor_cell, "print('instructor fix 2')", "Fix cell two again")
    reports = stack.cli_json("course", "sync")
    assert reports[learner.name]["status"] == "conflicts"
    assert reports[learner.name]["files"] == [NOTEBOOK]
    kept = learner_notebook(learner)
    assert kept["cells"][instructor_cell]["source"] == "print('my version of cell two')"
    assert kept["cells"][learner_cell]["source"] == "print('my own experiment')"
    beside = learner.contents(f"course/{NOTEBOOK.replace('.ipynb', '.instructor.ipynb')}")["content"]
    assert beside["cells"][instructor_cell]["source"] == "print('instructor fix 2')"
    json.dumps(kept)  # still a valid notebook document

    assert stack.cli_json("course", "sync")[learner.name]["status"] == "up to date"


# Runs in the hub container: a commit that breaks NOTEBOOK's JSON, pushed straight into the
# course repository, as could happen upstream when COURSEHUB_COURSE_REPO is someone else's.
PUSH_BROKEN = """
set -e
rm -rf /tmp/broken && git clone -q /srv/course/course.git /tmp/broken && cd /tmp/broken
printf '{"cells": [ {"cell_type": "code", "source": "cut off here' > {notebook}
git -c user.name=upstream -c user.email=upstream@example.org commit -qam "Broken upload"
git push -q origin HEAD:main
""".replace("{notebook}", NOTEBOOK)


def test_a_broken_commit_upstream_leaves_the_learners_notebook_as_it_was(stack, new_learner):
    learner = new_learner("broken")
    learner.start_server()
    learner.wait_ready()
    cell = code_cells(learner_notebook(learner))[2]
    edit_cell(learner, cell, "print('mine, before the broken commit')")
    before = learner_notebook(learner)

    stack.compose("exec", "-T", "hub", "sh", "-c", PUSH_BROKEN)
    try:
        report = stack.cli_json("course", "sync")[learner.name]

        assert report["status"] == "conflicts", report
        assert report["files"] == [NOTEBOOK]
        assert learner_notebook(learner) == before
        beside = NOTEBOOK.replace(".ipynb", ".instructor.ipynb")
        assert (
            "cut off here"
            in learner.server_api(
                "GET", f"contents/course/{beside}", params={"type": "file", "format": "text"}
            ).json()["content"]
        )
        assert stack.cli_json("course", "sync")[learner.name]["status"] == "up to date"
    finally:
        stack.cli("course", "publish", "-m", "Repair after the broken upload")  # for the tests after this
