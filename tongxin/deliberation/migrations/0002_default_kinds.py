from django.db import migrations

from tongxin.deliberation.kinds import load


class Migration(migrations.Migration):
    dependencies = [("deliberation", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
