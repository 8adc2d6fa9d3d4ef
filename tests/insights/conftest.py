"""The demo town, loaded once per test module (its rollups computed by insights' demo step)
inside a transaction rolled back at the end, so that other modules never see it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from tongxin.accounts.models import User


@pytest.fixture(scope="module")
def town(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, User]]:
    # Imported here: the demo loader sits above every app and is only this fixture's concern.
    from tongxin.demo.loader import load

    with django_db_blocker.unblock(), transaction.atomic():
        load(scale="town", seed=1)
        yield {u.username: u for u in User.objects.exclude(username__startswith="demo_res_")}
        transaction.set_rollback(True)


@pytest.fixture
def town_db(town: dict[str, User], db: Any) -> dict[str, User]:
    """A test inside the module's town (its own savepoint, rolled back after it)."""
    return town
