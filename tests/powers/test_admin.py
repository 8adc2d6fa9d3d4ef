"""The admin shows the new apps' records read-only, with names masked and secrets left out."""

from __future__ import annotations

import pytest
from django.contrib import admin

from tests.powers.conftest import new_instance, walk_to_publicity
from tongxin.accounts.models import User
from tongxin.alerts import services as alerts
from tongxin.inbox.models import Message
from tongxin.powers import notify, services

pytestmark = pytest.mark.django_db

NEW_APPS = (
    "alerts",
    "inbox",
    "insights",
    "points",
    "appraisal",
    "deliberation",
    "powers",
    "aid",
    "redmap",
)


@pytest.fixture
def root(client):
    u = User.objects.create_superuser("root", password="Root-pass-2026")
    client.force_login(u, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_every_new_app_has_admin_pages(pw, root):
    labels = {m._meta.app_label for m in admin.site._registry}
    assert set(NEW_APPS) <= labels


def test_powers_records_are_read_only_and_masked(pw, root):
    inst = walk_to_publicity(pw, new_instance(pw, applicant="张三丰"))
    services.objection_file(actor=pw["ann"].user, instance=inst, text="有异议")
    notify.open_objections()
    alerts.sweep()
    for url in (
        "/admin/powers/powerinstance/",
        f"/admin/powers/powerinstance/{inst.pk}/change/",
        "/admin/powers/objection/",
        f"/admin/powers/objection/{inst.objections.get().pk}/change/",
    ):
        r = root.get(url)
        assert r.status_code == 200, url
        page = r.content.decode()
        assert "张三丰" not in page and "林安" not in page, url
    msg = Message.objects.filter(kind="objection").first()
    assert root.get(f"/admin/inbox/message/{msg.pk}/change/").status_code == 200
    for url in (
        "/admin/powers/powerinstance/add/",
        "/admin/powers/objection/add/",
        "/admin/alerts/alertrule/add/",
        "/admin/inbox/message/add/",
    ):
        assert root.get(url).status_code == 403, url
    assert root.post(f"/admin/powers/powerinstance/{inst.pk}/delete/").status_code == 403
