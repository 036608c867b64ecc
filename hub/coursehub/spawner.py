"""The learner's server: a DockerSpawner that knows about homes, the course and the data volume."""

from __future__ import annotations

import asyncio
import re
import time
from contextlib import AbstractAsyncContextManager, nullcontext

from dockerspawner import DockerSpawner
from tornado import web
from tornado.httpclient import AsyncHTTPClient, HTTPClientError
from traitlets import Bool, Callable, Float, Int, List, Unicode, default

from .allocator import Allocation
from .course import remote_head
from .gpu_pool import GPUPool
from .gpus import Inventory
from .profiles import DEFAULT_PROFILES, Profile
from .spawn_form import render_profile_form
from .start_queue import StartQueue
from .users import USERNAME_PATTERN

# Where things live inside the learner image (images/notebook/Dockerfile).
HOME = "/home/jovyan"
DATA_MOUNT = "/srv/data"

LABEL_USER = "coursehub.user"
LABEL_PREFIX = "coursehub.prefix"
LABEL_COURSE_VERSION = "coursehub.course-version"
LABEL_ROLE = "coursehub.role"
LABEL_PROFILE = "coursehub.profile"
LABEL_GPU = "coursehub.gpu"
LABEL_GPU_MODE = "coursehub.gpu-mode"
ROLE_LEARNER_HOME = "learner-home"
ROLE_LEARNER_SERVER = "learner-server"
COMPOSE_LABELS = ("com.docker.compose.project", "com.docker.compose.service", "com.docker.compose.version")


def home_labels(user: str, prefix: str) -> dict[str, str]:
    """Labels of a learner's home volume: whose it is, and which hub's (backups find it so)."""
    return {LABEL_USER: user, LABEL_PREFIX: prefix, LABEL_ROLE: ROLE_LEARNER_HOME}


def readable_escape(name: str) -> str:
    """Keep valid user names as they are in container and volume names (they are Docker-safe);
    escape anything else as DockerSpawner does."""
    return name if re.fullmatch(USERNAME_PATTERN, name) else DockerSpawner._escape(name)


