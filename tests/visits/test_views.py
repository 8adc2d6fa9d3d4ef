"""三访 pages: what alice and bob see, and that charlie (street B) sees nothing of street A."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.helpers import texts
from tests.stranger_setup import scope_of
from tests.visits.conftest import record
from tongxin.cases.models import Case
from tongxin.core.models import AuditLog
from tongxin.visits import cases_link, services
from tongxin.visits.models import PatrolPost, ProblemStatus, Visit, VisitProblem

pytestmark = pytest.mark.django_db


def test_bob_records_a_home_visit_with_problems(world, client_for):
    c = client_for(world["bob"])
    page = c.get(reverse("visits:create"))
    assert page.status_code == 200 and "记录走访" in texts(page)
    r = c.post(
        reverse("visits:create"),
        {
            "kind": "home",
            "visited_on": timezone.localdate().isoformat(),
            "org": world["branch_a1"].pk,
            "area": world["compound_a"].pk,
            "household": "5幢302",
            "people_met": "李阿姨",
            "heard": "儿子在外地，老人独居。",
            "problems": "希望有人定期上门看看\n\n楼下路灯不亮\n",
        },
    )
    visit = Visit.objects.get()
    assert r.status_code == 302 and r.url == reverse("visits:detail", args=[visit.pk])
    assert list(visit.problems.values_list("text", flat=True)) == [
        "希望有人定期上门看看",
        "楼下路灯不亮",
    ]
    detail = texts(c.get(r.url))
    assert "李阿姨" in detail and "楼下路灯不亮" in detail and "转为事件" in detail


def test_a_future_date_on_the_form_is_explained_and_nothing_saved(world, client_for):
    c = client_for(world["bob"])
    r = c.post(
        reverse("visits:create"),
        {
            "kind": "home",
            "visited_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
            "org": world["branch_a1"].pk,
            "area": world["compound_a"].pk,
            "people_met": "李阿姨",
            "heard": "独居老人。",
        },
    )
    assert r.status_code == 200
    assert "走访日期不能晚于今天" in texts(r)
    assert (
        not Visit.objects.exists() and not AuditLog.objects.filter(action="visits.record").exists()
    )


def test_an_empty_problem_is_refused_on_the_page(world, client_for, visit):
    c = client_for(world["bob"])
    r = c.post(reverse("visits:problem_add", args=[visit.pk]), {"text": "  "}, follow=True)
    assert "请填写群众反映的问题内容" in texts(r)
    assert visit.problems.count() == 1


def test_a_problem_becomes_a_case_once(world, client_for, visit):
    c = client_for(world["bob"])
    problem = visit.problems.get()
    url = reverse("visits:problem_case", args=[problem.pk])
    r = c.post(
        url,
        {"category": "lighting" if _has("lighting") else _first(), "priority": "normal"},
        follow=True,
    )
    problem.refresh_from_db()
    case = Case.objects.get()
    assert problem.case_pk == case.pk and problem.status == ProblemStatus.CASE
    assert case.source == "visit" and case.visit_id == visit.pk and case.area == visit.area
    assert case.tracking_code in texts(r) and "待受理" in texts(r)
    # Twice: refused with a reason, no second case, nothing else written.
    logged = AuditLog.objects.count()
    r = c.post(url, {"category": _first(), "priority": "normal"}, follow=True)
    assert "不能重复转办" in texts(r)
    assert Case.objects.count() == 1 and AuditLog.objects.count() == logged


def test_turning_twice_through_the_service_is_a_conflict(world, visit):
    from tongxin.cases.selectors import case_categories
    from tongxin.core.errors import ConflictError

    problem = visit.problems.get()
    cat = case_categories().first()
    services.problem_to_case(
        scope=scope_of(world["bob"]), actor=world["bob"], problem=problem, category=cat
    )
    with pytest.raises(ConflictError) as e:
        services.problem_to_case(
            scope=scope_of(world["bob"]), actor=world["bob"], problem=problem, category=cat
        )
    assert "不能重复转办" in e.value.message and Case.objects.count() == 1


def test_a_refusal_by_cases_leaves_the_problem_open(world, visit):
    from tongxin.cases.selectors import case_categories
    from tongxin.core.errors import ServiceError

    problem = visit.problems.get()
    cat = case_categories().first()
    cat.active = False  # cases refuses a retired category
    with pytest.raises(ServiceError):
        services.problem_to_case(
            scope=scope_of(world["bob"]), actor=world["bob"], problem=problem, category=cat
        )
    problem.refresh_from_db()
    assert problem.case_pk is None and problem.status == ProblemStatus.OPEN
    assert not Case.objects.exists()


def _first() -> str:
    from tongxin.cases.selectors import case_categories

    return case_categories().first().code


def _has(code: str) -> bool:
    from tongxin.cases.selectors import case_categories

    return case_categories().filter(code=code).exists()


def test_the_briefing_lists_problems_by_where_they_stand(world, client_for):
    from tongxin.cases.selectors import case_categories

    v = record(
        world, problems=("路灯不亮", "垃圾满溢", "想了解医保政策"), visited_on=timezone.localdate()
    )
    p1, _p2, p3 = v.problems.all()
    services.problem_to_case(
        scope=scope_of(world["bob"]),
        actor=world["bob"],
        problem=p1,
        category=case_categories().first(),
    )
    services.problem_resolve(
        scope=scope_of(world["bob"]), actor=world["bob"], problem=p3, resolution="当场讲解了政策"
    )
    c = client_for(world["alice"])
    body = texts(c.get(reverse("visits:briefing")))
    assert "双周通报会" in body
    assert body.index("待解决（未转事件）") < body.index("事件：待受理") < body.index("已解决")
    assert "垃圾满溢" in body and "当场讲解了政策" in body
    assert VisitProblem.objects.get(pk=p1.pk).case_code in body
    # another window: empty
    old = (timezone.localdate() - dt.timedelta(days=60)).isoformat()
    assert "没有反映问题" in texts(c.get(reverse("visits:briefing") + f"?start={old}"))


def test_pages_render_for_alice(world, client_for, visit):
    c = client_for(world["alice"])
    for name in (
        "visits:index",
        "visits:quotas",
        "visits:briefing",
        "visits:posts",
        "visits:post_create",
        "visits:assignment_create",
        "visits:create",
    ):
        r = c.get(reverse(name))
        assert r.status_code == 200, name
    assert "3幢201" in texts(c.get(reverse("visits:index")))
    dashboard = texts(c.get("/"))
    assert 'data-testid="visits-panel"' in dashboard


# --- strangers ---------------------------------------------------------------------------------


def test_charlie_sees_nothing_of_street_a(world, client_for, visit):
    problem = visit.problems.get()
    post = services.patrol_post_create(
        scope=scope_of(world["alice"]),
        actor=world["alice"],
        name="紫金巡访岗",
        org=world["branch_a1"],
        area=world["compound_a"],
        members=[world["m_a1"]],
    )
    c = client_for(world["charlie"])
    for url in (
        reverse("visits:detail", args=[visit.pk]),
        reverse("visits:post_detail", args=[post.pk]),
        reverse("visits:briefing") + f"?org={world['branch_a1'].pk}",
        reverse("visits:index") + f"?org={world['street_a'].pk}",
        reverse("visits:quotas") + f"?org={world['street_a'].pk}",
    ):
        assert c.get(url).status_code == 404, url
    for url in (
        reverse("visits:problem_add", args=[visit.pk]),
        reverse("visits:problem_case", args=[problem.pk]),
        reverse("visits:problem_resolve", args=[problem.pk]),
    ):
        assert (
            c.post(url, {"text": "x", "category": _first(), "resolution": "x"}).status_code == 404
        )
    for name in ("visits:index", "visits:briefing", "visits:posts", "visits:quotas"):
        body = texts(c.get(reverse(name)))
        assert "3幢201" not in body and "楼道灯" not in body and "紫金巡访岗" not in body
    assert "紫金花园" not in texts(c.get(reverse("visits:create")))
    # Posting street A's organization and place: not offered to him, refused, nothing written.
    r = c.post(
        reverse("visits:create"),
        {
            "kind": "home",
            "visited_on": timezone.localdate().isoformat(),
            "org": world["branch_a1"].pk,
            "area": world["compound_a"].pk,
            "people_met": "x",
            "heard": "x",
        },
    )
    assert r.status_code == 200 and Visit.objects.count() == 1
    r = c.post(
        reverse("visits:post_create"),
        {
            "name": "冒名岗",
            "org": world["branch_a1"].pk,
            "area": world["compound_a"].pk,
            "members": [world["m_a1"].pk],
        },
    )
    assert r.status_code == 200 and "冒名岗" not in [p.name for p in PatrolPost.objects.all()]
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.OPEN and visit.problems.count() == 1


def test_a_user_without_visit_permissions_gets_404(world, client_for):
    from tests.factories import user

    handler = user("dora", "department", org=world["street_a"])
    c = client_for(handler)
    for name in ("visits:index", "visits:briefing", "visits:quotas", "visits:create"):
        assert c.get(reverse(name)).status_code == 404


def test_the_auditor_reads_but_cannot_record(world, client_for, visit):
    c = client_for(world["auditor"])
    assert c.get(reverse("visits:detail", args=[visit.pk])).status_code == 200
    assert c.get(reverse("visits:create")).status_code == 404
    area = world["compound_a"].pk
    assert "3幢楼道灯不亮" in texts(
        c.get(reverse("visits:briefing") + f"?area={area}&start={visit.visited_on}")
    )
    problem = visit.problems.get()
    assert (
        c.post(
            reverse("visits:problem_case", args=[problem.pk]), {"category": _first()}
        ).status_code
        == 404
    )


def test_a_cadre_sees_their_own_progress(world, client_for):
    from tongxin.orgs.models import Unit

    bob = world["bob"]
    bob.member = world["m_a1"]
    bob.save()
    units = [
        Unit.objects.create(name=f"单位{i}", sector="enterprise", area=world["compound_a"])
        for i in range(4)
    ]
    hh = [services.HouseholdInput(area=world["compound_a"], label=f"{i}号") for i in range(10)]
    services.assignment_create(
        scope=scope_of(world["alice"]),
        actor=world["alice"],
        leader=world["m_a1"],
        org=world["branch_a1"],
        units=units,
        households=hh,
    )
    record(world, visited_on=timezone.localdate())
    body = texts(client_for(bob).get(reverse("visits:index")))
    assert 'data-testid="own-progress"' in body and "1 / 10" in body


def test_assignment_and_post_forms(world, client_for):
    from tongxin.orgs.models import Unit
    from tongxin.visits.models import ContactAssignment, PatrolPost

    c = client_for(world["alice"])
    r = c.post(
        reverse("visits:post_create"),
        {
            "name": "紫金巡访岗",
            "org": world["branch_a1"].pk,
            "area": world["compound_a"].pk,
            "members": [world["m_a1"].pk, world["m_a1b"].pk],
            "shifts": "每天上午",
        },
    )
    post = PatrolPost.objects.get()
    assert r.status_code == 302 and post.members.count() == 2
    units = [
        Unit.objects.create(name=f"单位{i}", sector="enterprise", area=world["compound_a"])
        for i in range(4)
    ]
    data = {
        "leader": world["m_a2"].pk,
        "org": world["branch_a2"].pk,
        "contact_duty": "on",
        "home_duty": "on",
        "units": [u.pk for u in units[:3]],
        "household_area": world["compound_a"].pk,
        "households": "\n".join(f"{i}幢" for i in range(10)),
    }
    r = c.post(reverse("visits:assignment_create"), data)
    assert r.status_code == 200 and "应联系4—5个基层单位" in texts(r)
    assert not ContactAssignment.objects.exists()
    data["units"] = [u.pk for u in units]
    r = c.post(reverse("visits:assignment_create"), data)
    assert r.status_code == 302
    assert ContactAssignment.objects.get().targets.count() == 14
    # charlie cannot pick street A's units or members
    r = client_for(world["charlie"]).post(reverse("visits:assignment_create"), data)
    assert r.status_code == 200 and ContactAssignment.objects.count() == 1


def test_without_cases_the_button_is_hidden(world, client_for, visit, monkeypatch):
    monkeypatch.setattr(cases_link, "cases_available", lambda: False)
    c = client_for(world["bob"])
    body = texts(c.get(reverse("visits:detail", args=[visit.pk])))
    assert "转为事件" not in body and "3幢楼道灯不亮" in body
    problem = visit.problems.get()
    r = c.post(reverse("visits:problem_case", args=[problem.pk]), {"category": "x"})
    assert r.status_code == 404 and not Case.objects.exists()
