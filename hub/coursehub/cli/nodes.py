"""``coursehub nodes``: the swarm's nodes, their GPUs and learners; adding and draining them."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from ..gpus import NVIDIA_SMI_QUERY, parse_nvidia_smi
from ..swarm import GPU_EXAMPLE, GPU_LABEL, Cluster, SwarmError
from . import context
from .output import JsonOption, console, handle_errors, print_json, table

app = typer.Typer(help="Swarm nodes: list, add, drain, declare GPUs.", no_args_is_help=True)

NodeArgument = Annotated[str, typer.Argument(help="Node hostname or ID.")]


def cluster() -> Cluster:
    if context.settings().platform != "swarm":
        raise SwarmError(
            "this hub runs learners on a single host (COURSEHUB_PLATFORM=single-host): nodes are a "
            "swarm's; see deploy/swarm/README.md"
        )
    found = Cluster()
    found.check_manager()
    return found


def describe_gpus(node) -> str:
    if node.gpu_error:
        return f"[red]{node.gpu_error}[/]"
    return ", ".join(f"{gpu.name} ({gpu.uuid})" for gpu in node.gpus) or "-"


@app.command("list")
@handle_errors
def list_nodes(as_json: JsonOption = False) -> None:
    """Every node: role, state, whether it takes new learners, its GPUs and its learners."""
    nodes = cluster().nodes(with_learners=True)
    if as_json:
        print_json([node.as_json() for node in nodes])
        return
    table(
        f"Nodes ({len(nodes)})",
        ["node", "role", "state", "availability", "GPUs", "learners"],
        [
            [
                node.hostname,
                node.role,
                node.state if node.state == "ready" else f"[red]{node.state}[/]",
                node.availability if node.availability == "active" else f"[yellow]{node.availability}[/]",
                describe_gpus(node),
                ", ".join(node.learners) or "-",
            ]
            for node in nodes
        ],
    )


@app.command()
@handle_errors
def add() -> None:
    """How to add a node: the join command, then the labels and storage it needs."""
    join = cluster().join_command()
    console.print(
        "On the new node (Docker installed; for GPUs also the NVIDIA driver and container toolkit, "
        "with the NVIDIA runtime as Docker's default):\n"
        "  1. mount the shared storage, if the hub uses a directory rather than NFS "
        "(COURSEHUB_STORAGE_TYPE=none), at the same path as on every node;\n"
        f"  2. join the swarm:\n\n     {join}\n\n"
        "Then, here on the manager:\n"
        "  3. put the learner image on it:  coursehub images prepull --node <node>\n"
        f"  4. declare its GPUs (label {GPU_LABEL}): found on the node through NVML,\n\n"
        "     coursehub nodes gpus <node> --discover\n\n"
        "     or with what nvidia-smi says there:\n\n"
        f'     coursehub nodes gpus <node> --nvidia-smi "$(ssh <node> {NVIDIA_SMI_QUERY})"\n\n'
        f"     (or as JSON: coursehub nodes gpus <node> '{GPU_EXAMPLE}')\n"
        "  5. check:  coursehub nodes list",
        highlight=False,
        soft_wrap=True,
    )


@app.command()
@handle_errors
def gpus(
    node: NodeArgument,
    declared: Annotated[
        str | None, typer.Argument(help=f"The node's GPUs as JSON, e.g. {GPU_EXAMPLE}; '[]': none.")
    ] = None,
    nvidia_smi: Annotated[
        str | None,
        typer.Option(
            "--nvidia-smi",
            help=f"Instead of JSON: the output of `{NVIDIA_SMI_QUERY}` on the node "
            "(deploy/gpu-check/nvidia_smi_inventory.sh).",
        ),
    ] = None,
    discover: Annotated[
        bool,
        typer.Option("--discover", help="Find them through NVML, in a short task on the node itself."),
    ] = False,
) -> None:
    """Declare a node's GPUs; the allocator places GPU learners on them from now on."""
    if sum([declared is not None, nvidia_smi is not None, discover]) != 1:
        raise SwarmError("give the GPUs one way: as JSON, with --nvidia-smi, or with --discover")
    if discover:
        with console.status(f"Looking for GPUs on {node}..."):
            updated = cluster().discover_gpus(node, context.settings().notebook_image)
    else:
        if nvidia_smi is not None:
            try:
                declared = json.dumps(parse_nvidia_smi(nvidia_smi))
            except ValueError as error:
                raise SwarmError(str(error)) from None
        updated = cluster().set_gpus(node, declared)
    console.print(f"{updated.hostname}: {describe_gpus(updated)}", highlight=False)


@app.command()
@handle_errors
def drain(
    node: NodeArgument,
    now: Annotated[
        bool,
        typer.Option("--now", help="Also stop the servers running there (learners restart elsewhere)."),
    ] = False,
) -> None:
    """Send no new learners to a node; those working there carry on (unless --now)."""
    updated = cluster().set_availability(node, "drain" if now else "pause")
    if now:
        console.print(f"{updated.hostname} drained: its servers stop; learners' next start lands elsewhere.")
    else:
        console.print(
            f"{updated.hostname} takes no new learners; {len(updated.learners)} keep working there."
        )


@app.command()
@handle_errors
def activate(node: NodeArgument) -> None:
    """Let a drained node take learners again."""
    updated = cluster().set_availability(node, "active")
    console.print(f"{updated.hostname} takes learners again.")
