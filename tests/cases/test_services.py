from __future__ import annotations

import datetime as dt

import pytest

from tests.cases.conftest import NOW, report
from tongxin.cases import selectors, services
from tongxin.cases.models import Case, CaseEvent, RoutingRule
from tongxin.core.errors import ConflictError, ServiceError
from tongxin.core.models import AuditLog

pytestmark = pytest.mark.django_db

H = dt.timedelta(hours=1)


def test_report_routes_sets_deadline_and_records_event(cw):
    case = report(cw)
    assert case.state == "reported"
    assert case.tracking_code.startswith("SJ") and len(case.tracking_code) == 10
    assert case.agency == cw["chengguan"]  # the category's default agency
    assert case.deadline_at == NOW + dt.timedelta(days=7)
    assert case.area_path == cw["compound_a"].path
    ev = CaseEvent.objects.get(case=case)
    assert (ev.kind, ev.actor, ev.at) == ("report", cw["grace"], NOW)
    assert AuditLog.objects.filter(action="case.report", object_id=str(case.pk)).exists()


def test_urgent_deadline_is_two_hours_and_utilities_a_day(cw):
    assert report(cw, priority="urgent").deadline_at == NOW + 2 * H
    assert report(cw, category=cw["municipal"]).deadline_at == NOW + 24 * H
    complex_ = services.case_categories().get(code="illegal_building")
    assert report(cw, category=complex_).deadline_at == NOW + dt.timedelta(days=15)


def test_routing_most_specific_area_wins(cw):
    RoutingRule.objects.create(area=cw["city_a"], category=cw["sanitation"], agency=cw["zhujian"])
    assert selectors.route(cw["compound_a"], cw["sanitation"]) == cw["zhujian"]
    RoutingRule.objects.create(area=cw["comm_a"], category=cw["sanitation"], agency=cw["chengguan"])
    assert selectors.route(cw["compound_a"], cw["sanitation"]) == cw["chengguan"]
    # another street still gets the city rule
    assert selectors.route(cw["compound_b"], cw["sanitation"]) == cw["zhujian"]
    # another category falls back to its default agency
    assert selectors.route(cw["compound_a"], cw["municipal"]) == cw["zhujian"]


@pytest.mark.parametrize(
    ("description", "contains"),
    [
        ("", "请描述"),
        ("长" * 4001, "4000"),
        ("路灯坏了<script>alert(1)</script>", "HTML"),
    ],
)
def test_report_refuses_bad_description(cw, description, contains):
    before = (Case.objects.count(), CaseEvent.objects.count(), AuditLog.objects.count())
    with pytest.raises(ServiceError) as exc:
        report(cw, description=description)
    assert contains in exc.value.fields["description"]
    assert before == (Case.objects.count(), CaseEvent.objects.count(), AuditLog.objects.count())


def test_report_refuses_street_level_area(cw):
    with pytest.raises(ServiceError) as exc:
        report(cw, area=cw["street_a_area"])
    assert "小区" in exc.value.fields["area"]
    assert not Case.objects.exists()


def _walk(cw, case):
    alice, dan = cw["alice"], cw["dan"]
    t = NOW
    for actor, action, note in [
        (alice, "accept", ""),
        (alice, "dispatch", ""),
        (dan, "claim", ""),
        (dan, "resolve", "已清运完毕。"),
        (alice, "verify", ""),
        (alice, "close", ""),
    ]:
        t += H
        case = services.case_transition(actor=actor, case=case, action=action, note=note, now=t)
    return case


def test_happy_path_records_every_step(cw):
    case = _walk(cw, report(cw))
    assert case.state == "closed" and case.closed_at == NOW + 6 * H
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", "to_state"))
    assert kinds == [
        ("report", "reported"),
        ("accept", "accepted"),
        ("dispatch", "dispatched"),
        ("claim", "claimed"),
        ("resolve", "resolved"),
        ("verify", "verified"),
        ("close", "closed"),
    ]


# Every (state, action) pair that the machine does not allow.
ALL_STATES = [
    "reported",
    "accepted",
    "dispatched",
    "claimed",
    "resolved",
    "verified",
    "closed",
    "returned",
    "escalated",
    "merged",
    "cancelled",
]
ILLEGAL = [
    (state, action)
    for action, (froms, _to, _perm) in services.TRANSITIONS.items()
    for state in ALL_STATES
    if state not in froms
]


@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_every_illegal_move_is_refused(cw, state, action):
    case = report(cw)
    Case.objects.filter(pk=case.pk).update(state=state)
    events = CaseEvent.objects.count()
    with pytest.raises(ConflictError) as exc:
        services.case_transition(actor=cw["alice"], case=case, action=action, note="说明", now=NOW)
    assert "当前状态" in exc.value.message
    assert exc.value.status == 409
    case.refresh_from_db()
    assert case.state == state
    assert CaseEvent.objects.count() == events


