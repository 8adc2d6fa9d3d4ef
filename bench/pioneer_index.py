"""pioneer_index: recomputing every member's monthly 锋领指数 scores from the ledger the demo
holds. Ours: ``points.scores.recompute()`` (delete the derived rows, one grouped ORM query,
the bulk write path). Baseline: the same aggregation as one hand-written
``INSERT ... SELECT ... GROUP BY``. Both in a transaction that is rolled back."""

from __future__ import annotations

from django.db import connection, transaction

from bench.benchmarks import ensure_demo
from bench.util import Context, report, timed_pair
from tongxin.points.models import Category, MonthlyScore, PointEntry
from tongxin.points.scores import recompute

CATS = [c.value for c in Category]
COLUMNS = ", ".join(["member_id", "member_org_path", "period", *CATS, "total"])
SUMS = ", ".join(f"SUM(CASE WHEN e.category = '{c}' THEN e.granted ELSE 0 END)" for c in CATS)
HAND_SQL = (
    f"INSERT INTO points_monthlyscore ({COLUMNS}) "
    f"SELECT e.member_id, m.org_path, e.period, {SUMS}, SUM(e.granted) "
    "FROM points_pointentry e JOIN members_member m ON m.id = e.member_id "
    "GROUP BY e.member_id, m.org_path, e.period"
)


class Rollback(Exception):
    pass


def _ours() -> int:
    n = 0
    try:
        with transaction.atomic():
            n = recompute()
            raise Rollback
    except Rollback:
        pass
    return n


def _hand() -> int:
    n = 0
    try:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("DELETE FROM points_monthlyscore")
            cur.execute(HAND_SQL)
            n = cur.rowcount
            raise Rollback
    except Rollback:
        pass
    return n


def run(ctx: Context) -> None:
    ensure_demo(ctx)
    entries = PointEntry.objects.count()
    rows = MonthlyScore.objects.count()
    ours_s, base_s, n_ours, n_hand = timed_pair(_ours, _hand, runs=5, warmup=1)
    assert n_ours == rows == n_hand, (n_ours, rows, n_hand)
    report(
        ctx,
        "pioneer_index",
        n=entries,
        ours=ours_s,
        baseline=base_s,
        unit="s",
        target=("ratio", 1.5),
        runs=5,
        score_rows=rows,
        within_30s=ours_s <= 30,
        note="recompute every member's monthly scores from the whole ledger (ours: ORM grouped "
        "query + bulk write; baseline: one hand-written INSERT ... SELECT ... GROUP BY)",
    )
