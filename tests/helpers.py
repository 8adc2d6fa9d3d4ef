"""Small assertions shared by the test modules."""

from __future__ import annotations

import datetime as dt
import re
from contextlib import contextmanager

import pytest
from django.utils import timezone

from tongxin.core.errors import ServiceError
from tongxin.core.models import AuditLog
from tongxin.members.models import Member, OrgRelationChange
from tongxin.orgs.models import Organization

CJK = re.compile(r"[\u4e00-\u9fff]")


def today() -> dt.date:
    """Today in Beijing, read when the test runs. A module's constant would be read when pytest
    imports it, before the first test: in a run that crosses midnight, the tests after it would
    compare with yesterday while the code under test reads the new day."""
    return timezone.localdate()


def is_chinese(text: str) -> bool:
    """A message for people: mostly Chinese, ending like a sentence."""
    return bool(CJK.search(text)) and len(CJK.findall(text)) >= 4


@contextmanager
def refused(field: str | None = None, contains: str = "", audited: str = ""):
    """The block raises a ServiceError with a Chinese message (for `field`, if given)
    and leaves members, organizations, relation history and the audit log untouched
    (but for one row of action `audited`, when the refusal itself is audited)."""
    counts = (
        Member.objects.count(),
        Organization.objects.count(),
        OrgRelationChange.objects.count(),
        AuditLog.objects.count(),
    )
    with pytest.raises(ServiceError) as exc:
        yield exc
    err = exc.value
    assert is_chinese(err.message), err.message
    if field is not None:
        assert field in err.fields, err.fields
        assert is_chinese(err.fields[field]), err.fields[field]
        assert contains in err.fields[field], err.fields[field]
    else:
        assert contains in err.message, err.message
    logged = AuditLog.objects.filter(action=audited).count() if audited else 0
    assert audited == "" or logged == 1, f"expected one {audited} row"
    assert counts == (
        Member.objects.count(),
        Organization.objects.count(),
        OrgRelationChange.objects.count(),
        AuditLog.objects.count() - logged,
    ), "a refused operation must write nothing"


def texts(response) -> str:
    return response.content.decode()
