from django.db import migrations


def fillfactor(apps, schema_editor):
    # PostgreSQL: leave room on each page so that the overdue sweep's updates (of columns that
    # no index holds) stay on their page as HOT updates, without new index entries.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE cases_case SET (fillfactor = 85)")


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_default_categories")]
    operations = [migrations.RunPython(fillfactor, migrations.RunPython.noop)]
