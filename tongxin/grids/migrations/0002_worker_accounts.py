"""A grid worker (网格员) is a user account. Older rows that name only a member get that
member's account when it has one (and the grid does not list that account already); rows of
members without an account stay as they are and keep working. Then one row per account and
grid."""

from __future__ import annotations

from django.conf import settings
from django.db import migrations, models


def link_accounts(apps, schema_editor):
    GridWorker = apps.get_model("grids", "GridWorker")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    legacy = GridWorker.objects.filter(user__isnull=True, member__isnull=False)
    accounts = dict(
        User.objects.filter(member_id__in=legacy.values("member_id")).values_list("member_id", "pk")
    )
    for worker in legacy.order_by("pk"):
        user_id = accounts.get(worker.member_id)
        if user_id is None:
            continue
        if GridWorker.objects.filter(grid_id=worker.grid_id, user_id=user_id).exists():
            continue
        worker.user_id = user_id
        worker.save(update_fields=["user"])
    # The service always refused an account twice in a grid; drop any copy a race left behind
    # (the first row stays) so the constraint below can be created.
    seen: set[tuple[int, int]] = set()
    for pk, grid_id, user_id in (
        GridWorker.objects.filter(user__isnull=False)
        .order_by("pk")
        .values_list("pk", "grid_id", "user_id")
    ):
        if (grid_id, user_id) in seen:
            GridWorker.objects.filter(pk=pk).delete()
        seen.add((grid_id, user_id))


class Migration(migrations.Migration):
    dependencies = [
        ("grids", "0001_initial"),
        ("members", "0003_transfers_dual_report_dues"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(link_accounts, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="gridworker",
            constraint=models.UniqueConstraint(
                condition=models.Q(("user__isnull", False)),
                fields=("grid", "user"),
                name="grid_worker_user_once_per_grid",
            ),
        ),
    ]
