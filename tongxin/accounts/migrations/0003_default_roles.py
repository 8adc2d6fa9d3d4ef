from django.db import migrations


def load_roles(apps, schema_editor):
    from tongxin.core.permissions import DEFAULT_ROLES

    Role = apps.get_model("accounts", "Role")
    for code, (name, perms) in DEFAULT_ROLES.items():
        Role.objects.update_or_create(code=code, defaults={"name": name, "permissions": perms})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]
    operations = [migrations.RunPython(load_roles, migrations.RunPython.noop)]
