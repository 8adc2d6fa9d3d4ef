"""The red-site services as their users meet them: sites, door codes, 打卡 and group visits,
each bad input refused with a Chinese message and nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.helpers import is_chinese
from tests.redmap.conftest import LAT, LNG, book, make_site, site_input, today
from tests.stranger_setup import scope_of
from tongxin.core.audit import AuditLog
from tongxin.core.errors import ForbiddenError, ServiceError
from tongxin.core.registry import activities_between
from tongxin.meetings import selectors as meeting_selectors
from tongxin.meetings.models import Attendance, Meeting, MeetingKind, MeetingStatus
from tongxin.redmap import door, selectors, services
from tongxin.redmap.models import CheckIn, CheckInRule, GroupVisit, RedSite, VisitStatus

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def refused(fn, field=None, contains=""):
    """fn() raises a Chinese ServiceError (naming ``field``) and writes nothing of ours."""
    counts = [m.objects.count() for m in (RedSite, CheckIn, GroupVisit, Meeting, AuditLog)]
    with pytest.raises(ServiceError) as exc:
        fn()
    err = exc.value
    assert is_chinese(err.message), err.message
    if field:
        assert field in err.fields, err.fields
    text = err.fields.get(field, err.message) if field else err.message
    assert contains in text, text
    assert counts == [
        m.objects.count() for m in (RedSite, CheckIn, GroupVisit, Meeting, AuditLog)
    ], "a refused operation must write nothing"
    return err


# ---- sites ---------------------------------------------------------------------------------


def test_alice_registers_a_site_with_its_hours_and_an_audit_row(world):
    site = services.site_create(
        scope=scope_of(world["alice"]), actor=world["alice"], data=site_input(world)
    )
    assert site.area_path == world["comm_a"].path and site.org_path == world["comm_a_org"].path
    assert site.opening_hours["mon"] == [["08:00", "20:00"]]
    assert len(site.door_secret) == 32
    assert AuditLog.objects.filter(action="redmap.site_create").count() == 1


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"name": "  "}, "name"),
        ({"kind": "museum"}, "kind"),
        ({"address": ""}, "address"),
        ({"latitude": 91.0}, "latitude"),
        ({"longitude": 0.0}, "longitude"),
        ({"capacity": 0}, "capacity"),
        ({"radius_m": 5}, "radius_m"),
        ({"opening_hours": {"mon": [["17:00", "09:00"]]}}, "opening_hours"),
        ({"closed_dates": [{"date": "2026-13-01"}]}, "closed_dates"),
    ],
)
def test_a_bad_site_field_is_named(world, over, field):
    refused(
        lambda: services.site_create(
            scope=scope_of(world["alice"]), actor=world["alice"], data=site_input(world, **over)
        ),
        field,
    )


def test_a_site_outside_its_organizations_area_is_refused(world):
    refused(
        lambda: services.site_create(
            scope=scope_of(None), actor=None, data=site_input(world, area=world["comm_b"])
        ),
        "area",
    )


def test_charlie_may_not_register_a_site_for_street_a(world):
    with pytest.raises(ForbiddenError):
        services.site_create(
            scope=scope_of(world["charlie"]), actor=world["charlie"], data=site_input(world)
        )


def test_a_photo_is_checked_by_content(world, site):
    alice = world["alice"]
    refused(
        lambda: services.site_file_add(
            scope=scope_of(alice),
            actor=alice,
            site=site,
            f=SimpleUploadedFile("photo.png", b"<html>not an image</html>"),
        ),
        contains="不是可接受的格式",
    )
    row = services.site_file_add(
        scope=scope_of(alice), actor=alice, site=site, f=SimpleUploadedFile("p.png", PNG)
    )
    assert row.is_image and row.kind == "photo"


def test_lessons_only_at_a_school_and_never_empty(world, site):
    alice = world["alice"]
    refused(
        lambda: services.lesson_create(
            scope=scope_of(alice), actor=alice, site=site, title="第一课", body="内容"
        ),
        contains="初心学堂",
    )
    school = make_site(world, name="紫金初心学堂", kind="school")
    refused(
        lambda: services.lesson_create(
            scope=scope_of(alice), actor=alice, site=school, title=" ", body=""
        ),
        "title",
    )
    lesson = services.lesson_create(
        scope=scope_of(alice), actor=alice, site=school, title="党章第一课", body="学习党章总纲。"
    )
    pdf = SimpleUploadedFile("讲义.pdf", b"%PDF-1.4\n%%EOF")
    f = services.site_file_add(
        scope=scope_of(alice), actor=alice, site=school, f=pdf, lesson=lesson
    )
    assert f.kind == "attachment" and list(selectors.lesson_files(lesson)) == [f]


def test_a_route_orders_its_sites_and_refuses_repeats(world, site):
    alice = world["alice"]
    other = make_site(world, name="紫金红色村史馆", kind="base")
    args = dict(scope=scope_of(alice), actor=alice, org=world["comm_a_org"], name="初心之旅")
    refused(lambda: services.route_create(**args, sites=[site]), "sites")
    refused(lambda: services.route_create(**args, sites=[site, site]), "sites", "两次")
    route = services.route_create(**args, sites=[other, site])
    assert [s.site_id for s in selectors.route_stops(route)] == [other.pk, site.pk]


# ---- the door code -------------------------------------------------------------------------


def test_todays_code_opens_and_every_bad_code_says_why(world, site):
    t = today()
    door.verify(site, door.code_for(site, t), t)
    door.verify(site, door.full_code(site, t), t)
    door.verify(site, door.code_for(site, t).lower(), t)
    other = make_site(world, name="紫金红色村史馆", kind="base")
    cases = [
        ("", "no_code"),
        ("ABCDEF" if door.code_for(site, t) != "ABCDEF" else "BCDEFG", "forged"),
        (door.code_for(site, t - dt.timedelta(days=1)), "expired"),
        (door.full_code(site, t - dt.timedelta(days=1)), "expired"),
        (door.full_code(other, t), "other_site"),
        (f"{site.pk}-{t:%Y%m%d}-ZZZZZZ", "forged"),
        (f"{site.pk}-20261399-{door.code_for(site, t)}", "forged"),
    ]
    for text, code in cases:
        with pytest.raises(ServiceError) as exc:
            door.verify(site, text, t)
        assert exc.value.code == code, (text, exc.value.code)
        assert is_chinese(exc.value.message)


def test_a_reset_door_code_stops_the_old_one(world, site):
    old = door.code_for(site, today())
    services.door_reset(scope=scope_of(world["alice"]), actor=world["alice"], site=site)
    site.refresh_from_db()
    with pytest.raises(ServiceError):
        door.verify(site, old, today())


# ---- 打卡 ----------------------------------------------------------------------------------


def _checkin(user, site, code=None, **kw):
    return services.checkin_record(
        scope=scope_of(user),
        actor=user,
        site=site,
        code=door.code_for(site, today()) if code is None else code,
        **kw,
    )


def test_a_member_checks_in_with_the_code_and_a_position_inside(world, site, member_user):
    row = _checkin(member_user, site, latitude=LAT + 0.001, longitude=LNG, accuracy=20)
    assert row.member_id == world["m_a1"].pk and 100 < row.distance_m < 120
    assert row.visit_id is None
    assert AuditLog.objects.filter(action="redmap.checkin").count() == 1


def test_without_a_position_the_code_alone_counts(world, site, member_user):
    assert _checkin(member_user, site).distance_m is None


@pytest.mark.parametrize(
    ("code", "kw", "field", "contains"),
    [
        ("", {}, "code", "打卡码"),
        ("QQQQQQ", {}, "code", "不正确"),
        ("yesterday", {}, "code", "已过期"),
        ("other", {}, "code", "另一处"),
        (None, {"latitude": LAT + 0.01, "longitude": LNG}, "location", "超出打卡范围"),
        (None, {"latitude": LAT}, "location", "不完整"),
        (None, {"latitude": LAT, "longitude": LNG, "accuracy": -5}, "location", "精度"),
    ],
)
def test_bad_checkins_are_refused_with_the_reason(
    world, site, member_user, code, kw, field, contains
):
    if code == "yesterday":
        code = door.code_for(site, today() - dt.timedelta(days=1))
    elif code == "other":
        code = door.full_code(make_site(world, name="紫金红色村史馆", kind="base"), today())
    refused(lambda: _checkin(member_user, site, code=code, **kw), field, contains)


def test_the_accuracy_allowance_is_data(world, site, member_user):
    far = {"latitude": LAT + 0.0025, "longitude": LNG}  # about 278 m: outside 200 m
    refused(lambda: _checkin(member_user, site, accuracy=50, **far), "location")
    CheckInRule.objects.create(accuracy_allowance_m=100)
    assert _checkin(member_user, site, accuracy=90, **far).distance_m > 200


def test_twice_a_day_is_refused(world, site, member_user):
    _checkin(member_user, site)
    err = refused(lambda: _checkin(member_user, site), contains="今天已在这里打过卡")
    assert err.code == "twice"


def test_only_a_member_checks_in(world, site):
    refused(lambda: _checkin(world["alice"], site), contains="只有党员本人")


def test_a_closed_site_takes_no_checkins(world, site, member_user):
    RedSite.objects.filter(pk=site.pk).update(is_active=False)
    site.refresh_from_db()
    refused(lambda: _checkin(member_user, site), contains="已关闭")


def test_each_checkin_is_an_activity_for_the_points_ledger(world, site, member_user):
    row = _checkin(member_user, site)
    acts = [
        a
        for a in activities_between(today(), today() + dt.timedelta(days=1))
        if a.kind == "redsite_checkin"
    ]
    assert [(a.key, a.member_id, a.note) for a in acts] == [
        (f"redmap.checkin:{row.pk}", world["m_a1"].pk, site.name)
    ]


# ---- group visits --------------------------------------------------------------------------


def test_bob_books_a_visit_and_the_branch_gets_a_planned_theme_day(world, site):
    visit = book(world, site)
    meeting = visit.meeting
    assert meeting.kind == MeetingKind.THEME_DAY and meeting.status == MeetingStatus.PLANNED
    assert meeting.org == world["branch_a1"] and site.name in meeting.location
    assert AuditLog.objects.filter(action="redmap.visit_book").count() == 1


def test_over_capacity_is_refused_with_what_is_left(world, site):
    book(world, site, people=20)
    err = refused(
        lambda: book(world, site, by="alice", branch=world["branch_a2"], people=11),
        "people",
        "还可预约10人",
    )
    assert err.code == "over_capacity"
    # another time span of the same day has the whole capacity
    book(
        world,
        site,
        by="alice",
        branch=world["branch_a2"],
        people=30,
        start_time=dt.time(14, 0),
        end_time=dt.time(16, 0),
    )


def test_outside_opening_hours_is_refused(world):
    site = make_site(world, opening_hours={"tue": [["09:00", "16:30"]]})
    t = today()
    tuesday = t + dt.timedelta(days=(1 - t.weekday()) % 7 or 7)
    err = refused(
        lambda: book(world, site, date=tuesday, start_time=dt.time(15, 0), end_time=dt.time(18, 0)),
        "start_time",
        "09:00–16:30",
    )
    assert err.code == "outside_hours"
    refused(lambda: book(world, site, date=tuesday + dt.timedelta(days=1)), "date", "不开放")


def test_a_closed_date_is_refused(world):
    t = today() + dt.timedelta(days=3)
    site = make_site(world, closed_dates=[{"date": t.isoformat(), "note": "布展"}])
    refused(lambda: book(world, site, date=t), "date", "布展")


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"date": dt.date(2020, 1, 1)}, "date"),
        ({"start_time": dt.time(11, 0), "end_time": dt.time(10, 0)}, "end_time"),
        ({"people": 0}, "people"),
    ],
)
def test_bad_booking_fields(world, site, over, field):
    refused(lambda: book(world, site, **over), field)


def test_only_the_branchs_manager_books_for_it(world, site):
    with pytest.raises(ForbiddenError):
        book(world, site, by="charlie")
    with pytest.raises(ForbiddenError):
        book(world, site, by="bob", branch=world["branch_a2"])
    with pytest.raises(ForbiddenError):
        book(world, site, by=None, branch=world["comm_a_org"])  # not a 党支部


def test_a_branch_books_a_site_once_a_day(world, site):
    book(world, site)
    refused(lambda: book(world, site), contains="已预约")


def test_members_checking_in_make_the_visit_the_branchs_theme_day(
    world, site, member_user, member_user2
):
    visit = book(world, site)
    _checkin(member_user, site)
    visit.refresh_from_db()
    # two members in branch A1: the rule's three is capped at the branch's size
    assert visit.status == VisitStatus.BOOKED
    _checkin(member_user2, site)
    visit.refresh_from_db()
    meeting = Meeting.objects.get(pk=visit.meeting_id)
    assert visit.status == VisitStatus.COUNTED
    assert meeting.status == MeetingStatus.HELD and meeting.present_count == 2
    assert Attendance.objects.filter(meeting=meeting, state="present").count() == 2
    rows = meeting_selectors.compliance(scope_of(world["bob"]))
    a1 = next(b for b in rows if b.id == world["branch_a1"].pk)
    theme = next(k for k in a1.kinds if k.kind == MeetingKind.THEME_DAY)
    assert theme.current == 1 and theme.state == "met"


def test_a_visit_below_the_threshold_stays_booked(world, site, member_user):
    CheckInRule.objects.create(theme_day_min_members=2, theme_day_min_percent=100)
    visit = book(world, site)
    _checkin(member_user, site)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.BOOKED
    assert Meeting.objects.get(pk=visit.meeting_id).status == MeetingStatus.PLANNED


def test_cancel_takes_the_planned_theme_day_with_it(world, site):
    visit = book(world, site)
    services.visit_cancel(scope=scope_of(world["bob"]), actor=world["bob"], visit=visit)
    assert Meeting.objects.get(pk=visit.meeting_id).status == MeetingStatus.CANCELLED
    refused(
        lambda: services.visit_cancel(
            scope=scope_of(world["bob"]), actor=world["bob"], visit=visit
        ),
        contains="只有尚未计入",
    )
    # the capacity is free again
    book(world, site, people=30)
