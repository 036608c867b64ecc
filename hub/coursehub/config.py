"""Applies the settings to JupyterHub's configuration: what ``jupyterhub_config.py`` calls."""

from __future__ import annotations

import sys
from pathlib import Path

from .authenticator import CourseAuthenticator
from .bootstrap import read_secret
from .catalogue import LANGUAGES, part_title, read_catalogue
from .course import CourseRepository
from .gpu_pool import AllocationStore, GPUPool
from .instructors import instructor_roles
from .inventory import inventory_loader
from .profiles import DEFAULT_PROFILES
from .settings import Settings, current
from .spawner import CourseSpawner
from .start_queue import StartQueue, default_slots
from .swarm import shared_storage_options
from .swarm_spawner import SwarmCourseSpawner

CLI_SERVICE = "coursehub-cli"
CULLER_SCOPES = ["list:users", "read:users:activity", "read:servers", "delete:servers"]


def configure(c, settings: Settings | None = None) -> None:
    """Configure JupyterHub (the traitlets config object ``c``) from the platform's settings."""
    settings = settings or current()

    hub = c.JupyterHub
    hub.bind_url = "http://:8000"
    hub.hub_ip = "0.0.0.0"
    hub.hub_connect_ip = "hub"  # the hub's name on the learners' network
    hub.db_url = settings.database_url
    # A new JupyterHub release may bring a new schema: upgrade it at start (for SQLite, JupyterHub
    # keeps a copy of the old file beside it) rather than refuse to start after an upgrade.
    hub.upgrade_db = True
    hub.cookie_secret = bytes.fromhex(read_secret(settings, "cookie_secret"))
    hub.log_level = settings.log_level
    # Learner servers outlive the hub: a hub restart (upgrade, crash) must not stop anyone's work.
    hub.cleanup_servers = False
    hub.authenticator_class = CourseAuthenticator
    hub.spawner_class = SwarmCourseSpawner if settings.platform == "swarm" else CourseSpawner

    c.ConfigurableHTTPProxy.auth_token = read_secret(settings, "proxy_token")
    c.ConfigurableHTTPProxy.command = ["configurable-http-proxy"]
    c.CryptKeeper.keys = [bytes.fromhex(read_secret(settings, "crypt_key"))]

    c.Authenticator.admin_users = {settings.admin}

    # The admin's CLI acts as an admin: JupyterHub lets only admins grant admin rights. Its token
    # never leaves the hub container (root-only file in the state volume).
    hub.services = [{"name": CLI_SERVICE, "api_token": read_secret(settings, "cli_api_token"), "admin": True}]
    hub.load_roles = instructor_roles(settings.database_url)
    culler = [
        sys.executable,
        "-m",
        "jupyterhub_idle_culler",
        f"--timeout={settings.idle_timeout}",
        "--cull-every=60",
    ]
    managed = {"gpu-culler": ["coursehub", "cull-gpus"]}
    if settings.idle_timeout:
        managed["idle-culler"] = culler
    for name, command in managed.items():
        hub.services.append({"name": name, "command": command})
        hub.load_roles.append({"name": name, "scopes": CULLER_SCOPES, "services": [name]})

    # The home page lists the course (templates/home.html).
    course = CourseRepository(settings.course_repo_dir, settings.course_branch)
    hub.template_paths = [str(Path(__file__).parent / "templates")]
    hub.template_vars = {
        "course_catalogue": lambda user: read_catalogue(course, settings.course_repo),
        # Called on every page, also before login (user is None then).
        "learner_course_version": lambda user: getattr(user and user.spawner, "course_version_at_start", ""),
        "languages": LANGUAGES,
        "part_title": lambda user: part_title,  # callables here are called with the user
    }

    if settings.platform == "swarm":
        c.SwarmCourseSpawner.shared_storage = shared_storage_options(settings)
        c.SwarmCourseSpawner.placement_constraints = settings.swarm_constraints
    # Read by SwarmCourseSpawner too: it is a CourseSpawner.
    spawner = c.CourseSpawner
    spawner.image = settings.notebook_image
    spawner.prefix = settings.prefix
    spawner.network_name = settings.network
    spawner.data_volume = settings.data_volume
    spawner.mem_limit = settings.mem_limit
    spawner.cpu_limit = settings.cpu_limit
    spawner.pids_limit = settings.pids_limit
    spawner.shm_size = settings.shm_size
    spawner.language = settings.language
    spawner.start_timeout = settings.start_timeout
    # A crashed server gives its GPU back within this many seconds.
    spawner.poll_interval = 10
    spawner.http_timeout = settings.start_timeout
    spawner.course_repo = settings.course_repo
    spawner.course_branch = settings.course_branch
    spawner.course_sync_timeout = settings.course_sync_timeout
    spawner.profiles = settings.profiles or DEFAULT_PROFILES
    pool = GPUPool(inventory_loader(settings), AllocationStore(settings.database_url))
    spawner.gpu_pool_provider = lambda: pool
    start_queue = StartQueue(settings.start_concurrency or default_slots())
    spawner.start_queue_provider = lambda: start_queue
    # Learners beyond the start queue's slots wait in it, in order, instead of being refused.
    hub.concurrent_spawn_limit = 0
    spawner.gpu_device_requests = settings.gpu_device_requests
    spawner.queue_timeout = settings.gpu_queue_timeout
    spawner.activity_interval = settings.activity_interval
