"""The pages: what a secretary, a member and a stranger see."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.helpers import texts
from tests.meetings.conftest import counts, plan
from tests.stranger_setup import scope_of
from tongxin.core.errors import ServiceError
from tongxin.meetings import card, member_selectors, selectors, services
from tongxin.meetings.models import Attendance, Meeting, MeetingAttachment, MeetingStatus

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def member_user(world):
    from tests import factories

    u = factories.user("hong", "member", org=world["branch_a1"], reach="node")
    u.member = world["m_a1"]
    u.save()
    return u


def test_every_page_renders_for_the_branch_secretary(world, meeting, client_for):
    c = client_for(world["bob"])
    pk = meeting.pk
    for url in [
        "/meetings/",
        f"/meetings/?month={meeting.date:%Y-%m}&kind=theme_day",
        "/meetings/new/",
        f"/meetings/{pk}/",
        f"/meetings/{pk}/edit/",
        f"/meetings/{pk}/record/",
        f"/meetings/{pk}/checkin/",
        "/meetings/series/",
        "/meetings/series/new/",
        "/meetings/compliance/",
        "/meetings/feeds/",
        f"/meetings/feeds/?org={world['branch_a1'].pk}",
    ]:
        r = c.get(url)
        assert r.status_code == 200, url
    assert "学习党章" in texts(c.get("/meetings/"))


def test_the_nav_has_organizational_life(world, client_for):
    body = texts(client_for(world["bob"]).get("/"))
    assert 'href="/meetings/"' in body and "组织生活" in body


def test_plan_a_meeting_through_the_form(world, client_for):
    c = client_for(world["bob"])
    day = selectors.local_today() + dt.timedelta(days=2)
    r = c.post(
        "/meetings/new/",
        {
            "org": world["branch_a1"].pk,
            "kind": "lecture",
            "title": "专题党课",
            "date": day.isoformat(),
            "start_time": "19:00",
            "end_time": "20:30",
        },
    )
    m = Meeting.objects.get(title="专题党课")
    assert r.status_code == 302 and r["Location"] == f"/meetings/{m.pk}/"
    # a branch out of reach in the form: refused as an invalid choice, nothing saved
    r = c.post(
        "/meetings/new/",
        {
            "org": world["branch_b1"].pk,
            "kind": "lecture",
            "title": "越权",
            "date": day.isoformat(),
            "start_time": "19:00",
            "end_time": "20:30",
        },
    )
    assert r.status_code == 200 and not Meeting.objects.filter(title="越权").exists()


def test_recording_a_future_meeting_shows_the_reason(world, client_for):
    m = plan(world["branch_a1"], day=selectors.local_today() + dt.timedelta(days=5))
    r = client_for(world["bob"]).post(
        f"/meetings/{m.pk}/record/",
        {"title": "t", "presenter": "p", "recorder": "r", "content": "c"},
    )
    assert "还未到，不能记录为已召开" in texts(r)
    m.refresh_from_db()
    assert m.status == MeetingStatus.PLANNED


def test_record_through_the_form(world, meeting, client_for):
    a, b = world["m_a1"], world["m_a1b"]
    r = client_for(world["bob"]).post(
        f"/meetings/{meeting.pk}/record/",
        {
            "title": "学习党章",
            "presenter": "张红",
            "recorder": "李明",
            "content": "逐条学习。",
            f"att_{a.pk}": "present",
            f"att_{b.pk}": "absent",
            f"reason_{b.pk}": "病假",
        },
    )
    assert r.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "held" and meeting.present_count == 1


def test_check_in_page_takes_a_code_and_shows_bad_tokens_in_chinese(world, meeting, client_for):
    c = client_for(world["bob"])
    url = f"/meetings/{meeting.pk}/checkin/"
    r = c.post(url, {"code": card.short_code(world["m_a1"].pk)}, HTTP_HX_REQUEST="true")
    assert "张红 签到成功" in texts(r)
    before = counts()
    r = c.post(url, {"code": card.issue_token(world["m_b1"].pk)}, HTTP_HX_REQUEST="true")
    assert "不是本支部党员" in texts(r) and counts() == before
    r = c.post(url, {"code": "TX1:forged"}, HTTP_HX_REQUEST="true")
    assert "校验失败" in texts(r) and counts() == before
    # without htmx: a message and a redirect back
    r = c.post(url, {"code": "ZZZZZZ"}, follow=True)
    assert "签到码无效" in texts(r)


def test_roll_call_and_guests(world, meeting, client_for):
    c = client_for(world["bob"])
    r = c.post(
        f"/meetings/{meeting.pk}/roll/{world['m_a1b'].pk}/",
        {"present": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert "已到 1 / 2" in texts(r)
    # bob reaches no one outside his branch: the guest list is empty and a pk is refused
    c.post(f"/meetings/{meeting.pk}/guests/", {"member": world["m_a2"].pk})
    assert not meeting.guests.exists()
    alice = client_for(world["alice"])
    alice.post(f"/meetings/{meeting.pk}/guests/", {"member": world["m_a2"].pk})
    assert list(meeting.guests.values_list("member_id", flat=True)) == [world["m_a2"].pk]


def test_attachments_upload_and_download_in_scope(world, meeting, client_for):
    c = client_for(world["bob"])
    c.post(f"/meetings/{meeting.pk}/attachments/", {"file": SimpleUploadedFile("签到表.png", PNG)})
    att = MeetingAttachment.objects.get()
    r = c.get(f"/meetings/attachments/{att.pk}/")
    assert r.status_code == 200 and b"".join(r.streaming_content) == PNG
    r = c.post(
        f"/meetings/{meeting.pk}/attachments/",
        {"file": SimpleUploadedFile("x.pdf", b"<html>")},
        follow=True,
    )
    assert "不是可接受的格式" in texts(r) and MeetingAttachment.objects.count() == 1


def test_review_by_the_upper_org(world, meeting, client_for):
    Meeting.objects.filter(pk=meeting.pk).update(status="held")
    assert (
        client_for(world["bob"])
        .post(f"/meetings/{meeting.pk}/review/", {"decision": "approve"})
        .status_code
        == 404
    )
    client_for(world["alice"]).post(f"/meetings/{meeting.pk}/review/", {"decision": "approve"})
    meeting.refresh_from_db()
    assert meeting.review_status == "approved"


def test_series_form_plans_tuesday_evenings(world, client_for):
    today = selectors.local_today()
    r = client_for(world["bob"]).post(
        "/meetings/series/new/",
        {
            "org": world["branch_a1"].pk,
            "kind": "lecture",
            "title": "周二夜学",
            "recurrence": "weekly",
            "weekday": "1",
            "start_time": "19:00",
            "end_time": "20:30",
            "starts_on": today.isoformat(),
            "ends_on": (today + dt.timedelta(days=27)).isoformat(),
        },
    )
    assert r.status_code == 302
    assert Meeting.objects.filter(title="周二夜学").count() == 4


def test_compliance_page_lists_warnings(world, client_for):
    body = texts(client_for(world["alice"]).get("/meetings/compliance/?state=overdue"))
    assert "紫金社区第一党支部" in body and "孝闻社区党支部" not in body


def test_member_card_shows_a_rotating_qr_and_code(world, member_user, client_for):
    c = client_for(member_user)
    r = c.get("/meetings/card/")
    body = texts(r)
    assert r["Cache-Control"] == "no-store"
    assert "张红" in body and 'src="data:image/svg+xml' in body
    assert 'hx-trigger="every 30s"' in body
    token = re.search(r'data-token="([^"]+)"', body).group(1)
    assert card.verify_token(token, context="x") == world["m_a1"].pk
    assert card.short_code(world["m_a1"].pk) in body
    r = c.get("/meetings/card/qr/")
    assert 'data-testid="card-code"' in texts(r) and "<html" not in texts(r)


def test_card_bound_to_todays_meeting(world, member_user, meeting, client_for):
    body = texts(client_for(member_user).get(f"/meetings/card/?meeting={meeting.pk}"))
    token = re.search(r'data-token="([^"]+)"', body).group(1)
    other = plan(world["branch_a1"], title="另一场")
    with pytest.raises(ServiceError, match="另一场"):
        services.meeting_check_in(scope=scope_of(None), actor=None, meeting=other, text=token)
    services.meeting_check_in(scope=scope_of(None), actor=None, meeting=meeting, text=token)
    assert Attendance.objects.filter(meeting=meeting).count() == 1


def test_card_for_a_user_without_member(world, client_for):
    body = texts(client_for(world["bob"]).get("/meetings/card/"))
    assert "尚未关联党员信息" in body


def test_ical_feeds_need_only_the_token(world, member_user, meeting, client):
    feed = services.feed_rotate(scope=scope_of(None), actor=None, member=world["m_a1"])
    plan(world["branch_b1"], title="别的支部的会")
    r = client.get(f"/meetings/ical/member/{feed.token}.ics")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/calendar")
    body = r.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert "学习党章" in body and "别的支部的会" not in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    assert client.get(f"/meetings/ical/branch/{feed.token}.ics").status_code == 404
    assert client.get("/meetings/ical/member/nope.ics").status_code == 404
    branch = services.feed_rotate(scope=scope_of(None), actor=None, org=world["branch_a1"])
    body = client.get(f"/meetings/ical/branch/{branch.token}.ics").content.decode()
    assert "学习党章" in body and "别的支部的会" not in body


def test_feeds_page_rotates_the_members_url(world, member_user, client_for):
    c = client_for(member_user)
    c.post("/meetings/feeds/", {"target": "member"})
    first = member_selectors.feed_of(member=world["m_a1"]).token
    assert first in texts(c.get("/meetings/feeds/"))
    c.post("/meetings/feeds/", {"target": "member"})
    assert member_selectors.feed_of(member=world["m_a1"]).token != first


# ---- the stranger ---------------------------------------------------------------------------


def test_a_stranger_gets_404_on_every_meeting_url(world, meeting, client_for):
    att = services.meeting_attach(
        scope=scope_of(None), actor=None, meeting=meeting, f=SimpleUploadedFile("a.png", PNG)
    )
    a1 = world["branch_a1"].pk
    c = client_for(world["charlie"])
    pk = meeting.pk
    before = counts()
    for url in [
        f"/meetings/{pk}/",
        f"/meetings/{pk}/edit/",
        f"/meetings/{pk}/record/",
        f"/meetings/{pk}/checkin/",
        f"/meetings/attachments/{att.pk}/",
        f"/meetings/?org={a1}",
        f"/meetings/new/?org={a1}",
        f"/meetings/compliance/?org={a1}",
        f"/meetings/feeds/?org={a1}",
    ]:
        assert c.get(url).status_code == 404, url
    for url, data in [
        (f"/meetings/{pk}/cancel/", {}),
        (
            f"/meetings/{pk}/record/",
            {"title": "t", "presenter": "p", "recorder": "r", "content": "c"},
        ),
        (f"/meetings/{pk}/checkin/", {"code": card.short_code(world["m_a1"].pk)}),
        (f"/meetings/{pk}/roll/{world['m_a1'].pk}/", {"present": "1"}),
        (f"/meetings/{pk}/guests/", {"member": world["m_b1"].pk}),
        (f"/meetings/{pk}/attachments/", {"file": SimpleUploadedFile("b.png", PNG)}),
        (f"/meetings/{pk}/review/", {"decision": "approve"}),
        ("/meetings/feeds/", {"target": "branch", "org": a1}),
        (
            "/meetings/new/",
            {
                "org": a1,
                "kind": "lecture",
                "title": "x",
                "date": "2026-01-01",
                "start_time": "19:00",
                "end_time": "20:00",
            },
        ),
        (
            "/meetings/series/new/",
            {
                "org": a1,
                "kind": "lecture",
                "title": "x",
                "recurrence": "weekly",
                "weekday": "1",
                "start_time": "19:00",
                "end_time": "20:00",
                "starts_on": "2030-01-01",
                "ends_on": "2030-02-01",
            },
        ),
    ]:
        r = c.post(url, data)
        assert r.status_code in (200, 404), url
        assert "学习党章" not in texts(r), url
    assert counts() == before
    # lists show only charlie's own branch
    for url in ["/meetings/", "/meetings/compliance/", "/meetings/series/"]:
        body = texts(c.get(url))
        assert "学习党章" not in body and "紫金社区" not in body, url


def test_a_signed_in_user_without_meetings_view_gets_404(world, client_for):
    from tests import factories

    dept = factories.user("dora", "department", org=world["city"])
    c = client_for(dept)
    for url in ["/meetings/", "/meetings/compliance/", "/meetings/series/", "/meetings/new/"]:
        assert c.get(url).status_code == 404, url


def test_anonymous_is_sent_to_login(world, meeting, client):
    for url in ["/meetings/", f"/meetings/{meeting.pk}/", "/meetings/card/"]:
        assert client.get(url).status_code == 302


def test_the_dashboard_panel_counts_only_the_scope(world, meeting, client_for):
    body = texts(client_for(world["alice"]).get("/"))
    assert 'data-testid="meetings-panel"' in body and "组织生活达标" in body
    assert "紫金社区第一党支部" in body  # one line per subtree below her street
    body = texts(client_for(world["charlie"]).get("/"))
    assert "紫金社区" not in body and "南门街道" not in body


def test_the_attendance_period_names_both_years_when_it_spans_two():
    import datetime as dt

    from django.template.loader import render_to_string

    from tongxin.meetings.selectors import SubtreeRate

    def period(since: dt.date, today: dt.date) -> str:
        total = SubtreeRate("合计", 1, 1, 0, 0, 10, 9, 1)
        panel = {"total": total, "subtrees": [], "periods": {}, "since": since, "today": today}
        html = render_to_string("meetings/_panel.html", {"panel": panel})
        return html.split('data-testid="attendance-period">')[1].split("<")[0]

    assert period(dt.date(2025, 12, 7), dt.date(2026, 12, 7)) == "2025年12月7日至2026年12月7日"
    assert period(dt.date(2026, 1, 1), dt.date(2026, 12, 7)) == "2026年1月1日至12月7日"
