"""Turn bench/results/*.json into a chart (bench/results/ttfn.png) and the table in
docs/benchmarks.md (between its "results" markers, so the prose around it stays as written).

    python bench/report.py
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

RESULTS = Path(__file__).parent / "results"
DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
BEGIN, END = "<!-- results: begin (bench/report.py) -->", "<!-- results: end -->"


def load(name: str) -> dict:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else {}


def ratio(ours: float | None, reference: float | None) -> str:
    return f"**{ours / reference:.2f}**" if ours and reference else ""


def running(result: dict) -> str:
    return f" ({result['running']} running)" if "running" in result else ""


def storm_cell(storm: dict) -> str:
    return f"{storm['all_ready_s']} s / {storm['failed']}"


def rows(ttfn: dict) -> list[tuple[str, str, str, str]]:
    ours, ref = ttfn["coursehub"], ttfn["reference"]
    table = []
    for key, label in (("sequential", "idle hub"), ("loaded", "beside the storm's surviving servers")):
        if key not in ours or key not in ref:
            continue
        for stat in ("p50_s", "p95_s"):
            table.append(
                (
                    f"TTFN {stat[:3]}, {label}",
                    f"{ours[key][stat]} s" + running(ours[key]),
                    f"{ref[key][stat]} s" + running(ref[key]),
                    ratio(ours[key][stat], ref[key][stat]),
                )
            )
    for mine, theirs in zip(ours.get("storms", []), ref.get("storms", []), strict=False):
        n = mine["n"]
        # Times of the learners who got in are not comparable when one side lost some.
        comparable = not (mine["failed"] or theirs["failed"])
        timed = ratio if comparable else (lambda *_: "n/a: failures")
        table.append(
            (
                f"storm of {n}: all ready / failed",
                storm_cell(mine),
                storm_cell(theirs),
                timed(mine["all_ready_s"], theirs["all_ready_s"]),
            )
        )
        table.append(
            (
                f"storm of {n}: TTFN p50 / servers per minute",
                f"{mine['ttfn_p50_s']} s / {mine['servers_per_minute']}",
                f"{theirs['ttfn_p50_s']} s / {theirs['servers_per_minute']}",
                timed(mine["ttfn_p50_s"], theirs["ttfn_p50_s"]),
            )
        )
        table.append(
            (
                f"storm of {n}: hub peak CPU / memory",
                f"{mine['hub_peak_cpu_percent']} % / {mine['hub_peak_memory_mb']} MB",
                f"{theirs['hub_peak_cpu_percent']} % / {theirs['hub_peak_memory_mb']} MB",
                ratio(mine["hub_peak_memory_mb"], theirs["hub_peak_memory_mb"]),
            )
        )
    table.append(
        (
            "memory of one idle server",
            f"{ours['idle_server_memory_mb']} MB",
            f"{ref['idle_server_memory_mb']} MB",
            ratio(ours["idle_server_memory_mb"], ref["idle_server_memory_mb"]),
        )
    )
    hub_mine, hub_theirs = ours["sequential"], ref["sequential"]
    table.append(
        (
            "mean spawn, measured / hub's /hub/metrics",
            f"{hub_mine['spawn_mean_s_measured']} s / {hub_mine['spawn_mean_s_hub_metrics']} s",
            f"{hub_theirs['spawn_mean_s_measured']} s / {hub_theirs['spawn_mean_s_hub_metrics']} s",
            "",
        )
    )
    if grown := ours.get("grown_course"):
        table.append(
            (
                f"TTFN p50, course of {grown['notebooks']} notebooks + 200 MB history",
                f"{grown['p50_s']} s (course as is: {ours['sequential']['p50_s']} s)",
                "",
                f"{grown['p50_s'] / ours['sequential']['p50_s']:.2f} of ours as is",
            )
        )
    return table


def build_lines(build: dict) -> list[str]:
    if not build:
        return []
    image = build["learner_image"]
    layers = image["layers_gb"]
    lines = [
        "",
        f"Learner image: {image['size_gb']} GB, of which PyTorch + torchvision with their CUDA "
        f"libraries installed alone take {layers['pytorch']} GB "
        f"(image / PyTorch: **{image['ratio_image_over_pytorch']}**). The rest: Debian "
        f"{layers['debian_base']} GB, system packages (Python, git, compilers, CJK fonts) "
        f"{layers['system_packages']} GB, JupyterLab and its extensions {layers['jupyterlab_and_tools']} GB.",
        "",
        f"Builds: warm (every layer cached) {build['warm_build_s']} s",
    ]
    if cold := build.get("cold_build_s"):
        lines[-1] += f"; cold (no cache): learner image {cold['notebook']} s, hub image {cold['hub']} s."
    else:
        lines[-1] += "."
    return lines


def chart(ttfn: dict, path: Path) -> None:
    ours, ref = ttfn["coursehub"], ttfn["reference"]
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    series = [("sequential", "idle hub"), ("loaded", "beside running servers")]
    for offset, (subject, colour) in enumerate(((ours, "tab:blue"), (ref, "tab:grey"))):
        data = [subject[key]["all_s"] for key, _ in series if key in subject]
        positions = [i * 3 + offset for i in range(len(data))]
        parts = left.boxplot(data, positions=positions, widths=0.8, patch_artist=True)
        for box in parts["boxes"]:
            box.set_facecolor(colour)
    left.set_xticks([i * 3 + 0.5 for i in range(len(series))], [label for _, label in series])
    left.set_ylabel("time to first notebook (s)")
    left.set_title("one learner at a time (blue: coursehub, grey: reference)")
    for subject, colour, name in ((ours, "tab:blue", "coursehub"), (ref, "tab:grey", "reference")):
        storms = subject.get("storms", [])
        sizes, times = [s["n"] for s in storms], [s["all_ready_s"] for s in storms]
        right.plot(sizes, times, "o-", color=colour, label=name)
        for s in storms:
            if s["failed"]:
                right.annotate(f"{s['failed']} failed", (s["n"], s["all_ready_s"]), color="tab:red")
    right.set_xlabel("learners logging in within one second")
    right.set_ylabel("until all are ready (s)")
    right.set_title("login storms")
    right.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main() -> None:
    ttfn, build = load("ttfn"), load("build")
    machine, versions = ttfn["machine"], ttfn.get("versions", {})
    lines = [
        BEGIN,
        f"Run of {ttfn.get('when', '?')} on {machine['cpus']} CPUs, {machine.get('memory_gb', '?')} GB, "
        f"{machine.get('os', '?')}; Docker {versions.get('docker', '?')}, JupyterHub "
        f"{versions.get('jupyterhub', '?')}, DockerSpawner {versions.get('dockerspawner', '?')}, "
        f"learner image {versions.get('learner_image', '?')} for both.",
        "",
        "| | coursehub | reference | ours / reference |",
        "|---|---:|---:|---:|",
        *(f"| {label} | {ours} | {ref} | {r} |" for label, ours, ref, r in rows(ttfn)),
        *build_lines(build),
        "",
        "![TTFN and storms](../bench/results/ttfn.png)",
        END,
    ]
    chart(ttfn, RESULTS / "ttfn.png")
    text = DOC.read_text()
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    DOC.write_text(head + "\n".join(lines) + tail)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
