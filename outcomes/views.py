"""Pages: managers' MSP reports, evaluating outcomes with the adult, feedback."""

from __future__ import annotations

import csv
import datetime

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from enquiries import codes
from enquiries.models import Enquiry
from enquiries.selectors.voice import enquiry_desired_outcomes
from msp import audit, editing, paging
from msp.access import get_visible_or_404, require_write, visible
from msp.dates import financial_year_of
from msp.db_routing import reads_from_replica
from msp.permissions import require_perm
from outcomes import charts, msp, reports, services
from outcomes.forms import EvaluationForm, FeedbackForm, ReportFilterForm
from outcomes.models import FeedbackFollowUp
from outcomes.patterns import cached_pattern_figures


def _filter_form(request: HttpRequest) -> ReportFilterForm:
    data = request.GET.copy()
    if not any(data.get(name) for name in ReportFilterForm.base_fields):
        data["year"] = financial_year_of(datetime.date.today())
    return ReportFilterForm(data, user=request.user)


def _query(filters: reports.ReportFilter, **extra) -> str:
    from urllib.parse import urlencode

    return urlencode({**filters.query, **extra})


def _with_links(enquiries):
    for enquiry in enquiries:
        enquiry.link = services.link_to_enquiry(enquiry)
    return enquiries


def _csv_safe(cell):
    """Text a spreadsheet would run as a formula is written as plain text."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell


def _after(request: HttpRequest, name: str = "after") -> int | None:
    value = request.GET.get(name, "")
    if not value:
        return None
    if not value.isdigit():
        raise Http404("That page of results does not exist")
    return int(value)


def _newest_first(queryset, after: int | None, size: int = 50) -> paging.Page:
    """A page of enquiries behind a figure, newest first (msp.paging)."""
    return paging.keyset_page(
        queryset.select_related("concern__person", "team", "allocated_to"),
        after=str(after) if after else None,
        descending=True,
        size=size,
    )


# ---------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------


@require_GET
@reads_from_replica
def dashboard(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "view_reports")
    form = _filter_form(request)
    context = {"form": form, "filters": None}
    if form.is_valid():
        filters = form.filters()
        data = reports.cached_dashboard(request.user, filters)
        context.update(
            filters=filters,
            data=data,
            query=_query(filters),
            charts=_dashboard_charts(data, filters),
            patterns=cached_pattern_figures(request.user, filters),
        )
    return render(request, "outcomes/dashboard.html", context)


def _dashboard_charts(data: dict, filters: reports.ReportFilter) -> dict:
    unit = "quarter" if filters.by == "quarter" else "month"
    counts = data["counts"]
    return {
        "concluded": charts.column_chart(
            chart_id="chart-concluded",
            title=f"Concluded enquiries by {unit}",
            bars=[charts.Bar(p["label"], p["concluded"]) for p in data["periods"]],
        ),
        "achieved_over_time": charts.stacked_achievement(
            chart_id="chart-achieved-time",
            title=f"Outcomes achieved by {unit}, where outcomes were expressed",
            rows=data["periods"],
        ),
        "asked": charts.horizontal_bars(
            chart_id="chart-asked",
            title="Was the adult asked about their desired outcomes?",
            bars=[
                charts.Bar(msp.LABELS[c], counts[f"asked_{c}"]) for c in msp.CATEGORIES
            ],
            label_width=380,
        ),
        "risk": charts.horizontal_bars(
            chart_id="chart-risk",
            title="Where a risk was identified: the result",
            bars=[
                charts.Bar(label, counts[f"risk_{value}"])
                for value, label in codes.RiskResult.choices
            ],
            label_width=200,
        ),
    }


@require_GET
@reads_from_replica
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "view_reports")
    form = _filter_form(request)
    if not form.is_valid():
        messages.error(request, "Correct the filters before downloading the figures.")
        return redirect(f"{reverse('outcomes:dashboard')}?{request.GET.urlencode()}")
    filters = form.filters()
    data = reports.dashboard(request.user, filters)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="msp-dashboard-{filters.start}-to-{filters.end}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(["Period", filters.description])
    writer.writerow(["Section", "Figure", "Count", "Out of", "Percent"])
    writer.writerows(
        [_csv_safe(cell) for cell in row] for row in reports.csv_rows(data)
    )
    audit.record(
        actor=request.user,
        action="download",
        summary=f"Downloaded MSP dashboard figures, {filters.description}",
        changes={"filters": filters.query},
    )
    return response


@require_GET
@reads_from_replica
def drilldown(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "view_reports")
    key = request.GET.get("figure", "")
    label = reports.figure_label(key)
    if label is None:
        raise Http404("There is no such figure")
    form = _filter_form(request)
    if not form.is_valid():
        messages.error(request, "Correct the filters to see the enquiries behind it.")
        return redirect(f"{reverse('outcomes:dashboard')}?{request.GET.urlencode()}")
    filters = form.filters()
    queryset = reports.enquiries_behind(request.user, filters, key)
    found = _newest_first(queryset, _after(request))
    page, next_after = found.rows, found.next_cursor
    stages = reports.stages_not_obtained(page) if key == "view_not_obtained" else {}
    for enquiry in page:
        enquiry.stages_not_obtained = stages.get(enquiry.pk, [])
    return render(
        request,
        "outcomes/drilldown.html",
        {
            "label": label,
            "key": key,
            "filters": filters,
            "enquiries": _with_links(page),
            "query": _query(filters, figure=key),
            "next_after": next_after,
            "is_first_page": not request.GET.get("after"),
            "open_figure": key.startswith("open_"),
            "back_query": _query(filters),
            "stages_column": key == "view_not_obtained",
        },
    )


@require_GET
@reads_from_replica
def equality(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "view_reports")
    form = _filter_form(request)
    context = {"form": form, "filters": None}
    if form.is_valid():
        filters = form.filters()
        data = reports.cached_equality(request.user, filters)
        tables = data["tables"]
        for table in tables:
            table["chart"] = charts.stacked_achievement(
                chart_id=f"chart-equality-{table['key']}",
                title=f"Outcomes achieved by {table['title'].lower()}",
                rows=table["rows"],
                label_key="group",
                label_width=330 if table["key"] != "age" else 160,
                width=760,
            )
        context.update(
            filters=filters,
            tables=tables,
            query=_query(filters),
            counted_at=data["counted_at"],
        )
    return render(request, "outcomes/equality.html", context)


@require_GET
@reads_from_replica
def equality_csv(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "view_reports")
    form = _filter_form(request)
    if not form.is_valid():
        messages.error(request, "Correct the filters before downloading the figures.")
        return redirect(f"{reverse('outcomes:equality')}?{request.GET.urlencode()}")
    filters = form.filters()
    tables = reports.equality(request.user, filters)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="msp-equality-{filters.start}-to-{filters.end}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(["Period", filters.description])
    writer.writerow(
        [
            "Breakdown",
            "Group",
            "Concluded",
            "Asked",
            "Outcomes expressed",
            "Fully achieved",
            "Partially achieved",
            "Not achieved",
            "Fully achieved (% of evaluated)",
        ]
    )
    for table in tables:
        for row in table["rows"]:
            writer.writerow(
                [
                    table["title"],
                    _csv_safe(row["group"]),
                    row["concluded"],
                    row["asked"],
                    row["expressed"],
                    row["fully"],
                    row["partially"],
                    row["not_achieved"],
                    "" if row["fully_percent"] is None else row["fully_percent"],
                ]
            )
    audit.record(
        actor=request.user,
        action="download",
        summary=f"Downloaded MSP equality figures, {filters.description}",
        changes={"filters": filters.query},
    )
    return response


@require_GET
@reads_from_replica
def exceptions(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "view_reports")
    form = _filter_form(request)
    context = {"form": form, "filters": None}
    if form.is_valid():
        filters = form.filters()
        data = reports.cached_exceptions(request.user, filters)
        newest = data["newest"]
        listed = reports.listed_enquiries(
            request.user, [pk for ids in newest.values() for pk in ids]
        )
        _with_links(listed.values())
        stages = reports.stages_not_obtained(
            [listed[pk] for pk in newest["view_not_obtained"] if pk in listed]
        )
        for enquiry in listed.values():
            enquiry.stages_not_obtained = stages.get(enquiry.pk, [])
        sections = [
            {
                "key": key,
                "show_stages": key == "view_not_obtained",
                "label": reports.FIGURES[key].label,
                "count": data["counts"][key],
                "enquiries": [listed[pk] for pk in newest[key] if pk in listed],
                "query": _query(filters, figure=key),
            }
            for key in reports.EXCEPTION_KEYS
        ]
        context.update(
            filters=filters,
            sections=sections,
            query=_query(filters),
            counted_at=data["counted_at"],
        )
    return render(request, "outcomes/exceptions.html", context)


@require_GET
def follow_ups(request: HttpRequest) -> HttpResponse:
    """Feedback still to ask for after closure: overdue first, then due soonest."""
    require_perm(request.user, "view_reports")
    today = timezone.localdate()
    queryset = (
        visible(
            request.user, FeedbackFollowUp.objects.filter(completed_at__isnull=True)
        )
        .select_related(
            "enquiry__concern__person", "enquiry__team", "enquiry__allocated_to"
        )
        .order_by("due_on", "pk")
    )
    after = request.GET.get("after", "")
    if after:
        try:
            due, pk = after.split("_", 1)
            due_on, pk = datetime.date.fromisoformat(due), int(pk)
        except ValueError as exc:
            raise Http404("That page of results does not exist") from exc
        queryset = queryset.filter(Q(due_on__gt=due_on) | Q(due_on=due_on, pk__gt=pk))
    size = 50
    page = list(queryset[: size + 1])
    next_after = (
        f"{page[size - 1].due_on.isoformat()}_{page[size - 1].pk}"
        if len(page) > size
        else None
    )
    page = page[:size]
    for follow_up in page:
        follow_up.overdue = follow_up.due_on < today
        follow_up.enquiry.link = services.link_to_enquiry(follow_up.enquiry)
    return render(
        request,
        "outcomes/follow_ups.html",
        {"follow_ups": page, "next_after": next_after, "today": today},
    )


# ---------------------------------------------------------------------------
# Evaluating outcomes with the adult, and feedback
# ---------------------------------------------------------------------------


def _enquiry_for(request: HttpRequest, reference) -> Enquiry:
    enquiry = get_visible_or_404(
        request.user,
        Enquiry.objects.select_related("concern__person", "team"),
        reference=reference,
    )
    require_write(request.user)
    enquiry.link = services.link_to_enquiry(enquiry)
    return enquiry


@require_http_methods(["GET", "POST"])
def evaluate(request: HttpRequest, reference) -> HttpResponse:
    enquiry = _enquiry_for(request, reference)
    outcomes = list(enquiry_desired_outcomes(enquiry))
    saved = [outcome.achieved for outcome in outcomes]
    suggestion = services.suggest_overall(saved)
    initial = {
        "evaluated_with": next(
            (o.evaluated_with for o in outcomes if o.evaluated_with), ""
        ),
        "changed_reason": enquiry.outcomes_achieved_changed_reason,
        "judgement_reason": enquiry.outcomes_judgement_reason,
        "evaluated_on": next(
            (o.evaluated_on for o in outcomes if o.evaluated_on), None
        ),
    }
    if enquiry.outcomes_achieved and enquiry.outcomes_achieved != suggestion:
        initial["overall"] = enquiry.outcomes_achieved
    for outcome in outcomes:
        initial[f"outcome_{outcome.pk}_achieved"] = outcome.achieved
        initial[f"outcome_{outcome.pk}_comment"] = outcome.evaluation_comment
    form = EvaluationForm(
        editing.bound_data(request),
        initial=initial,
        outcomes=outcomes,
        suggestion=suggestion,
        record=enquiry,
    )
    return editing.edit_page(
        request,
        form,
        lambda: services.evaluate_outcomes(
            user=request.user,
            enquiry=enquiry,
            expected_version=form.cleaned_data["version"],
            evaluated_with=form.cleaned_data["evaluated_with"],
            ratings=form.ratings(),
            overall=form.cleaned_data["overall"],
            changed_reason=form.cleaned_data["changed_reason"],
            judgement_reason=form.cleaned_data["judgement_reason"],
            evaluated_on=form.cleaned_data["evaluated_on"],
        ),
        success="Outcomes evaluated with the adult",
        done=enquiry.link,
        page=lambda: render(
            request,
            "outcomes/evaluate.html",
            {
                "form": form,
                "enquiry": enquiry,
                "outcomes": outcomes,
                "msp_asked": msp.msp_asked_label(enquiry),
                "suggestion": suggestion,
            },
        ),
    )


@require_http_methods(["GET", "POST"])
def feedback_add(request: HttpRequest, reference) -> HttpResponse:
    enquiry = _enquiry_for(request, reference)
    questionnaire = services.active_questionnaire()
    if questionnaire is None:
        return render(
            request,
            "outcomes/feedback_unavailable.html",
            {"enquiry": enquiry},
            status=409,
        )
    form = FeedbackForm(
        editing.bound_data(request),
        questionnaire=questionnaire,
        initial={"collected_on": timezone.localdate()},
    )
    return editing.edit_page(
        request,
        form,
        lambda: services.record_feedback(
            user=request.user,
            enquiry=enquiry,
            questionnaire=questionnaire,
            respondent=form.cleaned_data["respondent"],
            collected_by=form.cleaned_data["collected_by"],
            collector_name=form.cleaned_data["collector_name"],
            collected_on=form.cleaned_data["collected_on"],
            answers=form.answers(),
            comment=form.cleaned_data["comment"],
        ),
        success="Feedback saved",
        done=enquiry.link,
        page=lambda: render(
            request,
            "outcomes/feedback_form.html",
            {"form": form, "enquiry": enquiry, "questionnaire": questionnaire},
        ),
    )
