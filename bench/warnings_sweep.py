"""warnings_sweep: evaluating every 预警 rule over the demo (town: ~320 organizations, ~5,600
members; city: 32,037 / 561,000).

Ours: ``alerts.services.sweep`` from a clean slate (every warning opened, written in bulk and
delivered to the owners' inboxes), each run rolled back so that all start alike; a second line
times a steady-state sweep (nothing changed: what the hourly task usually does). Baseline:
hand-written SQL computing the same nine conditions per organization (one grouped statement
per rule), without writing anything. The gap is the bookkeeping (warnings, inbox rows)."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone

from bench.benchmarks import ensure_demo, raw_fetch
from bench.util import Context, report, timed_pair

RUNS = 3


class _Rollback(Exception):
    pass


def _tables() -> dict[str, str]:
    from django.apps import apps

    names = {
        "org": "orgs.Organization",
        "lead": "orgs.Leadership",
        "meeting": "meetings.Meeting",
        "member": "members.Member",
        "base": "dues.DuesBase",
        "pay": "dues.DuesPayment",
        "rev": "dues.DuesReversal",
        "grid": "grids.Grid",
        "gm": "grids.GridMembership",
        "case": "cases.Case",
        "area": "geo.Area",
    }
    return {k: apps.get_model(v)._meta.db_table for k, v in names.items()}


def baseline_sql(today: dt.date) -> list[str]:
    t = _tables()
    d = f"'{today.isoformat()}'"
    year_ago = f"'{(today - dt.timedelta(days=365)).isoformat()}'"
    soon = f"'{(today + dt.timedelta(days=90)).isoformat()}'"
    now = f"'{today.isoformat()} 00:00:00'"
    return [
        # 三会一课: branches whose last held committee meeting is over a month old
        f"SELECT o.id, MAX(m.date) FROM {t['org']} o LEFT JOIN {t['meeting']} m ON m.org_id = o.id"
        f" AND m.kind = 'committee' AND m.status = 'held' AND m.date <= {d}"
        " WHERE o.kind = 'branch' GROUP BY o.id",
        # dues: first base and last unreversed payment per member, by organization
        f"SELECT mb.org_id, b.member_id, MIN(b.effective_from),"
        f" (SELECT MAX(p.month) FROM {t['pay']} p WHERE p.member_id = b.member_id"
        f" AND NOT EXISTS (SELECT 1 FROM {t['rev']} r WHERE r.payment_id = p.id))"
        f" FROM {t['base']} b JOIN {t['member']} mb ON mb.id = b.member_id"
        " WHERE mb.standing = 'normal' GROUP BY mb.org_id, b.member_id",
        # 换届: the secretary's term end within 90 days or past
        f"SELECT org_id, MAX(term_end) FROM {t['lead']} WHERE role = 'secretary'"
        f" GROUP BY org_id HAVING MAX(term_end) <= {soon}",
        # branches without a secretary
        f"SELECT o.id FROM {t['org']} o WHERE o.kind = 'branch' AND NOT o.is_temporary AND NOT"
        f" EXISTS (SELECT 1 FROM {t['lead']} l WHERE l.org_id = o.id AND l.role = 'secretary')",
        # grids without an instructor, per serving branch
        f"SELECT serving_branch_id, COUNT(*) FROM {t['grid']} WHERE instructor_id IS NULL"
        " AND serving_branch_id IS NOT NULL GROUP BY serving_branch_id",
        # members in no grid
        f"SELECT m.org_id, COUNT(*) FROM {t['member']} m WHERE m.standing = 'normal' AND NOT"
        f" EXISTS (SELECT 1 FROM {t['gm']} g WHERE g.member_id = m.id) GROUP BY m.org_id",
        # overdue cases per community, with the community's organizations
        f"SELECT substr(c.area_path, 1, 16) AS comm, COUNT(*) FROM {t['case']} c"
        " WHERE c.state IN ('reported','called','accepted','dispatched','claimed','returned',"
        f"'escalated') AND c.deadline_at < {now} GROUP BY comm",
        f"SELECT o.id, o.path, a.path FROM {t['org']} o JOIN {t['area']} a ON a.id = o.area_id"
        " WHERE length(a.path) = 16",
        # 预备期 over a year
        f"SELECT org_id, COUNT(*) FROM {t['member']} WHERE status = 'probationary'"
        f" AND joined_on < {year_ago} AND standing <> 'suspended' GROUP BY org_id",
        # 失联
        f"SELECT org_id, COUNT(*) FROM {t['member']} WHERE is_lost_contact GROUP BY org_id",
    ]


def run(ctx: Context) -> None:
    from tongxin.alerts import services
    from tongxin.alerts.models import Alert
    from tongxin.core.alert_checks import CHECKS
    from tongxin.inbox.models import Message

    ensure_demo(ctx)
    now = timezone.now()
    today = timezone.localdate(now)
    services.rules_ensure_defaults()
    # The demo load ends with a sweep of its own: start from no warning and no warning message.
    Message.objects.filter(kind="warning").delete()
    Alert.objects.all().delete()
    stmts = baseline_sql(today)
    counts: dict[str, int] = {}

    def ours() -> dict[str, int]:
        try:
            with transaction.atomic():
                stats = services.sweep(now=now)
                counts["alerts"] = Alert.objects.count()
                counts["messages"] = Message.objects.count()
                raise _Rollback
        except _Rollback:
            pass
        return stats

    def baseline() -> int:
        return sum(len(raw_fetch(sql, ())) for sql in stmts)

    ours_s, base_s, stats, _rows = timed_pair(ours, baseline, runs=RUNS, warmup=1)

    def checks_only() -> int:
        return sum(len(list(c.fn(today))) for c in CHECKS.values())

    checks_s, _b, findings, _r = timed_pair(checks_only, baseline, runs=RUNS)
    orgs = raw_fetch("SELECT COUNT(*) FROM " + _tables()["org"], ())[0][0]
    report(
        ctx,
        "warnings_sweep",
        n=orgs,
        ours=ours_s,
        baseline=base_s,
        unit="s",
        target=("ours", 30),
        runs=RUNS,
        opened=stats.get("opened", 0),
        delivered=stats.get("delivered", 0),
        findings=findings,
        checks_only_s=round(checks_s, 4),
        note="sweep from a clean slate (open + write + deliver to inboxes), rolled back; "
        "baseline: the same conditions in hand-written SQL, read only",
    )
    services.sweep(now=now)  # leave the warnings in place: the steady state
    steady_s, base2_s, _s, _r = timed_pair(lambda: services.sweep(now=now), baseline, runs=RUNS)
    report(
        ctx,
        "warnings_sweep_steady",
        n=orgs,
        ours=steady_s,
        baseline=base2_s,
        unit="s",
        target=("ours", 30),
        runs=RUNS,
        write=False,
        note="the hourly sweep when nothing changed (no writes, no deliveries)",
    )
    if connection.vendor == "sqlite":
        connection.close()
