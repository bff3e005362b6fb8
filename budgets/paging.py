"""Keyset pagination: "next page" means "after this row", never OFFSET.

A page is ordered by one date (or datetime) field and then ``id``; the
cursor is ``<iso value>~<id>`` of the last row shown.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet

PAGE_SIZE = 50


@dataclass
class Page:
    rows: list
    next_cursor: str | None


def _parse(value: str, is_datetime: bool):
    if is_datetime:
        return datetime.datetime.fromisoformat(value)
    return datetime.date.fromisoformat(value)


def keyset_page(
    queryset: QuerySet,
    *,
    key: str,
    after: str | None,
    size: int = PAGE_SIZE,
) -> Page:
    """One page of ``queryset`` ordered by ``key`` then id, starting after ``after``.

    A cursor that cannot be read starts from the first page.
    """
    field = queryset.model._meta.get_field(key)
    is_datetime = field.get_internal_type() == "DateTimeField"
    queryset = queryset.order_by(key, "id")
    if after:
        try:
            raw_value, raw_id = after.rsplit("~", 1)
            value, last_id = _parse(raw_value, is_datetime), int(raw_id)
        except ValueError:
            value = None
        if value is not None:
            queryset = queryset.filter(
                Q(**{f"{key}__gt": value}) | Q(**{key: value, "id__gt": last_id})
            )
    rows = list(queryset[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = f"{getattr(last, key).isoformat()}~{last.id}"
    return Page(rows=rows, next_cursor=next_cursor)
