from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django_tasks import task

from tongxin.core import registry

RUNS: list[str] = []


@task()
def remember() -> None:
    RUNS.append("ran")


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.mark.django_db
def test_periodic_enqueues_every_registered_task(immediate_tasks, monkeypatch) -> None:
    monkeypatch.setattr(registry.REGISTRY, "periodic", [])
    registry.periodic("tests.core.test_periodic.remember", every=60)
    registry.periodic("tests.core.test_periodic.remember", every=60)  # registered once
    RUNS.clear()
    out = StringIO()
    call_command("periodic", "--once", stdout=out)
    assert RUNS == ["ran"]
    assert "tests.core.test_periodic.remember" in out.getvalue()
