"""Who may object to a power's 公示: the residents of the power's village or community (the rule
of a deliberation vote's electorate, accounts.selectors.residents_of) and its Party members
(those who live there or whose organization is there). Anyone else signed in is refused in
Chinese, on the service, the page and the API, and nothing is written."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories
from tests.helpers import is_chinese
from tests.powers.conftest import new_instance, walk_to_publicity
from tests.sharing.conftest import make_resident
from tests.stranger_setup import row_counts
from tongxin.core.errors import ForbiddenError
from tongxin.members.selectors import belongs_to_place
from tongxin.powers import services
from tongxin.powers.models import Objection


@pytest.fixture
def publicity(pw):
    return walk_to_publicity(pw, new_instance(pw))


def _refused(actor, inst) -> str:
    before = row_counts()
    with pytest.raises(ForbiddenError) as e:
        services.objection_file(actor=actor, instance=inst, text="申请人家有轿车")
    assert e.value.code == "not_of_place"
    assert row_counts() == before
    return e.value.message


def test_a_resident_of_the_community_objects(pw, publicity):
    o = services.objection_file(actor=pw["ann"].user, instance=publicity, text="有意见")
    assert o.filer_name == "林安"


def test_a_resident_of_another_community_is_refused_naming_the_place(pw, publicity):
    other = make_resident("vic", "冯维", pw["village"], "13900009999")
    message = _refused(other.user, publicity)
    assert "紫金社区" in message and is_chinese(message)


def test_a_stranger_is_refused(pw, publicity):
    # charlie: street B's branch secretary, no resident profile, no member record
    _refused(pw["charlie"], publicity)
    # a signed-in user with no profile at all
    _refused(factories.user("nobody"), publicity)


def test_a_member_of_an_organization_there_objects(pw, publicity):
    # 王芳: branch A2 of 紫金社区, no residence on record
    u = factories.user("wangfang", member=pw["m_a2"])
    services.objection_file(actor=u, instance=publicity, text="评议人员有亲属关系")
    assert Objection.objects.filter(filed_by=u).count() == 1


def test_a_member_living_there_objects_whatever_their_organization(pw, publicity):
    # 赵刚: branch B1 in street B, but living in 紫金花园 (紫金社区)
    pw["m_b1"].residence = pw["compound_a"]
    pw["m_b1"].save(update_fields=["residence"])
    u = factories.user("zhaogang", member=pw["m_b1"])
    services.objection_file(actor=u, instance=publicity, text="有意见")


def test_a_member_neither_living_nor_organized_there_is_refused(pw, publicity):
    u = factories.user("zhaogang", member=pw["m_b1"])  # branch B1, no residence
    _refused(u, publicity)


def test_belongs_to_place_for_an_anonymous_user(pw):
    from django.contrib.auth.models import AnonymousUser

    assert not belongs_to_place(AnonymousUser(), pw["comm_a"].path)


def test_the_page_tells_a_stranger_why_and_writes_nothing(pw, publicity, client_for):
    c = client_for(pw["charlie"])
    url = reverse("powers:public_instance", args=[publicity.pk])
    body = c.get(url).content.decode()
    assert 'data-testid="objection-refusal"' in body and "紫金社区的居民和当地党员" in body
    assert reverse("powers:object", args=[publicity.pk]) not in body  # no form
    before = row_counts()
    r = c.post(reverse("powers:object", args=[publicity.pk]), {"text": "反对"}, follow=True)
    assert "紫金社区的居民和当地党员" in r.content.decode()
    assert row_counts() == before


def test_the_page_shows_a_resident_the_form(pw, publicity, client_for):
    c = client_for(pw["ann"].user)
    body = c.get(reverse("powers:public_instance", args=[publicity.pk])).content.decode()
    assert reverse("powers:object", args=[publicity.pk]) in body
    assert 'data-testid="objection-refusal"' not in body


def test_the_api_refuses_a_stranger_with_403(pw, publicity, client_for):
    c = client_for(pw["charlie"])
    before = row_counts()
    r = c.post(
        f"/api/v1/powers/public/instances/{publicity.pk}/objections",
        {"text": "反对"},
        content_type="application/json",
    )
    assert r.status_code == 403 and "紫金社区的居民和当地党员" in r.json()["message"]
    assert row_counts() == before


def test_the_publicity_notice_invites_objections_only_from_those_who_may_object(
    pw, publicity, client, client_for
):
    url = reverse("powers:public_instance", args=[publicity.pk])
    invite, who = "可以在下方提出异议", "只有紫金社区的居民和当地党员可以对这项公示提出异议"
    body = client_for(pw["ann"].user).get(url).content.decode()
    assert 'data-testid="publicity-notice"' in body and invite in body and who not in body
    # charlie (no profile, no record here) and a visitor not signed in are told who may object
    for c in (client_for(pw["charlie"]), client):
        body = c.get(url).content.decode()
        assert 'data-testid="publicity-notice"' in body and who in body and invite not in body


def test_a_resident_waiting_for_an_answer_is_told_so_not_offered_the_form(
    pw, publicity, client_for
):
    services.objection_file(actor=pw["ann"].user, instance=publicity, text="有意见")
    body = (
        client_for(pw["ann"].user)
        .get(reverse("powers:public_instance", args=[publicity.pk]))
        .content.decode()
    )
    assert 'data-testid="objection-waiting"' in body and "等待答复" in body
    assert "可以在下方提出异议" not in body  # the notice does not invite her either
    assert reverse("powers:object", args=[publicity.pk]) not in body  # no form
    # another resident of the place still has the form
    body = (
        client_for(make_resident("ben", "周本", pw["compound_a"], "13900008888").user)
        .get(reverse("powers:public_instance", args=[publicity.pk]))
        .content.decode()
    )
    assert reverse("powers:object", args=[publicity.pk]) in body
