"""Date filters for every template (built in: settings.TEMPLATES builtins).

``{{ value|day }}`` shows ``6 May 2025``; ``{{ value|when }}`` shows
``6 May 2025, 2:30pm`` (``{{ value|when:"seconds" }}`` for the audit trail);
``{{ value|time_of_day }}`` shows ``2:30pm``. Templates use these rather than
``|date:"…"`` so a date reads the same on every page (a test checks).
"""

from __future__ import annotations

from django import template

from msp import dates

register = template.Library()


@register.filter(expects_localtime=True)
def day(value) -> str:
    try:
        return dates.format_day(value)
    except (AttributeError, TypeError, ValueError):
        return ""


@register.filter(expects_localtime=True)
def when(value, arg: str = "") -> str:
    try:
        return dates.format_when(value, seconds=arg == "seconds")
    except (AttributeError, TypeError, ValueError):
        return ""


@register.filter(expects_localtime=True)
def time_of_day(value) -> str:
    try:
        return dates.format_time(value)
    except (AttributeError, TypeError, ValueError):
        return ""
