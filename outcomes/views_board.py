"""Pages: reports for the Safeguarding Adults Board and the annual pack.

For the same people as the MSP dashboard (``view_reports``: team managers
and safeguarding leads), counting only what each may see (outcomes.board).
"""

from __future__ import annotations

import csv
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from msp import audit
from msp.db_routing import reads_from_replica
from msp.permissions import require_perm
from outcomes import board, charts
from outcomes.forms_board import BoardFilterForm
from outcomes.sac import last_complete_year

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _form(request: HttpRequest) -> BoardFilterForm:
    data = request.GET.copy()
    if not data.get("year"):
        data["year"] = last_complete_year()
    return BoardFilterForm(data, user=request.user)


def _valid_filters(request: HttpRequest) -> board.BoardFilter | None:
    form = _form(request)
    if form.is_valid():
        return form.filters()
    messages.error(request, "Correct the filters before downloading the figures.")
    return None


def _back(request: HttpRequest) -> HttpResponse:
    return redirect(f"{reverse('outcomes:board')}?{request.GET.urlencode()}")


def _short(label: str, most: int = 38) -> str:
    return label if len(label) <= most else label[: most - 1].rstrip() + "…"


def board_charts(data: dict) -> dict:
    """An accessible SVG chart per report (its table is beside it)."""

    def bars(rows, text=None):
        return [
            charts.Bar(_short(row["label"]), row["count"], text(row) if text else "")
            for row in rows
        ]

    def share_text(row):
        return f"{row['count']} ({row['out']} out, {row['in']} in)"

    def hbar(key, title, rows, text=None, width=330):
        drawn = bars(rows, text)
        full = [
            charts.Bar(row["label"], bar.value, bar.text)
            for row, bar in zip(rows, drawn, strict=True)
        ]
        return charts.horizontal_bars(
            chart_id=f"chart-board-{key}",
            title=title,
            bars=drawn,
            label_width=width,
            width=700,
            description=charts.describe(full),
        )

    return {
        "referral_source": hbar(
            "referral_source",
            "Concerns received, by referral source",
            data["referral_source"]["rows"],
        ),
        "provider": hbar(
            "provider",
            "Concerns naming an organisation as the source of risk",
            data["provider"]["rows"],
        ),
        "conversion": hbar(
            "conversion",
            "Concerns received, by the decision made on them",
            data["conversion"]["rows"],
            width=220,
        ),
        "repeat": hbar(
            "repeat",
            "Repeat concerns",
            [
                {**row, "label": label}
                for row, label in zip(
                    data["repeat"]["rows"],
                    (
                        "Adults with 2 or more",
                        "Their concerns",
                        "Repeat within 365 days",
                    ),
                    strict=True,
                )
            ],
            width=220,
        ),
        "partner_requests": hbar(
            "partner_requests",
            "Requests to partners due in the year",
            data["partner_requests"]["rows"],
            width=280,
        ),
        "shares": hbar(
            "shares",
            "Information shared, by lawful basis (out and in)",
            data["shares"]["rows"],
            text=share_text,
            width=300,
        ),
    }


def _headline(key: str, report: dict) -> str:
    if key == "conversion" and report["decided"]:
        return (
            f"{report['enquiry_rate']}% of the {report['decided']} concerns decided "
            f"led to an enquiry ({report['s42_rate']}% to a section 42 enquiry)."
        )
    if key == "partner_requests" and report["answered"]:
        return (
            f"{report['on_time_rate']}% of the {report['answered']} requests "
            "answered were answered by the due date."
        )
    return ""


def _display(header: list[str], row: list) -> list:
    return [
        f"{cell}%" if name == "Percent" and cell != "" else cell
        for name, cell in zip(header, row, strict=True)
    ]


def board_sections(data: dict) -> list[dict]:
    """Each report's title, definition, chart and table, in page order."""
    drawn = board_charts(data)
    sections = []
    for key, title in board.SECTIONS.items():
        header, rows = board.table(key, data)
        sections.append(
            {
                "key": key,
                "title": title,
                "definition": board.DEFINITIONS[key],
                "headline": _headline(key, data[key]),
                "chart": drawn[key],
                "header": header,
                "rows": [_display(header, row) for row in rows],
            }
        )
    return sections


def _context(request: HttpRequest, form: BoardFilterForm) -> dict:
    context = {"form": form, "filters": None}
    if form.is_valid():
        filters = form.filters()
        data = board.cached_board_reports(request.user, filters)
        context.update(
            filters=filters,
            data=data,
            board_sections=board_sections(data),
            query=urlencode(filters.query),
        )
    return context


@require_GET
@reads_from_replica
def board_page(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "view_reports")
    return render(request, "outcomes/board.html", _context(request, _form(request)))


@require_GET
@reads_from_replica
def board_print(request: HttpRequest) -> HttpResponse:
    """Every chart and table on one page, laid out for printing."""
    require_perm(request.user, "view_reports")
    return render(
        request, "outcomes/board_print.html", _context(request, _form(request))
    )


@require_GET
@reads_from_replica
def board_csv(request: HttpRequest, section: str) -> HttpResponse:
    require_perm(request.user, "view_reports")
    if section not in board.SECTIONS:
        raise Http404("There is no such report")
    filters = _valid_filters(request)
    if filters is None:
        return _back(request)
    data = board.board_reports(request.user, filters)
    header, rows = board.table(section, data)
    name = section.replace("_", "-")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="board-{name}-{filters.year}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(["Report", board.SECTIONS[section]])
    writer.writerow(["Period", filters.description])
    writer.writerow(header)
    writer.writerows([board.plain_text(cell) for cell in row] for row in rows)
    audit.record(
        actor=request.user,
        action="download",
        summary=(
            f"Downloaded board report '{board.SECTIONS[section]}', "
            f"{filters.description} (CSV)"
        ),
        changes={"filters": filters.query, "report": section},
    )
    return response


@require_GET
@reads_from_replica
def board_xlsx(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "view_reports")
    filters = _valid_filters(request)
    if filters is None:
        return _back(request)
    data = board.board_reports(request.user, filters)
    content = board.workbook_bytes(data, filters)
    audit.record(
        actor=request.user,
        action="download",
        summary=f"Downloaded the board reports pack, {filters.description} (Excel)",
        changes={"filters": filters.query},
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="board-reports-{filters.year}.xlsx"'
    )
    return response
