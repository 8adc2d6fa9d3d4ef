"""The four further automatic figures of a 千分制 leaf — dues arrears, 应建尽建 gaps, 三访 quota
progress, 换届 on time — each equal to a hand count on a small fixture, for two organizations
at once (street A and its community), and shown beside the assessor's score."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.appraisal.conftest import SYS
from tongxin.appraisal import selectors
from tongxin.appraisal.models import Metric
from tongxin.appraisal.services import assessment as asvc
from tongxin.dues.models import DuesBase, DuesPayment
from tongxin.orgs.models import Establishment, Leadership, OrgKind
from tongxin.visits.models import ContactAssignment, Visit, VisitKind

pytestmark = pytest.mark.django_db


def last_year() -> int:
    """The figures are for the first quarter of last year: a closed quarter, whatever today is
    (read when the test runs)."""
    return timezone.localdate().year - 1


def first_quarter(year: int) -> tuple[dt.date, dt.date, dt.date]:
    return (dt.date(year, 1, 1), dt.date(year, 2, 1), dt.date(year, 3, 1))


def figures(w, metric):
    out = selectors.metrics([w["street_a"], w["comm_a_org"]], last_year(), 1, {metric})
    return out[(w["street_a"].pk, metric)], out[(w["comm_a_org"].pk, metric)]


def base(member, on: dt.date | None = None):
    on = on or first_quarter(last_year())[0]
    DuesBase.objects.create(member=member, effective_from=on, category="salaried", base_fen=500000)


def pay(member, month):
    DuesPayment.objects.create(
        member=member, month=month, amount_fen=2500, paid_on=month, org_path=member.org_path
    )


def test_dues_arrears_equal_a_hand_count(world):
    w = world
    year = last_year()
    q1 = first_quarter(year)
    # Liable in street A: 张红, 李明 (branch A1), 王芳 (branch A2) and 陈刚 (the community).
    chen = factories.member(w["comm_a_org"], name="陈刚")
    for m in (w["m_a1"], w["m_a1b"], w["m_a2"], chen, w["m_b1"]):
        base(m)
    pay(w["m_a1"], q1[1])  # one month paid: not in arrears for the quarter
    # 李明 paid only in April (outside the quarter); 王芳 and 陈刚 paid nothing.
    pay(w["m_a1b"], dt.date(year, 4, 1))
    # A base from February on: not liable for the whole quarter, not counted.
    late = factories.member(w["branch_a2"], name="晚登记")
    base(late, q1[1])
    # Street B's member owes too: never counted in street A.
    street, community = figures(w, Metric.DUES_ARREARS)
    # Street A: 4 liable, 3 owing (李明, 王芳, 陈刚) -> 75%.
    assert street == "3人（75%）"
    # The community is the whole of street A's members here: the same 4 people.
    assert community == "3人（75%）"
    DuesPayment.objects.create(
        member=chen, month=q1[2], amount_fen=2500, paid_on=q1[2], org_path=chen.org_path
    )
    assert figures(w, Metric.DUES_ARREARS)[0] == "2人（50%）"


def test_dues_arrears_without_anyone_liable_is_a_dash(world):
    assert figures(world, Metric.DUES_ARREARS) == ("—", "—")


def test_coverage_gaps_equal_a_hand_count(world):
    w = world
    # 紫金花园: 张红 lives there; two more make three members and no 建制性 branch anchored
    # there: one compound gap.
    for i in range(2):
        factories.member(w["branch_a2"], name=f"住户党员{i}", residence=w["compound_a"])
    # A 功能性 branch with three members: due to become 建制性.
    functional = factories.org(
        "紫金流动党员支部", OrgKind.BRANCH, w["comm_a_org"], area=w["comm_a"]
    )
    functional.establishment = Establishment.FUNCTIONAL
    functional.save(update_fields=["establishment"])
    for i in range(3):
        factories.member(functional, name=f"流动党员{i}")
    street, community = figures(w, Metric.COVERAGE_GAPS)
    assert street == "2个（小区1、单位0、功能性转建制1）"
    assert community == "2个（小区1、单位0、功能性转建制1）"


def _assignment(w, org, name, visits):
    year = last_year()
    leader = factories.member(org, name=name)
    a = ContactAssignment.objects.create(
        leader=leader, org=org, org_path=org.path, contact_duty=False, home_duty=True
    )
    for i in range(visits):
        Visit.objects.create(
            kind=VisitKind.HOME,
            visited_on=dt.date(year, 3, 1 + i),
            visitor_member=leader,
            visitor_name=name,
            org=org,
            org_path=org.path,
            area=w["compound_a"],
            area_path=w["compound_a"].path,
            people_met="住户",
            heard="情况良好",
        )
    return a


def test_visit_quota_progress_equals_a_hand_count(world):
    w = world
    # Home visits in March (the quarter's last month): the quota asks for 10 a month.
    _assignment(w, w["branch_a1"], "走访甲", 10)  # complete
    _assignment(w, w["branch_a1"], "走访乙", 9)  # one short
    _assignment(w, w["street_a"], "走访丙", 12)  # complete, in the street's own office
    _assignment(w, w["branch_b1"], "走访丁", 12)  # street B: never counted in A
    street, community = figures(w, Metric.VISIT_QUOTA)
    assert street == "67%（2/3人完成）"
    assert community == "50%（1/2人完成）"


def _seat(org, member, start, end):
    Leadership.objects.create(
        org=org, member=member, role="secretary", term_start=start, term_end=end
    )


def test_term_on_time_equals_a_hand_count(world):
    w = world
    year = last_year()
    q1 = first_quarter(year)
    eve = q1[2].replace(day=31)  # the quarter's last day
    # Branch A1: term runs past the quarter: on time.
    _seat(w["branch_a1"], w["m_a1"], dt.date(year - 3, 1, 1), dt.date(year + 2, 1, 1))
    # Branch A2: term ended in February, no next term: overdue.
    _seat(w["branch_a2"], w["m_a2"], dt.date(year - 5, 2, 1), dt.date(year, 2, 1))
    # The community: an old term ended, the next began in January: on time.
    chen = factories.member(w["comm_a_org"], name="陈刚")
    _seat(w["comm_a_org"], chen, dt.date(year - 5, 1, 1), dt.date(year - 1, 12, 31))
    _seat(w["comm_a_org"], chen, dt.date(year, 1, 1), dt.date(year + 5, 1, 1))
    # Street A: the term ends on the quarter's last day: still in office that day, on time.
    zhou = factories.member(w["street_a"], name="周书记")
    _seat(w["street_a"], zhou, dt.date(year - 5, 1, 1), eve)
    # A next term registered ahead for branch A2, starting after the quarter: not counted.
    _seat(w["branch_a2"], w["m_a2"], dt.date(year, 6, 1), dt.date(year + 5, 6, 1))
    # Street B: overdue, never counted in A.
    _seat(w["branch_b1"], w["m_b1"], dt.date(year - 5, 1, 1), dt.date(year - 1, 1, 1))
    street, community = figures(w, Metric.TERM_ON_TIME)
    assert street == "75%（3/4，逾期1个）"
    assert community == "67%（2/3，逾期1个）"


def test_the_figure_is_shown_beside_the_assessors_score(world, client_for):
    w = world
    year = last_year()
    s = asvc.indicator_set_create(
        **SYS, org=w["street_a"], year=year, level="community", name="千分制", appeal_days=5
    )
    top = asvc.indicator_add(**SYS, indicator_set=s, data=asvc.IndicatorInput(name="基础工作"))
    for name, weight, metric in (
        ("党费收缴", 250, Metric.DUES_ARREARS),
        ("应建尽建", 250, Metric.COVERAGE_GAPS),
        ("三访", 250, Metric.VISIT_QUOTA),
        ("换届", 250, Metric.TERM_ON_TIME),
    ):
        asvc.indicator_add(
            **SYS,
            indicator_set=s,
            data=asvc.IndicatorInput(
                name=name, weight=weight, parent=top, check_method="documents", metric=metric
            ),
        )
    asvc.indicator_set_publish(**SYS, indicator_set=s)
    a = asvc.assessment_open(**SYS, indicator_set=s, org=w["comm_a_org"], quarter=1)
    base(w["m_a1"])
    _seat(w["branch_a2"], w["m_a2"], dt.date(year - 5, 2, 1), dt.date(year, 2, 1))
    page = client_for(w["alice"]).get(reverse("appraisal:assessment", args=[a.pk]))
    text = page.content.decode()
    assert "1人（100%）" in text
    assert "0%（0/1，逾期1个）" in text
    api = client_for(w["alice"]).get(f"/api/v1/appraisal/assessments/{a.pk}/").json()
    shown = {row["metric"]: row["metric_value"] for row in api["scores"] if row.get("metric")}
    assert shown["dues_arrears"] == "1人（100%）"
    assert shown["coverage_gaps"].startswith("0个")
    assert shown["visit_quota"] == "—"
