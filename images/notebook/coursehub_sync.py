#!/opt/venv/bin/python
"""Bring ~/course up to date with the published course and say what happened, as JSON.

Used at every server start (start-learner) and by the hub's ``coursehub course sync``.
Prints one JSON object: status is "cloned", "up to date", "updated" (fast-forward),
"merged" (the learner had edits), "conflicts" (both changed the same cells: "files" lists
them, the instructor's versions are saved beside) or "failed" ("error" says why).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from nbgitpuller.pull import GitPuller

CONFLICTS_LOG = Path(".git") / "coursehub-conflicts"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True).stdout.strip()


def sync(url: str, branch: str, repo: Path) -> dict:
    existed = (repo / ".git").is_dir()
    before = git(repo, "rev-parse", "HEAD") if existed else ""
    output = []
    try:
        for line in GitPuller(url, str(repo), branch=branch).pull():
            output.append(line)
    except Exception as error:
        tail = "".join(output[-10:]).strip()
        return {"status": "failed", "error": f"{type(error).__name__}: {error}\n{tail}".strip()}
    upstream = git(repo, "rev-parse", f"origin/{branch}")
    report = {"version": git(repo, "describe", "--tags", "--always", f"origin/{branch}"), "commit": upstream}
    if not existed:
        return {**report, "status": "cloned"}
    conflicts_log = repo / CONFLICTS_LOG
    if conflicts_log.exists():
        files = sorted({line.split("\t")[0] for line in conflicts_log.read_text().splitlines() if line})
        conflicts_log.unlink()
        return {**report, "status": "conflicts", "files": files}
    after = git(repo, "rev-parse", "HEAD")
    if after == before:
        return {**report, "status": "up to date"}
    if after == upstream:
        return {**report, "status": "updated"}
    return {**report, "status": "merged"}


if __name__ == "__main__":
    url = os.environ.get("COURSEHUB_COURSE_REPO", "")
    if not url:
        print(json.dumps({"status": "failed", "error": "COURSEHUB_COURSE_REPO is not set"}))
        sys.exit(1)
    result = sync(url, os.environ.get("COURSEHUB_COURSE_BRANCH", "main"), Path(os.environ["COURSE_DIR"]))
    print(json.dumps(result, ensure_ascii=False))
    sys.exit(1 if result["status"] == "failed" else 0)
