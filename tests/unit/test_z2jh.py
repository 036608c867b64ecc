"""`coursehub export z2jh`: values the jupyterhub Helm chart accepts, meaning what the settings mean.

Helm rejects a values file that breaks the chart's schema, but only where the schema forbids
extra keys, and it says nothing about keys the chart silently ignores. So every key written here
is checked against the chart's documented schema (vendored in data/z2jh/), strictly: a key the
schema does not list is an error even where the schema would let it pass.
"""

from __future__ import annotations

import copy
import errno
import os
import re
import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jsonschema
import pytest
import typer
import yaml
from coursehub.authenticator import CourseAuthenticator
from coursehub.bootstrap import ensure_secrets
from coursehub.cli import export
from coursehub.config import configure
from coursehub.profiles import Profile
from coursehub.settings import Settings, current
from coursehub.spawner import CourseSpawner
from coursehub.z2jh import (
    CHART_VERSION,
    HOME_CAPACITY,
    byte_spec,
    course_sync_hook,
    extra_env,
    image_name_and_tag,
    not_carried_over,
    quantity,
    values,
)
from jupyterhub.app import JupyterHub
from jupyterhub.auth import Authenticator
from jupyterhub.objects import Hub
from jupyterhub.spawner import Spawner
from jupyterhub.traitlets import ByteSpecification
from nativeauthenticator import NativeAuthenticator
from traitlets import TraitError
from traitlets.config import Config
from typer.testing import CliRunner

SCHEMA_FILE = Path(__file__).parent / "data" / "z2jh" / "values.schema.yaml"
SCHEMA: dict = yaml.safe_load(SCHEMA_FILE.read_text(encoding="utf-8"))

# The chart's values.yaml supplies the keys its schema requires; Helm validates our file merged
# onto them. These are the few required ones, with the chart's default values.
CHART_REQUIRED_DEFAULTS: dict = {
    "imagePullSecrets": [],
    "hub": {"baseUrl": "/"},
    "proxy": {},
    "singleuser": {},
    "ingress": {"enabled": False},
    "prePuller": {"hook": {"enabled": True}, "continuous": {"enabled": True}},
    "custom": {},
    "cull": {"enabled": True},
    "debug": {"enabled": False},
    "rbac": {"create": True},
    "global": {},
}

# hub.config is free-form in the schema: each Class.trait there must be a real configurable trait.
HUB_CONFIG_CLASSES = {
    "JupyterHub": JupyterHub,
    "Authenticator": Authenticator,
    "NativeAuthenticator": NativeAuthenticator,
}
# profileList is an array without an item schema: its entries follow KubeSpawner's profile_list
# documentation, and kubespawner_override names Spawner traits (JupyterHub's, checked below) or
# KubeSpawner's own (kubespawner is not installed here: these are from its documentation).
PROFILE_KEYS = {"display_name", "description", "slug", "default", "kubespawner_override", "profile_options"}
KUBESPAWNER_TRAITS = {"extra_resource_limits", "extra_resource_guarantees", "image", "node_selector"}

JSON_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "boolean": (bool,),
    "null": (type(None),),
    "integer": (int,),
    "number": (int, float),
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in list(os.environ):
        if name.startswith("COURSEHUB_"):
            monkeypatch.delenv(name)
    current.cache_clear()
    yield
    current.cache_clear()


# --- The validator ------------------------------------------------------------------------------


def _has_type(value: Any, name: str) -> bool:
    if isinstance(value, bool) and name in ("integer", "number"):
        return False  # YAML's true is no number, whatever Python says
    return isinstance(value, JSON_TYPES[name])


