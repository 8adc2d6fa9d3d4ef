"""协商议事's own permissions: deliberation.view reads the staff pages, the API and the 工作台
card; deliberation.manage hosts. Who holds them by default, how existing roles gained them (the
data migration: a role that hosted under projects.manage keeps hosting), and who can and cannot
host through the pages and the API."""

from __future__ import annotations

import importlib

from django.apps import apps
from django.urls import reverse

from tests import factories
from tests.deliberation.conftest import deliberating
from tests.stranger_setup import row_counts
from tongxin.accounts.models import Role
from tongxin.core.permissions import DEFAULT_ROLES, PERMISSIONS
from tongxin.core.scope import scope_for_user
from tongxin.deliberation import selectors
from tongxin.deliberation.models import Forum, TopicStatus
from tongxin.demo.loader import DEMO_USERS

VIEW, MANAGE = selectors.VIEW, selectors.MANAGE
migration = importlib.import_module("tongxin.deliberation.migrations.0003_role_permissions")


def test_the_permissions_are_named_and_granted_to_the_default_roles():
    assert VIEW in PERMISSIONS and MANAGE in PERMISSIONS
    holders = {code for code, (_n, perms) in DEFAULT_ROLES.items() if MANAGE in perms}
    readers = {code for code, (_n, perms) in DEFAULT_ROLES.items() if VIEW in perms}
    assert holders == {"org_dept", "street_secretary"}
    assert readers == {"org_dept", "street_secretary", "auditor"}


def test_the_demo_users_who_hosted_forums_still_do():
    # Before, hosting was projects.manage: every demo role holding it now holds both.
    for _username, _display, role, _anchor, _desc in DEMO_USERS:
        if role and "projects.manage" in DEFAULT_ROLES[role][1]:
            assert {VIEW, MANAGE} <= set(DEFAULT_ROLES[role][1]), role
    roles = {u[0]: u[2] for u in DEMO_USERS}
    assert MANAGE in DEFAULT_ROLES[roles["jiedao"]][1]
    assert MANAGE in DEFAULT_ROLES[roles["zuzhibu"]][1]
    assert MANAGE not in DEFAULT_ROLES[roles["shenji"]][1]
    assert VIEW in DEFAULT_ROLES[roles["shenji"]][1]


def test_the_migration_grants_the_roles_in_the_database(db):
    street = Role.objects.get(code="street_secretary")
    street.permissions = [p for p in street.permissions if not p.startswith("deliberation.")]
    street.save()
    auditor = Role.objects.get(code="auditor")
    auditor.permissions = [p for p in auditor.permissions if not p.startswith("deliberation.")]
    auditor.save()
    # a role made by hand that ran micro-projects (and so hosted forums) ...
    projects = Role.objects.create(
        code="projects_clerk", name="微项目专员", permissions=["projects.manage"]
    )
    # ... and one that did not
    other = Role.objects.create(code="clerk", name="文书", permissions=["orgs.view"])
    migration.load(apps, None)
    migration.load(apps, None)  # running it again adds nothing twice
    for role in (street, auditor, projects, other):
        role.refresh_from_db()
    assert street.permissions.count(MANAGE) == 1 and VIEW in street.permissions
    assert VIEW in auditor.permissions and MANAGE not in auditor.permissions
    assert {VIEW, MANAGE} <= set(projects.permissions)
    assert other.permissions == ["orgs.view"]


def test_a_street_secretary_hosts_through_the_pages(town, client_for):
    c = client_for(town["alice"])
    assert c.get(reverse("deliberation:forum_create")).status_code == 200
    t = deliberating(town, town["forum"])
    body = c.get(reverse("deliberation:topic", args=[t.pk])).content.decode()
    assert 'value="decide"' in body
    r = c.post(
        reverse("deliberation:topic", args=[t.pk]),
        {"action": "decide", "decision": "物业清理", "act": "1"},
    )
    t.refresh_from_db()
    assert r.status_code == 302 and t.status == TopicStatus.ACTING


def test_an_auditor_reads_but_cannot_host(town, client_for):
    t = deliberating(town, town["forum"])
    c = client_for(town["auditor"])
    r = c.get(reverse("deliberation:forums"))
    assert r.status_code == 200 and town["forum"].name in r.content.decode()
    assert reverse("deliberation:forum_create") not in r.content.decode()
    assert c.get(reverse("deliberation:forum_create")).status_code == 404
    body = c.get(reverse("deliberation:forum", args=[town["forum"].pk])).content.decode()
    assert t.title in body and 'value="enter"' not in body and 'value="session"' not in body
    body = c.get(reverse("deliberation:topic", args=[t.pk])).content.decode()
    assert t.title in body and 'value="decide"' not in body and "林安" in body
    before = row_counts()
    for url, data in (
        (reverse("deliberation:topic", args=[t.pk]), {"action": "decide", "decision": "x"}),
        (reverse("deliberation:forum", args=[town["forum"].pk]), {"action": "enter", "title": "x"}),
        (reverse("deliberation:forum_create"), {"name": "x"}),
    ):
        assert c.post(url, data).status_code == 404
    assert row_counts() == before
    # the 工作台 card reads under deliberation.view
    assert selectors.figures(scope_for_user(town["auditor"])) is not None


def test_who_holds_neither_sees_nothing(town, client_for):
    t = deliberating(town, town["forum"])
    # bob: branch secretary (no deliberation permission); a resident; a micro-project clerk
    clerk = factories.user("clerk", org=town["street_a"])
    role = Role.objects.create(
        code="projects_only", name="微项目专员", permissions=["projects.manage"]
    )
    clerk.assignments.create(role=role, org=town["street_a"], reach="subtree")
    for user in (town["bob"], town["ann"].user, clerk):
        c = client_for(user)
        for url in (
            reverse("deliberation:forums"),
            reverse("deliberation:forum_create"),
            reverse("deliberation:forum", args=[town["forum"].pk]),
            reverse("deliberation:topic", args=[t.pk]),
        ):
            assert c.get(url).status_code == 404, (user, url)
        assert c.get("/api/v1/deliberation/forums").status_code == 404
        assert selectors.figures(scope_for_user(user)) is None


def test_the_api_reads_under_view_and_hosts_under_manage(town, client_for):
    t = deliberating(town, town["forum"])
    reader = client_for(town["auditor"])
    assert reader.get("/api/v1/deliberation/forums").json()["count"] == 1
    assert reader.get(f"/api/v1/deliberation/topics/{t.pk}").status_code == 200
    assert reader.get("/api/v1/deliberation/figures").status_code == 200
    before = row_counts()
    r = reader.post(
        f"/api/v1/deliberation/topics/{t.pk}/decide",
        {"decision": "x"},
        content_type="application/json",
    )
    assert r.status_code == 404 and row_counts() == before
    r = reader.post(
        "/api/v1/deliberation/forums",
        {
            "name": "x",
            "kind_id": town["forum"].kind_id,
            "area_id": town["compound_a"].pk,
            "host_org_id": town["comm_a_org"].pk,
        },
        content_type="application/json",
    )
    assert r.status_code == 404 and Forum.objects.count() == 1
    host = client_for(town["alice"])
    r = host.post(
        f"/api/v1/deliberation/topics/{t.pk}/decide",
        {"decision": "物业清理"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == TopicStatus.ACTING