class CourseSpawner(DockerSpawner):
    """Starts each learner's JupyterLab in its own container.

    * the home is a per-learner named volume (labelled, so backups and admins find it);
    * the course is pulled into ``~/course`` with nbgitpuller by the image's start script at
      every start, merging so that learners' edits survive, and never blocking the start;
    * the shared datasets volume is mounted read-only;
    * memory, CPU, process and ``/dev/shm`` limits are always set;
    * the learner picks a profile (CPU, shared GPU, whole GPU, MIG) on the spawn form; GPU
      profiles take a device from the hub's GPU pool before the container is created, and give
      it back when the server stops. When every GPU is taken the learner may wait in a queue.
    """

    course_repo = Unicode("git://course/course.git", config=True, help="Git URL of the course.")
    course_branch = Unicode("main", config=True, help="Branch of the course repository.")
    course_sync_timeout = Int(60, config=True, help="Seconds the course pull may take at start.")
    data_volume = Unicode("", config=True, help="Docker volume of shared datasets, mounted read-only.")
    home_volume_template = Unicode(
        "{prefix}-home-{username}", config=True, help="Name of a learner's home volume."
    )
    language = Unicode("zh_CN", config=True, help="JupyterLab locale for learners who have not chosen one.")
    pids_limit = Int(1024, config=True, help="Most processes a learner's container may run.")
    shm_size = Unicode("1G", config=True, help="Size of /dev/shm (DataLoader workers share memory).")
    profiles = List(
        default_value=DEFAULT_PROFILES,
        config=True,
        help="Profiles on the spawn form (coursehub.profiles.Profile).",
    )
    gpu_pool_provider = Callable(
        None,
        allow_none=True,
        config=True,
        help="Returns the hub's GPUPool, shared by every spawner (callable: config values are copied).",
    )
    gpu_device_requests = Bool(
        True,
        config=True,
        help="Ask Docker's NVIDIA runtime for the allocated device. Off only where the inventory is a "
        "static stand-in for GPUs the host does not have (tests): then only the environment says which.",
    )
    activity_interval = Int(60, config=True, help="Seconds between reports of busy kernels and GPU use.")
    queue_timeout = Int(3600, config=True, help="Seconds a learner may wait in the GPU queue.")
    course_version_timeout = Float(
        5.0, config=True, help="Seconds to wait for the course repository when labelling a container."
    )
    start_queue_provider = Callable(
        None,
        allow_none=True,
        config=True,
        help="Returns the hub's StartQueue, shared by every spawner: how many servers start at once.",
    )
    readiness_interval = Float(
        0.1,
        config=True,
        help="Seconds between checks that a starting server answers. JupyterHub's own check backs off "
        "to seconds between tries, which a learner would spend looking at a spinner.",
    )

    @default("escape")
    def _default_escape(self):
        return readable_escape

    @default("remove")
    def _default_remove(self) -> bool:
        # Containers are disposable: state lives in the home volume, and a new image
        # reaches each learner at their next start.
        return True

    @default("default_url")
    def _default_default_url(self) -> str:
        return "/lab"

    @default("notebook_dir")
    def _default_notebook_dir(self) -> str:
        return HOME

    @default("use_internal_ip")
    def _default_use_internal_ip(self) -> bool:
        return True

    @default("name_template")
    def _default_name_template(self) -> str:
        return "{prefix}-{username}"

    @default("extra_host_config")
    def _default_extra_host_config(self):
        return self.host_limits

    @default("extra_create_kwargs")
    def _default_extra_create_kwargs(self):
        return self.container_labels

    @property
    def home_volume(self) -> str:
        return self.home_volume_template.format(**self.template_namespace())

    @default("volumes")
    def _default_volumes(self) -> dict:
        volumes: dict = {self.home_volume_template: HOME}
        if self.data_volume:
            volumes[self.data_volume] = {"bind": DATA_MOUNT, "mode": "ro"}
        return volumes

    allocation: Allocation | None = None
    course_version_at_start = ""
    # Whether this start has got past the start queue (progress() tells the learner until then).
    passed_start_queue = False

    def get_state(self) -> dict:
        # Kept in the hub database, so the home page still knows it after a hub restart.
        return {**super().get_state(), "course_version": self.course_version_at_start}

    def load_state(self, state: dict) -> None:
        super().load_state(state)
        self.course_version_at_start = state.get("course_version", "")

    def clear_state(self) -> None:
        super().clear_state()
        self.course_version_at_start = ""

    @property
    def gpu_pool(self) -> GPUPool | None:
        return self.gpu_pool_provider() if self.gpu_pool_provider else None

    @property
    def start_queue(self) -> StartQueue | None:
        return self.start_queue_provider() if self.start_queue_provider else None

    # Profiles --------------------------------------------------------------------------------
    def allowed_profiles(self) -> list[Profile]:
        """The profiles this learner may pick, leaving out GPU kinds this platform doesn't have."""
        groups = {group.name for group in getattr(self.user, "groups", [])}
        admin = bool(getattr(self.user, "admin", False))
        # Read once: on a swarm the inventory is a question to the manager.
        inventory = self.gpu_pool.inventory if self.gpu_pool is not None else []
        allowed = []
        for profile in self.profiles:
            if not profile.allowed_for(groups, admin):
                continue
            if profile.needs_gpu and not self._platform_offers(profile, inventory):
                continue
            allowed.append(profile)
        return allowed

    @staticmethod
    def _platform_offers(profile: Profile, inventory: Inventory) -> bool:
        if profile.gpu == "mig":
            return any(gpu.mig_profile == profile.mig_profile for gpu in inventory)
        return any(not gpu.is_mig for gpu in inventory)

    @default("options_form")
    def _default_options_form(self):
        def form(spawner: CourseSpawner) -> str:
            profiles = spawner.allowed_profiles()
            if len(profiles) <= 1:
                return ""  # nothing to choose: straight to JupyterLab
            free = {p.slug: spawner.gpu_pool.free(p) for p in profiles if p.needs_gpu}
            return render_profile_form(profiles, free)

        return form

    @default("options_from_form")
    def _default_options_from_form(self):
        def options_from_form(formdata: dict) -> dict:
            return {"profile": formdata.get("profile", [""])[0], "queue": "queue" in formdata}

        return options_from_form

    def selected_profile(self) -> Profile:
        allowed = self.allowed_profiles()
        if not allowed:
            raise web.HTTPError(403, f"No profile is open to {self.user.name}: ask an admin.")
        slug = self.user_options.get("profile") or allowed[0].slug
        for profile in allowed:
            if profile.slug == slug:
                return profile
        names = ", ".join(p.slug for p in allowed)
        raise web.HTTPError(
            400, f"Profile {slug!r} is not available to {self.user.name}; choose one of: {names}"
        )

    def run_pre_spawn_hook(self):
        if self.user_options.get("queue"):
            # Waiting for a GPU counts towards the start: give it the queue's time.
            self.start_timeout = max(self.start_timeout, self.queue_timeout)
        return super().run_pre_spawn_hook()

    async def _take_gpu(self, profile: Profile) -> Allocation:
        allocation = await self.gpu_pool.acquire(self.user.name, profile)
        if allocation is not None:
            return allocation
        if not self.user_options.get("queue"):
            raise web.HTTPError(
                503,
                f"All GPUs for '{profile.display_name}' are busy right now. Start with the CPU profile, "
                "or choose this profile again with 'wait in the queue' ticked.",
            )
        self.log.info("%s waits in the GPU queue for %s", self.user.name, profile.slug)
        return await self.gpu_pool.wait_for(self.user.name, profile)

    async def progress(self):
        while self.gpu_pool is not None and (position := self.gpu_pool.position(self.user.name)):
            yield {"message": f"All GPUs are busy: you are number {position} in the queue."}
            await asyncio.sleep(2)
        told = 0
        # Until this start is through the queue: it may not have reached it yet (JupyterHub ends
        # this generator when the start ends, whichever way).
        while self.start_queue is not None and not self.passed_start_queue:
            position = self.start_queue.position(self.user.name)
            if position and position != told:
                yield {"message": f"Many learners are starting at once: you are number {position} in line."}
                told = position
            await asyncio.sleep(0.5)
        yield {"progress": 50, "message": "Starting your server and pulling the course..."}

    # Container -------------------------------------------------------------------------------
    def host_limits(self, spawner: CourseSpawner) -> dict:
        limits = {
            "pids_limit": self.pids_limit,
            "shm_size": self.shm_size,
            "security_opt": ["no-new-privileges"],
            # JupyterLab runs as an ordinary user and needs none of root's powers.
            "cap_drop": ["ALL"],
            # Removed by stop() (remove=True), not by Docker the moment it exits: a server that
            # dies while starting leaves its log behind to say why.
            "auto_remove": False,
        }
        if self.mem_limit:
            # No swap beyond the limit: a learner who runs out of memory loses the kernel at
            # once, rather than slowing the whole host down by swapping.
            limits["memswap_limit"] = self.mem_limit
        if self.allocation is not None and self.gpu_device_requests:
            limits["device_requests"] = [
                {"driver": "nvidia", "device_ids": [self.allocation.uuid], "capabilities": [["gpu"]]}
            ]
        return limits

    async def container_labels(self, spawner: CourseSpawner) -> dict:
        allocation = self.allocation
        self.course_version_at_start = await self.course_version()
        return {
            "labels": {
                LABEL_USER: self.user.name,
                LABEL_PREFIX: self.prefix,
                LABEL_ROLE: ROLE_LEARNER_SERVER,
                LABEL_COURSE_VERSION: self.course_version_at_start,
                LABEL_PROFILE: self.user_options.get("profile") or "",
                LABEL_GPU: allocation.uuid if allocation else "",
                LABEL_GPU_MODE: allocation.mode if allocation else "none",
                # The image was built by `docker compose`, which labels it as its service; a
                # container keeping those labels would be one of the stack's own to compose, so
                # `docker compose up` after an upgrade, or `down`, would take it away.
                **dict.fromkeys(COMPOSE_LABELS, ""),
            }
        }

    def get_env(self) -> dict:
        env = super().get_env()
        env.update(
            COURSEHUB_COURSE_REPO=self.course_repo,
            COURSEHUB_COURSE_BRANCH=self.course_branch,
            COURSEHUB_COURSE_SYNC_TIMEOUT=str(self.course_sync_timeout),
            COURSEHUB_LANGUAGE=self.language,
            COURSEHUB_ACTIVITY_INTERVAL=str(self.activity_interval),
            # "void": the NVIDIA runtime shows no GPU at all, whatever the host has.
            NVIDIA_VISIBLE_DEVICES=self.allocation.uuid if self.allocation else "void",
        )
        if self.allocation is not None and self.allocation.mode == "shared":
            env["COURSEHUB_GPU_MEMORY_FRACTION"] = str(round(1 / self.allocation.share, 4))
        return env

    async def course_version(self) -> str:
        """The commit the course branch points to now (12 digits), or 'unknown'."""
        loop = asyncio.get_running_loop()
        head = await loop.run_in_executor(
            None, remote_head, self.course_repo, self.course_branch, self.course_version_timeout
        )
        return head[:12] if head else "unknown"

    async def start(self):
        self.passed_start_queue = False
        profile = self.selected_profile()
        self.user_options = {**self.user_options, "profile": profile.slug}
        if profile.mem_limit:
            self.mem_limit = profile.mem_limit
        if profile.cpu_limit:
            self.cpu_limit = profile.cpu_limit
        self.allocation = await self._take_gpu(profile) if profile.needs_gpu else None
        try:
            await self.prepare_home()
            async with self._start_slot():
                self.passed_start_queue = True
                ip, port = await super().start()
                await self._wait_until_answering(ip, port)
            return ip, port
        except BaseException:
            await self._give_back_gpu()
            raise

    async def prepare_home(self) -> None:
        """Make the learner's home before their server starts."""
        # Created here, not implicitly by `docker create`, so the volume carries labels that say
        # whose home it is.
        await self.docker(
            "create_volume", name=self.home_volume, labels=home_labels(self.user.name, self.prefix)
        )

    async def last_words(self, lines: int = 15) -> str:
        """The end of the server's log, for a learner whose server stopped while starting."""
        log = await self.docker("logs", self.container_name, tail=lines)
        return log.decode(errors="replace").strip()

    def _start_slot(self) -> AbstractAsyncContextManager:
        return self.start_queue.slot(self.user.name) if self.start_queue else nullcontext()

    async def _wait_until_answering(self, ip: str, port: int) -> None:
        """Return as soon as the server answers HTTP, so that JupyterHub's first check succeeds.

        A container that exits meanwhile fails the start at once, with the end of its log, rather
        than after the whole start timeout. Past most of the start timeout, JupyterHub's own
        check takes over."""
        url = f"http://{ip}:{port}{self.server.base_url}api"
        client = AsyncHTTPClient()
        deadline = time.monotonic() + 0.8 * self.start_timeout
        next_look = time.monotonic() + 1
        while time.monotonic() < deadline:
            try:
                await client.fetch(url, request_timeout=2, raise_error=False)
                return
            except (OSError, HTTPClientError):
                pass  # nothing listens yet, or too busy to answer
            if time.monotonic() > next_look:
                if await self.poll() is not None:
                    tail = await self.last_words()
                    raise web.HTTPError(500, f"Your server stopped while starting. Its last words:\n{tail}")
                next_look = time.monotonic() + 1
            await asyncio.sleep(self.readiness_interval)

    async def run_post_stop_hook(self):
        # JupyterHub calls this after every end of a server: a stop, and also a crash, where it
        # skips stop() because the container is already gone.
        self.passed_start_queue = False
        await self._give_back_gpu()
        return super().run_post_stop_hook()

    async def _give_back_gpu(self) -> None:
        if self.gpu_pool is not None:
            await self.gpu_pool.release(self.user.name)
        self.allocation = None
