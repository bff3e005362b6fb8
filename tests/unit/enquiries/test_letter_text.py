"""Letter templates: only the listed placeholders, values never become code or
structure, and the shipped easy-read letters meet the reading-age target."""

import pytest

from enquiries import letter_text
from enquiries.letter_defaults import DEFAULTS
from enquiries.letter_text import EASY_READ, EASY_READ_MAX_GRADE, LetterKind


@pytest.mark.parametrize("kind", list(DEFAULTS))
def test_every_shipped_template_uses_only_its_own_placeholders(kind):
    title, body = DEFAULTS[kind]
    assert letter_text.check(kind, body) == []
    words = letter_text.plain_text(
        letter_text.render(kind, body, letter_text.sample_context(kind))
    )
    assert "{{" not in words and "}}" not in words


@pytest.mark.parametrize("kind", sorted(EASY_READ))
def test_shipped_easy_read_letters_are_within_the_reading_age_target(kind):
    _title, body = DEFAULTS[kind]
    sections = letter_text.render(kind, body, letter_text.sample_context(kind))
    grade = letter_text.reading_grade(letter_text.plain_text(sections))
    assert grade <= EASY_READ_MAX_GRADE, f"{kind}: Flesch-Kincaid grade {grade}"
    # Every section of an easy-read letter has a picture.
    assert all(s.picture in letter_text.PICTURES for s in sections if s.heading)


def test_the_reading_age_check_finds_hard_words():
    hard = (
        "Notwithstanding the aforementioned considerations, the multi-agency "
        "safeguarding partnership determined that proportionate intervention "
        "necessitated comprehensive organisational investigation."
    )
    assert letter_text.reading_grade(hard) > EASY_READ_MAX_GRADE


def test_mistakes_in_a_template_are_named_with_their_line():
    body = "\n".join(
        [
            "Dear {{ adult_name }},",
            "{{ referrer_name }}",
            "{{ what }}",
            "# [rocket] A heading",
            "{% load static %}",
            "{{#actions}}",
            "- {{ what }} {{ address }}",
        ]
    )
    problems = letter_text.check(LetterKind.PLAN, body)
    assert problems == [
        "Line 2: {{ referrer_name }} is not a placeholder this letter can use",
        "Line 3: {{ what }} is not a placeholder this letter can use here",
        "Line 4: there is no picture called [rocket]",
        "Line 5: '{%' is not part of a placeholder; write placeholders as {{ name }}",
        "Line 6: the list {{#actions}} is never closed with {{/actions}}",
        "Line 7: {{ address }} is not a placeholder this letter can use",
    ]


def test_the_referrer_letter_cannot_name_the_adult_or_their_words():
    body = "{{ adult_name }}\n{{#desired_outcomes}}\n{{ text }}\n{{/desired_outcomes}}"
    problems = letter_text.check(LetterKind.REFERRER, body)
    assert (
        "Line 1: {{ adult_name }} is not a placeholder this letter can use" in problems
    )
    assert any("{{#desired_outcomes}} is not a list" in p for p in problems)


def test_values_are_escaped_and_never_become_headings_or_lists():
    body = "# [talk] What you want\n{{#desired_outcomes}}\n- {{ text }}\n{{/desired_outcomes}}"
    context = letter_text.sample_context(LetterKind.PLAN)
    context["desired_outcomes"] = [
        {
            "text": "# Not a heading\n- <script>alert(1)</script> & me",
            "said_by": "You said",
        }
    ]
    sections = letter_text.render(LetterKind.PLAN, body, context)
    assert len(sections) == 1
    assert sections[0].picture == "talk"
    tag, items = sections[0].blocks[0]
    assert tag == "ul"
    assert items == [
        "# Not a heading<br>- &lt;script&gt;alert(1)&lt;/script&gt; &amp; me"
    ]


def test_an_empty_list_shows_its_empty_words_only():
    body = (
        "{{#actions}}\n- {{ what }}\n{{/actions}}\n"
        "{{^actions}}\nNothing planned yet.\n{{/actions}}"
    )
    context = letter_text.sample_context(LetterKind.PLAN)
    filled = letter_text.plain_text(letter_text.render(LetterKind.PLAN, body, context))
    assert "Change the lock on your door." in filled
    assert "Nothing planned yet." not in filled
    context["actions"] = []
    empty = letter_text.plain_text(letter_text.render(LetterKind.PLAN, body, context))
    assert empty == "Nothing planned yet."
