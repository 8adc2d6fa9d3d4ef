"""Changes made in the admin site are audited like those made through the services."""

from __future__ import annotations

from tongxin.accounts.models import Role, RoleAssignment, User
from tongxin.core.models import AuditLog


def test_granting_a_role_in_the_admin_is_audited(world, client):
    admin = User.objects.create_superuser("root", password="Root-pass-2026")
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    bob = world["bob"]
    url = f"/admin/accounts/user/{bob.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        {
            "username": bob.username,
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
            "assignments-TOTAL_FORMS": "2",
            "assignments-INITIAL_FORMS": "1",
            "assignments-MIN_NUM_FORMS": "0",
            "assignments-MAX_NUM_FORMS": "1000",
        }
    )
    first = RoleAssignment.objects.get(user=bob)
    data.update(
        {
            "assignments-0-id": first.pk,
            "assignments-0-user": bob.pk,
            "assignments-0-role": first.role_id,
            "assignments-0-org": first.org_id,
            "assignments-0-reach": first.reach,
            "assignments-0-active": "on",
            "assignments-1-user": bob.pk,
            "assignments-1-role": Role.objects.get(code="auditor").pk,
            "assignments-1-org": world["city"].pk,
            "assignments-1-reach": "subtree",
            "assignments-1-active": "on",
        }
    )
    data.pop("groups", None)
    data.pop("user_permissions", None)
    data.pop("last_login", None)
    r = client.post(url, data)
    assert r.status_code == 302, r.context["adminform"].form.errors if r.context else r
    assert RoleAssignment.objects.filter(user=bob, role__code="auditor").exists()
    actions = set(AuditLog.objects.filter(actor=admin).values_list("action", flat=True))
    assert "admin.add.accounts.roleassignment" in actions
    assert "admin.change.accounts.user" in actions
    assert all("password" not in (row.diff or {}) for row in AuditLog.objects.filter(actor=admin))


def test_a_password_reset_in_the_admin_is_audited(world, client):
    admin = User.objects.create_superuser("root", password="Root-pass-2026")
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    bob = world["bob"]
    r = client.post(
        f"/admin/accounts/user/{bob.pk}/password/",
        {
            "password1": "Taken-over-2026x",
            "password2": "Taken-over-2026x",
            "usable_password": "true",
        },
    )
    assert r.status_code == 302
    bob.refresh_from_db()
    assert bob.check_password("Taken-over-2026x")
    row = AuditLog.objects.get(action="admin.password_reset")
    assert row.actor == admin and row.object_id == str(bob.pk)
    assert "Taken-over" not in str(row.diff)
