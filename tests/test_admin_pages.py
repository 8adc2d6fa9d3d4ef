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
        "/admin/geo/area/add/",
    ):
        assert client.get(url).status_code == 403, url


def test_an_area_is_renamed_in_the_admin_but_never_moved(world, client):
    """Adding or moving an area would shift its sorted siblings' paths under every record
    that copies them; the admin edits the name, code and coordinates only."""
    from tongxin.geo.models import Area

    root = User.objects.create_superuser("root", password="Root-pass-2026")
    client.force_login(root, backend="django.contrib.auth.backends.ModelBackend")
    area = world["comm_a"]
    paths = dict(Area.objects.values_list("pk", "path"))
    url = f"/admin/geo/area/{area.pk}/change/"
    body = client.get(url).content.decode()
    assert "_position" not in body and "_ref_node_id" not in body
    r = client.post(
        url,
        {
            "name": "紫金新社区",
            "code": "330100001",
            "latitude": "",
            "longitude": "",
            "_position": "first-child",
            "_ref_node_id": str(world["street_b_area"].pk),
        },
    )
    assert r.status_code == 302, r.content.decode()[:500]
    area.refresh_from_db()
    assert area.name == "紫金新社区" and area.code == "330100001"
    assert dict(Area.objects.values_list("pk", "path")) == paths
    assert client.post(f"/admin/geo/area/{area.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Area.objects.filter(pk=area.pk).exists()
