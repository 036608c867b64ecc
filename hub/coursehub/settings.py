"""Every setting of the platform, read from ``COURSEHUB_*`` environment variables.

The model is validated once, up front: a bad value stops the hub (or the CLI) with a message
that names the variable, the value and what is allowed, instead of failing later in a spawn.
The README's configuration table is generated from this model (``coursehub settings --markdown``).
"""

from __future__ import annotations

from functools import lru_cache
from ipaddress import IPv4Network
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from pydantic_settings import SettingsError as UnparsableSetting

from .fields import DockerName, DockerSize
from .gpus import GPU
from .profiles import Profile

ENV_PREFIX = "COURSEHUB_"


class SettingsError(ValueError):
    """The environment holds a setting that cannot be used; the message says which and why."""


class Settings(BaseSettings):
    """The platform's settings. Each field is the variable ``COURSEHUB_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", validate_default=True)

    # --- Hub ---------------------------------------------------------------------------------
    port: int = Field(8000, ge=1, le=65535, description="Host port the hub is published on (docker compose).")
    admin: DockerName = Field(
        "admin", description="Name of the admin account created on first start (random password)."
    )
    state_dir: Path = Field(
        Path("/srv/jupyterhub"), description="Hub state: database and generated secrets (a named volume)."
    )
    db_url: str | None = Field(
        None, description="SQLAlchemy URL of the hub database; default: SQLite in the state directory."
    )
    database: Literal["sqlite", "postgres"] = Field(
        "sqlite",
        description="Hub database: SQLite in the state volume, or PostgreSQL from the compose profile "
        "(`docker compose --profile postgres up -d`; move existing data first: `coursehub db migrate`).",
    )
    database_secret_dir: Path = Field(
        Path("/srv/database-secret"),
        description="Where the hub leaves the PostgreSQL password for the postgres service (a named volume).",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Hub log level.")
    platform: Literal["single-host", "swarm"] = Field(
        "single-host",
        description="Where learner servers run: containers on this host, or services on the nodes of a "
        "Docker Swarm (deploy/swarm/README.md).",
    )

    # --- Learner servers ---------------------------------------------------------------------
    notebook_image: str = Field(
        "coursehub/notebook:0.1.0", min_length=1, description="Image every learner's server runs."
    )
    prefix: DockerName = Field(
        "coursehub", description="Prefix of learner container and home volume names (the compose project)."
    )
    network: str = Field(
        "coursehub_learners", min_length=1, description="Docker network the hub and learner servers share."
    )
    data_volume: str = Field(
        "coursehub_data",
        min_length=1,
        description="Docker volume of shared datasets, read-only for learners.",
    )
    mem_limit: DockerSize = Field("4G", description="Memory limit of each learner server.")
    cpu_limit: float = Field(2.0, gt=0, le=256, description="CPU limit of each learner server, in cores.")
    pids_limit: int = Field(1024, ge=64, description="Most processes a learner server may run.")
    shm_size: DockerSize = Field(
        "1G", description="Size of /dev/shm in learner servers (PyTorch DataLoader workers share memory)."
    )
    language: Literal["zh_CN", "en"] = Field(
        "zh_CN", description="JupyterLab's language for new learners (each can switch in Settings)."
    )
    start_timeout: int = Field(
        300,
        ge=30,
        description="Seconds a learner server may take to start (the first start pulls the course).",
    )
    start_concurrency: int = Field(
        0,
        ge=0,
        description="Servers that start at the same time; later arrivals wait in line, in order. "
        "0: two per CPU of the host, at least 4.",
    )

    # --- Course ------------------------------------------------------------------------------
    course_repo: str = Field(
        "git://course/course.git",
        min_length=1,
        description="Git URL learners pull the course from: the bundled course service, or GitHub/Gitee.",
    )
    course_branch: str = Field("main", min_length=1, description="Branch of the course repository.")
    course_sync_timeout: int = Field(
        60, ge=5, le=600, description="Seconds the course pull may take at server start before it is skipped."
    )
    course_source: Path = Field(
        Path("/opt/coursehub/course"),
        description="Course tree the course service publishes as its first version (baked into the image).",
    )
    course_repo_dir: Path = Field(
        Path("/srv/course"), description="Where the course service keeps its git repository (a named volume)."
    )

    # --- GPUs ------------------------------------------------------------------------------------
    gpus: list[GPU] | None = Field(
        None,
        description="Static GPU inventory as JSON, for hosts where NVML discovery is impossible, e.g. "
        '`[{"uuid": "GPU-…", "name": "A100", "memory_mb": 40960}]`; default: discovered.',
    )
    gpu_discovery: bool = Field(
        True,
        description="Discover GPUs through NVML in a short-lived container (when COURSEHUB_GPUS is unset).",
    )
    gpu_device_requests: bool = Field(
        True,
        description="Ask the NVIDIA runtime for each learner's device (off only for stand-in inventories).",
    )
    profiles: list[Profile] | None = Field(
        None,
        description="Spawn-form profiles as JSON (see docs/gpus.md); default: cpu, gpu-shared (4 a GPU), "
        "gpu (whole, group 'instructors').",
    )
    gpu_queue_timeout: int = Field(3600, ge=60, description="Seconds a learner may wait in the GPU queue.")
    idle_timeout: int = Field(
        3600, ge=0, description="Stop any server idle this many seconds (jupyterhub-idle-culler); 0: never."
    )
    activity_interval: int = Field(
        60, ge=1, description="Seconds between reports of busy kernels and GPU use from each learner server."
    )
    gpu_idle_timeout: int = Field(
        900, ge=60, description="While GPUs are all taken, stop GPU holders idle this many seconds."
    )

    blocked_addresses: list[IPv4Network] = Field(
        [IPv4Network("169.254.0.0/16"), IPv4Network("100.100.100.200/32")],
        description="Addresses learners' containers may not reach, as JSON: the cloud metadata services "
        "(link-local for AWS, Azure, GCP, Tencent; 100.100.100.200 for Alibaba). `[]`: none.",
    )

    # --- Swarm ---------------------------------------------------------------------------------
    storage_type: str | None = Field(
        None,
        description="Swarm: shared storage for homes and datasets, as the `type` option of Docker's local "
        "volume driver: `nfs`, or `none` for a directory every node mounts at the same path.",
    )
    storage_options: str = Field(
        "",
        description="Swarm: the driver's `o` option, e.g. `addr=10.0.0.5,nfsvers=4.1` (NFS) or `bind` "
        "(a mounted directory).",
    )
    storage_device: str | None = Field(
        None,
        description="Swarm: the driver's `device`: the NFS export (`:/export/coursehub`) or the "
        "directory (`/mnt/coursehub`). Homes live in its `homes/`, datasets in its `data/`.",
    )
    swarm_constraints: list[str] = Field(
        ["node.role==worker"],
        description="Swarm: placement constraints of every learner server, as JSON; GPU learners are "
        "also pinned to the node of their GPU.",
    )

    # --- Data --------------------------------------------------------------------------------
    data_dir: Path = Field(Path("/srv/data"), description="Where the hub stages datasets (the data volume).")
    data_mirror: str | None = Field(
        None, description="Base URL that replaces each dataset's origin, for mirrors behind slow links."
    )

    @model_validator(mode="after")
    def _storage_for_swarm(self) -> Settings:
        if self.platform == "swarm" and not (self.storage_type and self.storage_device):
            raise ValueError(
                "platform 'swarm' needs shared storage for learners' homes: set COURSEHUB_STORAGE_TYPE "
                "and COURSEHUB_STORAGE_DEVICE (deploy/swarm/README.md)"
            )
        return self

    @property
    def database_url(self) -> str:
        if self.db_url:
            return self.db_url
        return self.postgres_url if self.database == "postgres" else self.sqlite_url

    @property
    def sqlite_url(self) -> str:
        return f"sqlite:///{self.state_dir / 'jupyterhub.sqlite'}"

    @property
    def postgres_password_file(self) -> Path:
        return self.database_secret_dir / "postgres_password"

    @property
    def postgres_url(self) -> str:
        """The compose profile's PostgreSQL, with the password the hub generated for it."""
        try:
            password = self.postgres_password_file.read_text().strip()
        except FileNotFoundError:
            raise FileNotFoundError(
                f"{self.postgres_password_file} is missing: COURSEHUB_DATABASE=postgres needs the "
                "database-secret volume of docker-compose.yml, and the hub's first start to fill it"
            ) from None
        return f"postgresql://coursehub:{password}@postgres:5432/coursehub"

    @property
    def secrets_dir(self) -> Path:
        return self.state_dir / "secrets"


def explain(error: ValidationError) -> str:
    """Turn pydantic's report into lines that name the environment variable and the fix."""
    lines = ["Invalid coursehub settings:"]
    for problem in error.errors():
        message = problem["msg"].removeprefix("Value error, ")
        if not problem["loc"]:  # a rule over several settings: its message names them
            lines.append(f"  {message}")
            continue
        field, *inside = problem["loc"]
        variable = f"{ENV_PREFIX}{str(field).upper()}"
        if inside:  # a JSON setting: say where inside it
            where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in inside)
            lines.append(f"  {variable}{where}: {message}")
        else:
            lines.append(f"  {variable}={problem.get('input')!r}: {message}")
    return "\n".join(lines)


def load_settings() -> Settings:
    """Read and validate the settings, raising SettingsError with a readable message."""
    try:
        return Settings()
    except ValidationError as error:
        raise SettingsError(explain(error)) from None
    except UnparsableSetting as error:
        # Raised for a JSON setting that is not JSON; its message names the field.
        raise SettingsError(f"Invalid coursehub settings:\n  {error}: expected JSON") from None


@lru_cache(maxsize=1)
def current() -> Settings:
    return load_settings()
