"""The API: the same flow rules (409/400 with the reason), the public register without login,
and a stranger's 404 on every operation."""

from __future__ import annotations

import pytest

from tests.helpers import is_chinese
from tests.powers.conftest import attach_all, back_date, new_instance, pdf, walk_to_publicity
from tests.stranger_setup import row_counts
from tongxin.powers import selectors
from tongxin.powers.models import InstanceStatus, Objection, PowerInstance

API = "/api/v1/powers"


def post(c, url: str, body: dict | None = None):
    return c.post(f"{API}{url}", body or {}, content_type="application/json")


def test_items_and_their_flows(pw, client_for):
    c = client_for(pw["alice"])
    r = c.get(f"{API}/items?area_id={pw['village'].pk}")
    assert r.status_code == 200 and r.json()["count"] == 36
    r = c.get(f"{API}/items/{pw['relief'].pk}")
    steps = r.json()["steps"]
    assert [s["publicity_days"] for s in steps] == [0, 0, 0, 7, 0, 0]
    r = c.put(
        f"{API}/items/{pw['relief'].pk}",
        {"name": "低保审核", "basis": "", "active": True},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["name"] == "低保审核"


def test_an_instance_through_the_api_refuses_a_skip_and_a_short_publicity(pw, client_for):
    c = client_for(pw["alice"])
    r = post(
        c, "/instances", {"item_id": pw["relief"].pk, "title": "低保申请", "applicant": "王五"}
    )
    assert r.status_code == 201 and r.json()["status"] == "draft"
    iid = r.json()["id"]
    assert post(c, f"/instances/{iid}/start").json()["status"] == "running"
    steps = selectors.steps_of(pw["relief"])
    r = post(c, f"/instances/{iid}/advance", {"step_id": steps[1].pk})
    assert r.status_code == 409 and "不能跳过环节" in r.json()["message"]
    r = post(c, f"/instances/{iid}/advance", {"step_id": steps[0].pk})
    assert r.status_code == 400 and r.json()["code"] == "missing_documents"
    for name in steps[0].documents:
        r = c.post(
            f"{API}/instances/{iid}/documents",
            {"step_id": steps[0].pk, "name": name, "file": pdf()},
        )
        assert r.status_code == 201, r.content
    assert post(c, f"/instances/{iid}/advance", {"step_id": steps[0].pk}).status_code == 200
    inst = PowerInstance.objects.get(pk=iid)
    for _ in range(2):
        inst.refresh_from_db()
        attach_all(pw, inst)
        step = selectors.current_step(inst, steps)
        assert step is not None
        assert post(c, f"/instances/{iid}/advance", {"step_id": step.pk}).status_code == 200
    back_date(inst, 3)
    r = post(c, f"/instances/{iid}/advance", {"step_id": steps[3].pk})
    assert r.status_code == 409 and "公示期未满" in r.json()["message"]
    assert is_chinese(r.json()["message"])
    back_date(inst, 4)
    assert post(c, f"/instances/{iid}/advance", {"step_id": steps[3].pk}).json()["done_steps"] == 4


def test_the_public_register_needs_no_login_and_masks_names(pw, client):
    inst = new_instance(pw, applicant="张三丰")
    new_instance(pw, start=False)
    r = client.get(f"{API}/public/instances")
    assert r.status_code == 200 and r.json()["count"] == 1
    row = r.json()["results"][0]
    assert row["applicant"] == "张**" and row["id"] == inst.pk
    assert client.get(f"{API}/public/instances/{inst.pk}").json()["applicant"] == "张**"


def test_objections_through_the_api(pw, client_for, client):
    inst = walk_to_publicity(pw, new_instance(pw))
    assert post(client, f"/public/instances/{inst.pk}/objections", {"text": "x"}).status_code in (
        401,
        403,
    )
    c = client_for(pw["ann"].user)
    r = post(c, f"/public/instances/{inst.pk}/objections", {"text": "收入不实"})
    assert r.status_code == 201 and r.json()["filer"] == "林*"
    oid = r.json()["id"]
    back_date(inst, 7)
    staff = client_for(pw["alice"])
    step = selectors.steps_of(inst.item)[3]
    r = post(staff, f"/instances/{inst.pk}/advance", {"step_id": step.pk})
    assert r.status_code == 409 and "异议尚未答复" in r.json()["message"]
    r = post(staff, f"/instances/{inst.pk}/objections/{oid}/answer", {"answer": "已核实。"})
    assert r.status_code == 200
    public = client.get(f"{API}/public/instances/{inst.pk}/objections").json()
    assert public[0]["answer"] == "已核实。"
    assert post(staff, f"/instances/{inst.pk}/advance", {"step_id": step.pk}).status_code == 200


def test_stuck_instances_are_flagged(pw, client_for):
    inst = new_instance(pw)
    PowerInstance.objects.filter(pk=inst.pk).update(step_due_on="2020-01-01")
    r = client_for(pw["alice"]).get(f"{API}/instances?stuck=true")
    assert r.json()["count"] == 1 and r.json()["results"][0]["stuck"] is True


@pytest.mark.parametrize("who", ["charlie", "bella"])
def test_a_stranger_gets_404_on_every_operation_and_nothing_changes(pw, client_for, who):
    inst = new_instance(pw)
    attach_all(pw, inst)
    walk = walk_to_publicity(pw, new_instance(pw))
    o = Objection.objects.create(
        instance=walk, step=selectors.steps_of(walk.item)[3], text="有意见"
    )
    c = client_for(pw[who])
    item = pw["relief"]
    step = selectors.steps_of(item)[0]
    before = row_counts()
    assert c.get(f"{API}/items/{item.pk}").status_code == 404
    assert c.get(f"{API}/instances/{inst.pk}").status_code == 404
    lst = c.get(f"{API}/items")
    assert lst.status_code == 404 or lst.json()["count"] == 0
    lst = c.get(f"{API}/instances")
    assert lst.status_code == 404 or lst.json()["count"] == 0
    writes = [
        c.put(
            f"{API}/items/{item.pk}",
            {"name": "x", "basis": "", "active": True},
            content_type="application/json",
        ),
        c.put(
            f"{API}/items/{item.pk}/steps/{step.pk}",
            {"name": "x", "role": "y"},
            content_type="application/json",
        ),
        post(c, "/instances", {"item_id": item.pk, "title": "x"}),
        post(c, f"/instances/{inst.pk}/start"),
        post(c, f"/instances/{inst.pk}/advance", {"step_id": step.pk}),
        c.post(
            f"{API}/instances/{inst.pk}/documents",
            {"step_id": step.pk, "name": "申请书", "file": pdf()},
        ),
        post(c, f"/instances/{walk.pk}/objections/{o.pk}/answer", {"answer": "x"}),
        post(c, "/items/load", {"area_id": pw["comm_a"].pk, "org_id": pw["comm_a_org"].pk}),
    ]
    # an out-of-reach id in a path is a 404; one in a body is a field error (400) or a 404
    codes = [r.status_code for r in writes]
    assert codes[:2] == [404, 404] and codes[3:7] == [404] * 4, codes
    assert codes[2] in (400, 404) and codes[7] in (400, 404), codes
    assert row_counts() == before


def test_someone_elses_draft_is_a_404_in_the_api(pw, client_for):
    draft = new_instance(pw, start=False)
    c = client_for(pw["dora"])
    assert c.get(f"{API}/instances/{draft.pk}").status_code == 404
    assert post(c, f"/instances/{draft.pk}/start").status_code == 404
    assert c.get(f"{API}/public/instances/{draft.pk}").status_code == 404
    draft.refresh_from_db()
    assert draft.status == InstanceStatus.DRAFT


def test_huge_and_unknown_ids_answer_404_not_500(pw, client_for, client):
    c = client_for(pw["alice"])
    big = 99999999999999999999
    assert c.get(f"{API}/items/{big}").status_code in (404, 422)
    assert c.get(f"{API}/instances/{big}").status_code in (404, 422)
    assert client.get(f"{API}/public/instances/{big}").status_code in (404, 422)
    inst = new_instance(pw)
    r = post(c, f"/instances/{inst.pk}/advance", {"step_id": 2**62})
    assert r.status_code in (400, 422)