def undocumented(value: Any, schema: dict, path: str = "") -> list[str]:
    """Every key of ``value`` the schema does not document, and every value of the wrong type.

    Walks ``properties`` and ``patternProperties`` of objects and ``items`` of arrays. Where the
    schema lists properties, any other key is an error, even if ``additionalProperties`` would
    allow it; where it lists none and allows anything (hub.config, extraEnv), the walk stops.
    """
    problems = []
    expected = schema.get("type")
    if expected is not None:
        names = [expected] if isinstance(expected, str) else expected
        if not any(_has_type(value, name) for name in names):
            return [f"{path}: {value!r} is not of type {' or '.join(names)}"]
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{path}: {value!r} is not one of {schema['enum']}")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        patterns = schema.get("patternProperties", {})
        additional = schema.get("additionalProperties", True)
        for key, item in value.items():
            where = f"{path}.{key}" if path else key
            if key in properties:
                problems += undocumented(item, properties[key], where)
            elif pattern := next((p for p in patterns if re.search(p, key)), None):
                problems += undocumented(item, patterns[pattern], where)
            elif properties or additional is False:
                problems.append(f"{where}: not in the chart's values schema")
            elif isinstance(additional, dict):
                problems += undocumented(item, additional, where)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            problems += undocumented(item, schema["items"], f"{path}[{index}]")
    return problems


def merged(defaults: Any, overrides: Any) -> Any:
    """Helm's merge of a values file onto the chart's values: maps merge, anything else replaces."""
    if isinstance(defaults, dict) and isinstance(overrides, dict):
        result = copy.deepcopy(defaults)
        for key, value in overrides.items():
            result[key] = merged(result[key], value) if key in result else copy.deepcopy(value)
        return result
    return copy.deepcopy(overrides)


def schema_errors(document: dict) -> list[str]:
    validator = jsonschema.Draft7Validator(SCHEMA)
    full = merged(CHART_REQUIRED_DEFAULTS, document)
    return [
        f"{'.'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(full)
    ]


def unknown_traits(config: dict) -> list[str]:
    problems = []
    for class_name, traits in config.items():
        cls = HUB_CONFIG_CLASSES.get(class_name)
        if cls is None:
            problems.append(f"hub.config.{class_name}: not a class this check knows")
            continue
        configurable = cls.class_traits(config=True)
        problems += [f"hub.config.{class_name}.{name}" for name in traits if name not in configurable]
    return problems


def assert_valid(document: dict) -> None:
    assert undocumented(document, SCHEMA) == []
    assert schema_errors(document) == []
    assert unknown_traits(document["hub"]["config"]) == []
    spawner_traits = Spawner.class_traits(config=True)
    for entry in document["singleuser"]["profileList"]:
        assert set(entry) <= PROFILE_KEYS
        for name in entry.get("kubespawner_override", {}):
            assert name in spawner_traits or name in KUBESPAWNER_TRAITS, name


def settings_with_every_profile_kind(**overrides: Any) -> Settings:
    return Settings(
        profiles=[
            Profile(slug="cpu", display_name="CPU"),
            Profile(slug="big", display_name="Big CPU", mem_limit="16G", cpu_limit=8),
            Profile(slug="shared", display_name="Shared GPU", gpu="shared", share=4),
            Profile(slug="whole", display_name="Whole GPU", gpu="exclusive", groups=["instructors"]),
            Profile(slug="slice", display_name="A100 slice", gpu="mig", mig_profile="1g.10gb"),
        ],
        **overrides,
    )


# --- (a) every key is documented ------------------------------------------------------------


def test_the_vendored_schema_is_the_charts():
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    assert {"hub", "singleuser", "cull"} <= set(SCHEMA["properties"])


def test_default_settings_give_documented_values():
    assert_valid(values(Settings()))


def test_every_profile_kind_and_option_gives_documented_values():
    settings = settings_with_every_profile_kind(
        notebook_image="registry:5000/coursehub/notebook",
        mem_limit="1536M",
        cpu_limit=0.5,
        idle_timeout=0,
        language="en",
    )
    assert_valid(values(settings))


# --- (b) the validator can fail -------------------------------------------------------------


def test_a_misspelled_key_is_rejected_with_its_path():
    document = values(Settings())
    document["singleuser"]["memroy"] = document["singleuser"].pop("memory")
    assert undocumented(document, SCHEMA) == ["singleuser.memroy: not in the chart's values schema"]
    assert any(error.startswith("singleuser:") and "memroy" in error for error in schema_errors(document))


def test_an_unknown_key_is_rejected_even_where_the_schema_would_allow_it():
    # global lists its properties but allows others: Helm would pass this, the walk does not.
    document = {"global": {"safeToShowValue": True}}
    assert schema_errors(document) == []
    assert undocumented(document, SCHEMA) == ["global.safeToShowValue: not in the chart's values schema"]


