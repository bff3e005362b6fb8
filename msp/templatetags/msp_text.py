"""Showing someone's own words (built into every template).

``{{ text|own_words }}`` shows the words in curly quotes, once: quote marks the
practitioner typed around them are not doubled (“"I want to stay home"”
becomes “I want to stay home”). ``{{ text|own_words:"lines" }}`` keeps line
breaks. A template puts no punctuation straight after the closing quote, so
words ending in a full stop never read ``.”.``
"""

from __future__ import annotations

import re

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html

register = template.Library()

DOUBLE = '"“”„«»'
SINGLE = "'‘’"
# A single quote between letters is an apostrophe (don't, O'Neill).
_STRAY_SINGLE = re.compile(r"(?<![A-Za-z])['‘’]|['‘’](?![A-Za-z])")


def strip_quotes(text: str) -> str:
    """``text`` without white space and the quote marks wrapped round all of
    it (only when they are one pair: ``"Yes," she said, "no"`` is kept)."""
    text = (text or "").strip()
    while len(text) >= 2:
        first, last, inner = text[0], text[-1], text[1:-1].strip()
        if not inner:
            break
        if first in DOUBLE and last in DOUBLE:
            if any(mark in inner for mark in DOUBLE):
                break
        elif first in SINGLE and last in SINGLE:
            if _STRAY_SINGLE.search(inner):
                break
        else:
            break
        text = inner
    return text


@register.filter
def own_words(value, arg: str = "") -> str:
    text = strip_quotes(str(value) if value is not None else "")
    if not text:
        return ""
    # format_html escapes plain text; linebreaksbr returns it escaped already.
    shown = linebreaksbr(text, autoescape=True) if arg == "lines" else text
    return format_html("“{}”", shown)
