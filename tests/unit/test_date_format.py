"""Dates read one way on every page: "6 May 2025", and a moment as
"6 May 2025, 2:30pm". Templates use |day, |when and |time_of_day (msp.dates);
Python text uses msp.dates.format_day/format_when or "%-d %B %Y". These
tests scan the code so another format cannot creep back in."""

import datetime
import re
from pathlib import Path

from django.template import Context, Template
from django.utils import timezone

from msp.dates import format_day, format_time, format_when

ROOT = Path(__file__).resolve().parents[2]
APPS = ("enquiries", "budgets", "outcomes", "msp")

# A machine-readable date in a <time datetime="..."> attribute is allowed.
MACHINE_ATTRIBUTE = re.compile(r'datetime="\{\{[^}]*\|date:\'[^\']*\' \}\}"')
DATE_FILTER = re.compile(r"\|\s*(date|time)\s*(:|\}\}|\||\s)")


def test_no_template_formats_a_date_its_own_way():
    offenders = []
    paths = [
        *(ROOT / "templates").rglob("*.html"),
        *(ROOT / "templates").rglob("*.txt"),
    ]
    for path in sorted(paths):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            line = MACHINE_ATTRIBUTE.sub("", line)
            if DATE_FILTER.search(line) or "{% now" in line:
                offenders.append(
                    f"templates/{path.relative_to(ROOT / 'templates')}:{number}"
                )
    assert offenders == [], "use |day, |when or |time_of_day: " + ", ".join(offenders)


# Zero-padded or abbreviated days, and 24-hour times, in text people read.
PYTHON_FORMATS = re.compile(r"%d %[bB]|%-d %b|%d/%m|%H:%M(?!:%S)|%I:%M")
MACHINE_PYTHON = re.compile(r"%Y-%m-%d[ T]%H:%M")


def test_no_python_text_formats_a_date_its_own_way():
    offenders = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if PYTHON_FORMATS.search(MACHINE_PYTHON.sub("", line)):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == [], "use msp.dates.format_day/format_when: " + ", ".join(
        offenders
    )


def test_the_one_format():
    day = datetime.date(2025, 5, 6)
    assert format_day(day) == "6 May 2025"
    moment = timezone.make_aware(datetime.datetime(2025, 5, 6, 14, 30))
    assert format_when(moment) == "6 May 2025, 2:30pm"
    assert format_time(moment.replace(hour=9, minute=5)) == "9:05am"
    assert format_time(moment.replace(hour=12, minute=0)) == "midday"
    assert format_time(moment.replace(hour=0, minute=0)) == "midnight"
    assert format_when(moment, seconds=True) == "6 May 2025, 2:30:00pm"
    shown = Template("{{ d|day }}|{{ m|when }}|{{ m|time_of_day }}|{{ n|day }}").render(
        Context({"d": day, "m": moment, "n": None})
    )
    assert shown == "6 May 2025|6 May 2025, 2:30pm|2:30pm|"


def test_a_utc_moment_is_shown_in_uk_time():
    summer = datetime.datetime(2025, 7, 1, 23, 30, tzinfo=datetime.UTC)
    assert format_when(summer) == "2 July 2025, 12:30am"


def test_a_date_in_polish_takes_the_month_in_the_form_a_date_needs():
    """The adult's own page in Polish: "6 grudnia 2025", not "6 Grudzień 2025"."""
    from django.utils import translation

    day = datetime.date(2025, 12, 6)
    with translation.override("pl"):
        assert format_day(day) == "6 grudnia 2025"
    assert format_day(day) == "6 December 2025"
