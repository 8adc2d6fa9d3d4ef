from django.db import migrations


def load_roles(apps, schema_editor):
    """Default roles gain the permissions of the grid, organizational-life, case, visit and
    service modules; the department handler role is added. Roles edited by hand keep what
    was added to them."""
    from tongxin.core.permissions import DEFAULT_ROLES

    Role = apps.get_model("accounts", "Role")
    for code, (name, perms) in DEFAULT_ROLES.items():
        role = Role.objects.filter(code=code).first()
        if role is None:
            Role.objects.create(code=code, name=name, permissions=perms)
        else:
            role.permissions = list(role.permissions) + [
                p for p in perms if p not in role.permissions
            ]
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_default_roles")]
    operations = [migrations.RunPython(load_roles, migrations.RunPython.noop)]
