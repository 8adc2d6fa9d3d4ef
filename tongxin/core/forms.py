from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.db.models import Model, QuerySet
from django.utils.translation import gettext

from tongxin.core.errors import ServiceError


def apply_service_error(form: forms.Form, err: ServiceError) -> None:
    """Put a refused operation's messages on the form: each field's under it, the rest on top."""
    for name, msg in err.fields.items():
        form.add_error(name if name in form.fields else None, msg)
    if not err.fields:
        form.add_error(None, err.message)


def offer(
    field: forms.Field,
    queryset: QuerySet,
    limit: int = 500,
    selected: object = None,
    label: Callable[[Any], str] = str,
) -> None:
    """Accept any row of ``queryset`` but list only its first ``limit`` rows, plus the row
    already chosen (``selected``, an instance or a pk), which stays valid even when it lies
    outside ``queryset`` (a residence in another street): saving a form never clears it.
    ``label`` names a row in the list (``str`` unless given).

    A ModelChoiceField validates with ``queryset.get(pk=...)``, which a sliced queryset
    refuses: handing it ``qs[:500]`` rejects every choice as invalid."""
    selected_pk = selected.pk if isinstance(selected, Model) else selected
    accepted = queryset
    if selected_pk:
        accepted = queryset | queryset.model._default_manager.filter(pk=selected_pk)

    def rows() -> list[tuple[object, str]]:
        listed = [(o.pk, label(o)) for o in queryset[:limit]]
        if selected_pk and all(pk != selected_pk for pk, _ in listed):
            current = accepted.filter(pk=selected_pk).first()
            if current is not None:
                listed.insert(0, (current.pk, label(current)))
        return [("", gettext("请选择")), *listed]

    cast(forms.ModelChoiceField, field).queryset = accepted
    # A callable: the rows are read only when the form is rendered.
    field.widget.choices = rows
