"""In Chromium: a 千分制 assessment whose leaves name the four further automatic figures (dues
arrears, 应建尽建 gaps, 三访 quota, 换届 on time); each shows beside the assessor's score box at
1280 and 375 px (test-artifacts/screenshots/appraisal-figures-*), checked with axe."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.appraisal.conftest import SYS
from tests.e2e.browser import DESKTOP, PHONE, SCREENSHOTS, login
from tests.factories import PASSWORD
from tongxin.appraisal.models import Metric
from tongxin.appraisal.services import assessment as asvc
from tongxin.dues.models import DuesBase
from tongxin.orgs.models import Leadership

pytestmark = pytest.mark.e2e
YEAR = 2026


def test_the_four_figures_beside_the_assessors_score(new_context, e2e_world):
    w = e2e_world
    s = asvc.indicator_set_create(
        **SYS, org=w["street_a"], year=YEAR, level="community", name="千分制", appeal_days=5
    )
    top = asvc.indicator_add(**SYS, indicator_set=s, data=asvc.IndicatorInput(name="基础工作"))
    leaves = (
        ("党费收缴", Metric.DUES_ARREARS),
        ("组织设置应建尽建", Metric.COVERAGE_GAPS),
        ("三访任务", Metric.VISIT_QUOTA),
        ("换届按期规范", Metric.TERM_ON_TIME),
    )
    for name, metric in leaves:
        asvc.indicator_add(
            **SYS,
            indicator_set=s,
            data=asvc.IndicatorInput(
                name=name, weight=250, parent=top, check_method="documents", metric=metric
            ),
        )
    asvc.indicator_set_publish(**SYS, indicator_set=s)
    a = asvc.assessment_open(**SYS, indicator_set=s, org=w["comm_a_org"], quarter=1)
    ids = {sc.indicator.name: sc.indicator_id for sc in a.scores.select_related("indicator")}
    for m in (w["m_a1"], w["m_a1b"]):
        DuesBase.objects.create(
            member=m, effective_from=dt.date(YEAR, 1, 1), category="salaried", base_fen=500000
        )
    Leadership.objects.create(
        org=w["branch_a2"],
        member=w["m_a2"],
        role="secretary",
        term_start=dt.date(YEAR - 5, 1, 1),
        term_end=dt.date(YEAR, 2, 1),
    )

    page = new_context(DESKTOP).new_page()
    login(page, w["url"], "alice", PASSWORD)
    page.goto(f"{w['url']}/appraisal/assessments/{a.pk}/")
    expect(page.get_by_test_id(f"metric-{ids['党费收缴']}")).to_contain_text("2人（100%）")
    expect(page.get_by_test_id(f"metric-{ids['组织设置应建尽建']}")).to_contain_text("0个")
    expect(page.get_by_test_id(f"metric-{ids['三访任务']}")).to_contain_text("—")
    expect(page.get_by_test_id(f"metric-{ids['换届按期规范']}")).to_contain_text("逾期1个")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.screenshot(path=SCREENSHOTS / f"appraisal-figures-{label}.png", full_page=True)
        if label == "phone":
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
