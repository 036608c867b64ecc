"""The platform's settings as values for Zero to JupyterHub (the ``jupyterhub`` Helm chart, 4.x).

Admins who outgrow one host, or already run Kubernetes, can take the course there with the
community's chart instead of this project's compose stack. ``values()`` translates what the
settings mean to this hub (image, limits, profiles, course, culling, login) into the chart's
keys, so the learner gets the same server on either platform. What has no counterpart in the
chart is left out and listed in deploy/kubernetes/README.md; ``not_carried_over()`` names the
parts that depend on this hub's own settings, so that the export can say so where it is read.

Pure: reads only the settings, so tests can check every key against the chart's schema.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

from .profiles import DEFAULT_PROFILES, Profile
from .settings import Settings
from .users import MIN_PASSWORD_LENGTH, USERNAME_PATTERN

# The chart release the values are written for and tested against (keys are checked with the
# chart's values schema, vendored in tests/unit/data/z2jh/).
CHART_VERSION = "4.4.0"
CHART_REPOSITORY = "https://hub.jupyter.org/helm-chart/"

# Each learner's home is a PersistentVolumeClaim of this size. A Docker volume grows until the
# host's disk is full; a claim needs a size up front. 10Gi is the chart's own default: enough
# for the course, its checkpoints and a learner's notebooks. Change it in the values file.
HOME_CAPACITY = "10Gi"
HOME_MOUNT_PATH = "/home/jovyan"  # the learner image's home (images/notebook/Dockerfile)
COURSE_DIR = f"{HOME_MOUNT_PATH}/course"

# How often the idle culler looks, in seconds: the same as the compose stack's culler.
CULL_EVERY = 60

# Kubernetes names of GPU resources, as the NVIDIA device plugin advertises them.
GPU_RESOURCE = "nvidia.com/gpu"
MIG_RESOURCE = "nvidia.com/mig-{profile}"  # the device plugin's "mixed" MIG strategy

_BYTE_SPEC = re.compile(r"^([1-9][0-9]*)([bBkKmMgGtT]?)$")


def image_name_and_tag(image: str) -> tuple[str, str]:
    """Split an image reference into the chart's ``name`` and ``tag``.

    The tag follows the last ':' after the last '/', so a registry port
    (``registry:5000/coursehub/notebook``) stays in the name. A digest (``@sha256:…``) is kept
    after the tag, where container runtimes honour it. No tag means ``latest``, as for Docker.
    """
    reference, at, digest = image.partition("@")
    slash = reference.rfind("/")
    colon = reference.rfind(":")
    if colon > slash:
        name, tag = reference[:colon], reference[colon + 1 :]
    else:
        name, tag = reference, "latest"
    return name, f"{tag}@{digest}" if at else tag


def byte_spec(size: str) -> str | int:
    """A Docker size (``4G``, ``512m``, ``1073741824``) as the chart's memory limit takes it.

    The chart hands ``memory.limit`` to KubeSpawner.mem_limit, a JupyterHub byte specification
    that reads K, M, G and T as powers of 1024, exactly as Docker does, and rejects Kubernetes
    suffixes such as ``Gi``. So the unit letter stays (upper-cased), and plain bytes, or the
    ``b`` suffix Docker also accepts, become a number of bytes.
    """
    match = _BYTE_SPEC.match(size.strip())
    if not match:
        raise ValueError(f"{size!r} is not a size like 512M, 4G or 1073741824")
    number, unit = match.groups()
    if unit in ("", "b", "B"):
        return int(number)
    return f"{number}{unit.upper()}"


def quantity(size: str) -> str:
    """A Docker size as a Kubernetes quantity, for fields Kubernetes itself reads.

    Docker's K, M, G and T are powers of 1024, which Kubernetes spells Ki, Mi, Gi and Ti (its
    own K, M, G and T are powers of 1000: "1G" would be 7% smaller than Docker's).
    """
    spec = byte_spec(size)
    return str(spec) if isinstance(spec, int) else f"{spec}i"


def extra_env(settings: Settings) -> dict[str, str]:
    """What CourseSpawner.get_env gives every learner server, minus the per-GPU variables."""
    return {
        "COURSEHUB_COURSE_REPO": settings.course_repo,
        "COURSEHUB_COURSE_BRANCH": settings.course_branch,
        "COURSEHUB_COURSE_SYNC_TIMEOUT": str(settings.course_sync_timeout),
        "COURSEHUB_LANGUAGE": settings.language,
        "COURSEHUB_ACTIVITY_INTERVAL": str(settings.activity_interval),
    }


def course_sync_hook(settings: Settings) -> dict[str, Any]:
    """A postStart hook that pulls the course into ~/course with nbgitpuller's ``gitpuller``.

    The learner image syncs the course itself, in its start script (start-learner), with
    notebooks merged cell by cell. This hook is for admins who run a stock image instead (a
    docker-stacks image with nbgitpuller installed): so that the course still arrives. It steps
    aside where coursehub's own sync is installed (two pulls at once would race on the same
    repository), gives up after the course sync timeout, and never fails the start: Kubernetes
    kills a container whose postStart hook fails, and a learner must always get their server.
    """
    pull = shlex.join(["gitpuller", settings.course_repo, settings.course_branch, COURSE_DIR])
    script = (
        f"command -v coursehub-sync >/dev/null 2>&1 || timeout {settings.course_sync_timeout} {pull} || true"
    )
    return {"exec": {"command": ["sh", "-c", script]}}


def profile_entry(profile: Profile) -> dict[str, Any]:
    """One spawn-form profile as a KubeSpawner ``profile_list`` entry.

    GPUs are asked of the NVIDIA device plugin: one ``nvidia.com/gpu`` for a whole or a shared
    GPU (sharing needs the plugin's time-slicing configuration, see the Kubernetes guide), one
    ``nvidia.com/mig-<profile>`` for a MIG instance. Profiles without a GPU hide every GPU from
    the server, as the Docker spawner does: images built on NVIDIA's CUDA images ask for all.
    Kubernetes has no equivalent of a profile's ``groups``: see ``not_carried_over``.
    """
    override: dict[str, Any] = {}
    if profile.mem_limit:
        override["mem_limit"] = byte_spec(profile.mem_limit)
    if profile.cpu_limit:
        override["cpu_limit"] = float(profile.cpu_limit)
    if profile.gpu == "none":
        override["environment"] = {"NVIDIA_VISIBLE_DEVICES": "void"}
    elif profile.gpu == "mig":
        override["extra_resource_limits"] = {MIG_RESOURCE.format(profile=profile.mig_profile): "1"}
    else:
        override["extra_resource_limits"] = {GPU_RESOURCE: "1"}
    if profile.memory_fraction is not None:
        # The learner kernel's soft cap of GPU memory (images/notebook/coursehub_kernel.py).
        override["environment"] = {"COURSEHUB_GPU_MEMORY_FRACTION": str(profile.memory_fraction)}
    entry: dict[str, Any] = {
        "display_name": profile.display_name,
        "description": profile.description,
        "slug": profile.slug,
    }
    if override:
        entry["kubespawner_override"] = override
    return entry


def profiles(settings: Settings) -> list[Profile]:
    """The spawn form's profiles: the admin's (COURSEHUB_PROFILES), or the defaults."""
    return list(settings.profiles or DEFAULT_PROFILES)


def hub_config(settings: Settings) -> dict[str, Any]:
    """Login as on the compose stack: NativeAuthenticator (sign up, an admin approves) with the
    rules of CourseAuthenticator, and the admin account of COURSEHUB_ADMIN."""
    return {
        "JupyterHub": {"authenticator_class": "nativeauthenticator.NativeAuthenticator"},
        "Authenticator": {
            "admin_users": [settings.admin],
            # NativeAuthenticator's approval decides who may log in.
            "allow_all": True,
            "username_pattern": USERNAME_PATTERN,
        },
        "NativeAuthenticator": {
            "minimum_password_length": MIN_PASSWORD_LENGTH,
            "check_common_password": True,
            "allowed_failed_logins": 5,
            "seconds_before_next_try": 300,
        },
    }


def values(settings: Settings) -> dict[str, Any]:
    """The chart values that reproduce this hub's learner servers, login and culling."""
    name, tag = image_name_and_tag(settings.notebook_image)
    return {
        "hub": {"config": hub_config(settings)},
        "singleuser": {
            "image": {"name": name, "tag": tag},
            # null: run the image's own command. The learner image's start script syncs the
            # course and sets the language before it starts jupyterhub-singleuser; the chart's
            # default command would skip it.
            "cmd": None,
            "defaultUrl": "/lab",
            "startTimeout": settings.start_timeout,
            "memory": {"limit": byte_spec(settings.mem_limit)},
            "cpu": {"limit": float(settings.cpu_limit)},
            "extraEnv": extra_env(settings),
            "lifecycleHooks": {"postStart": course_sync_hook(settings)},
            "storage": {
                "type": "dynamic",
                "capacity": HOME_CAPACITY,
                "homeMountPath": HOME_MOUNT_PATH,
                # Containers get a 64M /dev/shm by default; PyTorch's DataLoader workers need
                # COURSEHUB_SHM_SIZE, as on Docker. Memory-backed: it counts as the pod's memory.
                "extraVolumes": [
                    {
                        "name": "shm",
                        "emptyDir": {"medium": "Memory", "sizeLimit": quantity(settings.shm_size)},
                    }
                ],
                "extraVolumeMounts": [{"name": "shm", "mountPath": "/dev/shm"}],
            },
            "profileList": [profile_entry(profile) for profile in profiles(settings)],
        },
        "cull": (
            {"enabled": True, "timeout": settings.idle_timeout, "every": CULL_EVERY}
            if settings.idle_timeout
            else {"enabled": False}
        ),
    }


def not_carried_over(settings: Settings) -> list[str]:
    """What of these settings the values cannot express, one line each, for the file's header."""
    notes = [
        f"profile {profile.slug!r} is meant for group(s) {', '.join(profile.groups)} only; "
        "the chart's profileList offers it to everyone"
        for profile in profiles(settings)
        if profile.groups
    ]
    if any(profile.gpu == "shared" for profile in profiles(settings)):
        notes.append(
            "shared GPU profiles need time-slicing in the NVIDIA device plugin's configuration, "
            "or each learner gets a whole GPU"
        )
    if settings.course_repo.startswith("git://course/"):
        notes.append(
            f"COURSEHUB_COURSE_REPO={settings.course_repo} is the compose stack's course service: "
            "point it at a git URL the cluster can reach"
        )
    notes.append(f"the datasets volume ({settings.data_volume}) is not mounted")
    return notes
