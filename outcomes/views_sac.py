"""Pages for the SAC return, the SAR register and the case import.

The return itself is council-wide figures for anyone with ``view_reports``
(team managers and safeguarding leads). The data-quality list under it names
records, so it is scoped with ``msp.access.visible``: a team manager sees only
their own teams' records.
"""

from __future__ import annotations

import io
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from enquiries.interchange import copy_upload, import_cases, private_upload_folder
from enquiries.models import Person, SafeguardingAdultsReview
from msp import audit, roles
from msp.access import require_write, visible
from msp.concurrency import EditConflict
from msp.roles import has_role_perm
from outcomes import sac, sac_spec
from outcomes.forms_sac import ImportForm, IndividualForm, ReviewForm, YearForm

GET_POST = require_http_methods(["GET", "POST"])
IMPORT_SESSION_KEY = "case_import_upload"


def _require_reports(request: HttpRequest) -> None:
    if not has_role_perm(request.user, "view_reports"):
        raise PermissionDenied(
            "Only managers and safeguarding leads see the SAC return"
        )


def _can_import(user) -> bool:
    return user.is_authenticated and (
        user.is_staff or user.groups.filter(name=roles.ADMINISTRATOR).exists()
    )


# ---------------------------------------------------------------------------
# The return
# ---------------------------------------------------------------------------


def _year_form(request: HttpRequest) -> tuple[YearForm, str]:
    years = sac.years_with_data()
    default = sac.last_complete_year()
    if default not in years:
        years.append(default)
        years.sort(reverse=True)
    data = {"year": request.GET["year"]} if "year" in request.GET else None
    form = YearForm(data, years=years, initial={"year": default})
    if data is not None and form.is_valid():
        return form, form.cleaned_data["year"]
    return form, default


def _cursor(request: HttpRequest) -> tuple[str | None, int | None]:
    """Which check to move on in ("show more"), and the pk to start after."""
    more = request.GET.get("more", "")
    after = request.GET.get("after", "")
    if more not in sac.DATA_QUALITY_KEYS or not after.isdigit() or len(after) > 18:
        return None, None
    return more, int(after)


def sac_return(request: HttpRequest) -> HttpResponse:
    """The return for a year, counted at most ``sac.CACHE_SECONDS`` ago (and
    recounted as soon as a counted record changes), with the records this
    user can see that leave it incomplete, a bounded list per check."""
    _require_reports(request)
    form, year = _year_form(request)
    cells, counted_at = sac.cached_sac_return(year)
    start, end = sac_spec.financial_year_bounds(year)
    more, after = _cursor(request)
    return render(
        request,
        "outcomes/sac_return.html",
        {
            "form": form,
            "year": year,
            "start": start,
            "end": end,
            "counted_at": counted_at,
            "tables": sac.table_layout(cells),
            "problems": sac_spec.consistency_problems(cells),
            "data_quality": sac.cached_data_quality(
                request.user, start, end, more=more, after=after
            ),
            "limit": sac.DATA_QUALITY_LIMIT,
        },
    )


def _download_year(request: HttpRequest) -> str | None:
    year = request.GET.get("year", "")
    try:
        sac_spec.financial_year_bounds(year)
    except ValueError:
        return None
    return year


def _bad_year(request: HttpRequest) -> HttpResponse:
    messages.error(request, "Choose a financial year, like 2024 to 2025, then download")
    return redirect("outcomes:sac_return")


def sac_download_csv(request: HttpRequest) -> HttpResponse:
    _require_reports(request)
    year = _download_year(request)
    if year is None:
        return _bad_year(request)
    cells = sac.compute_sac_return(year)
    buffer = io.StringIO()
    sac_spec.write_long_csv(cells, buffer)
    audit.record(
        actor=request.user,
        action="download",
        summary=f"Downloaded the SAC return for {year} (CSV)",
    )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sac-return-{year}.csv"'
    return response


def sac_download_xlsx(request: HttpRequest) -> HttpResponse:
    _require_reports(request)
    year = _download_year(request)
    if year is None:
        return _bad_year(request)
    cells = sac.compute_sac_return(year)
    content = sac.workbook_bytes(cells, year)
    audit.record(
        actor=request.user,
        action="download",
        summary=f"Downloaded the SAC return for {year} (Excel)",
    )
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="sac-return-{year}.xlsx"'
    return response


# ---------------------------------------------------------------------------
# SAR register
# ---------------------------------------------------------------------------


def _review(reference) -> SafeguardingAdultsReview:
    return get_object_or_404(SafeguardingAdultsReview, reference=reference)


