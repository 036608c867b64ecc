"""Time to first notebook (TTFN) and login storms: our stack against the reference deployment.

Both stacks run here, one after the other, from compose files with throwaway project names, and
are removed afterwards. TTFN runs from the login POST until the learner's JupyterLab answers
with ~/course present (the reference has no course: until its JupyterLab answers); the start is
followed through the hub's progress stream, as the spawn page does. Per stack:

* sequential: N learners one after the other (each server stopped before the next);
* storms: N learners logging in within one second (all ready, failures, peak hub CPU and
  memory, servers per minute); the servers of the last storm stay up...
* loaded: ...and N more learners start one after the other beside 50 of them;
* footprint: memory of one idle server;
* the hub's own spawn histogram (/hub/metrics) beside our measured spawn times;
* ours only, grown course: TTFN with 10x the notebooks and 200 MB of history.

Writes bench/results/ttfn.json (after every step, so a stopped run keeps what it measured).

    python bench/ttfn.py [--sequential 20] [--storms 10,30,60] [--loaded 50] [--grown 10]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import statistics
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import docker
from prometheus_client.parser import text_string_to_metric_families

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.learner import Learner
from tests.support.stack import REPO, Stack

RESULTS = Path(__file__).parent / "results"
PASSWORD = "bench-password-1"
SPAWN_HISTOGRAM = "jupyterhub_server_spawn_duration_seconds"

# Runs in our hub container: the course ten times over, and 200 MB of history under it (ten
# versions that each carried a different 20 MB file, then one without it).
GROW_COURSE = """
import os, shutil, subprocess
from pathlib import Path
grown = Path("/tmp/grown-course")
shutil.rmtree(grown, ignore_errors=True)
shutil.copytree("/opt/coursehub/course", grown)
for language in ("zh", "en"):
    for part in [p for p in (grown / language).iterdir() if p.is_dir()]:
        for copy in range(1, 10):
            shutil.copytree(part, part.with_name(f"{part.name}-copy{copy}"))
weight = grown / "history-weight.bin"
for version in range(10):
    weight.write_bytes(os.urandom(20 * 2**20))
    subprocess.run(["coursehub", "course", "publish", str(grown), "-m", f"weight {version}"], check=True)
weight.unlink()
subprocess.run(["coursehub", "course", "publish", str(grown), "-m", "grown course"], check=True)
print(sum(1 for _ in grown.rglob("*.ipynb")))
"""


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

    def first_notebook(self, learner: Learner, timeout: float = 600) -> dict:
        """Log in, start, follow the progress to ready, then wait for the course: seconds."""
        started = time.perf_counter()
        learner.log_in()
        learner.create_token()
        start_url = f"users/{quote(learner.name)}/server"
        asking = threading.Thread(target=learner.hub_api, args=("POST", start_url))
        asking.start()
        spawn_started = time.perf_counter()
        events = learner.progress(timeout=timeout)
        asking.join()
        if not events or not events[-1].get("ready"):
            raise RuntimeError(f"start failed: {events[-1] if events else 'no progress'}")
        spawned = time.perf_counter()
        wanted = "course" if self.course else ""
        while learner.contents(wanted, content=False) is None:
            if time.perf_counter() - started > timeout:
                raise TimeoutError(f"no {wanted or 'JupyterLab'} within {timeout}s")
            time.sleep(0.05)
        return {"ttfn_s": time.perf_counter() - started, "spawn_s": spawned - spawn_started}

    def hub_container(self, client: docker.DockerClient):
        return client.containers.get(f"{self.stack.project}-hub-1")

    def admin(self) -> Learner:
        if self.course:
            password = self.stack.cli_json("users", "reset-password", "admin")["password"]
            admin = Learner(self.stack.url, "admin", password)
        else:
            admin = Learner(self.stack.url, "admin", PASSWORD)
            admin.sign_up()
        admin.log_in()
        admin.create_token()
        return admin

    def cleanup_learners(self, client: docker.DockerClient) -> None:
        for container in self.stack.learner_containers(client):
            container.remove(force=True)
        for volume in client.volumes.list():
            if volume.name.startswith(f"{self.stack.project}-home-"):
                volume.remove(force=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 2)


def spawn_histogram(admin: Learner) -> tuple[float, float]:
    """(sum, count) of the hub's successful-spawn histogram."""
    response = admin.http.get(
        f"{admin.hub_url}/hub/metrics", headers={"Authorization": f"token {admin.token}"}, timeout=30
    )
    response.raise_for_status()
    total = count = 0.0
    for family in text_string_to_metric_families(response.text):
        if family.name != SPAWN_HISTOGRAM:
            continue
        for sample in family.samples:
            if sample.labels.get("status") != "success":
                continue
            if sample.name.endswith("_sum"):
                total = sample.value
            elif sample.name.endswith("_count"):
                count = sample.value
    return total, count


