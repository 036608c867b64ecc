"""Property tests of GPU placement: random inventories and random learner behaviour."""

from __future__ import annotations

from collections import Counter

from coursehub.allocator import Allocator
from coursehub.gpus import GPU
from coursehub.profiles import Profile
from hypothesis import given, settings
from hypothesis import strategies as st

PROFILES = {
    "shared2": Profile(slug="shared2", display_name="s2", gpu="shared", share=2),
    "shared4": Profile(slug="shared4", display_name="s4", gpu="shared", share=4),
    "whole": Profile(slug="whole", display_name="w", gpu="exclusive"),
    "mig": Profile(slug="mig", display_name="m", gpu="mig", mig_profile="1g.10gb"),
    "cpu": Profile(slug="cpu", display_name="c"),
}


@st.composite
def inventories(draw) -> list[GPU]:
    gpus = []
    for node in range(draw(st.integers(1, 4))):
        for index in range(draw(st.integers(0, 4))):
            uuid = f"GPU-{node}-{index}"
            gpus.append(GPU(uuid=uuid, node=f"node{node}", index=index))
            if draw(st.booleans()) and index == 0:
                for slot in range(draw(st.integers(1, 3))):
                    gpus.append(
                        GPU(
                            uuid=f"MIG-{node}-{index}-{slot}",
                            node=f"node{node}",
                            index=index,
                            mig_profile="1g.10gb",
                            parent_uuid=uuid,
                        )
                    )
    return gpus


USERS = [f"u{i}" for i in range(12)]
operations = st.lists(
    st.tuples(
        st.sampled_from(["start", "start", "start", "stop", "crash", "restart"]),
        st.sampled_from(USERS),
        st.sampled_from(sorted(PROFILES)),
    ),
    max_size=80,
)


def check_invariants(allocator: Allocator, inventory: list[GPU]) -> None:
    by_uuid = {gpu.uuid: gpu for gpu in inventory}
    mig_parents = {gpu.parent_uuid for gpu in inventory if gpu.parent_uuid}
    per_device: dict[str, list] = {}
    for allocation in allocator.allocations.values():
        per_device.setdefault(allocation.uuid, []).append(allocation)
    for uuid, holders in per_device.items():
        gpu = by_uuid[uuid]
        assert uuid not in mig_parents, "a GPU split into MIG instances was handed out whole"
        modes = {h.mode for h in holders}
        assert len(modes) == 1, f"{uuid} is both {modes}"
        if modes & {"exclusive", "mig"}:
            assert len(holders) == 1, f"exclusive {uuid} given {len(holders)} times"
        else:
            assert len(holders) <= min(h.share for h in holders), f"{uuid} oversubscribed"
            assert not gpu.is_mig
        for holder in holders:
            if holder.mode == "mig":
                assert gpu.mig_profile == "1g.10gb"


@settings(max_examples=300, deadline=None)
@given(inventories(), operations)
def test_random_sessions_never_oversubscribe(inventory, ops):
    persisted = []
    allocator = Allocator(inventory)
    for op, user, slug in ops:
        profile = PROFILES[slug]
        if op == "start":
            if allocator.held_by(user) or not profile.needs_gpu:
                continue
            before = Counter(a.uuid for a in allocator.allocations.values())
            candidates = allocator.candidates(profile)
            allocation = allocator.allocate(user, profile)
            assert (allocation is None) == (not candidates)
            if allocation:
                # Least-loaded: nobody else could have taken it with fewer holders.
                assert before[allocation.uuid] == min(before[g.uuid] for g in candidates)
        elif op in ("stop", "crash"):
            allocator.release(user)
        elif op == "restart":
            # The hub restarts: the allocator is rebuilt from what was persisted.
            allocator = Allocator(inventory, persisted)
        persisted = list(allocator.allocations.values())
        check_invariants(allocator, inventory)


@settings(max_examples=200, deadline=None)
@given(inventories(), st.integers(1, 40))
def test_shared_load_stays_balanced_within_one_learner(inventory, learners):
    allocator = Allocator(inventory)
    for i in range(learners):
        allocator.allocate(f"u{i}", PROFILES["shared4"])
    eligible = [g.uuid for g in allocator.candidates(PROFILES["shared4"])] + [
        a.uuid for a in allocator.allocations.values()
    ]
    load = Counter(a.uuid for a in allocator.allocations.values())
    counts = [load[uuid] for uuid in set(eligible)]
    if counts:
        assert max(counts) - min(counts) <= 1


def test_full_exclusive_gpus_answer_none_and_free_up_on_release():
    inventory = [GPU(uuid="GPU-a", index=0), GPU(uuid="GPU-b", index=1)]
    allocator = Allocator(inventory)
    first = allocator.allocate("ann", PROFILES["whole"])
    second = allocator.allocate("bo", PROFILES["whole"])
    assert {first.uuid, second.uuid} == {"GPU-a", "GPU-b"}
    assert allocator.allocate("cy", PROFILES["whole"]) is None
    allocator.release("ann")
    assert allocator.allocate("cy", PROFILES["whole"]).uuid == first.uuid


def test_cpu_profile_never_gets_a_device():
    allocator = Allocator([GPU(uuid="GPU-a")])
    assert allocator.candidates(PROFILES["cpu"]) == []
