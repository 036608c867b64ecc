#!/opt/venv/bin/python
"""Git merge driver for notebooks (see /etc/gitconfig): ``coursehub-nbmerge %O %A %B %P``.

Merges cell by cell with nbdime instead of line by line, so the notebook stays valid JSON and
changes to different cells all arrive. Where the learner (local) and the instructor (remote)
changed the same cell, the learner's cell stays in the notebook, the instructor's whole notebook
is saved beside it as NAME.instructor.ipynb, and the path is recorded in
.git/coursehub-conflicts for the sync report. Outputs the learner produced are kept. A notebook
that cannot be read (a broken commit upstream, or a file the learner broke) is a conflict too:
the learner's file stays exactly as it was, the instructor's is saved beside it as it came.
"""

import logging
import shutil
import sys
from argparse import Namespace
from pathlib import Path

import nbformat
from nbdime.merging import merge_notebooks

CONFLICTS_LOG = Path(".git") / "coursehub-conflicts"


def strategy(name: str) -> Namespace:
    return Namespace(
        merge_strategy=name,
        input_strategy=None,
        output_strategy=None,
        ignore_transients=True,
        log_level="ERROR",
    )


def main(base_path: str, local_path: str, remote_path: str, path: str) -> int:
    logging.getLogger("nbdime").setLevel(logging.ERROR)
    beside = Path(path).with_suffix(".instructor.ipynb")
    try:
        base, local, remote = (nbformat.read(p, as_version=4) for p in (base_path, local_path, remote_path))
    except Exception as error:  # any parse failure: keep the learner's bytes, set the rest aside
        print(
            f"coursehub-nbmerge: {path}: cannot merge ({type(error).__name__}); kept yours", file=sys.stderr
        )
        shutil.copyfile(remote_path, beside)
        record_conflict(path, beside)
        return 0
    # First without resolving anything, to learn whether both sides touched the same cell.
    _, decisions = merge_notebooks(base, local, remote, strategy("mergetool"))
    conflicted = any(decision.conflict for decision in decisions)
    merged, _ = merge_notebooks(base, local, remote, strategy("use-local"))
    nbformat.write(merged, local_path)  # git takes the result from %A
    if conflicted:
        nbformat.write(remote, beside)
        record_conflict(path, beside)
    return 0


def record_conflict(path: str, beside: Path) -> None:
    with CONFLICTS_LOG.open("a") as log:
        log.write(f"{path}\t{beside}\n")


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
