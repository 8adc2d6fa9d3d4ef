"""网格呼叫: the grid worker of the case's grid confirms a report and calls the street in, or
settles a trivial one on the spot (就地解决) for the street to verify. Every step records who,
when and why; a move the state does not allow is a 409 with the reason; a grid worker of
another grid, a street secretary or an administrator never holds the step (404)."""

from __future__ import annotations

import pytest

from tests import factories
from tests.cases.conftest import report
from tests.cases.test_api import auth
from tests.helpers import is_chinese, texts
from tongxin.cases import services
from tongxin.cases.models import Case, CaseEvent
from tongxin.core.errors import ConflictError, ServiceError
from tongxin.core.models import AuditLog
from tongxin.geo.models import AreaLevel
from tongxin.grids import services as grids
from tongxin.grids.models import GridWorker

pytestmark = pytest.mark.django_db

CALL_NOTE = "已到现场核实，垃圾确实三天未清运，请街道派城管处理。"


@pytest.fixture
def gw(cw):
    """Two grids in 紫金社区: grace works in the one covering 紫金花园 (the case's compound),
    gina in the one covering 紫金花园二期; both hold the grid worker role on the community."""
    w = cw
    # treebeard keeps siblings sorted by name: a new sibling may renumber the others' paths.
    w["compound_a2"] = factories.area("紫金花园二期", AreaLevel.COMPOUND, w["comm_a"])
    w["building_a"] = factories.area("紫金花园3幢", AreaLevel.BUILDING, w["compound_a"])
    for key in ("comm_a", "compound_a", "compound_a2", "building_a"):
        w[key].refresh_from_db()
    w["grid_a"] = grids.grid_create(
        actor=None,
        community=w["comm_a"],
        name="紫金花园网格",
        serving_branch=w["branch_a1"],
        compounds=[w["compound_a"]],
    )
    w["grid_a2"] = grids.grid_create(
        actor=None,
        community=w["comm_a"],
        name="紫金花园二期网格",
        serving_branch=w["branch_a2"],
        compounds=[w["compound_a2"]],
    )
    GridWorker.objects.create(grid=w["grid_a"], user=w["grace"], role="full_time")
    w["gina"] = factories.user("gina", "grid_worker", area=w["comm_a"])
    GridWorker.objects.create(grid=w["grid_a2"], user=w["gina"], role="full_time")
    w["admin"] = factories.user("root", is_superuser=True, is_staff=True)
    return w


def resident_report(w, **over):
    return report(w, actor=w["rita"], source="resident", resident=w["rita_res"], **over)


def _snapshot(case: Case) -> tuple:
    case.refresh_from_db()
    return case.state, CaseEvent.objects.filter(case=case).count(), AuditLog.objects.count()


def test_grid_call_records_who_when_why_and_goes_to_the_street(gw, client_for):
    case = resident_report(gw)
    c = client_for(gw["grace"])
    assert case.tracking_code in texts(c.get("/cases/?inbox=grid"))
    page = texts(c.get(f"/cases/{case.pk}/"))
    assert 'data-action="grid_call"' in page and 'data-action="grid_resolve"' in page
    r = c.post(f"/cases/{case.pk}/act/grid_call/", {"note": CALL_NOTE}, follow=True)
    assert "已网格呼叫" in texts(r) and "网格已呼叫" in texts(r)
    case.refresh_from_db()
    assert case.state == "called"
    ev = CaseEvent.objects.filter(case=case).last()
    assert (ev.kind, ev.actor, ev.from_state, ev.to_state, ev.note) == (
        "grid_call",
        gw["grace"],
        "reported",
        "called",
        CALL_NOTE,
    )
    assert ev.at is not None and ev.public
    assert AuditLog.objects.filter(action="case.grid_call", object_id=str(case.pk)).exists()
    # No longer waiting for the grid; waiting for the street, which accepts it (镇街响应).
    assert case.tracking_code not in texts(c.get("/cases/?inbox=grid"))
    a = client_for(gw["alice"])
    assert case.tracking_code in texts(a.get("/cases/?inbox=accept"))
    a.post(f"/cases/{case.pk}/act/accept/")
    case.refresh_from_db()
    assert case.state == "accepted"
    # The resident sees the step on their own page.
    mine = texts(client_for(gw["rita"]).get(f"/cases/mine/{case.pk}/"))
    assert "网格呼叫" in mine


