from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.helpers import is_chinese
from tongxin.aid.models import (
    AidApplication,
    Approval,
    Donation,
    LedgerEntry,
    LedgerMovement,
    Objection,
)
from tongxin.core.errors import ServiceError
from tongxin.core.models import AuditLog

TABLES = (LedgerEntry, LedgerMovement, Donation, AidApplication, Approval, Objection, AuditLog)


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in TABLES)


def statuses() -> list[tuple[int, str]]:
    return list(AidApplication.objects.order_by("pk").values_list("pk", "status"))


@contextmanager
def refused(contains: str = "", field: str | None = None) -> Iterator[Any]:
    """A ServiceError with a Chinese sentence, and nothing written or changed."""
    before, states = counts(), statuses()
    with pytest.raises(ServiceError) as exc:
        yield exc
    err = exc.value
    assert is_chinese(err.message), err.message
    if field is not None:
        assert field in err.fields, err.fields
        assert contains in err.fields[field], err.fields[field]
    else:
        assert contains in err.message, err.message
    assert counts() == before
    assert statuses() == states
