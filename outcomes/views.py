"""Pages: managers' MSP reports, evaluating outcomes with the adult, feedback."""

from __future__ import annotations

import csv
import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from enquiries import codes
from enquiries.models import Enquiry
from msp import audit
from msp.access import get_visible_or_404, require_write, visible
from msp.concurrency import EditConflict
from msp.roles import has_role_perm
from outcomes import charts, msp, reports, services
from outcomes.forms import EvaluationForm, FeedbackForm, ReportFilterForm
from outcomes.models import FeedbackFollowUp

EXCEPTION_PAGE = 20


def _require_reports(user) -> None:
    if not has_role_perm(user, "view_reports"):
        raise PermissionDenied("Only team managers and safeguarding leads see reports.")


def _filter_form(request: HttpRequest) -> ReportFilterForm:
    data = request.GET.copy()
    if not any(data.get(name) for name in ReportFilterForm.base_fields):
        data["year"] = reports.financial_year_of(datetime.date.today())
    return ReportFilterForm(data, user=request.user)


def _query(filters: reports.ReportFilter, **extra) -> str:
    from urllib.parse import urlencode

    return urlencode({**filters.query, **extra})


def _with_links(enquiries):
    for enquiry in enquiries:
        enquiry.link = services.enquiry_link(enquiry)
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


# ---------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    _require_reports(request.user)
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
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    _require_reports(request.user)
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
def drilldown(request: HttpRequest) -> HttpResponse:
    _require_reports(request.user)
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
    page, next_after = reports.keyset_page(queryset, _after(request))
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
def equality(request: HttpRequest) -> HttpResponse:
    _require_reports(request.user)
    form = _filter_form(request)
    context = {"form": form, "filters": None}
    if form.is_valid():
        filters = form.filters()
        tables = reports.equality(request.user, filters)
        for table in tables:
            table["chart"] = charts.stacked_achievement(
                chart_id=f"chart-equality-{table['key']}",
                title=f"Outcomes achieved by {table['title'].lower()}",
                rows=table["rows"],
                label_key="group",
                label_width=330 if table["key"] != "age" else 160,
                width=760,
            )
        context.update(filters=filters, tables=tables, query=_query(filters))
    return render(request, "outcomes/equality.html", context)


@require_GET
def equality_csv(request: HttpRequest) -> HttpResponse:
    _require_reports(request.user)
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
def exceptions(request: HttpRequest) -> HttpResponse:
    _require_reports(request.user)
    form = _filter_form(request)
    context = {"form": form, "filters": None}
    if form.is_valid():
        filters = form.filters()
        counts = reports.figure_counts(
            reports.concluded_enquiries(request.user, filters)
        )
        sections = []
        for key in reports.EXCEPTION_KEYS:
            page, _next = reports.keyset_page(
                reports.enquiries_behind(request.user, filters, key),
                None,
                size=EXCEPTION_PAGE,
            )
            if key == "view_not_obtained":
                stages = reports.stages_not_obtained(page)
                for enquiry in page:
                    enquiry.stages_not_obtained = stages.get(enquiry.pk, [])
            sections.append(
                {
                    "key": key,
                    "show_stages": key == "view_not_obtained",
                    "label": reports.FIGURES[key].label,
                    "count": counts[key],
                    "enquiries": _with_links(page),
                    "query": _query(filters, figure=key),
                }
            )
        context.update(filters=filters, sections=sections, query=_query(filters))
    return render(request, "outcomes/exceptions.html", context)


@require_GET
def follow_ups(request: HttpRequest) -> HttpResponse:
    """Feedback still to ask for after closure: overdue first, then due soonest."""
    _require_reports(request.user)
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
        follow_up.enquiry.link = services.enquiry_link(follow_up.enquiry)
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
    enquiry.link = services.enquiry_link(enquiry)
    return enquiry


def _conflict_message(exc: EditConflict) -> str:
    fields = ", ".join(
        Enquiry._meta.get_field(name).verbose_name for name in exc.changed_fields
    )
    if not fields:
        return (
            "Someone else saved this enquiry while you were working on it. "
            "Check your answers and save again."
        )
    return (
        f"Someone else changed this enquiry while you were working on it ({fields}). "
        "Your answers are kept below: check them and save again."
    )


@require_http_methods(["GET", "POST"])
def evaluate(request: HttpRequest, reference) -> HttpResponse:
    enquiry = _enquiry_for(request, reference)
    outcomes = list(services.outcomes_to_evaluate(enquiry))
    saved = [outcome.achieved for outcome in outcomes]
    suggestion = services.suggested_overall(saved)
    if request.method == "POST":
        form = EvaluationForm(request.POST, outcomes=outcomes, suggestion=suggestion)
        if form.is_valid():
            try:
                services.evaluate_outcomes(
                    user=request.user,
                    enquiry=enquiry,
                    expected_version=form.cleaned_data["version"],
                    evaluated_with=form.cleaned_data["evaluated_with"],
                    ratings=form.ratings(),
                    overall=form.cleaned_data["overall"],
                    changed_reason=form.cleaned_data["changed_reason"],
                )
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            except EditConflict as exc:
                form.add_error(None, _conflict_message(exc))
                enquiry.version = exc.current.version
                form.data = form.data.copy()
                form.data["version"] = exc.current.version
            else:
                messages.success(request, "Outcomes evaluated with the adult")
                return redirect(enquiry.link)
    else:
        initial = {
            "version": enquiry.version,
            "evaluated_with": next(
                (o.evaluated_with for o in outcomes if o.evaluated_with), ""
            ),
            "changed_reason": enquiry.outcomes_achieved_changed_reason,
        }
        if enquiry.outcomes_achieved and enquiry.outcomes_achieved != suggestion:
            initial["overall"] = enquiry.outcomes_achieved
        for outcome in outcomes:
            initial[f"outcome_{outcome.pk}_achieved"] = outcome.achieved
            initial[f"outcome_{outcome.pk}_comment"] = outcome.evaluation_comment
        form = EvaluationForm(initial=initial, outcomes=outcomes, suggestion=suggestion)
    return render(
        request,
        "outcomes/evaluate.html",
        {
            "form": form,
            "enquiry": enquiry,
            "outcomes": outcomes,
            "msp_asked": msp.msp_asked_label(enquiry),
            "suggestion": suggestion,
        },
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
    if request.method == "POST":
        form = FeedbackForm(request.POST, questionnaire=questionnaire)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_feedback(
                    user=request.user,
                    enquiry=enquiry,
                    questionnaire=questionnaire,
                    respondent=data["respondent"],
                    collected_by=data["collected_by"],
                    collector_name=data["collector_name"],
                    collected_on=data["collected_on"],
                    answers=form.answers(),
                    comment=data["comment"],
                )
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(request, "Feedback saved")
                return redirect(enquiry.link)
    else:
        form = FeedbackForm(
            questionnaire=questionnaire,
            initial={"collected_on": timezone.localdate()},
        )
    return render(
        request,
        "outcomes/feedback_form.html",
        {"form": form, "enquiry": enquiry, "questionnaire": questionnaire},
    )
