from django.db import migrations


def load(apps, schema_editor):
    """The default roles gain the 小微权力清单 permissions (core.permissions.DEFAULT_ROLES);
    roles edited by hand keep what was added to them."""
    from tongxin.core.permissions import DEFAULT_ROLES

    Role = apps.get_model("accounts", "Role")
    for code, (_name, perms) in DEFAULT_ROLES.items():
        wanted = [p for p in perms if p.startswith("powers.")]
        role = Role.objects.filter(code=code).first()
        if role is None or not wanted:
            continue
        role.permissions = list(role.permissions) + [p for p in wanted if p not in role.permissions]
        role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("powers", "0001_initial"), ("accounts", "0005_resident")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
