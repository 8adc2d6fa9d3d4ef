# 双报到 moved out of `members` into its own app. The tables stay where they are
# (members_dualreport, members_dualreporthours, with their rows, indexes and constraints): this
# migration creates the models in the migration state only; members' 0006_dual_reports_moved_out
# then removes them from members' state. The content types follow the models (admin history).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ("dualreport", "dualreporthours")


def _move_content_types(apps, old: str, new: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not content_type.objects.filter(app_label=new, model=model).exists():
            content_type.objects.filter(app_label=old, model=model).update(app_label=new)


def forwards(apps, schema_editor):
    _move_content_types(apps, "members", "dual_reports")


def backwards(apps, schema_editor):
    _move_content_types(apps, "dual_reports", "members")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("geo", "0001_initial"),
        ("members", "0005_transfer_self_request"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.CreateModel(
            name="DualReport",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("reported", "待社区接收"),
                            ("accepted", "已接收"),
                            ("declined", "社区未接收"),
                            ("ended", "已结束"),
                        ],
                        default="reported",
                        max_length=16,
                        verbose_name="状态",
                    ),
                ),
                ("reported_on", models.DateField(verbose_name="报到日期")),
                (
                    "service_post",
                    models.CharField(blank=True, max_length=100, verbose_name="服务岗位"),
                ),
                ("accepted_on", models.DateField(blank=True, null=True, verbose_name="接收日期")),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="说明")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "community",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="geo.area",
                        verbose_name="报到社区",
                    ),
                ),
                (
                    "created_by",
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
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="dual_reports",
                        to="members.member",
                        verbose_name="党员",
                    ),
                ),
            ],
            options={
                "verbose_name": "双报到",
                "verbose_name_plural": "双报到",
                "db_table": "members_dualreport",
            },
        ),
        migrations.CreateModel(
            name="DualReportHours",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("served_on", models.DateField(verbose_name="服务日期")),
                ("minutes", models.PositiveIntegerField(verbose_name="时长（分钟）")),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="服务内容")),
                ("source", models.CharField(default="manual", max_length=32)),
                ("source_ref", models.CharField(blank=True, max_length=64)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "dual_report",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="hours",
                        to="dual_reports.dualreport",
                    ),
                ),
                (
                    "logged_by",
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
                "verbose_name": "双报到服务时长",
                "verbose_name_plural": "双报到服务时长",
                "db_table": "members_dualreporthours",
                "ordering": ["-served_on", "-id"],
            },
        ),
        migrations.AddConstraint(
            model_name="dualreport",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["reported", "accepted"])),
                fields=("member",),
                name="dualreport_one_open_per_member",
            ),
        ),
        migrations.AddConstraint(
            model_name="dualreporthours",
            constraint=models.CheckConstraint(
                condition=models.Q(("minutes__gte", 1), ("minutes__lte", 1440)),
                name="dualreporthours_minutes_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="dualreporthours",
            constraint=models.UniqueConstraint(
                condition=models.Q(("source_ref", ""), _negated=True),
                fields=("source", "source_ref"),
                name="dualreporthours_source_unique",
            ),
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
        migrations.RunPython(forwards, backwards),
    ]
