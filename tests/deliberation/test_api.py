"""/api/v1/deliberation: the flow, the refusals and the stranger."""

from __future__ import annotations

from tests.deliberation.conftest import SYSTEM, deliberating, later
from tests.stranger_setup import row_counts
from tongxin.deliberation.models import Ballot, Topic
from tongxin.deliberation.services import voting

API = "/api/v1/deliberation"


def post(c, url: str, body: dict | None = None):
    return c.post(f"{API}{url}", body or {}, content_type="application/json")


def test_resident_raises_and_votes_host_counts(client_for, town):
    c = client_for(town["ann"].user)
    r = post(c, "/topics", {"forum_id": town["forum"].pk, "title": "电话13900001111<b>x</b>"})
    assert r.status_code == 201
    tid = r.json()["id"]
    assert "13900001111" not in r.json()["title"] and "<b>" not in r.json()["title"]
    host = client_for(town["alice"])
    assert post(host, f"/topics/{tid}/accept").status_code == 200
    r = post(
        host,
        f"/topics/{tid}/votes",
        {"question": "是否同意", "options": ["同意", "反对"], "closes_at": later().isoformat()},
    )
    assert r.status_code == 201
    vote = r.json()
    yes = vote["options"][0]["id"]
    c = client_for(town["ann"].user)  # one test client: sign in as ann again
    assert post(c, f"/topics/{tid}/ballots", {"option_id": yes}).status_code == 201
    r = post(c, f"/topics/{tid}/ballots", {"option_id": yes})
    assert r.status_code == 409 and "已经投过票" in r.json()["message"]
    host = client_for(town["alice"])
    r = host.get(f"{API}/votes/{vote['id']}")
    assert r.json()["cast"] == 1 and r.json()["options"][0]["online"] == 1
    assert host.get(f"{API}/figures").json()["raised"] == 1


def test_outsider_vote_is_refused(client_for, town):
    t = deliberating(town, town["forum"])
    v = voting.vote_create(
        scope=SYSTEM, actor=None, topic=t, question="q", options=["a", "b"], closes_at=later()
    )
    r = post(
        client_for(town["dan"].user), f"/topics/{t.pk}/ballots", {"option_id": v.options.first().pk}
    )
    assert r.status_code == 404  # dan's compound has no such forum: the topic is not his
    assert not Ballot.objects.exists()


def test_private_topic_is_404_in_the_public_api(client, town):
    t = deliberating(town, town["forum"])
    Topic.objects.filter(pk=t.pk).update(public=False)
    assert client.get(f"{API}/public/topics/{t.pk}").status_code == 404


def test_stranger_gets_404_everywhere_and_changes_nothing(client_for, town):
    t = deliberating(town, town["forum"])
    v = voting.vote_create(
        scope=SYSTEM, actor=None, topic=t, question="q", options=["a", "b"], closes_at=later()
    )
    c = client_for(town["charlie"])
    before = row_counts()
    gets = [f"/topics/{t.pk}", f"/votes/{v.pk}", "/forums", "/topics", "/figures"]
    for url in gets:
        assert c.get(f"{API}{url}").status_code == 404, url
    posts = {
        f"/topics/{t.pk}/accept": {},
        f"/topics/{t.pk}/decide": {"decision": "x"},
        f"/topics/{t.pk}/votes": {
            "question": "q",
            "options": ["a", "b"],
            "closes_at": later().isoformat(),
        },
        f"/votes/{v.pk}/close": {},
        f"/topics/{t.pk}/actions": {
            "title": "x",
            "owner_kind": "org",
            "owner_name": "x",
            "deadline": "2026-12-31",
        },
        "/forums": {
            "name": "x",
            "kind_id": town["forum"].kind_id,
            "area_id": town["compound_a"].pk,
            "host_org_id": town["comm_a_org"].pk,
        },
    }
    for url, body in posts.items():
        assert post(c, url, body).status_code in (403, 404), url
    # charlie has no resident profile: the resident operations refuse him too
    assert (
        post(c, f"/topics/{t.pk}/ballots", {"option_id": v.options.first().pk}).status_code == 400
    )
    assert post(c, f"/topics/{t.pk}/ratings", {"value": "satisfied"}).status_code == 400
    assert row_counts() == before


def test_bad_input_is_a_clear_4xx(client_for, town):
    t = deliberating(town, town["forum"])
    host = client_for(town["alice"])
    cases = [
        (
            f"/topics/{t.pk}/votes",
            {"question": "q", "options": ["a"], "closes_at": "2030-01-01T10:00:00"},
            "options",
        ),
        (
            f"/topics/{t.pk}/votes",
            {"question": "q", "options": ["a", "b"], "closes_at": "2001-01-01T10:00:00"},
            "closes_at",
        ),
        (f"/topics/{t.pk}/decide", {"decision": "<b></b>"}, "decision"),
        ("/forums", {"name": "x", "kind_id": 99999, "area_id": 1, "host_org_id": 1}, "kind_id"),
    ]
    before = row_counts()
    for url, body, field in cases:
        r = post(host, url, body)
        assert r.status_code == 400, (url, r.content)
        assert field in r.json()["fields"], r.json()
    assert post(host, f"/topics/{2**70}/accept").status_code in (400, 404)
    assert row_counts() == before
