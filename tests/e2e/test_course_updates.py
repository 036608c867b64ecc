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
