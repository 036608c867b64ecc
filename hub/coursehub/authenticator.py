"""Login: learners sign up, an admin approves (NativeAuthenticator with our rules)."""

from __future__ import annotations

import re

from nativeauthenticator import NativeAuthenticator
from traitlets import default

from .users import MIN_PASSWORD_LENGTH, USERNAME_PATTERN


class CourseAuthenticator(NativeAuthenticator):
    """NativeAuthenticator with the platform's name rules and safe defaults.

    Approval is NativeAuthenticator's job, so every approved account may log in
    (``allow_all``); unapproved sign-ups cannot log in at all.
    """

    @default("allow_all")
    def _default_allow_all(self) -> bool:
        return True

    @default("username_pattern")
    def _default_username_pattern(self) -> str:
        return USERNAME_PATTERN

    @default("username_regex")
    def _default_username_regex(self) -> re.Pattern:
        # JupyterHub compiles username_pattern only when it is *set*; a default never reaches
        # the check, and every name would pass.
        return re.compile(self.username_pattern)

    @default("minimum_password_length")
    def _default_minimum_password_length(self) -> int:
        return MIN_PASSWORD_LENGTH

    @default("check_common_password")
    def _default_check_common_password(self) -> bool:
        return True

    @default("allowed_failed_logins")
    def _default_allowed_failed_logins(self) -> int:
        return 5

    @default("seconds_before_next_try")
    def _default_seconds_before_next_try(self) -> int:
        return 300
