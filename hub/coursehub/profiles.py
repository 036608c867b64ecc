"""What a learner may start: the profiles of the spawn form, and who may use each."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, TypeAdapter, model_validator

from .fields import DockerName, DockerSize

GPUMode = Literal["none", "shared", "exclusive", "mig"]


class Profile(BaseModel):
    """One choice on the spawn form."""

    slug: DockerName
    display_name: str
    description: str = ""
    gpu: GPUMode = Field("none", description="none, shared (up to `share` learners a GPU), exclusive, mig.")
    share: int = Field(1, ge=1, le=64, description="Learners one GPU serves under the shared profile.")
    mig_profile: str | None = Field(None, description="For gpu=mig: the MIG profile, e.g. '1g.10gb'.")
    mem_limit: DockerSize | None = Field(None, description="Memory limit; default COURSEHUB_MEM_LIMIT.")
    cpu_limit: float | None = Field(None, gt=0, description="CPU limit; default COURSEHUB_CPU_LIMIT.")
    groups: list[str] = Field(default_factory=list, description="Groups that may use it; empty: everyone.")

    @model_validator(mode="after")
    def _consistent(self) -> Profile:
        if self.gpu == "mig" and not self.mig_profile:
            raise ValueError(f"profile {self.slug!r}: gpu 'mig' needs a mig_profile such as '1g.10gb'")
        if self.gpu != "shared" and self.share != 1:
            raise ValueError(f"profile {self.slug!r}: share applies only to gpu 'shared'")
        return self

    @property
    def needs_gpu(self) -> bool:
        return self.gpu != "none"

    @property
    def memory_fraction(self) -> float | None:
        """The soft cap of GPU memory for each learner sharing a GPU."""
        return round(1 / self.share, 4) if self.gpu == "shared" else None

    def allowed_for(self, groups: set[str], admin: bool) -> bool:
        return admin or not self.groups or bool(groups & set(self.groups))


DEFAULT_PROFILES: list[Profile] = [
    Profile(
        slug="cpu", display_name="CPU", description="JupyterLab without a GPU: enough for most of Part 1."
    ),
    Profile(
        slug="gpu-shared",
        display_name="Shared GPU",
        description="A GPU shared with up to 3 other learners (each gets a quarter of its memory).",
        gpu="shared",
        share=4,
    ),
    Profile(
        slug="gpu",
        display_name="Whole GPU",
        description="A GPU of your own, for instructors.",
        gpu="exclusive",
        groups=["instructors"],
    ),
]

profiles_adapter = TypeAdapter(list[Profile])