def sequential(subject: Subject, prefix: str, count: int, admin: Learner) -> dict:
    before = spawn_histogram(admin)
    runs = []
    for i in range(count):
        learner = subject.account(f"{prefix}{i}")
        runs.append(subject.first_notebook(learner))
        learner.stop_server(timeout=300)
    after = spawn_histogram(admin)
    times = [run["ttfn_s"] for run in runs]
    spawns = [run["spawn_s"] for run in runs]
    hub_count = after[1] - before[1]
    return {
        "n": count,
        "p50_s": percentile(times, 0.5),
        "p95_s": percentile(times, 0.95),
        "all_s": [round(t, 2) for t in times],
        # The hub's own view of the same spawns, from /hub/metrics.
        "spawn_mean_s_measured": round(statistics.mean(spawns), 2),
        "spawn_mean_s_hub_metrics": round((after[0] - before[0]) / hub_count, 2) if hub_count else None,
        "spawns_counted_by_hub": int(hub_count),
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


def storm(subject: Subject, count: int, client: docker.DockerClient, keep: int = 0) -> dict:
    """``count`` learners log in together; the servers of the first ``keep`` stay up."""
    learners = [subject.account(f"storm{count}x{i}") for i in range(count)]
    sampler = HubSampler(subject.hub_container(client))
    sampler.start()
    started = time.perf_counter()

    def attempt(learner: Learner) -> float | str:
        try:
            return subject.first_notebook(learner)["ttfn_s"]
        except Exception as error:
            return f"{type(error).__name__}: {str(error)[:200]}"

    with ThreadPoolExecutor(max_workers=count) as pool:
        outcomes = list(pool.map(attempt, learners))
    total = time.perf_counter() - started
    sampler.stop.set()
    sampler.join(timeout=10)
    ready = [o for o in outcomes if isinstance(o, float)]
    failures = [o for o in outcomes if isinstance(o, str)]
    for learner in learners[keep:]:
        with contextlib.suppress(Exception):  # a failed learner may have no server
            learner.stop_server(timeout=300)
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


def idle_server_memory_mb(subject: Subject, client: docker.DockerClient, settle_s: float = 20) -> float:
    """Memory of one learner server that started and then sat idle, as `docker stats` shows it."""
    learner = subject.account("idle0")
    subject.first_notebook(learner)
    time.sleep(settle_s)
    container = client.containers.get(f"{subject.stack.project}-idle0")
    memory = container.stats(stream=False)["memory_stats"]
    used = memory["usage"] - memory.get("stats", {}).get("inactive_file", 0)
    learner.stop_server(timeout=300)
    return round(used / 2**20, 1)


def grown_course(subject: Subject, count: int, admin: Learner) -> dict:
    grow = subject.stack.compose("exec", "-T", "hub", "python", "-", input=GROW_COURSE, timeout=1800)
    result = sequential(subject, "grown", count, admin)
    result["notebooks"] = int(grow.stdout.strip().splitlines()[-1])
    return result


def measure(subject: Subject, args, client, report: Callable[[dict], None]) -> dict:
    """Measure one stack; ``report`` is called after each measurement (results survive a stop)."""
    subject.stack.up()
    result: dict = {}
    try:
        admin = subject.admin()
        result["sequential"] = sequential(subject, "seq", args.sequential, admin)
        report(result)
        result["idle_server_memory_mb"] = idle_server_memory_mb(subject, client)
        report(result)
        result["storms"] = []
        for n in args.storms:
            keep = args.loaded if n == args.storms[-1] else 0
            result["storms"].append(storm(subject, n, client, keep=keep))
            report(result)
        running = len(subject.stack.learner_containers(client))
        result["loaded"] = {"running": running, **sequential(subject, "loaded", args.sequential, admin)}
        report(result)
        subject.cleanup_learners(client)
        if subject.course and args.grown:
            result["grown_course"] = grown_course(subject, args.grown, admin)
            report(result)
        return result
    finally:
        subject.cleanup_learners(client)
        subject.stack.down()


def versions(client: docker.DockerClient) -> dict:
    def inside(command: str) -> str:
        output = client.containers.run("coursehub/hub:0.1.0", ["sh", "-c", command], remove=True)
        return output.decode().strip()

    return {
        "docker": client.version()["Version"],
        "jupyterhub": inside("jupyterhub --version"),
        "dockerspawner": inside("python -c 'import dockerspawner; print(dockerspawner.__version__)'"),
        "learner_image": "coursehub/notebook:0.1.0",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sequential", type=int, default=20)
    parser.add_argument("--storms", type=lambda s: [int(n) for n in s.split(",") if n], default=[10, 30, 60])
    parser.add_argument("--loaded", type=int, default=50, help="servers kept running for the loaded run")
    parser.add_argument("--grown", type=int, default=10, help="learners on the grown course (0: skip)")
    args = parser.parse_args()
    client = docker.from_env()
    ours = Subject("coursehub", Stack(project="chbenchours"), course=True)
    reference = Subject(
        "reference",
        Stack(project="chbenchref", compose_file=REPO / "bench/reference/docker-compose.yml"),
        course=False,
    )
    info = client.info()
    results: dict = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": {
            "cpus": info["NCPU"],
            "memory_gb": round(info["MemTotal"] / 2**30),
            "os": info["OperatingSystem"],
            "python": platform.python_version(),
        },
        "versions": versions(client),
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "ttfn.json"

    def save(name: str, partial: dict) -> None:
        results[name] = partial
        out.write_text(json.dumps(results, indent=2) + "\n")
        print(name, json.dumps(partial)[:300], flush=True)

    for subject in (ours, reference):
        measure(subject, args, client, lambda partial, name=subject.name: save(name, partial))
    ratio = results["coursehub"]["sequential"]["p50_s"] / results["reference"]["sequential"]["p50_s"]
    results["ratio_ttfn_p50_ours_over_reference"] = round(ratio, 2)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"TTFN p50 ours/reference: {ratio:.2f}")


if __name__ == "__main__":
    main()
