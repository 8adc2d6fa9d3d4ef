"""What the organization pages need from the members app above them. ``tongxin.members``
provides it from its AppConfig.ready(), so that orgs never imports members (the layering in
docs/architecture.md); ``org_moved`` tells members to follow a moved subtree."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.dispatch import Signal

from tongxin.core.scope import Scope

# Sent inside org_move's transaction with old_path and new_path: whatever keeps a copy of an
# organization's path (members' org_path) rewrites it for the moved subtree.
org_moved = Signal()


@dataclass(frozen=True)
class MemberReader:
    # Members of an organization's subtree the scope reaches, ordered for the roster.
    in_subtree: Callable[[Scope, Any], QuerySet[Any]]
    # Members the scope may manage in the subtree: the candidates for a leadership seat.
    candidates: Callable[[Scope, Any], QuerySet[Any]]
    # An empty queryset of members, for a form field before its choices are known.
    none: Callable[[], QuerySet[Any]]
    # Education codes counted as 大专及以上 (for secretaries' statistics).
    college_or_above: frozenset[str]


_reader: MemberReader | None = None


def provide_member_reader(reader: MemberReader) -> None:
    global _reader
    _reader = reader


def member_reader() -> MemberReader:
    if _reader is None:
        raise RuntimeError("tongxin.members is not installed: no member reader provided")
    return _reader
