"""Every admin page a staff superuser can open renders, read-only where the services own
the writes."""

from __future__ import annotations

from django.contrib import admin

from tongxin.accounts.models import User


def test_every_admin_changelist_and_change_page_renders(world, client):
    root = User.objects.create_superuser("root", password="Root-pass-2026")
    client.force_login(root, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/admin/").status_code == 200
    for model in admin.site._registry:
        meta = model._meta
        url = f"/admin/{meta.app_label}/{meta.model_name}/"
        assert client.get(url).status_code == 200, url
        obj = model._default_manager.first()
        if obj is not None:
            assert client.get(f"{url}{obj.pk}/change/").status_code == 200, url


def test_services_own_the_tree_the_roster_and_the_audit_log(world, client):
    root = User.objects.create_superuser("root", password="Root-pass-2026")
    client.force_login(root, backend="django.contrib.auth.backends.ModelBackend")
    for url in (
        "/admin/orgs/organization/add/",
        "/admin/members/member/add/",
        "/admin/core/auditlog/add/",
        "/admin/orgs/leadership/add/",
    ):
        assert client.get(url).status_code == 403, url
