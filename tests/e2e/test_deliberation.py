"""议事 in a real browser, 说 → 议 → 办 → 评: a resident raises a topic on the phone; the host
accepts it, schedules a meeting and starts a one-vote-per-household vote; residents check in and
vote on their phones (a second vote of the same household is refused); the host counts, decides,
adds an action and marks it done; the residents rate on their phones; the public page shows it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests import factories
from tests.deliberation.conftest import make_forum
from tests.e2e.browser import DESKTOP, PHONE, SCREENSHOTS, login
from tests.factories import PASSWORD
from tests.sharing.conftest import make_resident
from tongxin.core.scope import Scope
from tongxin.deliberation.models import Ballot, Session, Topic, TopicStatus, Vote
from tongxin.deliberation.services import forums
from tongxin.geo.models import AreaLevel

pytestmark = pytest.mark.e2e


def test_a_topic_goes_from_say_to_rate(new_context, e2e_world):
    w = e2e_world
    building = factories.area("紫金花园1幢", AreaLevel.BUILDING, w["compound_a"])
    ann = make_resident("ann", "林安", building, "13900001111")
    ben = make_resident("ben", "周斌", building, "13900002222")
    cat = make_resident("cat", "许彩", w["compound_a"], "13900003333")
    forum = make_forum(w, "墙门月光会")  # one vote per household, quorum 20%
    for label, people in (("1幢101", [ann, ben]), ("2幢202", [cat])):
        forums.household_register(
            scope=Scope.everything(),
            actor=None,
            area=w["compound_a"],
            label=label,
            residents=people,
        )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    url = w["url"]

    phone: Page = new_context(PHONE).new_page()
    login(phone, url, "ann", PASSWORD)
    phone.goto(f"{url}/deliberation/mine/")
    phone.get_by_role("link", name="我要说事").click()
    phone.get_by_label("想议的事").fill("1幢楼道堆物清理，电话13900001111")
    phone.get_by_role("button", name="提交").click()
    expect(phone.get_by_test_id("topic-status")).to_have_text("说·待受理")
    expect(phone.locator("h1")).to_contain_text("[联系方式已隐藏]")
    topic = Topic.objects.get()

    staff: Page = new_context(DESKTOP).new_page()
    login(staff, url, "alice", PASSWORD)
    staff.goto(f"{url}/deliberation/topics/{topic.pk}/")
    staff.get_by_role("button", name="受理，进入议事").click()
    expect(staff.get_by_test_id("topic-status")).to_have_text("议·议事中")
    staff.goto(f"{url}/deliberation/forums/{forum.pk}/")
    staff.get_by_label("时间").fill(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    staff.get_by_label("地点").fill("紫金花园凉亭")
    staff.get_by_label("议程（议事中的议题）").select_option(str(topic.pk))
    staff.get_by_label("居民代表").check()
    staff.get_by_label("物业公司").check()
    staff.get_by_role("button", name="安排议事会").click()
    code = staff.get_by_test_id("session-code").inner_text().strip()
    staff.screenshot(path=SCREENSHOTS / "deliberation-session-desktop.png", full_page=True)
    staff.goto(f"{url}/deliberation/topics/{topic.pk}/")
    staff.get_by_label("表决事项").fill("是否同意由物业一周内清理楼道堆物")
    staff.get_by_label("截止时间").fill(
        (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    )
    staff.get_by_role("button", name="开始表决").click()
    expect(staff.get_by_test_id("staff-open-vote")).to_be_visible()

    for who in ("ann", "ben", "cat"):
        p: Page = new_context(PHONE).new_page()
        login(p, url, who, PASSWORD)
        p.goto(f"{url}/deliberation/mine/topics/{topic.pk}/")
        if who != "ben":
            p.locator("input[name=code]").fill(code)
            p.get_by_role("button", name="签到").click()
            expect(p.locator(".alert-success")).to_contain_text("签到成功")
        if who == "ben":  # ann voted for their household: no second ballot offered
            expect(p.get_by_test_id("my-ballot")).to_contain_text("您家已投票（一户一票）")
            continue
        p.get_by_label("同意", exact=True).check()
        p.get_by_role("button", name="投票").click()
        expect(p.get_by_test_id("my-ballot")).to_contain_text("已投票：同意")
        if who == "ann":
            p.screenshot(path=SCREENSHOTS / "deliberation-vote-phone.png", full_page=True)
    assert Ballot.objects.count() == 2  # two households

    staff.reload()
    staff.get_by_role("button", name="结束并计票").click()
    expect(staff.get_by_test_id("vote-result")).to_have_text("通过")
    assert Vote.objects.get().cast == 2
    staff.get_by_label("议定结论").fill("由紫金物业一周内清理1幢楼道堆物")
    staff.get_by_role("button", name="议定").click()
    expect(staff.get_by_test_id("topic-status")).to_have_text("办·办理中")
    staff.get_by_label("办理事项").fill("清理1幢楼道")
    staff.get_by_label("责任方类型").select_option("property")
    staff.locator("#id_owner_name").fill("紫金物业")
    staff.get_by_label("完成期限").fill((timezone.localdate() + dt.timedelta(days=7)).isoformat())
    staff.get_by_role("button", name="添加", exact=True).click()
    staff.get_by_label("“清理1幢楼道”进度（%）").fill("100")
    staff.get_by_role("button", name="更新进度").click()
    expect(staff.get_by_test_id("topic-status")).to_have_text("评·待评价")
    staff.screenshot(path=SCREENSHOTS / "deliberation-topic-desktop.png", full_page=True)

    for who in ("ann", "cat"):
        p = new_context(PHONE).new_page()
        login(p, url, who, PASSWORD)
        p.goto(f"{url}/deliberation/mine/topics/{topic.pk}/")
        p.get_by_label("满意", exact=True).check()
        p.get_by_role("button", name="提交评价").click()
        expect(p.get_by_test_id("my-rating")).to_contain_text("满意")
    staff.reload()
    staff.get_by_role("button", name="结束评议").click()
    expect(staff.get_by_test_id("topic-status")).to_have_text("已办结")
    assert Topic.objects.get().status == TopicStatus.CLOSED
    assert Session.objects.get().attendance.count() == 2

    public: Page = new_context(PHONE).new_page()
    public.goto(f"{url}/deliberation/p/topics/{topic.pk}/")
    expect(public.get_by_test_id("raised-by")).to_have_text("林*")
    expect(public.get_by_test_id("vote-result")).to_have_text("通过")
    public.screenshot(path=SCREENSHOTS / "deliberation-public-phone.png", full_page=True)
    public.goto(f"{url}/deliberation/p/forums/{forum.pk}/")
    public.screenshot(path=SCREENSHOTS / "deliberation-forum-phone.png", full_page=True)
    public.goto(f"{url}/deliberation/p/topics/{topic.pk}/notice/")
    expect(public.locator("h1")).to_have_text("议事结果公示")
