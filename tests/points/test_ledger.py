"""The points ledger: activities from the registered sources become entries with their source,
once; caps record what was capped and why; corrections are reversing entries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.points.conftest import attend, collect, held_meeting, volunteer
from tests.stranger_setup import scope_of
from tongxin.core.errors import ConflictError, ServiceError
from tongxin.core.registry import Activity, activities_between
from tongxin.meetings.models import AttendanceState, MeetingKind
from tongxin.points import services
from tongxin.points.models import MonthlyScore, PointEntry

pytestmark = pytest.mark.django_db

JAN = dt.date(2026, 1, 5)


def test_every_existing_app_registers_its_source(rules):
    from tongxin.core.registry import REGISTRY

    names = {s.name for s in REGISTRY.activity_sources}
    assert {"meetings", "volunteering", "dual_reports", "visits", "dues"} <= names


def test_attendance_and_volunteering_become_entries_with_their_sources(rules):
    w = rules
    m = held_meeting(w["branch_a1"], JAN, title="一月支部党员大会")
    attend(m, w["m_a1"])
    attend(m, w["m_a1b"], AttendanceState.ABSENT)  # no reason: a deduction
    attend(m, w["m_a2"], AttendanceState.ABSENT, reason="出差")  # with a reason: nothing
    volunteer(w, w["m_a1"], JAN, minutes=90)

    result = collect(dt.date(2026, 1, 1), dt.date(2026, 2, 1))

    assert result["written"] == 3
    mine = {e.kind: e for e in PointEntry.objects.filter(member=w["m_a1"])}
    assert mine["meeting_attended"].granted == Decimal(3)
    assert mine["meeting_attended"].source_note == "一月支部党员大会"
    assert mine["meeting_attended"].source_key.startswith("meetings.attendance:")
    assert mine["volunteer_hours"].granted == Decimal("1.5")
    assert mine["meeting_attended"].period == dt.date(2026, 1, 1)
    absent = PointEntry.objects.get(member=w["m_a1b"])
    assert absent.kind == "meeting_absent" and absent.granted == Decimal(-2)
    assert not PointEntry.objects.filter(member=w["m_a2"]).exists()
    score = MonthlyScore.objects.get(member=w["m_a1"], period=dt.date(2026, 1, 1))
    assert score.org_life == Decimal(3) and score.volunteer == Decimal("1.5")
    assert score.total == Decimal("4.5")


def test_the_same_event_twice_is_one_entry(rules):
    w = rules
    attend(held_meeting(w["branch_a1"], JAN), w["m_a1"])
    collect(dt.date(2026, 1, 1), dt.date(2026, 2, 1))
    again = collect(dt.date(2026, 1, 1), dt.date(2026, 2, 1))
    assert again["written"] == 0 and again["known"] == 1
    assert PointEntry.objects.filter(member=w["m_a1"]).count() == 1


def test_the_source_key_is_unique_in_the_database(rules):
    w = rules
    attend(held_meeting(w["branch_a1"], JAN), w["m_a1"])
    collect(dt.date(2026, 1, 1), dt.date(2026, 2, 1))
    e = PointEntry.objects.get()
    copy = PointEntry(
        member_id=e.member_id,
        member_org_path=e.member_org_path,
        category=e.category,
        kind=e.kind,
        on=e.on,
        period=e.period,
        requested=e.requested,
        granted=e.granted,
        source_key=e.source_key,
    )
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()


def test_a_cap_records_the_capped_amount_and_why(rules):
    w = rules
    # 三会一课 +3 capped at 12 a year: the fifth meeting earns nothing, the fourth its 3.
    for day in range(5, 10):
        attend(held_meeting(w["branch_a1"], dt.date(2026, 1, day)), w["m_a1"])
    collect(dt.date(2026, 1, 1), dt.date(2026, 2, 1))
    entries = list(PointEntry.objects.filter(member=w["m_a1"]).order_by("on"))
    assert [e.granted for e in entries] == [3, 3, 3, 3, 0]
    last = entries[-1]
    assert last.requested == Decimal(3)
    # whole numbers read without ".0" (上限12分, not 上限12.0分)
    assert "上限12分" in last.cap_note and "本次按0分" in last.cap_note, last.cap_note
    # A later run in another month still counts what the year already holds.
    attend(held_meeting(w["branch_a1"], dt.date(2026, 2, 3)), w["m_a1"])
    collect(dt.date(2026, 2, 1), dt.date(2026, 3, 1))
    feb = PointEntry.objects.get(member=w["m_a1"], on=dt.date(2026, 2, 3))
    assert feb.granted == 0 and feb.cap_note


def test_theme_day_has_its_own_cap(rules):
    w = rules
    for day in range(5, 10):
        m = held_meeting(w["branch_a1"], dt.date(2026, 1, day), kind=MeetingKind.THEME_DAY)
        attend(m, w["m_a1"])
    collect(dt.date(2026, 1, 1), dt.date(2026, 2, 1))
    grants = [e.granted for e in PointEntry.objects.filter(member=w["m_a1"]).order_by("on")]
    assert grants == [2, 2, 2, 2, 0]


def test_floating_members_follow_their_own_rule_set(rules):
    w = rules
    from tongxin.members.models import Member

    Member.objects.filter(pk=w["m_a1b"].pk).update(is_floating=True)
    m = held_meeting(w["branch_a1"], JAN)
    attend(m, w["m_a1b"], AttendanceState.ABSENT)
    attend(m, w["m_a1"], AttendanceState.ABSENT)
    collect(dt.date(2026, 1, 1), dt.date(2026, 2, 1))
    # The retired/floating rule set deducts nothing.
    assert not PointEntry.objects.filter(member=w["m_a1b"]).exists()
    assert PointEntry.objects.get(member=w["m_a1"]).granted == -2


def test_ledger_rows_are_never_updated_or_deleted(rules):
    w = rules
    attend(held_meeting(w["branch_a1"], JAN), w["m_a1"])
    collect(dt.date(2026, 1, 1), dt.date(2026, 2, 1))
    e = PointEntry.objects.get()
    e.granted = Decimal(100)
    with pytest.raises(ValueError):
        e.save()
    with pytest.raises(ValueError):
        e.delete()
    assert PointEntry.objects.get().granted == 3


def test_a_correction_is_a_reversing_entry_in_the_open_month(rules):
    w = rules
    attend(held_meeting(w["branch_a1"], JAN), w["m_a1"])
    collect(dt.date(2026, 1, 1), dt.date(2026, 2, 1))
    e = PointEntry.objects.get()
    r = services.entry_reverse(actor=w["bob"], scope=scope_of(w["bob"]), entry=e, reason="签到重复")
    assert r.granted == -3 and r.reverses_id == e.pk
    assert PointEntry.objects.get(pk=e.pk).granted == 3
    with pytest.raises(ConflictError):
        services.entry_reverse(actor=w["bob"], scope=scope_of(w["bob"]), entry=e, reason="again")


def test_a_correction_needs_a_reason(rules):
    w = rules
    attend(held_meeting(w["branch_a1"], JAN), w["m_a1"])
    collect(dt.date(2026, 1, 1), dt.date(2026, 2, 1))
    with pytest.raises(ServiceError) as exc:
        services.entry_reverse(
            actor=w["bob"], scope=scope_of(w["bob"]), entry=PointEntry.objects.get(), reason=" "
        )
    assert "reason" in exc.value.fields
    assert PointEntry.objects.count() == 1


def test_a_collection_span_that_is_backwards_is_refused(rules):
    with pytest.raises(ServiceError) as exc:
        collect(dt.date(2026, 2, 1), dt.date(2026, 1, 1))
    assert "end" in exc.value.fields


def test_sources_yield_activities_in_the_range_only(rules):
    w = rules
    attend(held_meeting(w["branch_a1"], JAN), w["m_a1"])
    attend(held_meeting(w["branch_a1"], dt.date(2026, 2, 1)), w["m_a1"])
    got = list(activities_between(dt.date(2026, 1, 1), dt.date(2026, 2, 1)))
    assert [a.on for a in got] == [JAN]
    assert isinstance(got[0], Activity)
