"""sync_sequences: after rows written with their own ids, the next ordinary insert gets a new
id, and a sequence is never moved back (a rolled-back reload must not lower it)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from tongxin.core.bulk import sync_sequences
from tongxin.orgs.models import Sector, Unit

pytestmark = pytest.mark.django_db

TABLE = Unit._meta.db_table


def _unit(**kw) -> Unit:
    return Unit.objects.create(name="宁波港集团", sector=Sector.ENTERPRISE, **kw)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no sequences to move")
def test_the_next_insert_follows_rows_written_with_their_own_ids():
    first = _unit()
    _unit(pk=first.pk + 500)
    sync_sequences(TABLE)
    assert _unit().pk == first.pk + 501


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no sequences to move")
def test_a_sequence_is_never_moved_back_by_a_rolled_back_reload():
    kept = [_unit() for _ in range(3)]
    with transaction.atomic():
        # A reload in a savepoint: the old rows gone, fewer new ones, then rolled back.
        sid = transaction.savepoint()
        Unit.objects.all().delete()
        _unit(pk=1)
        sync_sequences(TABLE)
        transaction.savepoint_rollback(sid)
    assert Unit.objects.filter(pk__in=[u.pk for u in kept]).count() == 3
    assert _unit().pk > max(u.pk for u in kept)


def test_sqlite_needs_nothing_and_ids_go_on():
    first = _unit()
    sync_sequences(TABLE)
    assert _unit().pk > first.pk