def test_a_case_in_a_building_of_the_grid_is_the_grid_workers_too(gw):
    case = resident_report(gw, area=gw["building_a"])
    services.case_transition(actor=gw["grace"], case=case, action="grid_call", note=CALL_NOTE)
    case.refresh_from_db()
    assert case.state == "called"


def test_on_the_spot_resolution_goes_to_verification(gw, client_for):
    case = resident_report(gw)
    c = client_for(gw["grace"])
    r = c.post(
        f"/cases/{case.pk}/act/grid_resolve/",
        {"note": "已当场劝导住户把垃圾移走。", "reply": "垃圾已清走，感谢反映。"},
    )
    assert r.status_code == 302
    case.refresh_from_db()
    # The case's status note is the public reply, not the internal note (issue 12).
    assert (case.state, case.status_note) == ("resolved", "垃圾已清走，感谢反映。")
    a = client_for(gw["alice"])
    assert case.tracking_code in texts(a.get("/cases/?inbox=verify"))
    a.post(f"/cases/{case.pk}/act/verify/")
    a.post(f"/cases/{case.pk}/act/close/")
    case.refresh_from_db()
    assert case.state == "closed"
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == ["report", "grid_resolve", "verify", "close"]


def test_a_failed_check_of_an_on_the_spot_resolution_goes_to_the_street(gw):
    case = resident_report(gw)
    services.case_transition(
        actor=gw["grace"], case=case, action="grid_resolve", note="已当场处理。"
    )
    services.case_transition(
        actor=gw["alice"], case=case, action="reject", note="现场复查垃圾仍在。"
    )
    case.refresh_from_db()
    # No department ever claimed it: to the street's 待派遣 inbox, not to 部门已报到.
    assert case.state == "accepted"
    # A department's resolution that fails the check still goes back to the department.
    other = resident_report(gw)
    for actor, action, note in [
        (gw["alice"], "accept", ""),
        (gw["alice"], "dispatch", ""),
        (gw["dan"], "claim", ""),
        (gw["dan"], "resolve", "已清运。"),
        (gw["alice"], "reject", "未清理干净。"),
    ]:
        services.case_transition(actor=actor, case=other, action=action, note=note)
    other.refresh_from_db()
    assert other.state == "claimed"


@pytest.mark.parametrize("action", ["grid_call", "grid_resolve"])
def test_the_grid_step_needs_a_note_and_writes_nothing_without_one(gw, client_for, action):
    case = resident_report(gw)
    before = _snapshot(case)
    with pytest.raises(ServiceError) as exc:
        services.case_transition(actor=gw["grace"], case=case, action=action, note="  ")
    assert is_chinese(exc.value.fields["note"])
    r = client_for(gw["grace"]).post(f"/cases/{case.pk}/act/{action}/", {"note": ""}, follow=True)
    assert "请填写" in texts(r) and "的说明" in texts(r)
    assert _snapshot(case) == before


@pytest.mark.parametrize(
    ("walk", "action", "reason"),
    [
        (["grid_call"], "grid_call", "当前状态为“网格已呼叫”，不能网格呼叫"),
        (["grid_call"], "grid_resolve", "当前状态为“网格已呼叫”，不能就地解决"),
        (["grid_resolve"], "grid_call", "当前状态为“已办结待核查”，不能网格呼叫"),
    ],
)
def test_illegal_grid_moves_are_409_with_the_reason(gw, client_for, walk, action, reason):
    case = resident_report(gw)
    for step in walk:
        services.case_transition(actor=gw["grace"], case=case, action=step, note=CALL_NOTE)
    c, h = client_for(gw["grace"]), auth(gw["grace"])
    before = _snapshot(case)
    with pytest.raises(ConflictError) as exc:
        services.case_transition(actor=gw["grace"], case=case, action=action, note=CALL_NOTE)
    assert reason in exc.value.message
    r = c.post(f"/cases/{case.pk}/act/{action}/", {"note": CALL_NOTE})
    assert r.status_code == 409 and reason in texts(r)
    r = c.post(
        f"/api/v1/cases/{case.pk}/actions/{action}",
        {"note": CALL_NOTE},
        content_type="application/json",
        **h,
    )
    assert r.status_code == 409 and reason in r.json()["message"]
    assert _snapshot(case) == before


