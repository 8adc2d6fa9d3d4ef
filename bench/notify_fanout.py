"""notify_fanout: one reminder to N = 20,000 recipients (town scale; 200,000 at city: a
district's members), delivered in-app through the task queue.

Ours: ``inbox.tasks.deliver.enqueue(...)`` on the configured database task backend, then the
worker (``db_worker --batch``) runs it: the idempotency check per batch, bulk inserts, the
badge cache invalidated. Baseline: a bare ``executemany`` INSERT of the same message rows
through the driver. Each run uses a new event key (a repeated key would be a no-op)."""

from __future__ import annotations

import itertools

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from bench.benchmarks import ensure_demo
from bench.util import Context, report, timed_pair

N = {"town": 20_000, "city": 200_000}
RUNS = 3


def _recipients(n: int) -> list[int]:
    from tongxin.accounts.models import User

    have = list(
        User.objects.filter(username__startswith="fanout-")
        .order_by("pk")
        .values_list("pk", flat=True)[:n]
    )
    if len(have) < n:
        User.objects.bulk_create(
            # "!" is Django's unusable password: these accounts cannot sign in.
            [User(username=f"fanout-{i:07d}", password="!") for i in range(len(have), n)],  # noqa: S106
            batch_size=5000,
        )
        have = list(
            User.objects.filter(username__startswith="fanout-")
            .order_by("pk")
            .values_list("pk", flat=True)[:n]
        )
    return have


def run(ctx: Context) -> None:
    from tongxin.inbox import tasks
    from tongxin.inbox.models import Message

    ensure_demo(ctx)
    n = N[ctx.scale]
    ids = _recipients(n)
    counter = itertools.count()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    table = Message._meta.db_table
    ph = "?" if connection.vendor == "sqlite" else "%s"
    insert = (
        f"INSERT INTO {table} (recipient_id, kind, key, title, body, link, org_path, created_at,"
        f" read_at) VALUES ({', '.join([ph] * 8)}, NULL)"
    )

    def ours() -> int:
        key = f"bench.reminder:{next(counter)}"
        tasks.deliver.enqueue(ids, "meeting", key, "会议提醒：明晚主题党日", "", "/meetings/")
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        return Message.objects.filter(key=key).count()

    def baseline() -> int:
        key = f"bench.bare:{next(counter)}"
        now = timezone.now()
        rows = [
            (uid, "meeting", key, "会议提醒：明晚主题党日", "", "/meetings/", "", now)
            for uid in ids
        ]
        with connection.cursor() as cur:
            cur.executemany(insert, rows)
        return len(rows)

    def clear() -> None:
        Message.objects.filter(key__startswith="bench.").delete()

    ours_s, base_s, got, made = timed_pair(
        ours, baseline, runs=RUNS, before_ours=clear, before_baseline=clear
    )
    assert got == n and made == n, (got, made)
    clear()
    report(
        ctx,
        "notify_fanout",
        n=n,
        ours=ours_s,
        baseline=base_s,
        unit="s",
        target=("ours", 60),
        runs=RUNS,
        note="enqueue + db_worker --batch running inbox.deliver (idempotent, batched); "
        "baseline: executemany INSERT of the same rows",
    )