def test_a_value_of_the_wrong_type_is_rejected():
    document = values(Settings())
    document["singleuser"]["cpu"]["limit"] = "2"
    document["cull"]["timeout"] = True
    assert undocumented(document, SCHEMA) == [
        "singleuser.cpu.limit: '2' is not of type number or null",
        "cull.timeout: True is not of type integer or null",
    ]
    assert len(schema_errors(document)) == 2


def test_a_misspelled_trait_in_hub_config_is_rejected():
    document = values(Settings())
    document["hub"]["config"]["Authenticator"]["admin_user"] = ["admin"]
    assert undocumented(document, SCHEMA) == []  # hub.config is free-form in the schema
    assert unknown_traits(document["hub"]["config"]) == ["hub.config.Authenticator.admin_user"]


# --- (c) what the values mean ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "name", "tag"),
    [
        ("coursehub/notebook:0.1.0", "coursehub/notebook", "0.1.0"),
        ("registry:5000/coursehub/notebook:0.1.0", "registry:5000/coursehub/notebook", "0.1.0"),
        ("registry:5000/coursehub/notebook", "registry:5000/coursehub/notebook", "latest"),
        ("notebook", "notebook", "latest"),
        ("quay.io/org/notebook:2024-06", "quay.io/org/notebook", "2024-06"),
        ("coursehub/notebook@sha256:abc123", "coursehub/notebook", "latest@sha256:abc123"),
        ("registry:5000/nb:0.1.0@sha256:abc123", "registry:5000/nb", "0.1.0@sha256:abc123"),
    ],
)
def test_image_is_split_into_name_and_tag(image, name, tag):
    assert image_name_and_tag(image) == (name, tag)
    document = values(Settings(notebook_image=image))
    assert document["singleuser"]["image"] == {"name": name, "tag": tag}


@pytest.mark.parametrize(
    ("size", "spec", "k8s", "size_in_bytes"),
    [
        ("4G", "4G", "4Gi", 4 * 2**30),
        ("512m", "512M", "512Mi", 512 * 2**20),
        ("64k", "64K", "64Ki", 64 * 2**10),
        ("1T", "1T", "1Ti", 2**40),
        ("1073741824", 1073741824, "1073741824", 2**30),
        ("2048b", 2048, "2048", 2048),
    ],
)
def test_sizes_mean_the_same_bytes_as_on_docker(size, spec, k8s, size_in_bytes):
    assert byte_spec(size) == spec
    assert quantity(size) == k8s
    # The chart hands memory limits to JupyterHub's byte specification: powers of 1024, as Docker.
    assert ByteSpecification().validate(None, spec) == size_in_bytes


def test_kubernetes_suffixes_would_be_refused_by_the_spawner():
    # Why the memory limit keeps Docker's "4G" rather than Kubernetes' "4Gi".
    with pytest.raises(TraitError):
        ByteSpecification().validate(None, "4Gi")
    with pytest.raises(ValueError, match="not a size"):
        byte_spec("4Gi")


def test_limits_follow_the_settings():
    singleuser = values(Settings(mem_limit="2G", cpu_limit=1.5, shm_size="512M", start_timeout=120))[
        "singleuser"
    ]
    assert singleuser["memory"] == {"limit": "2G"}
    assert singleuser["cpu"] == {"limit": 1.5}
    assert singleuser["startTimeout"] == 120
    assert singleuser["defaultUrl"] == "/lab"
    assert singleuser["storage"]["type"] == "dynamic"
    assert singleuser["storage"]["capacity"] == HOME_CAPACITY
    assert singleuser["storage"]["homeMountPath"] == "/home/jovyan"
    assert singleuser["storage"]["extraVolumes"] == [
        {"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": "512Mi"}}
    ]
    assert singleuser["storage"]["extraVolumeMounts"] == [{"name": "shm", "mountPath": "/dev/shm"}]


