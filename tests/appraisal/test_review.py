"""述职评议: one ballot per rater and reporter, none after close or from outside the pools, pool
results from 5 ballots on, the weighted grade, the 整改清单; departments with their case figures."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories
from tests.appraisal.conftest import SYS, make_session, reporter
from tests.stranger_setup import row_counts, scope_of
from tongxin.appraisal import selectors
from tongxin.appraisal.models import Ballot, Grade, ItemStatus, PoolKind, ReviewKind
from tongxin.appraisal.services import review as rsvc
from tongxin.core.errors import ServiceError

pytestmark = pytest.mark.django_db


def _cast(w, session, i, grade=Grade.GOOD):
    u = w["voters"][i]
    return rsvc.ballot_cast(
        scope=scope_of(u), actor=u, session=session, reporter=reporter(session), grade=grade
    )


def test_pool_weights_must_add_up_to_100(world):
    with pytest.raises(ServiceError) as err:
        rsvc.review_create(
            **SYS,
            org=world["street_a"],
            title="x",
            year=2026,
            kind=ReviewKind.ORG,
            pools=[rsvc.PoolInput(PoolKind.MEMBERS, 60), rsvc.PoolInput(PoolKind.UPPER, 30)],
        )
    assert "相差10%" in err.value.fields["pools"]


def test_opening_needs_each_pool_at_its_minimum_size(world):
    session = make_session(world, n=4)
    with pytest.raises(ServiceError, match="只有4人，至少需要5人"):
        rsvc.review_open(**SYS, session=session)


def test_second_ballot_after_close_and_outside_the_pools_are_refused(world):
    session = make_session(world)
    rsvc.review_open(**SYS, session=session)
    _cast(world, session, 0)
    before = row_counts()
    with pytest.raises(ServiceError, match="每人只能投一次"):
        _cast(world, session, 0, Grade.POOR)
    outsider = factories.user("outsider", "member", org=world["branch_a1"])
    with pytest.raises(ServiceError, match="不在本次述职评议的评议人名单中"):
        rsvc.ballot_cast(
            scope=scope_of(outsider),
            actor=outsider,
            session=session,
            reporter=reporter(session),
            grade=Grade.GOOD,
        )
    rsvc.review_close(**SYS, session=session)
    before = row_counts()
    with pytest.raises(ServiceError, match="不在投票时间内"):
        _cast(world, session, 1)
    assert row_counts() == before
    assert Ballot.objects.count() == 1


def test_a_grade_of_the_other_kind_is_refused(world):
    session = make_session(world)
    rsvc.review_open(**SYS, session=session)
    with pytest.raises(ServiceError):
        _cast(world, session, 0, Grade.SATISFIED)


def test_pool_results_show_from_five_ballots_and_weigh_into_the_grade(world):
    session = make_session(world)
    rsvc.review_open(**SYS, session=session)
    for i in range(4):
        _cast(world, session, i)
    res = selectors.results(session)[0]
    assert [p.shown for p in res.pools] == [False, False] and res.grade is None
    _cast(world, session, 4, Grade.FAIRLY_GOOD)  # members: 4×100 + 80 → 96
    for rater in world["upper_raters"]:  # paper ballots: 5×60 → 60
        rsvc.ballot_enter(**SYS, rater=rater, reporter=reporter(session), grade=Grade.AVERAGE)
    res = selectors.results(session)[0]
    members, upper = res.pools
    assert members.score == 96 and upper.score == 60 and upper.paper == 5
    assert res.score == pytest.approx(0.6 * 96 + 0.4 * 60)  # 81.6
    assert res.grade == Grade.FAIRLY_GOOD


def test_announce_only_after_close(world):
    session = make_session(world)
    rsvc.review_open(**SYS, session=session)
    with pytest.raises(ServiceError, match="请先截止投票"):
        rsvc.review_announce(**SYS, session=session)
    rsvc.review_close(**SYS, session=session)
    rsvc.review_announce(**SYS, session=session)
    assert session.status == "announced"


def test_rectification_items_progress_until_closed(world):
    session = make_session(world)
    rep = reporter(session)
    item = rsvc.item_add(
        **SYS,
        reporter=rep,
        title="补齐党群服务中心开放时间",
        owner="张红",
        deadline=dt.date(2026, 6, 30),
    )
    rsvc.item_progress(**SYS, item=item, progress=50, note="已排班")
    with pytest.raises(ServiceError, match="不能低于上次填报的50%"):
        rsvc.item_progress(**SYS, item=item, progress=20, note="")
    with pytest.raises(ServiceError):
        rsvc.item_progress(**SYS, item=item, progress=101, note="")
    rsvc.item_progress(**SYS, item=item, progress=100, note="完成")
    assert item.status == ItemStatus.CLOSED
    with pytest.raises(ServiceError, match="已销号"):
        rsvc.item_progress(**SYS, item=item, progress=100, note="")


def test_department_review_shows_the_agency_case_figures(world):
    from tongxin.cases.models import Case, CaseEvent, Category

    session = make_session(world, kind=ReviewKind.DEPARTMENT)
    rep = reporter(session)
    cat = Category.objects.first() or Category.objects.create(code="road", name="道路")
    t = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
    for i, (rating, closed_late) in enumerate([(5, False), (2, True)]):
        c = Case.objects.create(
            tracking_code=f"SJT{i}",
            category=cat,
            area=world["comm_a"],
            area_path=world["comm_a"].path,
            title="路灯不亮",
            description="x",
            state="closed",
            agency=rep.agency,
            reported_at=t,
            deadline_at=t + dt.timedelta(days=2),
            updated_at=t,
            closed_at=t + dt.timedelta(days=3 if closed_late else 1),
            rating=rating,
        )
        CaseEvent.objects.create(case=c, kind="claim", at=t)
    CaseEvent.objects.create(case=c, kind="return", at=t)
    f = selectors.department_figures(session)[rep.agency_id]
    assert (f.claimed, f.returned, f.on_time_pct, f.satisfaction_pct) == (2, 1, 50, 50)
    rsvc.review_open(**SYS, session=session)
    with pytest.raises(ServiceError):
        _cast(world, session, 0, Grade.GOOD)  # 好 is not a department grade
    _cast(world, session, 0, Grade.SATISFIED)
