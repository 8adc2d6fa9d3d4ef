"""Fixed query counts on the list pages, for 3 and for 30 rows."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.meetings.conftest import plan
from tests.stranger_setup import scope_of
from tongxin.meetings import selectors, services


def make_meetings(world, n):
    today = selectors.local_today()
    for i in range(n):
        plan(
            world["branch_a1"],
            day=today.replace(day=1) + dt.timedelta(days=i % 27),
            title=f"会议{i}",
        )


@pytest.mark.parametrize("n", [3, 30])
def test_calendar_page_queries(world, client_for, django_assert_num_queries, n):
    make_meetings(world, n)
    c = client_for(world["bob"])
    c.get("/meetings/")
    # session, user, role assignments (scope); calendar totals per day; calendar rows;
    # list count; list page rows (the session is not saved again within the minute)
    with django_assert_num_queries(7):
        r = c.get("/meetings/")
    assert r.status_code == 200


@pytest.mark.parametrize("n", [3, 30])
def test_compliance_page_queries(world, client_for, django_assert_num_queries, n):
    make_meetings(world, n)
    c = client_for(world["alice"])
    # session, user, role assignments; rules; branches; GROUP BY over held meetings;
    # SAVEPOINT / UPDATE django_session / RELEASE
    with django_assert_num_queries(9):
        c.get("/meetings/compliance/")


@pytest.mark.parametrize("n", [3, 30])
def test_series_page_queries(world, client_for, django_assert_num_queries, n):
    today = selectors.local_today()
    for i in range(n):
        services.series_create(
            scope=scope_of(None),
            actor=None,
            data=services.SeriesInput(
                org=world["branch_a1"],
                kind="lecture",
                title=f"夜学{i}",
                recurrence="monthly",
                day_of_month=28,
                start_time=dt.time(19),
                end_time=dt.time(20),
                starts_on=today,
                ends_on=today + dt.timedelta(days=40),
            ),
        )
    c = client_for(world["bob"])
    # session, user, role assignments; count; rows (org joined, meetings counted);
    # SAVEPOINT / UPDATE django_session / RELEASE
    with django_assert_num_queries(8):
        c.get("/meetings/series/")


@pytest.mark.parametrize("n", [3, 30])
def test_check_in_page_queries(world, client_for, django_assert_num_queries, n):
    from tests import factories

    for _i in range(n):
        factories.member(world["branch_a1"])
    m = plan(world["branch_a1"])
    c = client_for(world["bob"])
    # session, user, role assignments; the meeting; roster; guests; attendance;
    # guest candidates (the select's rows); SAVEPOINT / UPDATE django_session / RELEASE
    with django_assert_num_queries(11):
        c.get(f"/meetings/{m.pk}/checkin/")
