"""``coursehub images``: the learner image on every node before learners arrive."""

from __future__ import annotations

from typing import Annotated

import typer

from . import context
from .nodes import cluster
from .output import console, fail, handle_errors

app = typer.Typer(help="The learner image on the swarm's nodes.", no_args_is_help=True)


@app.command()
@handle_errors
def prepull(
    node: Annotated[str | None, typer.Option("--node", help="Only this node (hostname or ID).")] = None,
    image: Annotated[
        str | None, typer.Option(help="Image to pull; default COURSEHUB_NOTEBOOK_IMAGE.")
    ] = None,
) -> None:
    """Pull the learner image on every node learners may land on (or on one), showing each node's
    progress, so that no learner's first start waits on a download."""
    settings = context.settings()
    swarm = cluster()
    image = image or settings.notebook_image
    constraints = [f"node.hostname=={swarm.node(node).hostname}"] if node else settings.swarm_constraints
    with console.status(f"Pulling {image}...") as status:

        def show(states: dict[str, str]) -> None:
            done = sum(state == "complete" for state in states.values())
            status.update(f"Pulling {image}: {done}/{len(states)} nodes ready")
            for hostname, state in sorted(states.items()):
                console.log(f"{hostname}: {state}", highlight=False)

        states = swarm.prepull(image, constraints, show)
    if not states:
        fail(f"no active node matches {constraints}: nothing to pull onto")
    failed = {hostname: state for hostname, state in states.items() if state != "complete"}
    if failed:
        fail("; ".join(f"{hostname}: {state}" for hostname, state in sorted(failed.items())))
    console.print(f"{image} is on {len(states)} node(s): {', '.join(sorted(states))}.", highlight=False)
