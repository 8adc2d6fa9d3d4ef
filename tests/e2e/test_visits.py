"""三访 in a real browser: a cadre records a home visit with a problem on the phone, turns
the problem into a case, and the biweekly briefing lists it with the case's state. Every 三访
page at 1280 and 375 px, saved for a person to look at; none may scroll sideways on a phone."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.browser import DESKTOP, PHONE, SCREENSHOTS, login
from tests.factories import PASSWORD
from tests.stranger_setup import scope_of
from tongxin.visits.models import Visit, VisitProblem

pytestmark = pytest.mark.e2e


@pytest.fixture
def visits_world(e2e_world):
    """The e2e database is flushed between tests: the case categories the cases migration
    loads are put back (one is enough here)."""
    from tongxin.cases.models import Category

    Category.objects.get_or_create(code="lighting", defaults={"name": "路灯照明"})
    return e2e_world


def _watch(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    return errors


def test_a_cadre_records_a_home_visit_and_the_problem_reaches_the_briefing(
    new_context, visits_world
):
    w = visits_world
    page = new_context(PHONE).new_page()
    errors = _watch(page)
    login(page, w["url"], "bob", PASSWORD)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{w['url']}/visits/")
    expect(page.get_by_role("heading", name="三访 · 民情日记")).to_be_visible()
    page.get_by_role("link", name="＋ 记录走访").click()
    expect(page.get_by_role("heading", name="记录走访")).to_be_visible()
    page.get_by_label("走访类型").select_option(label="上门家访")
    page.get_by_label("走访地点（社区/小区/楼栋）").select_option(label="紫金花园")
    page.get_by_label("走访户").fill("5幢302 李家")
    page.get_by_label("走访对象").fill("李阿姨")
    page.get_by_label("所见所闻").fill("老人独居，儿子在外地工作。")
    page.get_by_label("群众反映的问题（每行一条）").fill("5幢楼道灯坏了一个月")
    page.screenshot(path=SCREENSHOTS / "visits-flow-record-phone.png", full_page=True)
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_text("已记入民情日记。")).to_be_visible()
    problem = page.get_by_test_id("problem")
    expect(problem).to_contain_text("5幢楼道灯坏了一个月")
    problem.get_by_role("button", name="转为事件").click()
    expect(page.get_by_text("已转为事件，查询码")).to_be_visible()
    expect(page.get_by_test_id("case-state")).to_have_text("待受理")
    page.screenshot(path=SCREENSHOTS / "visits-flow-detail-phone.png", full_page=True)
    p = VisitProblem.objects.get()
    assert p.case_pk is not None and p.case_code
    assert Visit.objects.get().visitor == w["bob"]

    page.get_by_role("link", name="← 民情日记").click()
    page.get_by_role("link", name="双周通报会").click()
    expect(page.get_by_role("heading", name="双周通报会")).to_be_visible()
    row = page.get_by_test_id("briefing-row").filter(has_text="5幢楼道灯坏了一个月")
    expect(row).to_contain_text(p.case_code)
    expect(row.get_by_test_id("case-state")).to_have_text("待受理")
    expect(page.get_by_test_id("briefing-group").first).to_contain_text("事件：待受理")
    page.screenshot(path=SCREENSHOTS / "visits-flow-briefing-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    assert not errors, errors


def _pages(w: dict, visit: Visit, post_pk: int) -> list[tuple[str, str, str]]:
    return [
        ("visits-index", "/visits/", "三访 · 民情日记"),
        ("visits-form", "/visits/new/", "记录走访"),
        ("visits-detail", f"/visits/{visit.pk}/", "紫金花园 · 3幢201"),
        ("visits-quotas", "/visits/quotas/", "三访配额进度"),
        ("visits-assign", "/visits/quotas/assign/", "登记三访责任"),
        ("visits-briefing", "/visits/briefing/", "双周通报会"),
        ("visits-posts", "/visits/posts/", "党员巡访服务岗"),
        ("visits-post", f"/visits/posts/{post_pk}/", "紫金党员巡访服务岗"),
        ("visits-post-form", "/visits/posts/new/", "设立巡访服务岗"),
        ("visits-dashboard", "/", "工作台"),
    ]


@pytest.mark.parametrize(
    ("label", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)], ids=["1280", "375"]
)
def test_visit_pages_render_and_fit(new_context, visits_world, label, viewport):
    from tongxin.orgs.models import Unit
    from tongxin.visits import services
    from tongxin.visits.models import VisitKind

    w = visits_world
    units = [
        Unit.objects.create(name=f"联系企业{i}", sector="enterprise", area=w["compound_a"])
        for i in range(4)
    ]
    hh = [services.HouseholdInput(area=w["compound_a"], label=f"{i}幢101") for i in range(10)]
    services.assignment_create(
        scope=scope_of(w["alice"]),
        actor=w["alice"],
        leader=w["m_a1"],
        org=w["branch_a1"],
        units=units,
        households=hh,
    )
    post = services.patrol_post_create(
        scope=scope_of(w["alice"]),
        actor=w["alice"],
        name="紫金党员巡访服务岗",
        org=w["branch_a1"],
        area=w["compound_a"],
        place="紫金花园北门",
        shifts="每天 8:00—11:00",
        members=[w["m_a1"], w["m_a1b"]],
    )
    visit = services.visit_record(
        scope=scope_of(w["bob"]),
        actor=w["bob"],
        visitor_member=w["m_a1"],
        data=services.VisitInput(
            kind=VisitKind.HOME,
            visited_on=timezone.localdate(),
            org=w["branch_a1"],
            area=w["compound_a"],
            household="3幢201",
            people_met="张大爷一家",
            heard="楼道灯坏了两个月，老人晚上出门不便。",
            problems=("3幢楼道灯不亮", "希望增设休息座椅"),
        ),
    )
    services.problem_resolve(
        scope=scope_of(w["bob"]),
        actor=w["bob"],
        problem=visit.problems.last(),
        resolution="已联系物业安排",
    )
    page = new_context(viewport).new_page()
    errors = _watch(page)
    login(page, w["url"], "alice", PASSWORD)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    too_wide = {}
    for name, path, heading in _pages(w, visit, post.pk):
        response = page.goto(w["url"] + path)
        assert response is not None and response.status == 200, name
        expect(page.get_by_role("heading", name=heading, exact=True).first).to_be_visible()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=SCREENSHOTS / f"{name}-{label}.png", full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        if viewport is PHONE and width > PHONE["width"] + 1:
            too_wide[name] = width
    assert not too_wide, f"pages wider than 375 px: {too_wide}"
    assert not errors, errors
