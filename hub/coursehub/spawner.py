"""The learner's server: a DockerSpawner that knows about homes, the course and the data volume."""

from __future__ import annotations

import asyncio
import re
import subprocess

from dockerspawner import DockerSpawner
from traitlets import Float, Int, Unicode, default

from .users import USERNAME_PATTERN

# Where things live inside the learner image (images/notebook/Dockerfile).
HOME = "/home/jovyan"
DATA_MOUNT = "/srv/data"

LABEL_USER = "coursehub.user"
LABEL_PREFIX = "coursehub.prefix"
LABEL_COURSE_VERSION = "coursehub.course-version"
LABEL_ROLE = "coursehub.role"


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
    * memory, CPU, process and ``/dev/shm`` limits are always set.
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
    course_version_timeout = Float(
        5.0, config=True, help="Seconds to wait for the course repository when labelling a container."
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

    def host_limits(self, spawner: CourseSpawner) -> dict:
        return {
            "pids_limit": self.pids_limit,
            "shm_size": self.shm_size,
            "security_opt": ["no-new-privileges"],
        }

    async def container_labels(self, spawner: CourseSpawner) -> dict:
        return {
            "labels": {
                LABEL_USER: self.user.name,
                LABEL_PREFIX: self.prefix,
                LABEL_ROLE: "learner-server",
                LABEL_COURSE_VERSION: await self.course_version(),
            }
        }

    def get_env(self) -> dict:
        env = super().get_env()
        env.update(
            COURSEHUB_COURSE_REPO=self.course_repo,
            COURSEHUB_COURSE_BRANCH=self.course_branch,
            COURSEHUB_COURSE_SYNC_TIMEOUT=str(self.course_sync_timeout),
            COURSEHUB_LANGUAGE=self.language,
        )
        return env

    async def course_version(self) -> str:
        """The commit the course branch points to now, or 'unknown' if the repo doesn't answer."""
        try:
            process = await asyncio.create_subprocess_exec(
                "git",
                "ls-remote",
                self.course_repo,
                f"refs/heads/{self.course_branch}",
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            return "unknown"
        try:
            stdout, _ = await asyncio.wait_for(process.communicate(), self.course_version_timeout)
        except TimeoutError:
            process.kill()
            return "unknown"
        commit = stdout.decode().split("\t", 1)[0].strip()
        return commit[:12] or "unknown"

    async def start(self):
        # Created here, not implicitly by `docker create`, so the volume carries labels that
        # say whose home it is.
        await self.docker(
            "create_volume",
            name=self.home_volume,
            labels={LABEL_USER: self.user.name, LABEL_PREFIX: self.prefix, LABEL_ROLE: "learner-home"},
        )
        return await super().start()
