"""The demo town for the insights tests: the shared one (tests/conftest.py), its rollups computed
by insights' demo step."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tongxin.accounts.models import User


@pytest.fixture(scope="module")
def town(_demo_town_loaded: str, django_db_blocker: Any) -> Iterator[dict[str, User]]:
    # The module's own fixtures read the town too (test_rollups' nodes): open for the module.
    with django_db_blocker.unblock():
        yield {u.username: u for u in User.objects.exclude(username__startswith="demo_res_")}


@pytest.fixture
def town_db(town: dict[str, User], db: Any) -> dict[str, User]:
    """A test inside the town (its own savepoint, rolled back after it)."""
    return town
