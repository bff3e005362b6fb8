"""``manage.py sac_return``: the long CSV, to standard output or a file."""

from __future__ import annotations

import csv
import datetime
import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from enquiries.factories import EnquiryFactory
from outcomes.sac_spec import empty_return

pytestmark = pytest.mark.django_db


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_writes_every_cell_to_standard_output():
    EnquiryFactory(
        concern__person__date_of_birth=datetime.date(1950, 1, 1),
        concern__received_on=datetime.date(2024, 6, 1),
        started_on=datetime.date(2024, 6, 2),
    )
    out = io.StringIO()
    call_command("sac_return", "--year", "2024-25", stdout=out)
    rows = _rows(out.getvalue())
    assert rows[0] == ["table", "category", "subcategory", "value"]
    assert len(rows) == 1 + len(empty_return())
    assert ["SG1f", "Total Number of Safeguarding Concerns", "", "1"] in rows
    assert ["SG1a", "75-84", "Section 42 Enquiries", "1"] in rows
    assert ["SG5a", "Where no individuals died", "", "0"] in rows


def test_writes_to_a_file(tmp_path: Path):
    target = tmp_path / "sac.csv"
    call_command("sac_return", "--year", "2023-24", "--output", str(target))
    rows = _rows(target.read_text(encoding="utf-8"))
    assert len(rows) == 1 + len(empty_return())
    assert all(row[3] == "0" for row in rows[1:])


@pytest.mark.parametrize("year", ["2024", "2024-26", "24-25", "next year"])
def test_a_bad_year_is_a_clear_error(year):
    with pytest.raises(CommandError, match="financial year"):
        call_command("sac_return", "--year", year, stdout=io.StringIO())


def test_a_bad_year_exits_non_zero_from_the_command_line():
    result = subprocess.run(  # noqa: S603 - fixed arguments, our own manage.py
        [sys.executable, "manage.py", "sac_return", "--year", "2024"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        env={"DJANGO_SETTINGS_MODULE": "tests.settings", "PATH": "/usr/bin:/bin"},
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "financial year must be written like '2024-25'" in result.stderr
    assert result.stdout == ""
