"""The pages: the public register (no login, names masked, drafts never shown), objections
from a resident's phone, the staff pages and a stranger's 404 on each."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories
from tests.powers.conftest import attach_all, back_date, new_instance, pdf, walk_to_publicity
from tests.stranger_setup import row_counts
from tongxin.geo.models import AreaLevel
from tongxin.orgs.models import OrgKind, Sector
from tongxin.powers import selectors
from tongxin.powers.models import InstanceStatus, Objection, PowerInstance, PowerItem


def test_the_public_register_masks_names_and_hides_drafts(pw, client):
    shown = new_instance(pw, applicant="张三丰")
    hidden = new_instance(pw, start=False, applicant="李四")
    r = client.get(reverse("powers:public"))
    assert r.status_code == 200
    body = r.content.decode()
    assert "张**" in body and "张三丰" not in body
    assert reverse("powers:public_instance", args=[shown.pk]) in body
    assert reverse("powers:public_instance", args=[hidden.pk]) not in body
    assert client.get(reverse("powers:public_instance", args=[hidden.pk])).status_code == 404
    r = client.get(reverse("powers:public_instance", args=[shown.pk]))
    assert r.status_code == 200 and "张三丰" not in r.content.decode()


def test_the_public_register_lists_with_a_fixed_number_of_queries(
    pw, client, django_assert_max_num_queries
):
    for _ in range(2):
        new_instance(pw)
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("powers:public"))
    for _ in range(8):
        new_instance(pw)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("powers:public"))


def test_public_catalogue_and_flowchart(pw, client):
    r = client.get(reverse("powers:public_area", args=[pw["village"].pk]))
    assert r.status_code == 200 and "宅基地申请审批" in r.content.decode()
    item = PowerItem.objects.get(area=pw["village"], name="宅基地申请审批")
    r = client.get(reverse("powers:public_item", args=[item.pk]))
    body = r.content.decode()
    assert 'data-testid="flow"' in body and body.count('data-testid="flow-step"') == 6
    assert "公示7天" in body
    assert client.get(reverse("powers:public_area", args=[pw["comm_b"].pk])).status_code == 404
    assert client.get("/powers/public/areas/99999999999999999999/").status_code == 404


def test_a_resident_objects_during_the_publicity_on_the_phone_page(pw, client_for):
    inst = walk_to_publicity(pw, new_instance(pw))
    c = client_for(pw["ann"].user)
    url = reverse("powers:public_instance", args=[inst.pk])
    r = c.get(url)
    assert 'data-testid="publicity-notice"' in r.content.decode()
    r = c.post(
        reverse("powers:object", args=[inst.pk]), {"text": "收入情况与实际不符"}, follow=True
    )
    assert "您的异议已提交" in r.content.decode()
    assert Objection.objects.filter(instance=inst, filed_by=pw["ann"].user).count() == 1
    r = c.post(reverse("powers:object", args=[inst.pk]), {"text": ""}, follow=True)
    assert "请写明您的异议" in r.content.decode()
    assert Objection.objects.count() == 1


def test_objecting_needs_a_login(pw, client):
    inst = walk_to_publicity(pw, new_instance(pw))
    r = client.post(reverse("powers:object", args=[inst.pk]), {"text": "反对"})
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    assert not Objection.objects.exists()


def test_staff_walk_an_instance_through_the_pages(pw, client_for):
    c = client_for(pw["alice"])
    item = pw["relief"]
    r = c.post(
        reverse("powers:item", args=[item.pk]),
        {"action": "new", "title": "王五低保", "applicant": "王五"},
    )
    inst = PowerInstance.objects.get(title="王五低保")
    assert r["Location"] == reverse("powers:instance", args=[inst.pk])
    url = reverse("powers:instance", args=[inst.pk])
    c.post(url, {"action": "start"})
    inst.refresh_from_db()
    assert inst.status == InstanceStatus.RUNNING
    first, second = selectors.steps_of(item)[:2]
    # skipping from the page: refused with the reason, nothing changed
    before = row_counts()
    r = c.post(url, {"action": "advance", "step": second.pk}, follow=True)
    assert "不能跳过环节" in r.content.decode()
    assert row_counts() == before
    r = c.post(url, {"action": "advance", "step": first.pk}, follow=True)
    assert "缺少材料" in r.content.decode()
    for name in first.documents:
        c.post(url, {"action": "document", "name": name, "file": pdf()})
    r = c.post(url, {"action": "advance", "step": first.pk, "note": "材料齐全"}, follow=True)
    assert "已办理" in r.content.decode()
    inst.refresh_from_db()
    assert inst.done_steps == 1
    doc = inst.documents.first()
    assert doc is not None
    assert c.get(reverse("powers:document", args=[inst.pk, doc.pk])).status_code == 200


def test_staff_answer_an_objection_on_the_page(pw, client_for):
    inst = walk_to_publicity(pw, new_instance(pw))
    o = Objection.objects.create(
        instance=inst, step=selectors.steps_of(inst.item)[3], text="有意见"
    )
    c = client_for(pw["alice"])
    url = reverse("powers:instance", args=[inst.pk])
    c.post(url, {"action": "answer", "objection": o.pk, f"o{o.pk}-answer": "已核实，符合条件。"})
    o.refresh_from_db()
    assert o.answered_at is not None and o.answer == "已核实，符合条件。"
    back_date(inst, 7)
    c.post(url, {"action": "advance", "step": selectors.steps_of(inst.item)[3].pk})
    inst.refresh_from_db()
    assert inst.done_steps == 4


def test_staff_pages_render(pw, client_for):
    c = client_for(pw["alice"])
    inst = new_instance(pw)
    PowerInstance.objects.filter(pk=inst.pk).update(step_due_on="2020-01-01")
    r = c.get(reverse("powers:index"))
    assert r.status_code == 200 and "东山村" in r.content.decode()
    assert 'data-testid="stuck-list"' in r.content.decode() and "低保申请" in r.content.decode()
    assert c.get(reverse("powers:catalogue", args=[pw["comm_a"].pk])).status_code == 200
    assert c.get(reverse("powers:item", args=[pw["relief"].pk])).status_code == 200
    r = c.get(reverse("powers:instances") + "?stuck=1")
    assert 'data-testid="stuck-flag"' in r.content.decode()
    assert c.get(reverse("powers:load")).status_code == 200
    assert 'data-testid="powers-panel"' in c.get("/").content.decode()


def test_item_and_step_edits_on_the_page(pw, client_for):
    c = client_for(pw["alice"])
    item = pw["relief"]
    url = reverse("powers:item", args=[item.pk])
    c.post(url, {"action": "item", "name": "低保审核", "basis": "", "active": "on"})
    item.refresh_from_db()
    assert item.name == "低保审核"
    step = selectors.steps_of(item)[0]
    p = f"s{step.pk}"
    c.post(
        url,
        {
            "action": "step",
            "step": step.pk,
            f"{p}-name": "申请",
            f"{p}-role": "申请人",
            f"{p}-documents": "申请书，身份证",
            f"{p}-publicity_days": 0,
            f"{p}-limit_days": 5,
        },
    )
    step.refresh_from_db()
    assert step.name == "申请" and step.documents == ["申请书", "身份证"]


def test_loading_a_catalogue_on_the_page(pw, client_for):
    area = factories.area("西岙村", AreaLevel.COMMUNITY, pw["street_a_area"])
    org = factories.org(
        "西岙村党支部", OrgKind.BRANCH, pw["street_a"], sector=Sector.VILLAGE, area=area
    )
    c = client_for(pw["alice"])
    r = c.post(reverse("powers:load"), {"area": area.pk, "org": org.pk})
    assert r.status_code == 302
    assert PowerItem.objects.filter(area=area).count() == 36
    r = c.post(reverse("powers:load"), {"area": area.pk, "org": org.pk})
    assert "已有小微权力清单" in r.content.decode()


@pytest.mark.parametrize("who", ["charlie", "bella"])
def test_a_stranger_gets_404_on_every_staff_page_and_changes_nothing(pw, client_for, who):
    inst = new_instance(pw)
    attach_all(pw, inst)
    doc = inst.documents.first()
    assert doc is not None
    c = client_for(pw[who])
    gets = [
        reverse("powers:catalogue", args=[pw["comm_a"].pk]),
        reverse("powers:item", args=[pw["relief"].pk]),
        reverse("powers:instance", args=[inst.pk]),
        reverse("powers:document", args=[inst.pk, doc.pk]),
    ]
    for url in gets:
        assert c.get(url).status_code == 404, url
    before = row_counts()
    step = selectors.steps_of(inst.item)[0]
    posts = [
        (reverse("powers:instance", args=[inst.pk]), {"action": "advance", "step": step.pk}),
        (reverse("powers:item", args=[pw["relief"].pk]), {"action": "new", "title": "x"}),
        (reverse("powers:load"), {"area": pw["comm_a"].pk, "org": pw["comm_a_org"].pk}),
    ]
    for url, data in posts:
        assert c.post(url, data).status_code in (200, 404), url
    assert row_counts() == before
    r = c.get(reverse("powers:index"))
    assert "紫金社区" not in r.content.decode() if r.status_code == 200 else r.status_code == 404


def test_someone_elses_draft_is_a_404_on_the_page(pw, client_for):
    draft = new_instance(pw, start=False)
    c = client_for(pw["dora"])
    url = reverse("powers:instance", args=[draft.pk])
    assert c.get(url).status_code == 404
    assert c.post(url, {"action": "start"}).status_code == 404
    draft.refresh_from_db()
    assert draft.status == InstanceStatus.DRAFT
    assert client_for(pw["alice"]).get(url).status_code == 200


def test_the_overview_shows_fifty_places_a_page_with_a_fixed_number_of_queries(
    pw, client_for, django_assert_max_num_queries
):
    """A city root reaches about 1,500 villages and communities: the overview pages them, and
    its instance counts are read for the page's places only."""
    from tests.stranger_setup import scope_of
    from tongxin.powers import services

    a = pw["alice"]
    new_instance(pw)
    c = client_for(a)
    with django_assert_max_num_queries(30) as few:
        assert c.get(reverse("powers:index")).status_code == 200
    for i in range(50):
        area = factories.area(f"新村{i:02d}", AreaLevel.COMMUNITY, pw["street_a_area"])
        org = factories.org(
            f"新村{i:02d}党支部", OrgKind.BRANCH, pw["street_a"], sector=Sector.VILLAGE, area=area
        )
        services.catalogue_load(scope=scope_of(a), actor=a, area=area, org=org)
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = c.get(reverse("powers:index"))
    body = r.content.decode()
    assert body.count('href="/powers/areas/') == 50
    assert "第 1 / 2 页" in body and "?page=2" in body
    r = c.get(reverse("powers:index") + "?page=2")
    page2 = r.content.decode()
    assert page2.count('href="/powers/areas/') == 2
    # The running instance sits in 紫金社区, counted on whichever page lists it.
    assert ">1</td>" in body + page2
