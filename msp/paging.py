"""Keyset pagination: "next page" means "after this row", never OFFSET.

A page is ordered by one field and then the primary key (or by the key
alone). The cursor is ``<value>~<pk>`` of the last row shown (``<pk>`` alone
when ordering by the key); a cursor that cannot be read starts from the first
page.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

PAGE_SIZE = 50
MAX_PK = 2**63 - 1


@dataclass
class Page:
    rows: list
    next_cursor: str | None
    # Whether the page carries on after a cursor (False for the first page,
    # including when a cursor was given but could not be read).
    continued: bool = False


def _text(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def keyset_page(
    queryset: QuerySet,
    *,
    after: str | None,
    key: str = "pk",
    descending: bool = False,
    size: int = PAGE_SIZE,
) -> Page:
    """One page of ``queryset`` ordered by ``key`` then pk, starting after ``after``."""
    op = "lt" if descending else "gt"
    sign = "-" if descending else ""
    by_pk = key in ("pk", "id")
    queryset = queryset.order_by(f"{sign}pk" if by_pk else f"{sign}{key}", f"{sign}pk")
    continued = False
    if after:
        try:
            if by_pk:
                last_pk = int(after)
                if not 0 < last_pk <= MAX_PK:
                    raise ValueError(after)
                queryset = queryset.filter(**{f"pk__{op}": last_pk})
                continued = True
            else:
                raw_value, raw_pk = after.rsplit("~", 1)
                field = queryset.model._meta.get_field(key)
                value, last_pk = field.to_python(raw_value), int(raw_pk)
                if value is None or not 0 < last_pk <= MAX_PK:
                    raise ValueError(after)
                if isinstance(value, datetime.datetime) and value.tzinfo is None:
                    # Cursors we write carry their offset; a hand-made one
                    # without it is read as UTC (no shift, so no overflow at
                    # the ends of the calendar).
                    value = value.replace(tzinfo=datetime.UTC)
                queryset = queryset.filter(
                    Q(**{f"{key}__{op}": value})
                    | Q(**{key: value, f"pk__{op}": last_pk})
                )
                continued = True
        except (ValueError, ValidationError, OverflowError):
            pass  # an unreadable cursor: the first page
    rows = list(queryset[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = (
            str(last.pk) if by_pk else f"{_text(getattr(last, key))}~{last.pk}"
        )
    return Page(rows=rows, next_cursor=next_cursor, continued=continued)
