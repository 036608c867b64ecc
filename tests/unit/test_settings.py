"""Settings: every bad value stops start-up with a message naming the variable and what is allowed."""

from __future__ import annotations

import os
import re

import pytest
from coursehub.cli import settings_markdown
from coursehub.settings import Settings, SettingsError, load_settings

from tests.support.stack import REPO


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in list(os.environ):
        if name.startswith("COURSEHUB_"):
            monkeypatch.delenv(name)


def test_defaults_are_valid():
    settings = load_settings()
    assert settings.admin == "admin"
    assert settings.database_url == "sqlite:////srv/jupyterhub/jupyterhub.sqlite"
    assert settings.language == "zh_CN"


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("COURSEHUB_MEM_LIMIT", "lots", "expected a size like 512M, 4G"),
        ("COURSEHUB_MEM_LIMIT", "0G", "expected a size like"),
        ("COURSEHUB_SHM_SIZE", "-1G", "expected a size like"),
        ("COURSEHUB_CPU_LIMIT", "-1", "greater than 0"),
        ("COURSEHUB_CPU_LIMIT", "two", "valid number"),
        ("COURSEHUB_PIDS_LIMIT", "10", "greater than or equal to 64"),
        ("COURSEHUB_PORT", "70000", "less than or equal to 65535"),
        ("COURSEHUB_LOG_LEVEL", "chatty", "'DEBUG', 'INFO', 'WARNING' or 'ERROR'"),
        ("COURSEHUB_LANGUAGE", "fr", "'zh_CN' or 'en'"),
        ("COURSEHUB_ADMIN", "Root User", "lower-case letters"),
        ("COURSEHUB_PREFIX", "../x", "lower-case letters"),
        ("COURSEHUB_COURSE_SYNC_TIMEOUT", "1", "greater than or equal to 5"),
        ("COURSEHUB_START_TIMEOUT", "soon", "valid integer"),
        ("COURSEHUB_NOTEBOOK_IMAGE", "", "at least 1 character"),
    ],
)
def test_bad_value_names_the_variable_and_what_is_allowed(monkeypatch, variable, value, expected):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert f"{variable}={value!r}" in message
    assert expected in message


def test_every_bad_value_is_reported_at_once(monkeypatch):
    monkeypatch.setenv("COURSEHUB_MEM_LIMIT", "lots")
    monkeypatch.setenv("COURSEHUB_PORT", "0")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert "COURSEHUB_MEM_LIMIT" in str(caught.value) and "COURSEHUB_PORT" in str(caught.value)


def test_sizes_are_normalised(monkeypatch):
    monkeypatch.setenv("COURSEHUB_MEM_LIMIT", "512m")
    assert load_settings().mem_limit == "512M"


def test_readme_configuration_table_is_generated_from_the_model():
    readme = (REPO / "README.md").read_text()
    table = re.search(r"<!-- settings-table -->\n(.*?)\n<!-- /settings-table -->", readme, re.S)
    assert table, "README.md lacks the <!-- settings-table --> section"
    assert table.group(1).strip() == settings_markdown().strip(), (
        "README's configuration table is stale: regenerate it with `coursehub settings --markdown`"
    )


def test_env_example_documents_every_setting():
    example = (REPO / ".env.example").read_text()
    missing = [name for name in Settings.model_fields if f"COURSEHUB_{name.upper()}" not in example]
    assert not missing, f".env.example does not document: {missing}"
