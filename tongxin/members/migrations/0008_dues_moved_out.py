"""党费 moved to its own app (tongxin.dues): its three models leave the members app's migration
state only. The tables (members_duesbase, members_duespayment, members_duesreversal) and their
rows stay where they are; dues/migrations/0001_initial.py takes them over by name."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0007_transfers_moved_out"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="duespayment",
                    name="member",
                ),
                migrations.RemoveField(
                    model_name="duespayment",
                    name="recorded_by",
                ),
                migrations.RemoveField(
                    model_name="duesreversal",
                    name="payment",
                ),
                migrations.RemoveField(
                    model_name="duesreversal",
                    name="reversed_by",
                ),
                migrations.DeleteModel(
                    name="DuesBase",
                ),
                migrations.DeleteModel(
                    name="DuesPayment",
                ),
                migrations.DeleteModel(
                    name="DuesReversal",
                ),
            ],
            database_operations=[],
        ),
    ]
