"""The learner container the spawner asks Docker for, from the settings an admin sets."""

from __future__ import annotations

import asyncio
import re
from types import SimpleNamespace

import pytest
from coursehub.bootstrap import ensure_secrets
from coursehub.config import configure
from coursehub.course import CourseRepository
from coursehub.settings import Settings
from coursehub.spawner import CourseSpawner, readable_escape
from coursehub.users import USERNAME_PATTERN, UserError, validate_username
from hypothesis import given
from hypothesis import strategies as st
from jupyterhub.objects import Hub
from traitlets.config import Config


def make_spawner(
    tmp_path, name: str = "mei", cls: type[CourseSpawner] = CourseSpawner, **overrides
) -> CourseSpawner:
    settings = Settings(
        state_dir=tmp_path / "state",
        prefix="study",
        network="study_learners",
        data_volume="study_data",
        **overrides,
    )
    ensure_secrets(settings)
    config = Config()
    configure(config, settings)
    user = SimpleNamespace(
        name=name,
        url=f"/user/{name}/",
        escaped_name=name,
        id=1,
        settings={},
        spawners={},
        server=None,
        base_url="/",
        progress_url=lambda *a: "",
        db=None,
    )
    return cls(user=user, config=config, hub=Hub())


def test_container_options_follow_the_settings(tmp_path):
    spawner = make_spawner(tmp_path, mem_limit="2G", cpu_limit=1.5, pids_limit=256, shm_size="512M")
    assert spawner.image == "coursehub/notebook:0.1.0"
    assert spawner.container_name == "study-mei"
    assert spawner.network_name == "study_learners"
    assert spawner.remove is True
    assert spawner.mem_limit == 2 * 2**30
    assert spawner.cpu_limit == 1.5
    assert spawner.volume_binds == {
        "study-home-mei": {"bind": "/home/jovyan", "mode": "rw"},
        "study_data": {"bind": "/srv/data", "mode": "ro"},
    }
    assert spawner.home_volume == "study-home-mei"
    assert spawner.extra_host_config(spawner) == {
        "pids_limit": 256,
        "shm_size": "512M",
        "security_opt": ["no-new-privileges"],
        "cap_drop": ["ALL"],
        "auto_remove": False,
        "memswap_limit": 2 * 2**30,
    }
    assert spawner.default_url == "/lab"


def test_environment_carries_the_course_and_language(tmp_path):
    env = make_spawner(
        tmp_path,
        course_repo="https://gitee.com/group/course.git",
        course_branch="spring",
        course_sync_timeout=30,
        language="en",
    ).get_env()
    assert env["COURSEHUB_COURSE_REPO"] == "https://gitee.com/group/course.git"
    assert env["COURSEHUB_COURSE_BRANCH"] == "spring"
    assert env["COURSEHUB_COURSE_SYNC_TIMEOUT"] == "30"
    assert env["COURSEHUB_LANGUAGE"] == "en"
    assert env["JUPYTERHUB_USER"] == "mei"


def test_labels_name_the_learner_and_the_course_version(tmp_path):
    course = tmp_path / "course"
    (course / "zh").mkdir(parents=True)
    (course / "zh" / "intro.md").write_text("# 你好\n")
    repo = CourseRepository(tmp_path / "repo")
    version = repo.publish(course, "first")
    spawner = make_spawner(tmp_path, course_repo=str(repo.path))
    labels = asyncio.run(spawner.extra_create_kwargs(spawner))["labels"]
    assert labels == {
        "coursehub.user": "mei",
        "coursehub.prefix": "study",
        "coursehub.role": "learner-server",
        "coursehub.course-version": version.commit[:12],
        "coursehub.profile": "",
        "coursehub.gpu": "",
        "coursehub.gpu-mode": "none",
        "com.docker.compose.project": "",
        "com.docker.compose.service": "",
        "com.docker.compose.version": "",
    }


def test_unreachable_course_labels_the_version_unknown(tmp_path):
    spawner = make_spawner(tmp_path, course_repo=str(tmp_path / "missing.git"))
    labels = asyncio.run(spawner.extra_create_kwargs(spawner))["labels"]
    assert labels["coursehub.course-version"] == "unknown"


@given(st.text(max_size=40))
def test_names_are_either_valid_and_docker_safe_or_refused(name):
    try:
        validate_username(name)
    except UserError as error:
        assert "invalid user name" in str(error)
        assert not re.fullmatch(USERNAME_PATTERN, name)
        return
    assert readable_escape(name) == name
    assert re.fullmatch(r"[a-zA-Z0-9][a-zA-Z0-9_.-]*", name), "valid names must be usable in Docker names"


@pytest.mark.parametrize("name", ["Mei", "a b", "../x", "李雷", "x" * 33, ""])
def test_invalid_names_are_escaped_not_passed_through(name):
    assert re.fullmatch(r"[a-z0-9_.-]*", readable_escape(name.lower()) or "")


GPUS = '[{"uuid": "GPU-aaa", "name": "Fake A100", "memory_mb": 40960}, {"uuid": "GPU-bbb", "index": 1}]'


def test_cpu_only_host_offers_only_the_cpu_profile_and_no_form(tmp_path):
    spawner = make_spawner(tmp_path, gpus=[])
    assert [p.slug for p in spawner.allowed_profiles()] == ["cpu"]
    assert spawner.options_form(spawner) == ""
    assert spawner.get_env()["NVIDIA_VISIBLE_DEVICES"] == "void"
    assert "device_requests" not in spawner.extra_host_config(spawner)


def test_gpu_host_offers_profiles_by_group_with_free_counts(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSEHUB_GPUS", GPUS)
    from coursehub.settings import load_settings

    spawner = make_spawner(tmp_path, gpus=load_settings().gpus)
    assert [p.slug for p in spawner.allowed_profiles()] == ["cpu", "gpu-shared"]  # "gpu" is for instructors
    spawner.user.groups = [SimpleNamespace(name="instructors")]
    assert [p.slug for p in spawner.allowed_profiles()] == ["cpu", "gpu-shared", "gpu"]
    form = spawner.options_form(spawner)
    assert form.count('type="radio"') == 3 and "2 free" in form and 'name="queue"' in form
    assert spawner.options_from_form({"profile": ["gpu"], "queue": ["on"]}) == {
        "profile": "gpu",
        "queue": True,
    }


def test_shared_gpu_learner_gets_the_device_and_a_memory_cap(tmp_path):
    from coursehub.gpus import GPU

    spawner = make_spawner(tmp_path, gpus=[GPU(uuid="GPU-aaa")])
    profile = next(p for p in spawner.allowed_profiles() if p.slug == "gpu-shared")
    spawner.allocation = asyncio.run(spawner.gpu_pool.acquire("mei", profile))
    env = spawner.get_env()
    assert env["NVIDIA_VISIBLE_DEVICES"] == "GPU-aaa"
    assert env["COURSEHUB_GPU_MEMORY_FRACTION"] == "0.25"
    assert spawner.extra_host_config(spawner)["device_requests"] == [
        {"driver": "nvidia", "device_ids": ["GPU-aaa"], "capabilities": [["gpu"]]}
    ]


def test_unknown_profile_is_refused_with_the_choices(tmp_path):
    from tornado.web import HTTPError

    spawner = make_spawner(tmp_path, gpus=[])
    spawner.user_options = {"profile": "gpu"}
    with pytest.raises(HTTPError) as caught:
        spawner.selected_profile()
    assert "choose one of: cpu" in caught.value.log_message
