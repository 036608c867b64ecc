"""Value types shared by the settings and the profiles, with messages that say what is allowed."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

_SIZE = re.compile(r"^[1-9][0-9]*[kKmMgGtT]?$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


def _docker_size(value: str) -> str:
    if not _SIZE.match(value):
        raise ValueError(
            "expected a size like 512M, 4G or 1G (a positive number with an optional K, M, G or T)"
        )
    return value.upper()


def _docker_name(value: str) -> str:
    if not _NAME.match(value):
        raise ValueError(
            "expected lower-case letters, digits, '_', '.' or '-', starting with a letter or digit"
        )
    return value


DockerSize = Annotated[str, AfterValidator(_docker_size)]
DockerName = Annotated[str, AfterValidator(_docker_name)]
