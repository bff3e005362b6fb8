"""Years and the on-screen layout of the SAC return (no database)."""

from __future__ import annotations

import datetime

import pytest

from msp.dates import financial_year_of
from outcomes import sac_spec
from outcomes.sac import last_complete_year, table_layout


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (datetime.date(2025, 3, 31), "2024-25"),
        (datetime.date(2025, 4, 1), "2025-26"),
        (datetime.date(1999, 12, 31), "1999-00"),
    ],
)
def test_financial_year_of(day, year):
    assert financial_year_of(day) == year
    start, end = sac_spec.financial_year_bounds(year)
    assert start <= day <= end


@pytest.mark.parametrize(
    ("today", "year"),
    [
        (datetime.date(2026, 11, 26), "2025-26"),
        (datetime.date(2026, 4, 1), "2025-26"),
        (datetime.date(2026, 3, 31), "2024-25"),
    ],
)
def test_last_complete_year(today, year):
    assert last_complete_year(today) == year


def _table(layout, code):
    return next(table for table in layout if table["code"] == code)


def test_every_table_is_laid_out_in_order_with_row_and_column_totals():
    cells = sac_spec.empty_return()
    cells[("SG1a", "18-64", sac_spec.CONCERNS_COLUMN)] = 2
    cells[("SG1a", "95+", sac_spec.CONCERNS_COLUMN)] = 1
    cells[("SG1a", "95+", sac_spec.S42_COLUMN)] = 1
    layout = table_layout(cells)
    assert [t["code"] for t in layout] == [t.code for t in sac_spec.TABLES]
    sg1a = _table(layout, "SG1a")
    assert sg1a["columns"] == sac_spec.SG1_COLUMNS
    (section,) = sg1a["sections"]
    rows = {row["label"]: (row["values"], row["total"]) for row in section["rows"]}
    assert rows["95+"] == ([1, 1, 0], 2)
    assert section["totals"] == {"label": "Total", "values": [3, 1, 0], "total": 4}


def test_sg3a_total_leaves_out_the_advocate_row():
    cells = sac_spec.empty_return()
    cells[("SG3a", sac_spec.CAPACITY_YES, "")] = 3
    cells[("SG3a", sac_spec.CAPACITY_NOT_RECORDED, "")] = 1
    cells[("SG3a", sac_spec.CAPACITY_SUPPORT, "")] = 2
    answers, advocate = _table(table_layout(cells), "SG3a")["sections"]
    assert answers["totals"]["total"] == 4
    assert advocate["totals"] is None
    assert advocate["rows"][0]["values"] == [2]


def test_sg4a_parts_are_totalled_separately():
    cells = sac_spec.empty_return()
    cells[("SG4a", sac_spec.MSP_EXPRESSED, "")] = 5
    cells[("SG4a", "No", "")] = 2
    cells[("SG4a", "Fully achieved", "")] = 4
    part1, part2 = _table(table_layout(cells), "SG4a")["sections"]
    assert part1["totals"]["total"] == 7
    assert part2["totals"]["total"] == 4