def test_the_street_accepts_a_report_without_waiting_for_the_grid(gw):
    # 网格呼叫 is the grid's step, not a gate: the street may still take a report directly.
    case = resident_report(gw)
    services.case_transition(actor=gw["alice"], case=case, action="accept")
    case.refresh_from_db()
    assert case.state == "accepted"
    with pytest.raises(ConflictError):
        services.case_transition(actor=gw["grace"], case=case, action="grid_call", note=CALL_NOTE)


@pytest.mark.parametrize("stranger", ["gina", "alice", "admin", "charlie", "plain", "dan"])
def test_strangers_to_the_grid_get_404(gw, client_for, stranger):
    """gina: grid worker of the other grid in the same community; alice: the street secretary
    (she accepts, but the grid step is not hers); admin: a superuser; charlie: street B;
    plain: holds the grid worker role on the community but works in no grid; dan: 城管."""
    if stranger == "plain":
        gw["plain"] = factories.user("paula", "grid_worker", area=gw["comm_a"])
    case = resident_report(gw)
    c, h = client_for(gw[stranger]), auth(gw[stranger])
    before = _snapshot(case)
    for action in ("grid_call", "grid_resolve"):
        r = c.post(f"/cases/{case.pk}/act/{action}/", {"note": CALL_NOTE})
        assert r.status_code == 404, (stranger, action)
        r = c.post(
            f"/api/v1/cases/{case.pk}/actions/{action}",
            {"note": CALL_NOTE},
            content_type="application/json",
            **h,
        )
        assert r.status_code == 404, (stranger, action)
    detail = c.get(f"/cases/{case.pk}/")
    assert 'data-action="grid_call"' not in texts(detail)
    body = texts(c.get("/cases/?inbox=grid"))
    if stranger == "gina":  # her grid's inbox does not hold it
        assert case.tracking_code not in body
    else:  # no grid: no such inbox
        assert "网格待呼叫" not in body
    assert _snapshot(case) == before


def test_the_grid_inbox_is_only_for_grid_workers(gw, client_for):
    case = resident_report(gw, area=gw["compound_a2"])
    g = texts(client_for(gw["gina"]).get("/cases/"))
    assert "网格待呼叫" in g and case.tracking_code in g  # her default inbox
    assert "网格待呼叫" not in texts(client_for(gw["alice"]).get("/cases/"))
    # The API lists the same inbox.
    r = client_for(gw["gina"]).get("/api/v1/cases/?inbox=grid", **auth(gw["gina"]))
    assert [c["tracking_code"] for c in r.json()["results"]] == [case.tracking_code]
    r = client_for(gw["grace"]).get("/api/v1/cases/?inbox=grid", **auth(gw["grace"]))
    assert r.json()["count"] == 0


def test_grid_step_through_the_api(gw, client):
    case = resident_report(gw)
    r = client.post(
        f"/api/v1/cases/{case.pk}/actions/grid_call",
        {"note": CALL_NOTE},
        content_type="application/json",
        **auth(gw["grace"]),
    )
    assert r.status_code == 200 and r.json()["state"] == "called"


@pytest.fixture(params=[3, 30], ids=["3 cases", "30 cases"])
def many(request, gw):
    for i in range(request.param):
        resident_report(gw, description=f"第{i}件 垃圾没清运")
    return request.param


def test_grid_inbox_query_count_is_constant(gw, many, client_for, django_assert_num_queries):
    c = client_for(gw["grace"])
    # 1 session, 2 user, 3 role assignments (an area grant), 4 the user's grids, 5 COUNT,
    # 6 the page's cases with category, area and agency joined, 7 categories (filter),
    # 8-10 SAVEPOINT / UPDATE django_session / RELEASE
    with django_assert_num_queries(10):
        r = c.get("/cases/?inbox=grid")
    assert texts(r).count('data-testid="case-row"') == min(many, 20)
