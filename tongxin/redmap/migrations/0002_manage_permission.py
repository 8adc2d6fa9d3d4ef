from django.db import migrations

PERM = "redmap.manage"
ROLES = ("org_dept", "street_secretary")


def load(apps, schema_editor):
    """The 组织部 and street roles manage red sites (``redmap.manage``); a role edited by hand
    keeps what it has and gains this one."""
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(code__in=ROLES):
        if PERM not in role.permissions:
            role.permissions = [*role.permissions, PERM]
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("redmap", "0001_initial"), ("accounts", "0005_resident")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
