"""The 党费 models, taken over from the members app (members/migrations/0008_dues_moved_out.py)
in the migration state only: their tables keep the members app's names and every row."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("members", "0008_dues_moved_out"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DuesPayment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("month", models.DateField(verbose_name="所属月份")),
                        ("amount_fen", models.BigIntegerField(verbose_name="金额（分）")),
                        ("paid_on", models.DateField(verbose_name="缴纳日期")),
                        ("org_path", models.CharField(editable=False, max_length=255)),
                        ("note", models.CharField(blank=True, max_length=200, verbose_name="备注")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "member",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="dues_payments",
                                to="members.member",
                            ),
                        ),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "党费缴纳",
                        "verbose_name_plural": "党费缴纳",
                        "db_table": "members_duespayment",
                        "ordering": ["-month", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="DuesReversal",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("reason", models.CharField(max_length=200, verbose_name="冲正原因")),
                        ("org_path", models.CharField(editable=False, max_length=255)),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="冲正时间"),
                        ),
                        (
                            "payment",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="reversal",
                                to="dues.duespayment",
                                verbose_name="缴纳记录",
                            ),
                        ),
                        (
                            "reversed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "党费冲正",
                        "verbose_name_plural": "党费冲正",
                        "db_table": "members_duesreversal",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="DuesBase",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("effective_from", models.DateField(verbose_name="起始月份")),
                        (
                            "category",
                            models.CharField(
                                choices=[
                                    ("employed", "在职（按月工资收入）"),
                                    ("retired", "离退休"),
                                    ("student", "学生"),
                                    ("unemployed", "下岗失业"),
                                    ("subsistence", "享受最低生活保障"),
                                ],
                                max_length=16,
                                verbose_name="类别",
                            ),
                        ),
                        (
                            "base_fen",
                            models.BigIntegerField(default=0, verbose_name="月工资收入基数（分）"),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "entered_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "member",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="dues_bases",
                                to="members.member",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "党费基数",
                        "verbose_name_plural": "党费基数",
                        "db_table": "members_duesbase",
                        "ordering": ["member", "-effective_from"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("member", "effective_from"), name="duesbase_month"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("base_fen__gte", 0), ("base_fen__lte", 100000000)
                                ),
                                name="duesbase_base_range",
                            ),
                        ],
                    },
                ),
                migrations.AddIndex(
                    model_name="duespayment",
                    index=models.Index(fields=["member", "month"], name="duespayment_member_month"),
                ),
                migrations.AddConstraint(
                    model_name="duespayment",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("amount_fen__gt", 0), ("amount_fen__lte", 100000000)),
                        name="duespayment_amount_range",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