def _conflict_message(form, conflict: EditConflict) -> None:
    labels = [
        str(form.fields[name].label) if name in form.fields else name
        for name in conflict.changed_fields
    ]
    changed = ", ".join(labels) or "other details"
    form.add_error(
        None,
        "Someone else saved this review while you were editing it. They changed: "
        f"{changed}. Check your answers, then save again to keep yours.",
    )
    form.data = form.data.copy()
    form.data["version"] = str(conflict.current.version)


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            for message in errors:
                form.add_error(name if name in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def sar_list(request: HttpRequest) -> HttpResponse:
    _require_reports(request)
    reviews = sac.reviews_with_counts(
        SafeguardingAdultsReview.objects.order_by("-completed_on", "title", "pk")
    )
    return render(request, "outcomes/sar_list.html", {"reviews": reviews})


@GET_POST
def sar_add(request: HttpRequest) -> HttpResponse:
    _require_reports(request)
    require_write(request.user)
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            review = sac.create_review(
                user=request.user,
                title=form.cleaned_data["title"],
                commissioned_on=form.cleaned_data["commissioned_on"],
                completed_on=form.cleaned_data["completed_on"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"Review '{review.title}' added")
            return redirect("outcomes:sar_detail", reference=review.reference)
    return render(
        request,
        "outcomes/sar_form.html",
        {"form": form, "title": "Add a Safeguarding Adults Review"},
    )


@GET_POST
def sar_edit(request: HttpRequest, reference) -> HttpResponse:
    _require_reports(request)
    require_write(request.user)
    review = _review(reference)
    initial = {
        "title": review.title,
        "commissioned_on": review.commissioned_on,
        "completed_on": review.completed_on,
        "version": review.version,
    }
    form = ReviewForm(
        request.POST if request.method == "POST" else None, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sac.update_review(
                user=request.user,
                review=review,
                expected_version=data["version"],
                changes={
                    "title": data["title"],
                    "commissioned_on": data["commissioned_on"],
                    "completed_on": data["completed_on"],
                },
            )
        except EditConflict as conflict:
            _conflict_message(form, conflict)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Review updated")
            return redirect("outcomes:sar_detail", reference=review.reference)
    return render(
        request,
        "outcomes/sar_form.html",
        {"form": form, "title": f"Change {review.title}", "review": review},
    )


@GET_POST
def sar_detail(request: HttpRequest, reference) -> HttpResponse:
    """The review, its individuals, and a form to add one."""
    _require_reports(request)
    review = _review(reference)
    form = IndividualForm(
        request.POST if request.method == "POST" else None, user=request.user
    )
    if request.method == "POST":
        require_write(request.user)
        if form.is_valid():
            sac.add_individual(
                user=request.user,
                review=review,
                person=form.person,
                died=form.cleaned_data["died"],
            )
            messages.success(request, "Individual added to the review")
            return redirect("outcomes:sar_detail", reference=review.reference)
    # Names are shown only for people this user may see.
    named = review.individuals.exclude(person=None).values("person_id")
    seen = set(
        visible(request.user, Person.objects.filter(pk__in=named)).values_list(
            "pk", flat=True
        )
    )
    individuals = [
        {
            "died": individual.died,
            "person": individual.person if individual.person_id in seen else None,
            "named": individual.person_id is not None,
        }
        for individual in review.individuals.select_related("person").order_by("pk")
    ]
    totals = review.individuals.aggregate(
        n_died=Count("pk", filter=Q(died=True)),
        n_survived=Count("pk", filter=Q(died=False)),
    )
    return render(
        request,
        "outcomes/sar_detail.html",
        {
            "review": review,
            "individuals": individuals,
            "totals": totals,
            "form": form,
            "year": sac.financial_year_of(review.completed_on)
            if review.completed_on
            else None,
        },
    )


# ---------------------------------------------------------------------------
# Case import (administrators)
# ---------------------------------------------------------------------------


def staff_page(view):
    """Mark a page meant for administrators rather than case workers.

    ``msp.middleware.CaseWorkersOnlyMiddleware`` refuses every outcomes page
    to users without a case-work permission; it needs to let views carrying
    this flag through for the import page to reach plain administrators.
    """
    view.msp_staff_page = True
    return view


def _require_import(request: HttpRequest) -> None:
    if not _can_import(request.user):
        raise PermissionDenied("Only administrators can import case records")


def _pending_upload(request: HttpRequest) -> dict | None:
    pending = request.session.get(IMPORT_SESSION_KEY)
    if not pending:
        return None
    path = Path(pending.get("path", ""))
    folder = private_upload_folder().resolve()
    if folder not in path.resolve().parents or not path.is_file():
        request.session.pop(IMPORT_SESSION_KEY, None)
        return None
    return pending


def _forget_upload(request: HttpRequest) -> None:
    pending = request.session.pop(IMPORT_SESSION_KEY, None)
    if pending:
        path = Path(pending.get("path", ""))
        if private_upload_folder().resolve() in path.resolve().parents:
            path.unlink(missing_ok=True)


@staff_page
@GET_POST
def import_upload(request: HttpRequest) -> HttpResponse:
    _require_import(request)
    posted = request.method == "POST"
    form = ImportForm(
        request.POST if posted else None, request.FILES if posted else None
    )
    if request.method == "POST" and form.is_valid():
        _forget_upload(request)
        upload = form.cleaned_data["file"]
        team = form.cleaned_data["team"]
        path = copy_upload(upload)
        report = import_cases(
            path,
            dry_run=True,
            user=request.user,
            team_code=team.code if team else None,
        )
        if report.ok:
            request.session[IMPORT_SESSION_KEY] = {
                "path": path,
                "name": upload.name,
                "team": team.code if team else "",
            }
        else:
            Path(path).unlink(missing_ok=True)
        return render(
            request,
            "outcomes/import_report.html",
            {"report": report, "name": upload.name, "checked": True},
        )
    return render(request, "outcomes/import_upload.html", {"form": form})


@staff_page
@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    _require_import(request)
    pending = _pending_upload(request)
    if pending is None:
        messages.error(request, "Upload the file again: the checked file has expired")
        return redirect("outcomes:import_upload")
    report = import_cases(
        pending["path"],
        user=request.user,
        team_code=pending["team"] or None,
        source_name=pending["name"],
    )
    _forget_upload(request)
    return render(
        request,
        "outcomes/import_report.html",
        {"report": report, "name": pending["name"], "checked": False},
    )
