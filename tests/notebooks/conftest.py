"""Reporting for the course tests: a table of each notebook's smoke runtime."""

from __future__ import annotations

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """A table of each notebook's smoke-mode runtime (recorded by test_notebooks_run.py)."""
    rows = []
    for outcome in ("passed", "failed"):
        for report in terminalreporter.stats.get(outcome, []):
            properties = dict(getattr(report, "user_properties", []))
            if getattr(report, "when", None) == "call" and "notebook" in properties:
                rows.append((properties["notebook"], properties.get("runtime_s"), outcome))
    if not rows:
        return
    terminalreporter.section("notebook smoke runtimes (COURSE_SMOKE=1, inside the learner image)")
    width = max(len(name) for name, _, _ in rows)
    terminalreporter.write_line(f"{'notebook':{width}s}  {'seconds':>8s}  result")
    for name, seconds, outcome in sorted(rows):
        shown = f"{seconds:8.1f}" if isinstance(seconds, float | int) else f"{'-':>8s}"
        terminalreporter.write_line(f"{name:{width}s}  {shown}  {outcome}")
    timed = [s for _, s, _ in rows if isinstance(s, float | int)]
    if timed:
        terminalreporter.write_line(f"{'total':{width}s}  {sum(timed):8.1f}")
