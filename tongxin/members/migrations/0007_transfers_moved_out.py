"""组织关系转接 moved to its own app (tongxin.transfers): the models leave the members app's
state only. Their tables (members_transfer, members_transferstep, members_transferevent) and
rows stay where they are; transfers.0001_initial takes them over under the same names."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0006_dual_reports_moved_out"),
        ("transfers", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='transferevent',
                    name='transfer',
                ),
                migrations.RemoveField(
                    model_name='transferstep',
                    name='transfer',
                ),
                migrations.RemoveField(
                    model_name='transferevent',
                    name='actor',
                ),
                migrations.RemoveField(
                    model_name='transferstep',
                    name='decided_by',
                ),
                migrations.RemoveField(
                    model_name='transferstep',
                    name='org',
                ),
                migrations.DeleteModel(
                    name='Transfer',
                ),
                migrations.DeleteModel(
                    name='TransferEvent',
                ),
                migrations.DeleteModel(
                    name='TransferStep',
                ),
            ],
            database_operations=[],
        ),
    ]
