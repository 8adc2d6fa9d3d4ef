"""Sign-up, waiting list, check-in/out and the append-only hours ledger; bad input refused
with a Chinese message and nothing written."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest
from django.utils import timezone

from tests import factories
from tests.helpers import is_chinese
from tests.stranger_setup import scope_of
from tests.volunteering.conftest import make_activity, make_resident
from tongxin.core.errors import ServiceError
from tongxin.core.models import AuditLog
from tongxin.core.scope import Scope, scope_for_user
from tongxin.meetings import card
from tongxin.volunteering import selectors, services
from tongxin.volunteering.models import SignUp, SignUpStatus, VolunteerHours


@contextmanager
def refused(contains: str):
    def snap():
        return (
            list(
                SignUp.objects.order_by("id").values_list(
                    "id", "status", "checked_in_at", "checked_out_at"
                )
            ),
            VolunteerHours.objects.count(),
            AuditLog.objects.count(),
        )

    before = snap()
    with pytest.raises(ServiceError) as exc:
        yield exc
    assert contains in exc.value.message or any(contains in m for m in exc.value.fields.values()), (
        exc.value.message
    )
    assert is_chinese(exc.value.message)
    assert snap() == before, "a refused operation must write nothing"


def test_signup_and_twice_refused(world, activity, resident):
    s = services.signup_create(scope=scope_of(resident), actor=resident, activity=activity)
    assert (s.status, s.name, s.resident.name) == ("confirmed", "王阿姨", "王阿姨")
    with refused("不能重复报名"):
        services.signup_create(scope=scope_of(resident), actor=resident, activity=activity)


def test_past_capacity_goes_to_the_waiting_list_and_is_promoted(
    world, activity, resident, member_user
):
    third = make_resident(world, "r3", "李大爷")
    a = services.signup_create(scope=scope_of(resident), actor=resident, activity=activity)
    services.signup_create(scope=scope_of(member_user), actor=member_user, activity=activity)
    w = services.signup_create(scope=scope_of(third), actor=third, activity=activity)
    assert w.status == SignUpStatus.WAITING
    promoted = services.signup_cancel(scope=scope_of(resident), actor=resident, signup=a)
    assert promoted is not None and promoted.pk == w.pk
    w.refresh_from_db()
    assert w.status == SignUpStatus.CONFIRMED


def test_past_capacity_without_a_waiting_list_is_refused(world, team, resident, member_user):
    a = make_activity(world, team, slots=1, waitlist=False)
    services.signup_create(scope=scope_of(member_user), actor=member_user, activity=a)
    with refused("名额已满"):
        services.signup_create(scope=scope_of(resident), actor=resident, activity=a)


def test_a_user_with_no_member_or_resident_profile_is_refused(world, activity):
    with refused("完善居民信息"):
        services.signup_create(
            scope=scope_of(world["charlie"]), actor=world["charlie"], activity=activity
        )


def test_members_only_activity_refuses_residents(world, team, resident):
    a = make_activity(world, team, open_to_residents=False)
    with refused("仅限党员"):
        services.signup_create(scope=scope_of(resident), actor=resident, activity=a)


def test_an_ended_activity_refuses_sign_up(world, team, resident):
    now = timezone.now()
    a = make_activity(
        world, team, start=now - dt.timedelta(hours=3), end=now - dt.timedelta(hours=1)
    )
    with refused("已经结束"):
        services.signup_create(scope=scope_of(resident), actor=resident, activity=a)


def test_check_in_by_code_and_the_wrong_activity(world, team, activity, resident):
    other = make_activity(world, team, title="另一场")
    services.signup_create(scope=scope_of(resident), actor=resident, activity=activity)
    with refused("另一场活动"):
        services.check_in_by_code(
            scope=scope_of(resident), actor=resident, activity=activity, code=other.checkin_code
        )
    with refused("签到码不正确"):
        services.check_in_by_code(
            scope=scope_of(resident), actor=resident, activity=activity, code="000000"
        )
    with refused("没有报名本活动"):
        services.check_in_by_code(
            scope=scope_of(resident), actor=resident, activity=other, code=other.checkin_code
        )
    s = services.check_in_by_code(
        scope=scope_of(resident),
        actor=resident,
        activity=activity,
        code=activity.checkin_code.lower(),
    )
    assert s.checked_in_at is not None
    with refused("已经签到过"):
        services.check_in_by_code(
            scope=scope_of(resident), actor=resident, activity=activity, code=activity.checkin_code
        )


def test_waiting_list_cannot_check_in(world, team, resident, member_user):
    a = make_activity(world, team, slots=1)
    services.signup_create(scope=scope_of(member_user), actor=member_user, activity=a)
    services.signup_create(scope=scope_of(resident), actor=resident, activity=a)
    with refused("候补"):
        services.check_in_by_code(
            scope=scope_of(resident), actor=resident, activity=a, code=a.checkin_code
        )


def test_check_in_too_early_is_refused(world, team, resident):
    now = timezone.now()
    a = make_activity(
        world, team, start=now + dt.timedelta(hours=3), end=now + dt.timedelta(hours=5)
    )
    services.signup_create(scope=scope_of(resident), actor=resident, activity=a)
    with refused("开始前1小时"):
        services.check_in_by_code(
            scope=scope_of(resident), actor=resident, activity=a, code=a.checkin_code
        )


def test_member_card_check_in(world, team, activity, member_user):
    services.signup_create(scope=scope_of(member_user), actor=member_user, activity=activity)
    code = card.short_code(world["m_a1"].pk)
    s = services.check_in_by_card(
        scope=scope_of(world["alice"]), actor=world["alice"], activity=activity, text=code
    )
    assert s.checked_in_at is not None and s.name == "张红"


def test_member_card_of_someone_not_signed_up_is_refused(world, team, activity, member_user):
    other = make_activity(world, team, title="另一场")
    services.signup_create(scope=scope_of(member_user), actor=member_user, activity=other)
    token = card.issue_token(world["m_a1"].pk)
    with refused("没有报名本活动"):
        services.check_in_by_card(
            scope=scope_of(world["alice"]), actor=world["alice"], activity=activity, text=token
        )


def test_check_out_writes_hours_and_ranking(world, activity, resident, member_user):
    services.signup_create(scope=scope_of(resident), actor=resident, activity=activity)
    s = services.check_in_by_code(
        scope=scope_of(resident), actor=resident, activity=activity, code=activity.checkin_code
    )
    entry = services.check_out(
        scope=scope_of(resident),
        actor=resident,
        signup=s,
        at=timezone.now() + dt.timedelta(hours=1),
    )
    assert 60 <= entry.minutes <= 61 and entry.member_id is None
    with refused("已经签退"):
        services.check_out(scope=scope_of(resident), actor=resident, signup=s)
    scope = scope_for_user(world["alice"])
    assert [r["name"] for r in selectors.ranking_members(scope)] == ["王阿姨"]
    assert selectors.ranking_teams(scope)[0]["minutes"] == entry.minutes
    assert selectors.ranking_members(scope_for_user(world["charlie"])) == []


def test_check_out_before_check_in_refused(world, activity, resident):
    s = services.signup_create(scope=scope_of(resident), actor=resident, activity=activity)
    with refused("尚未签到"):
        services.check_out(scope=scope_of(resident), actor=resident, signup=s)


@pytest.mark.parametrize(
    "minutes,contains",
    [(-30, "必须大于0"), (0, "必须大于0"), (24 * 60 + 1, "不能超过24小时"), (True, "整数")],
)
def test_negative_or_absurd_hours_refused(world, activity, resident, minutes, contains):
    s = services.signup_create(scope=scope_of(resident), actor=resident, activity=activity)
    with refused(contains):
        services.hours_record(
            scope=scope_of(world["alice"]), actor=world["alice"], signup=s, minutes=minutes
        )


def test_more_than_24_hours_a_day_refused(world, team, activity, resident):
    s = services.signup_create(scope=scope_of(resident), actor=resident, activity=activity)
    services.hours_record(
        scope=scope_of(world["alice"]), actor=world["alice"], signup=s, minutes=20 * 60
    )
    other = make_activity(world, team, title="另一场")
    s2 = services.signup_create(scope=scope_of(resident), actor=resident, activity=other)
    with refused("超过24小时"):
        services.hours_record(
            scope=scope_of(world["alice"]), actor=world["alice"], signup=s2, minutes=5 * 60
        )


def test_corrections_are_reversing_entries(world, activity, resident):
    s = services.signup_create(scope=scope_of(resident), actor=resident, activity=activity)
    e = services.hours_record(
        scope=scope_of(world["alice"]), actor=world["alice"], signup=s, minutes=180
    )
    reversal, fresh = services.hours_correct(
        scope=scope_of(world["alice"]), actor=world["alice"], entry=e, minutes=120, note="误记"
    )
    assert reversal.minutes == -180 and reversal.reverses == e and fresh and fresh.minutes == 120
    e.refresh_from_db()
    assert e.minutes == 180  # never changed
    assert selectors.total_minutes(selectors.my_hours(resident)) == 120
    with refused("已经更正过"):
        services.hours_correct(
            scope=scope_of(world["alice"]), actor=world["alice"], entry=e, minutes=60, note="再改"
        )
    with refused("冲正记录不能再更正"):
        services.hours_correct(
            scope=scope_of(world["alice"]),
            actor=world["alice"],
            entry=reversal,
            minutes=60,
            note="再改",
        )
    with refused("不能为负数"):
        services.hours_correct(
            scope=scope_of(world["alice"]),
            actor=world["alice"],
            entry=fresh,
            minutes=-5,
            note="负数",
        )
    with refused("更正原因"):
        services.hours_correct(
            scope=scope_of(world["alice"]), actor=world["alice"], entry=fresh, minutes=5, note=""
        )


def test_dual_reported_members_hours_go_to_their_branch(world, activity, member_user):
    from tongxin.dual_reports import services as dual_services
    from tongxin.dual_reports.models import DualReportHours

    r = dual_services.dual_report_create(
        actor=None, scope=Scope.everything(), member=world["m_a1"], community=world["comm_a"]
    )
    dual_services.dual_report_accept(
        actor=None, scope=Scope.everything(), report=r, service_post="楼道长"
    )
    s = services.signup_create(scope=scope_of(member_user), actor=member_user, activity=activity)
    e = services.hours_record(
        scope=scope_of(world["alice"]), actor=world["alice"], signup=s, minutes=90
    )
    assert e.member_org_path == world["branch_a1"].path
    logged = DualReportHours.objects.get()
    assert (logged.minutes, logged.source, logged.source_ref) == (
        90,
        "volunteering",
        f"hours:{e.pk}",
    )
    # the branch view: bob (branch A1) sees it, charlie does not
    assert list(selectors.branch_hours(scope_for_user(world["bob"]))) == [e]
    assert list(selectors.branch_hours(scope_for_user(world["charlie"]))) == []


def test_members_hours_outside_the_reported_community_stay_in_the_ledger(world, member_user):
    from tongxin.dual_reports.models import DualReportHours
    from tongxin.volunteering.services import team_create

    team_b = team_create(
        scope=scope_of(None),
        actor=None,
        name="孝闻队",
        org=world["branch_b1"],
        area=world["comm_b"],
    )
    a = make_activity(world, team_b, by=None)
    s = services.signup_create(scope=scope_of(member_user), actor=member_user, activity=a)
    e = services.hours_record(scope=scope_of(None), actor=None, signup=s, minutes=30)
    assert DualReportHours.objects.count() == 0
    # the member's own branch still sees the hours, served in another street
    assert list(selectors.branch_hours(scope_for_user(world["bob"]))) == [e]


def test_bad_activity_input_refused(world, team):
    now = timezone.now()
    with pytest.raises(ServiceError) as exc:
        make_activity(world, team, slots=0, end=now - dt.timedelta(hours=1))
    assert "slots" in exc.value.fields and "end" in exc.value.fields


def test_panel_counts_the_scope(world, activity, resident):
    s = services.signup_create(scope=scope_of(resident), actor=resident, activity=activity)
    services.hours_record(scope=scope_of(None), actor=None, signup=s, minutes=45)
    assert selectors.volunteering_counts(scope_for_user(world["alice"])) == {
        "teams": 1,
        "minutes": 45,
    }
    assert selectors.volunteering_counts(scope_for_user(world["charlie"])) == {
        "teams": 0,
        "minutes": 0,
    }
    assert selectors.volunteering_counts(scope_for_user(factories.user("nobody"))) is None


def test_the_ledger_is_append_only(world, activity, resident):
    s = services.signup_create(scope=scope_of(resident), actor=resident, activity=activity)
    e = services.hours_record(scope=scope_of(None), actor=None, signup=s, minutes=30)
    e.minutes = 300
    with pytest.raises(ValueError):
        e.save()
    with pytest.raises(ValueError):
        e.delete()
    e.refresh_from_db()
    assert e.minutes == 30


def test_a_team_cannot_serve_a_community_outside_its_organization(world):
    from tongxin.core.errors import ServiceError
    from tongxin.volunteering.models import VolunteerTeam
    from tongxin.volunteering.services import team_create

    with pytest.raises(ServiceError) as e:
        team_create(
            scope=scope_of(world["alice"]),
            actor=world["alice"],
            name="越界队",
            org=world["comm_a_org"],
            area=world["comm_b"],
        )
    assert "服务社区应在所属党组织所在区域之内" in e.value.fields["area"]
    assert not VolunteerTeam.objects.filter(name="越界队").exists()
