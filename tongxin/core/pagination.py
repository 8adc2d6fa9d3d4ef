"""Pagination, for the pages (``paginate``: a Django Page) and for the API lists
(``PageQuery`` and ``api_page``: ``{count, page, page_size, results}``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema


def paginate(request: HttpRequest, qs: QuerySet, per_page: int | None = None) -> Page:
    """Two queries: the count and the page's rows."""
    paginator = Paginator(qs, per_page or settings.PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


class PageQuery(Schema):
    """The page an API list is asked for (1-based); list queries with filters extend it."""

    page: int = Field(1, ge=1, le=1_000_000)


def api_page(qs: QuerySet[Any], page: int) -> dict[str, Any]:
    """One page of an API list, PAGE_SIZE rows: the count and the page's rows (two queries).
    A page past the end is empty, with the count."""
    size = settings.PAGE_SIZE
    start = (page - 1) * size
    return {
        "count": qs.count(),
        "page": page,
        "page_size": size,
        "results": list(qs[start : start + size]),
    }
