from django.db import migrations

VIEW, MANAGE = "deliberation.view", "deliberation.manage"
# Forums were hosted under the micro-project permission before the module had its own.
HOSTED_UNDER = "projects.manage"


def load(apps, schema_editor):
    """The default roles gain the 协商议事 permissions (core.permissions.DEFAULT_ROLES). Any
    other role that holds projects.manage, under which forums were hosted before, gains both,
    so that nobody who hosted a forum loses it. Roles edited by hand keep what was added to
    them; running it again changes nothing."""
    from tongxin.core.permissions import DEFAULT_ROLES

    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.all():
        wanted = [p for p in DEFAULT_ROLES.get(role.code, ("", []))[1] if p in (VIEW, MANAGE)]
        if HOSTED_UNDER in role.permissions:
            wanted += [VIEW, MANAGE]
        missing = [p for p in dict.fromkeys(wanted) if p not in role.permissions]
        if missing:
            role.permissions = list(role.permissions) + missing
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("deliberation", "0002_default_kinds"), ("accounts", "0005_resident")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