def test_profiles_map_to_resource_limits():
    entries = {
        entry["slug"]: entry
        for entry in values(settings_with_every_profile_kind())["singleuser"]["profileList"]
    }
    assert list(entries) == ["cpu", "big", "shared", "whole", "slice"]
    no_gpu = {"NVIDIA_VISIBLE_DEVICES": "void"}
    assert entries["cpu"] == {
        "display_name": "CPU",
        "description": "",
        "slug": "cpu",
        "kubespawner_override": {"environment": no_gpu},
    }
    assert entries["big"]["kubespawner_override"] == {
        "mem_limit": "16G",
        "cpu_limit": 8.0,
        "environment": no_gpu,
    }
    assert entries["shared"]["kubespawner_override"] == {
        "extra_resource_limits": {"nvidia.com/gpu": "1"},
        "environment": {"COURSEHUB_GPU_MEMORY_FRACTION": "0.25"},
    }
    assert entries["whole"]["kubespawner_override"] == {"extra_resource_limits": {"nvidia.com/gpu": "1"}}
    assert entries["slice"]["kubespawner_override"] == {
        "extra_resource_limits": {"nvidia.com/mig-1g.10gb": "1"}
    }
    # Kubernetes has no group-limited profiles: the export says so instead of pretending.
    assert "groups" not in entries["whole"]
    notes = not_carried_over(settings_with_every_profile_kind())
    assert any("'whole'" in note and "instructors" in note for note in notes)
    assert any("time-slicing" in note for note in notes)


def test_default_profiles_are_exported_when_none_are_set():
    slugs = [entry["slug"] for entry in values(Settings())["singleuser"]["profileList"]]
    assert slugs == ["cpu", "gpu-shared", "gpu"]


def test_culling_follows_the_idle_timeout():
    assert values(Settings(idle_timeout=1800))["cull"] == {"enabled": True, "timeout": 1800, "every": 60}
    assert values(Settings(idle_timeout=0))["cull"] == {"enabled": False}


def test_login_is_native_authenticator_with_the_hubs_rules():
    config = values(Settings(admin="teacher"))["hub"]["config"]
    assert config["JupyterHub"]["authenticator_class"] == "nativeauthenticator.NativeAuthenticator"
    assert config["Authenticator"]["admin_users"] == ["teacher"]
    # The same rules as the compose stack's CourseAuthenticator (its defaults, read without the
    # database its constructor opens).
    course_rules = CourseAuthenticator.__new__(CourseAuthenticator)
    for class_name in ("Authenticator", "NativeAuthenticator"):
        for name, value in config[class_name].items():
            if name != "admin_users":
                assert getattr(course_rules, name) == value, name


def make_spawner(tmp_path: Path, settings: Settings) -> CourseSpawner:
    settings = settings.model_copy(update={"state_dir": tmp_path / "state"})
    ensure_secrets(settings)
    config = Config()
    configure(config, settings)
    user = SimpleNamespace(
        name="mei", url="/user/mei/", escaped_name="mei", id=1, settings={}, spawners={}, server=None, db=None
    )
    return CourseSpawner(user=user, config=config, hub=Hub())


def test_environment_is_what_the_docker_spawner_gives(tmp_path):
    settings = Settings(
        course_repo="https://gitee.com/group/course.git",
        course_branch="spring",
        course_sync_timeout=30,
        language="en",
        activity_interval=20,
    )
    env = make_spawner(tmp_path, settings).get_env()
    exported = values(settings)["singleuser"]["extraEnv"]
    assert exported == extra_env(settings)
    assert exported == {name: env[name] for name in exported}
    assert set(exported) == {name for name in env if name.startswith("COURSEHUB_")}


