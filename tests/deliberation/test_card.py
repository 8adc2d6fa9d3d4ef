"""Attendance at a deliberation meeting by member card: the host scans the QR of a Party member's
我的卡 or types its short code (tongxin.meetings.card). Members of the forum's place or of its
host organization's subtree check in; every bad card is refused in Chinese and writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.deliberation.conftest import SYSTEM, deliberating
from tests.helpers import is_chinese
from tests.stranger_setup import row_counts, scope_of
from tongxin.core.errors import ConflictError, ForbiddenError, ServiceError
from tongxin.core.models import AuditLog
from tongxin.deliberation import selectors
from tongxin.deliberation.models import Attendance, AttendanceMethod, Session
from tongxin.deliberation.services import acting, topics
from tongxin.meetings import card


def _session(w, held_at: dt.datetime | None = None) -> Session:
    t = deliberating(w, w["forum"])
    return topics.session_schedule(
        scope=SYSTEM,
        actor=None,
        forum=w["forum"],
        held_at=held_at or timezone.now(),
        place="紫金花园议事室",
        topics=[t],
        parties=["residents", "deputies"],
    )


def _scan(w, s: Session, text: str) -> Attendance:
    alice = w["alice"]
    return topics.session_card_checkin(scope=scope_of(alice), actor=alice, session=s, text=text)


def _refused(w, s: Session, text: str, error: type[ServiceError] = ServiceError) -> ServiceError:
    before = row_counts()
    with pytest.raises(error) as e:
        _scan(w, s, text)
    assert row_counts() == before, "a refused card wrote something"
    message = " ".join([e.value.message, *e.value.fields.values()])
    assert is_chinese(message)
    return e.value


def test_a_scanned_card_marks_the_member_present_and_is_audited(town):
    s = _session(town)
    a = _scan(town, s, card.issue_token(town["m_a1"].pk))
    assert (a.member, a.resident, a.method) == (town["m_a1"], None, AttendanceMethod.CARD_QR)
    log = AuditLog.objects.get(action="deliberation.session_card_checkin")
    assert log.actor == town["alice"] and log.org_path == town["forum"].host_org_path
    assert [x.member for x in selectors.session_attendance(s)] == [town["m_a1"]]


def test_a_typed_short_code_marks_the_member_present(town):
    s = _session(town)
    a = _scan(town, s, card.short_code(town["m_a1"].pk).lower())
    assert a.member == town["m_a1"] and a.method == AttendanceMethod.CARD_CODE


def test_a_member_of_the_host_organization_living_elsewhere_checks_in(town):
    # 李明: branch A1 under the host 紫金社区党委, no residence on record
    s = _session(town)
    assert _scan(town, s, card.issue_token(town["m_a1b"].pk)).member == town["m_a1b"]


def test_a_member_with_a_resident_profile_is_marked_as_that_resident_too(town):
    ann = town["ann"]
    ann.user.member = town["m_a1"]
    ann.user.save(update_fields=["member"])
    s = _session(town)
    a = _scan(town, s, card.issue_token(town["m_a1"].pk))
    assert a.resident == ann
    assert selectors.took_part(s.topics.get(), ann)
    # the resident cannot check in a second time with the session's code
    with pytest.raises(ConflictError):
        topics.session_checkin(actor=ann.user, resident=ann, session=s, code=s.code)


def test_a_card_after_the_resident_checked_in_with_the_code_is_a_conflict(town):
    ann = town["ann"]
    ann.user.member = town["m_a1"]
    ann.user.save(update_fields=["member"])
    s = _session(town)
    topics.session_checkin(actor=ann.user, resident=ann, session=s, code=s.code)
    e = _refused(town, s, card.issue_token(town["m_a1"].pk), ConflictError)
    assert "张红" in e.message


def test_the_same_member_twice_is_refused(town):
    s = _session(town)
    _scan(town, s, card.issue_token(town["m_a1"].pk))
    e = _refused(town, s, card.issue_token(town["m_a1"].pk), ConflictError)
    assert "已经签到过了" in e.message


def test_a_replayed_qr_is_refused(town):
    s = _session(town)
    token = card.issue_token(town["m_a1"].pk)
    _scan(town, s, token)
    assert _refused(town, s, token).code == "replayed"


def test_a_forged_qr_is_refused(town):
    s = _session(town)
    token = card.issue_token(town["m_a1"].pk)
    assert _refused(town, s, token[:-3] + "xyz").code == "forged"


def test_a_qr_made_for_another_meeting_is_refused(town):
    s = _session(town)
    token = card.issue_token(town["m_a1"].pk, context="meeting:1")
    assert _refused(town, s, token).code == "other_context"


def test_a_wrong_short_code_is_refused(town):
    s = _session(town)
    _refused(town, s, "ABCDEF")
    _refused(town, s, "12")  # not six characters


def test_an_empty_card_is_refused_on_its_field(town):
    e = _refused(town, _session(town), "   ")
    assert "6位签到码" in e.fields["card"]


def test_a_member_neither_of_the_place_nor_of_the_host_is_refused(town):
    # 赵刚: branch B1 in street B, living nowhere on record
    s = _session(town)
    e = _refused(town, s, card.issue_token(town["m_b1"].pk), ForbiddenError)
    assert e.code == "not_invited" and "主持议事的党组织" in e.message
    # his short code is not even among the candidates
    _refused(town, s, card.short_code(town["m_b1"].pk))


def test_a_member_living_in_the_place_checks_in_whatever_their_organization(town):
    town["m_b1"].residence = town["compound_a"]
    town["m_b1"].save(update_fields=["residence"])
    s = _session(town)
    assert _scan(town, s, card.short_code(town["m_b1"].pk)).member == town["m_b1"]


def test_a_card_on_another_day_is_refused(town):
    s = _session(town, held_at=timezone.now() - dt.timedelta(days=2))
    e = _refused(town, s, card.issue_token(town["m_a1"].pk), ConflictError)
    assert "当天" in e.message


def test_a_reader_cannot_scan(town):
    s = _session(town)
    audrey = town["auditor"]  # deliberation.view only
    before = row_counts()
    with pytest.raises(ForbiddenError):
        topics.session_card_checkin(
            scope=scope_of(audrey), actor=audrey, session=s, text=card.issue_token(town["m_a1"].pk)
        )
    assert row_counts() == before


def test_a_member_who_attended_by_card_may_rate(town):
    ann = town["ann"]
    ann.user.member = town["m_a1"]
    ann.user.save(update_fields=["member"])
    s = _session(town)
    t = s.topics.get()
    t.resident = None  # not raised by ann: only the card makes her a participant
    t.save(update_fields=["resident"])
    _scan(town, s, card.issue_token(town["m_a1"].pk))
    topics.topic_decide(scope=SYSTEM, actor=None, topic=t, decision="清理")
    a = acting.action_add(
        scope=SYSTEM,
        actor=None,
        topic=t,
        title="清理",
        owner_kind="property",
        owner_name="物业",
        deadline=timezone.localdate(),
    )
    acting.action_progress(scope=SYSTEM, actor=None, action=a, progress=100)
    t.refresh_from_db()
    assert acting.rating_submit(actor=ann.user, resident=ann, topic=t, value="satisfied")


# ---- the session page and the API ----------------------------------------------------------


def test_the_host_scans_on_the_session_page(town, client_for):
    s = _session(town)
    c = client_for(town["alice"])
    url = reverse("deliberation:session", args=[s.pk])
    body = c.get(url).content.decode()
    assert 'data-testid="card-checkin"' in body and s.code in body
    r = c.post(url, {"action": "card", "card": card.issue_token(town["m_a1"].pk)}, follow=True)
    assert "张红 已签到" in r.content.decode()
    assert Attendance.objects.filter(session=s, member=town["m_a1"]).count() == 1


def test_a_bad_card_on_the_page_says_why_and_writes_nothing(town, client_for):
    s = _session(town)
    c = client_for(town["alice"])
    before = row_counts()
    r = c.post(reverse("deliberation:session", args=[s.pk]), {"action": "card", "card": "TX1:x"})
    assert r.status_code == 200 and "不是本系统签发的党员卡" in r.content.decode()
    assert row_counts() == before


def test_a_reader_sees_the_session_without_the_forms_and_cannot_post(town, client_for):
    s = _session(town)
    c = client_for(town["auditor"])
    url = reverse("deliberation:session", args=[s.pk])
    r = c.get(url)
    body = r.content.decode()
    assert r.status_code == 200 and 'data-testid="card-checkin"' not in body
    assert s.code not in body
    before = row_counts()
    r = c.post(url, {"action": "card", "card": card.issue_token(town["m_a1"].pk)})
    assert r.status_code == 404 and row_counts() == before


def test_a_stranger_gets_404_on_the_session_page_and_nothing_is_written(town, client_for):
    s = _session(town)
    c = client_for(town["charlie"])
    url = reverse("deliberation:session", args=[s.pk])
    assert c.get(url).status_code == 404
    before = row_counts()
    r = c.post(url, {"action": "card", "card": card.issue_token(town["m_a1"].pk)})
    assert r.status_code == 404 and row_counts() == before


API = "/api/v1/deliberation/sessions/{}/card-check-in"


def test_the_api_checks_a_card_in(town, client_for):
    s = _session(town)
    c = client_for(town["alice"])
    r = c.post(
        API.format(s.pk),
        {"card": card.short_code(town["m_a1"].pk)},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["member_id"] == town["m_a1"].pk
    assert r.json()["method"] == "card"


def test_the_api_refuses_a_bad_card_in_chinese(town, client_for):
    s = _session(town)
    c = client_for(town["alice"])
    before = row_counts()
    r = c.post(API.format(s.pk), {"card": "TX1:forged"}, content_type="application/json")
    assert r.status_code == 400 and is_chinese(r.json()["message"])
    assert row_counts() == before


def test_the_api_is_a_404_for_a_stranger_and_a_reader(town, client_for):
    s = _session(town)
    for who in ("charlie", "auditor"):
        c = client_for(town[who])
        before = row_counts()
        r = c.post(
            API.format(s.pk),
            {"card": card.issue_token(town["m_a1"].pk)},
            content_type="application/json",
        )
        assert r.status_code == 404 and row_counts() == before
