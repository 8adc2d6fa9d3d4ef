from __future__ import annotations

from django import forms
from django.db.models import QuerySet


def offer(field: forms.Field, queryset: QuerySet, limit: int = 500) -> None:  # type: ignore[type-arg]
    """Accept any row of ``queryset`` but list only its first ``limit`` rows.

    A ModelChoiceField validates with ``queryset.get(pk=...)``, which a sliced queryset
    refuses: handing it ``qs[:500]`` rejects every choice as invalid."""

    def first_rows() -> list[tuple[object, str]]:
        return [("", "请选择")] + [(o.pk, str(o)) for o in queryset[:limit]]

    field.queryset = queryset  # type: ignore[attr-defined]
    # A callable: the rows are read only when the form is rendered.
    field.widget.choices = first_rows  # type: ignore[attr-defined]
