"""The coverage_audit benchmark times the selector against hand-written SQL; both must count
the same rule, or the benchmark compares two different things (and fails on a fresh city)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from bench.benchmarks import org_dept_scope
from bench.coverage_audit import baseline_audit
from tongxin.grids.coverage import CATEGORY_KEYS, CoverageAudit
from tongxin.orgs.models import Organization


@pytest.mark.django_db
def test_the_benchmark_baseline_counts_every_category_as_the_audit_does(demo_town):
    root = Organization.objects.select_related("area").get(depth=1)
    today = timezone.localdate()
    connection.ensure_connection()

    ours = CoverageAudit(org_dept_scope(root.path), root, today).counts()
    baseline = baseline_audit(root, today)

    assert set(ours) == set(CATEGORY_KEYS) == set(baseline)
    assert ours == baseline
    # the town has gaps of several kinds, so the comparison is not between zeros
    assert sum(1 for n in ours.values() if n) >= 3
