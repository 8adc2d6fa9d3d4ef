# 双报到 moved to its own app (tongxin.dual_reports, whose 0001_initial takes the models over in
# the migration state). The tables and their rows stay: removed from members' state only.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0005_transfer_self_request"),
        ("dual_reports", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="DualReportHours"),
                migrations.DeleteModel(name="DualReport"),
            ],
        ),
    ]
