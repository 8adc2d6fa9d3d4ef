from django.db import migrations


def load(apps, schema_editor):
    """The 互助金's roles (committee member, accountant, cashier) and the aid permissions of
    the default staff roles."""
    from tongxin.aid.roles import load_roles

    load_roles(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("aid", "0001_initial"), ("accounts", "0004_module_permissions")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
