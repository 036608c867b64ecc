"""Time to first notebook (TTFN) and login storms: our stack against the reference deployment.

Both stacks run here, one after the other, from compose files with throwaway project names, and
are removed afterwards. TTFN runs from the login POST until the learner's JupyterLab answers
with ~/course present (the reference has no course: until its JupyterLab answers). A storm is N
learners logging in within one second; it reports the time until all are ready, failures,
peak hub CPU and memory, and servers per minute. Writes bench/results/ttfn.json.

    python bench/ttfn.py [--sequential 20] [--storms 10,30,60]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import docker

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.learner import Learner
from tests.support.stack import REPO, Stack

RESULTS = Path(__file__).parent / "results"
PASSWORD = "bench-password-1"


class Subject:
    """One stack under test: how to make an account and what 'ready' means there."""

    def __init__(self, name: str, stack: Stack, course: bool):
        self.name, self.stack, self.course = name, stack, course

    def account(self, user: str) -> Learner:
        learner = Learner(self.stack.url, user, PASSWORD)
        if self.course:
            self.stack.cli("users", "add", user, "--password-stdin", input=PASSWORD + "\n")
        else:
            learner.sign_up()  # open sign-up, as in the official example
        return learner

    def first_notebook(self, learner: Learner, timeout: float = 300) -> float:
        started = time.perf_counter()
        learner.log_in()
        learner.create_token()
        learner.start_server()
        learner.wait_ready(timeout=timeout)
        wanted = "course" if self.course else ""
        while learner.contents(wanted, content=False) is None:
            if time.perf_counter() - started > timeout:
                raise TimeoutError(f"no {wanted or 'JupyterLab'} within {timeout}s")
            time.sleep(0.1)
        return time.perf_counter() - started

    def hub_container(self, client: docker.DockerClient):
        return client.containers.get(f"{self.stack.project}-hub-1")

    def cleanup_learners(self, client: docker.DockerClient) -> None:
        for container in self.stack.learner_containers(client):
            container.remove(force=True)
        for volume in client.volumes.list():
            if volume.name.startswith(f"{self.stack.project}-home-"):
                volume.remove(force=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 2)


def sequential(subject: Subject, count: int) -> dict:
    times = []
    for i in range(count):
        learner = subject.account(f"seq{i}")
        times.append(subject.first_notebook(learner))
    return {
        "n": count,
        "p50_s": percentile(times, 0.5),
        "p95_s": percentile(times, 0.95),
        "all_s": [round(t, 2) for t in times],
    }


class HubSampler(threading.Thread):
    """Peak CPU (percent of one core) and memory of the hub container while a storm runs."""

    def __init__(self, container):
        super().__init__(daemon=True)
        self.container, self.stop, self.cpu, self.memory = container, threading.Event(), 0.0, 0

    def run(self) -> None:
        for stats in self.container.stats(decode=True, stream=True):
            cpu = (
                stats["cpu_stats"]["cpu_usage"]["total_usage"]
                - stats["precpu_stats"]["cpu_usage"]["total_usage"]
            )
            system = stats["cpu_stats"].get("system_cpu_usage", 0) - stats["precpu_stats"].get(
                "system_cpu_usage", 0
            )
            cores = stats["cpu_stats"].get("online_cpus", 1)
            if system > 0:
                self.cpu = max(self.cpu, 100.0 * cpu / system * cores)
            self.memory = max(self.memory, stats["memory_stats"].get("usage", 0))
            if self.stop.is_set():
                return


def storm(subject: Subject, count: int, client: docker.DockerClient) -> dict:
    learners = [subject.account(f"storm{count}x{i}") for i in range(count)]
    sampler = HubSampler(subject.hub_container(client))
    sampler.start()
    started = time.perf_counter()

    def attempt(learner: Learner) -> float | str:
        try:
            return subject.first_notebook(learner)
        except Exception as error:
            return f"{type(error).__name__}: {str(error)[:200]}"

    with ThreadPoolExecutor(max_workers=count) as pool:
        outcomes = list(pool.map(attempt, learners))
    total = time.perf_counter() - started
    sampler.stop.set()
    sampler.join(timeout=10)
    ready = [o for o in outcomes if isinstance(o, float)]
    failures = [o for o in outcomes if isinstance(o, str)]
    for learner in learners:
        with contextlib.suppress(Exception):  # a failed learner may have no server
            learner.stop_server(timeout=300)
    subject.cleanup_learners(client)
    return {
        "n": count,
        "all_ready_s": round(total, 1),
        "failed": len(failures),
        "failures": failures[:5],
        "ttfn_p50_s": percentile(ready, 0.5) if ready else None,
        "ttfn_max_s": round(max(ready), 1) if ready else None,
        "servers_per_minute": round(60 * len(ready) / total, 1),
        "hub_peak_cpu_percent": round(sampler.cpu, 1),
        "hub_peak_memory_mb": round(sampler.memory / 2**20),
    }


def measure(subject: Subject, sequential_count: int, storms: list[int], client, report) -> dict:
    """Measure one stack; ``report`` is called after each measurement (results survive a stop)."""
    subject.stack.up()
    result: dict = {}
    try:
        result["sequential"] = sequential(subject, sequential_count)
        report(result)
        subject.cleanup_learners(client)
        result["storms"] = []
        for n in storms:
            result["storms"].append(storm(subject, n, client))
            report(result)
        return result
    finally:
        subject.cleanup_learners(client)
        subject.stack.down()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sequential", type=int, default=20)
    parser.add_argument("--storms", default="10,30,60")
    args = parser.parse_args()
    storms = [int(n) for n in args.storms.split(",") if n]
    client = docker.from_env()
    ours = Subject("coursehub", Stack(project="chbenchours"), course=True)
    reference = Subject(
        "reference",
        Stack(project="chbenchref", compose_file=REPO / "bench/reference/docker-compose.yml"),
        course=False,
    )
    results: dict = {"machine": {"cpus": client.info()["NCPU"], "python": platform.python_version()}}
    RESULTS.mkdir(exist_ok=True)

    def save(name: str, partial: dict) -> None:
        results[name] = partial
        (RESULTS / "ttfn.json").write_text(json.dumps(results, indent=2) + "\n")
        print(name, json.dumps(partial), flush=True)

    for subject in (ours, reference):
        measure(
            subject, args.sequential, storms, client, lambda partial, name=subject.name: save(name, partial)
        )
    ratio = results["coursehub"]["sequential"]["p50_s"] / results["reference"]["sequential"]["p50_s"]
    results["ratio_ttfn_p50_ours_over_reference"] = round(ratio, 2)
    (RESULTS / "ttfn.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"TTFN p50 ours/reference: {ratio:.2f}")


if __name__ == "__main__":
    main()