def run_hook(tmp_path: Path, settings: Settings, *, coursehub_sync: bool) -> tuple[int, str]:
    """Run the postStart hook's command with a stand-in gitpuller that records its arguments
    and fails, as an unreachable repository would."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    gitpuller = bin_dir / "gitpuller"
    gitpuller.write_text(f'#!/bin/sh\nfor arg in "$@"; do echo "$arg"; done > {calls}\nexit 1\n')
    gitpuller.chmod(0o755)
    if coursehub_sync:
        (bin_dir / "coursehub-sync").write_text("#!/bin/sh\nexit 0\n")
        (bin_dir / "coursehub-sync").chmod(0o755)
    command = course_sync_hook(settings)["exec"]["command"]
    result = subprocess.run(command, env={"PATH": f"{bin_dir}:/usr/bin:/bin"}, timeout=30)
    return result.returncode, calls.read_text() if calls.exists() else ""


def test_course_hook_pulls_with_gitpuller_and_never_fails_the_start(tmp_path):
    settings = Settings(course_repo="https://example.org/our course.git", course_branch="main")
    assert course_sync_hook(settings)["exec"]["command"][:2] == ["sh", "-c"]
    returncode, calls = run_hook(tmp_path, settings, coursehub_sync=False)
    assert returncode == 0
    assert calls.splitlines() == ["https://example.org/our course.git", "main", "/home/jovyan/course"]


def test_course_hook_leaves_the_pull_to_the_learner_images_own_sync(tmp_path):
    returncode, calls = run_hook(tmp_path, Settings(), coursehub_sync=True)
    assert (returncode, calls) == (0, "")


def test_image_command_runs_so_the_learner_image_can_sync_the_course():
    singleuser = values(Settings())["singleuser"]
    assert singleuser["cmd"] is None
    assert singleuser["lifecycleHooks"]["postStart"] == course_sync_hook(Settings())


# --- (d) the command ------------------------------------------------------------------------


@pytest.fixture
def cli():
    """`coursehub export`, registered as the coursehub command registers it."""
    app = typer.Typer()
    app.add_typer(export.app, name="export")
    return lambda *args: CliRunner().invoke(app, ["export", "z2jh", *args])


@pytest.fixture
def environment(monkeypatch):
    monkeypatch.setenv("COURSEHUB_NOTEBOOK_IMAGE", "registry:5000/coursehub/notebook:0.2.0")
    monkeypatch.setenv("COURSEHUB_MEM_LIMIT", "8G")
    monkeypatch.setenv("COURSEHUB_IDLE_TIMEOUT", "0")
    monkeypatch.setenv("COURSEHUB_ADMIN", "teacher")


def test_export_writes_a_values_file_and_keeps_an_existing_one(tmp_path, cli, environment):
    target = tmp_path / "values.yaml"
    result = cli("-o", str(target))
    assert result.exit_code == 0, result.output
    assert f"Wrote {target}" in result.stdout

    text = target.read_text()
    assert text.startswith("# Values for the Zero to JupyterHub Helm chart")
    assert f"helm upgrade --install coursehub jupyterhub/jupyterhub --version {CHART_VERSION}" in text
    assert "-f values.yaml" in text
    document = yaml.safe_load(text)
    assert document["singleuser"]["image"] == {"name": "registry:5000/coursehub/notebook", "tag": "0.2.0"}
    assert document["singleuser"]["memory"] == {"limit": "8G"}
    assert document["cull"] == {"enabled": False}
    assert document["hub"]["config"]["Authenticator"]["admin_users"] == ["teacher"]
    assert_valid(document)

    target.write_text("# the admin's own edits\n")
    refused = cli("-o", str(target))
    assert refused.exit_code == 1
    assert "exists: pass --force" in refused.stderr
    assert target.read_text() == "# the admin's own edits\n"

    forced = cli("-o", str(target), "--force")
    assert forced.exit_code == 0, forced.output
    assert yaml.safe_load(target.read_text()) == document
    assert sorted(path.name for path in tmp_path.iterdir()) == ["values.yaml"]  # no partial file left


def test_export_prints_to_standard_output_by_default(cli, environment):
    result = cli()
    assert result.exit_code == 0, result.output
    document = yaml.safe_load(result.stdout)
    assert document == values(Settings())
    assert_valid(document)


def test_export_reports_a_missing_directory(tmp_path, cli, environment):
    result = cli("-o", str(tmp_path / "missing" / "values.yaml"))
    assert result.exit_code == 1
    assert "does not exist" in result.stderr


def test_export_reports_bad_settings(cli, monkeypatch):
    monkeypatch.setenv("COURSEHUB_MEM_LIMIT", "lots")
    result = cli()
    assert result.exit_code == 1
    assert "COURSEHUB_MEM_LIMIT='lots'" in result.stderr


def test_export_reports_a_file_it_cannot_write_and_leaves_nothing_behind(
    tmp_path, cli, environment, monkeypatch
):
    def disk_full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(export.os, "replace", disk_full)
    result = cli("-o", str(tmp_path / "values.yaml"))
    assert result.exit_code == 1
    assert "cannot write" in result.stderr
    assert "No space left on device" in result.stderr
    assert list(tmp_path.iterdir()) == []