def test_return_needs_a_note(cw):
    case = report(cw)
    services.case_transition(actor=cw["alice"], case=case, action="accept", now=NOW)
    services.case_transition(actor=cw["alice"], case=case, action="dispatch", now=NOW)
    with pytest.raises(ServiceError) as exc:
        services.case_transition(actor=cw["dan"], case=case, action="return", now=NOW)
    assert "退回" in exc.value.fields["note"]
    case.refresh_from_db()
    assert case.state == "dispatched"


def test_escalate_counts_and_upper_level_dispatches(cw):
    case = report(cw)
    case = services.case_transition(
        actor=cw["alice"], case=case, action="escalate", note="需区级协调。", now=NOW
    )
    assert (case.state, case.escalations) == ("escalated", 1)
    case = services.case_transition(
        actor=cw["alice"], case=case, action="dispatch", agency=cw["zhujian"], now=NOW
    )
    assert case.agency == cw["zhujian"]


def test_rating_low_reopens_once(cw):
    case = _walk(cw, report(cw, actor=cw["rita"], resident=cw["rita_res"], source="resident"))
    case = services.case_rate(
        actor=cw["rita"], case=case, rating=1, note="没有清理干净", now=NOW + 10 * H
    )
    assert (case.state, case.reopened) == ("accepted", True)
    for actor, action, note in [
        (cw["alice"], "dispatch", ""),
        (cw["dan"], "claim", ""),
        (cw["dan"], "resolve", "再次清理。"),
        (cw["alice"], "verify", ""),
        (cw["alice"], "close", ""),
    ]:
        case = services.case_transition(
            actor=actor, case=case, action=action, note=note, now=NOW + 11 * H
        )
    case = services.case_rate(actor=cw["rita"], case=case, rating=2, now=NOW + 12 * H)
    assert (case.state, case.rating) == ("closed", 2)  # not reopened twice
    with pytest.raises(ConflictError):
        services.case_rate(actor=cw["rita"], case=case, rating=5, now=NOW + 13 * H)


def test_rating_must_be_one_to_five_and_only_when_closed(cw):
    case = report(cw)
    with pytest.raises(ConflictError):
        services.case_rate(actor=None, case=case, rating=5)
    case = _walk(cw, case)
    with pytest.raises(ServiceError) as exc:
        services.case_rate(actor=None, case=case, rating=6)
    assert "1到5" in exc.value.fields["rating"]
    case.refresh_from_db()
    assert case.rating is None


def test_traffic_light(cw):
    start, deadline = NOW, NOW + 10 * H
    assert selectors.traffic_light(start, deadline, NOW + 7 * H) == "green"
    assert selectors.traffic_light(start, deadline, NOW + 8 * H) == "yellow"
    assert selectors.traffic_light(start, deadline, NOW + 10 * H) == "yellow"
    assert selectors.traffic_light(start, deadline, NOW + 11 * H) == "red"


def test_sweep_urges_then_supervises_set_based(cw, django_assert_max_num_queries):
    late = report(cw, priority="urgent")  # 2 h
    fresh = report(cw)  # 7 days
    closed = _walk(cw, report(cw, priority="urgent"))
    with django_assert_max_num_queries(8):
        counts = services.sweep_overdue(now=NOW + 3 * H)
    assert counts == {"supervise": 0, "urge": 1}
    late.refresh_from_db()
    fresh.refresh_from_db()
    closed.refresh_from_db()
    assert (late.overdue_level, fresh.overdue_level, closed.overdue_level) == (1, 0, 0)
    assert services.sweep_overdue(now=NOW + 3 * H) == {"supervise": 0, "urge": 0}
    # overdue by the whole allowed time again (2 h + 2 h): 督办
    assert services.sweep_overdue(now=NOW + 5 * H) == {"supervise": 1, "urge": 0}
    kinds = list(CaseEvent.objects.filter(case=late).values_list("kind", flat=True))
    assert kinds[-2:] == ["urge", "supervise"]
    ev = CaseEvent.objects.filter(case=late, kind="supervise").get()
    assert ev.at == NOW + 5 * H and ev.actor is None


def test_duplicates_offered_by_similar_text(cw):
    first = report(cw, description="3号楼门口垃圾堆放好几天没有清运，味道很大")
    other = report(cw, description="小区北门路灯不亮了")
    dup = report(cw, description="3号楼门口的垃圾没有清运，味道很大", now=NOW + 24 * H)
    found = [c for c, _score in selectors.possible_duplicates(dup)]
    assert found == [first]
    assert other not in found
    # older than 7 days: not offered
    late = report(cw, description="3号楼门口垃圾堆放没有清运，味道很大", now=NOW + 8 * 24 * H)
    assert first not in [c for c, _s in selectors.possible_duplicates(late)]
    services.case_merge(actor=cw["alice"], case=dup, into=first, now=NOW + 25 * H)
    dup.refresh_from_db()
    assert (dup.state, dup.merged_into) == ("merged", first)
