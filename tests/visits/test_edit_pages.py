"""三访责任 and 巡访服务岗 after they are registered: edit and end (停用) pages over the visits
services. Bad input gets a Chinese message on its field and changes nothing; an ended one is
a conflict (409); strangers (charlie, street B) and readers (the auditor) get 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.helpers import is_chinese, texts
from tests.stranger_setup import scope_of
from tests.visits.conftest import edit_state as _state
from tests.visits.conftest import record
from tongxin.core.errors import ConflictError, ServiceError
from tongxin.core.models import AuditLog
from tongxin.visits import services
from tongxin.visits.models import ContactAssignment, ContactTarget, VisitKind

pytestmark = pytest.mark.django_db


def _edit(w, **over):
    data = dict(
        scope=scope_of(w["alice"]),
        actor=w["alice"],
        assignment=w["assignment"],
        org=w["branch_a1"],
        units=w["units"][:4],
        household_labels=[f"{i}幢101" for i in range(10)],
        household_area=None,
        contact_duty=True,
        home_duty=True,
    )
    data.update(over)
    return services.assignment_update(**data)


# --- services -------------------------------------------------------------------------------


def test_editing_keeps_linked_targets_and_their_visits(aw):
    kept = ContactTarget.objects.get(assignment=aw["assignment"], label="0幢101")
    visit = record(aw, kind=VisitKind.CONTACT, target=kept)
    labels = [f"{i}幢101" for i in range(1, 10)] + ["12幢302 新户"]
    a = _edit(
        aw,
        units=aw["units"][1:6],
        household_labels=labels,
        household_area=aw["compound_a"],
        home_duty=False,
    )
    assert (a.home_duty, a.contact_duty) == (False, True)
    units = set(a.targets.filter(kind="unit").values_list("unit_id", flat=True))
    assert units == {u.pk for u in aw["units"][1:6]}
    assert sorted(a.targets.filter(kind="household").values_list("label", flat=True)) == sorted(
        labels
    )
    # 1幢101 … 9幢101 are the same rows as before; 0幢101 is unlinked, its visit stays.
    assert ContactTarget.objects.filter(pk=ContactTarget.objects.get(label="1幢101").pk).exists()
    assert not ContactTarget.objects.filter(pk=kept.pk).exists()
    visit.refresh_from_db()
    assert visit.target is None
    row = AuditLog.objects.get(action="visits.assignment_update")
    assert row.diff["before"]["home_duty"] is True and row.diff["after"]["home_duty"] is False


@pytest.mark.parametrize(
    ("over", "field", "contains"),
    [
        ({"units": "three"}, "units", "当前选择了3个"),
        ({"units": "six"}, "units", "当前选择了6个"),
        ({"household_labels": [f"{i}幢101" for i in range(9)]}, "households", "当前只有9户"),
        (
            {"household_labels": [f"{i}幢101" for i in range(10)] + ["新户"]},
            "household_area",
            "新增了联系户",
        ),
        (
            {
                "household_labels": ["新户"] * 1 + [f"{i}幢101" for i in range(10)],
                "household_area": "compound_b",
            },
            "households",
            "所在区域内",
        ),
        ({"contact_duty": False, "home_duty": False}, "contact_duty", "至少选择一项"),
    ],
)
def test_a_bad_edit_is_refused_on_its_field_and_writes_nothing(aw, over, field, contains):
    over = dict(over)
    if over.get("units") == "three":
        over["units"] = aw["units"][:3]
    elif over.get("units") == "six":
        over["units"] = aw["units"]
    if over.get("household_area") == "compound_b":
        over["household_area"] = aw["compound_b"]
    before = _state()
    with pytest.raises(ServiceError) as exc:
        _edit(aw, **over)
    assert field in exc.value.fields and contains in exc.value.fields[field], exc.value.fields
    assert is_chinese(exc.value.fields[field]) and is_chinese(exc.value.message)
    assert _state() == before


def test_an_ended_assignment_cannot_be_edited_or_ended_again(aw):
    services.assignment_end(
        scope=scope_of(aw["alice"]), actor=aw["alice"], assignment=aw["assignment"]
    )
    assert not ContactAssignment.objects.get().active
    before = _state()
    with pytest.raises(ConflictError) as exc:
        _edit(aw)
    assert "已停用" in exc.value.message
    with pytest.raises(ConflictError):
        services.assignment_end(
            scope=scope_of(aw["alice"]), actor=aw["alice"], assignment=aw["assignment"]
        )
    assert _state() == before
    # The person may be given a new one.
    services.assignment_create(
        scope=scope_of(aw["alice"]),
        actor=aw["alice"],
        leader=aw["m_a1"],
        org=aw["branch_a1"],
        units=[],
        households=[],
        contact_duty=False,
    )
    assert ContactAssignment.objects.filter(active=True).count() == 1


def test_editing_a_post(aw):
    p = services.patrol_post_update(
        scope=scope_of(aw["alice"]),
        actor=aw["alice"],
        post=aw["post"],
        name=" 紫金花园巡访岗 ",
        org=aw["branch_a1"],
        area=aw["compound_a"],
        place="北门岗亭",
        shifts="每天 8:00—11:00",
        members=[aw["m_a1"], aw["m_a1b"]],
    )
    assert (p.name, p.place, p.shifts) == ("紫金花园巡访岗", "北门岗亭", "每天 8:00—11:00")
    assert set(p.members.values_list("name", flat=True)) == {"张红", "李明"}
    assert AuditLog.objects.filter(action="visits.post_update", object_id=str(p.pk)).exists()


@pytest.mark.parametrize(
    ("over", "field", "contains"),
    [
        ({"name": "  "}, "name", "请填写巡访服务岗的名称"),
        ({"members": []}, "members", "至少选择一名巡访员"),
        ({"members": "m_b1"}, "members", "赵刚 不是"),
        ({"area": "compound_b"}, "area", "所在区域内"),
    ],
)
def test_a_bad_post_edit_is_refused_and_writes_nothing(aw, over, field, contains):
    data = dict(
        scope=scope_of(aw["alice"]),
        actor=aw["alice"],
        post=aw["post"],
        name="紫金巡访岗",
        org=aw["branch_a1"],
        area=aw["compound_a"],
        members=[aw["m_a1"]],
    )
    data.update(over)
    if data["members"] == "m_b1":
        data["members"] = [aw["m_b1"]]
    if data["area"] == "compound_b":
        data["area"] = aw["compound_b"]
    before = _state()
    with pytest.raises(ServiceError) as exc:
        services.patrol_post_update(**data)
    assert contains in exc.value.fields[field] and is_chinese(exc.value.fields[field])
    assert _state() == before


def test_an_ended_post_takes_no_visits_and_no_edits(aw):
    from tongxin.core.scope import Scope
    from tongxin.visits.selectors import posts_for_choice

    services.patrol_post_end(scope=scope_of(aw["alice"]), actor=aw["alice"], post=aw["post"])
    assert not posts_for_choice(Scope.everything()).exists()
    before = _state()
    with pytest.raises(ConflictError):
        services.patrol_post_update(
            scope=scope_of(aw["alice"]),
            actor=aw["alice"],
            post=aw["post"],
            name="x",
            org=aw["branch_a1"],
            area=aw["compound_a"],
            members=[aw["m_a1"]],
        )
    with pytest.raises(ConflictError):
        services.patrol_post_end(scope=scope_of(aw["alice"]), actor=aw["alice"], post=aw["post"])
    assert _state() == before


# --- pages ------------------------------------------------------------------------------------


def test_alice_edits_an_assignment_on_its_page(aw, client_for):
    c = client_for(aw["alice"])
    url = reverse("visits:assignment_edit", args=[aw["assignment"].pk])
    assert url in texts(c.get(reverse("visits:quotas")))
    page = c.get(url)
    body = texts(page)
    assert page.status_code == 200 and "修改三访责任：张红" in body
    assert "0幢101" in body and "紫金单位3" in body
    assert page.context["form"].initial["units"] == [u.pk for u in aw["units"][:4]]
    data = {
        "org": aw["branch_a1"].pk,
        "contact_duty": "on",
        "units": [u.pk for u in aw["units"][:5]],
        "household_area": aw["compound_a"].pk,
        "households": "\n".join(f"{i}幢101" for i in range(11)),
    }
    r = c.post(url, data)
    assert r.status_code == 302 and r["Location"] == reverse("visits:quotas")
    a = ContactAssignment.objects.get()
    assert a.targets.count() == 16 and not a.home_duty


def test_a_bad_edit_on_the_page_shows_the_field_error(aw, client_for):
    c = client_for(aw["alice"])
    url = reverse("visits:assignment_edit", args=[aw["assignment"].pk])
    before = _state()
    r = c.post(
        url,
        {
            "org": aw["branch_a1"].pk,
            "contact_duty": "on",
            "units": [u.pk for u in aw["units"][:2]],
            "households": "\n".join(f"{i}幢101" for i in range(10)),
        },
    )
    assert r.status_code == 200 and "领导干部应联系4—5个基层单位，当前选择了2个" in texts(r)
    assert _state() == before


def test_ending_an_assignment_on_its_page(aw, client_for):
    c = client_for(aw["alice"])
    url = reverse("visits:assignment_end", args=[aw["assignment"].pk])
    assert "确认停用" in texts(c.get(url))
    r = c.post(url)
    assert r.status_code == 302 and not ContactAssignment.objects.get().active
    body = texts(c.get(reverse("visits:quotas")))
    assert "已停用张红的三访责任" in body and 'data-testid="quota-row"' not in body
    r = c.post(url)
    assert r.status_code == 409 and "已经停用" in texts(r)
    r = c.get(reverse("visits:assignment_edit", args=[aw["assignment"].pk]), follow=True)
    assert "已停用，不能再修改" in texts(r)


def test_alice_edits_and_ends_a_post_on_its_pages(aw, client_for):
    c = client_for(aw["alice"])
    post = aw["post"]
    detail = texts(c.get(reverse("visits:post_detail", args=[post.pk])))
    assert reverse("visits:post_edit", args=[post.pk]) in detail
    page = c.get(reverse("visits:post_edit", args=[post.pk]))
    assert page.status_code == 200 and "紫金花园北门" in texts(page)
    r = c.post(
        reverse("visits:post_edit", args=[post.pk]),
        {
            "name": "紫金花园巡访岗",
            "org": aw["branch_a1"].pk,
            "area": aw["compound_a"].pk,
            "place": "北门岗亭",
            "shifts": "每天上午",
            "members": [aw["m_a1"].pk, aw["m_a1b"].pk],
        },
    )
    assert r.status_code == 302
    post.refresh_from_db()
    assert post.name == "紫金花园巡访岗" and post.members.count() == 2
    # a bad edit: no member on duty
    before = _state()
    r = c.post(
        reverse("visits:post_edit", args=[post.pk]),
        {"name": "紫金花园巡访岗", "org": aw["branch_a1"].pk, "area": aw["compound_a"].pk},
    )
    assert r.status_code == 200 and "请至少选择一名巡访员" in texts(r)
    assert _state() == before
    r = c.post(reverse("visits:post_end", args=[post.pk]), follow=True)
    assert "已停用巡访服务岗" in texts(r) and 'data-testid="post-ended"' in texts(r)
    assert "紫金花园巡访岗" not in texts(c.get(reverse("visits:posts")))
    assert c.post(reverse("visits:post_end", args=[post.pk])).status_code == 409


def test_moving_a_post_to_a_stranger_organization_is_refused(aw, client_for):
    before = _state()
    r = client_for(aw["alice"]).post(
        reverse("visits:post_edit", args=[aw["post"].pk]),
        {
            "name": "紫金巡访岗",
            "org": aw["branch_b1"].pk,
            "area": aw["compound_b"].pk,
            "members": [aw["m_b1"].pk],
        },
    )
    assert r.status_code == 200 and _state() == before


@pytest.mark.parametrize("stranger", ["charlie", "auditor"])
def test_strangers_and_readers_get_404_on_edit_and_end(aw, client_for, stranger):
    c = client_for(aw[stranger])
    before = _state()
    a, p = aw["assignment"].pk, aw["post"].pk
    for name, pk in (
        ("visits:assignment_edit", a),
        ("visits:assignment_end", a),
        ("visits:post_edit", p),
        ("visits:post_end", p),
    ):
        url = reverse(name, args=[pk])
        assert c.get(url).status_code == 404, url
        r = c.post(
            url,
            {
                "name": "冒名",
                "org": aw["branch_a1"].pk,
                "area": aw["compound_a"].pk,
                "members": [aw["m_a1"].pk],
                "contact_duty": "on",
            },
        )
        assert r.status_code == 404, url
    body = texts(c.get(reverse("visits:post_detail", args=[p])))
    assert reverse("visits:post_edit", args=[p]) not in body
    assert _state() == before


def test_bob_edits_a_post_of_his_branch(aw, client_for):
    # The branch secretary records 三访 for his branch: he may keep its post up to date.
    r = client_for(aw["bob"]).post(
        reverse("visits:post_edit", args=[aw["post"].pk]),
        {
            "name": "紫金巡访岗",
            "org": aw["branch_a1"].pk,
            "area": aw["compound_a"].pk,
            "shifts": "每天下午",
            "members": [aw["m_a1"].pk],
        },
    )
    assert r.status_code == 302
    aw["post"].refresh_from_db()
    assert aw["post"].shifts == "每天下午"
