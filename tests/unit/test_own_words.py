"""The adult's words are shown in quotes once: never doubled, never with a
full stop after the closing quote."""

import re
from pathlib import Path

from django.template import Context, Template

from msp.templatetags.msp_text import own_words, strip_quotes

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_quotes_typed_round_the_words_are_not_doubled():
    assert own_words('"I want to stay at home."') == "“I want to stay at home.”"
    assert own_words("“I want to stay at home”") == "“I want to stay at home”"
    assert own_words("'Leave me be'") == "“Leave me be”"
    assert own_words("  I want my money back  ") == "“I want my money back”"


def test_quotes_inside_the_words_are_kept():
    assert strip_quotes('"Yes," she said, "no"') == '"Yes," she said, "no"'
    assert strip_quotes("'Tom's money'") == "Tom's money"
    assert strip_quotes("don't ask") == "don't ask"


def test_words_are_escaped_and_keep_their_lines():
    shown = Template('{{ text|own_words:"lines" }}').render(
        Context({"text": "<b>first</b>\nsecond"})
    )
    assert shown == "“&lt;b&gt;first&lt;/b&gt;<br>second”"
    assert own_words("") == "" and own_words(None) == ""


def test_no_template_puts_quote_marks_or_a_full_stop_round_the_filter():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for match in re.finditer(r".\{\{[^}]*own_words[^}]*\}\}.", text):
            before, after = match.group(0)[0], match.group(0)[-1]
            if before in "“\"'" or after in "”\"'.":
                offenders.append(f"{path.relative_to(TEMPLATES)}: {match.group(0)}")
        # Words quoted by hand rather than through the filter.
        offenders += [
            f"{path.relative_to(TEMPLATES)}: {m}"
            for m in re.findall(r"“\{\{[^}]*\}\}”", text)
        ]
    assert offenders == []
