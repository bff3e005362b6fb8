"""Pages for the SAC return, the SAR register and the case import.

The return itself is council-wide figures for anyone with ``view_reports``
(team managers and safeguarding leads). The data-quality list under it names
records, so it is scoped with ``msp.access.visible``: a team manager sees only
their own teams' records.
"""

from __future__ import annotations

import io
import re

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from enquiries.models import SafeguardingAdultsReview
from msp import audit, editing
from msp.access import require_write
from msp.db_routing import reads_from_replica
from msp.permissions import require_perm
from outcomes import jobs, sac, sac_spec
from outcomes.forms_sac import ImportForm, ReviewForm, YearForm
from outcomes.models import InterchangeJob

GET_POST = require_http_methods(["GET", "POST"])
REFRESH_SECONDS = 5  # how often a running job's page reloads itself


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


# A "show more" cursor (msp.paging): an id, or a day and an id.
_CURSOR = re.compile(r"(\d{4}-\d{2}-\d{2}~)?\d{1,18}")


def _cursor(request: HttpRequest) -> tuple[str | None, str | None]:
    """Which check to move on in ("show more"), and the cursor to start after."""
    more = request.GET.get("more", "")
    after = request.GET.get("after", "")
    if more not in sac.DATA_QUALITY_KEYS or not _CURSOR.fullmatch(after):
        return None, None
    return more, after


@reads_from_replica
def sac_return(request: HttpRequest) -> HttpResponse:
    """The return for a year, counted at most ``sac.CACHE_SECONDS`` ago (and
    recounted as soon as a counted record changes), with the records this
    user can see that leave it incomplete, a bounded list per check."""
    require_perm(request.user, "view_reports")
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


@reads_from_replica
def sac_download_csv(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "view_reports")
    year = _download_year(request)
    if year is None:
        return _bad_year(request)
    cells = sac.sac_return(year)
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


@reads_from_replica
def sac_download_xlsx(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "view_reports")
    year = _download_year(request)
    if year is None:
        return _bad_year(request)
    cells = sac.sac_return(year)
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


def sar_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "view_reports")
    reviews = sac.reviews_with_counts(
        SafeguardingAdultsReview.objects.order_by("-completed_on", "title", "pk")
    )
    return render(request, "outcomes/sar_list.html", {"reviews": reviews})


@GET_POST
def sar_add(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "view_reports")
    require_write(request.user)
    form = ReviewForm(editing.bound_data(request))
    return _review_page(
        request,
        form,
        lambda: sac.create_review(
            user=request.user,
            title=form.cleaned_data["title"],
            commissioned_on=form.cleaned_data["commissioned_on"],
            completed_on=form.cleaned_data["completed_on"],
            reviewer=form.cleaned_data["reviewer"],
        ),
        success=lambda review: f"Review '{review.title}' added",
        title="Add a Safeguarding Adults Review",
    )


def _review_page(request, form, action, *, success, **page) -> HttpResponse:
    """A review's details, saved by a service call (msp.editing); then the
    review's page."""
    return editing.edit_page(
        request,
        form,
        action,
        success=success,
        done=lambda review: reverse(
            "outcomes:sar_detail", kwargs={"reference": review.reference}
        ),
        page=lambda: render(request, "outcomes/sar_form.html", {"form": form, **page}),
    )


@GET_POST
def sar_edit(request: HttpRequest, reference) -> HttpResponse:
    require_perm(request.user, "view_reports")
    require_write(request.user)
    review = _review(reference)
    initial = {
        "title": review.title,
        "commissioned_on": review.commissioned_on,
        "completed_on": review.completed_on,
        "reviewer": review.reviewer,
    }
    form = ReviewForm(editing.bound_data(request), initial=initial, record=review)
    return _review_page(
        request,
        form,
        lambda: sac.update_review(
            user=request.user,
            review=review,
            expected_version=form.cleaned_data["version"],
            changes={
                name: form.cleaned_data[name]
                for name in ("title", "reviewer", "commissioned_on", "completed_on")
            },
        ),
        success="Review updated",
        title=f"Change {review.title}",
        review=review,
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
    jobs.require_transfer(request.user)


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@staff_page
@GET_POST
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload a file: it is kept privately and checked in the background."""
    _require_import(request)
    posted = request.method == "POST"
    form = ImportForm(
        request.POST if posted else None, request.FILES if posted else None
    )
    if posted and form.is_valid():
        job = jobs.start_import(
            user=request.user,
            upload=form.cleaned_data["file"],
            team=form.cleaned_data["team"],
        )
        return redirect("outcomes:job_detail", reference=job.reference)
    recent = jobs.visible_jobs(request.user).filter(kind=InterchangeJob.Kind.IMPORT)
    return render(
        request, "outcomes/import_upload.html", {"form": form, "jobs": recent[:5]}
    )


@staff_page
def job_detail(request: HttpRequest, reference) -> HttpResponse:
    """A job's progress while it runs (the page reloads itself), then its
    report: the problems found, or what confirming will do, or the result."""
    _require_import(request)
    job = jobs.get_job_or_404(request.user, reference)
    expired = (
        job.kind == InterchangeJob.Kind.EXPORT
        and job.status == InterchangeJob.Status.DONE
        and jobs.export_expired(job)
    )
    response = render(
        request,
        "outcomes/job_detail.html",
        {
            "job": job,
            "report": job.report,
            "progress": jobs.live_progress(job),
            "expired": expired,
            "refresh_seconds": REFRESH_SECONDS,
        },
    )
    return _no_store(response)


@staff_page
@require_POST
def import_confirm(request: HttpRequest, reference) -> HttpResponse:
    _require_import(request)
    job = jobs.get_job_or_404(request.user, reference)
    if not jobs.confirm_import(user=request.user, job=job):
        messages.error(
            request, "Upload the file again: the checked file is no longer waiting"
        )
        return redirect("outcomes:import_upload")
    return redirect("outcomes:job_detail", reference=job.reference)


@staff_page
@GET_POST
def export_start(request: HttpRequest) -> HttpResponse:
    """Start an export of every case record; earlier exports are listed."""
    _require_import(request)
    if request.method == "POST":
        job = jobs.start_export(user=request.user)
        return redirect("outcomes:job_detail", reference=job.reference)
    recent = jobs.visible_jobs(request.user).filter(kind=InterchangeJob.Kind.EXPORT)
    return _no_store(
        render(
            request,
            "outcomes/export_start.html",
            {
                "jobs": recent[:10],
                "hours": settings.INTERCHANGE_EXPORT_HOURS,
                "now": timezone.now(),
            },
        )
    )


@staff_page
def export_download(request: HttpRequest, reference) -> HttpResponse:
    """The exported file, as an attachment, while it has not expired."""
    _require_import(request)
    job = jobs.get_job_or_404(request.user, reference)
    if job.kind != InterchangeJob.Kind.EXPORT or job.status != (
        InterchangeJob.Status.DONE
    ):
        raise Http404("No such export")
    path = jobs.in_folder(job.stored_path)
    if jobs.export_expired(job) or path is None or not path.is_file():
        if job.stored_path:
            jobs.remove_expired_export(job)
        messages.error(
            request,
            "This export has expired and its file has been deleted. "
            "Start a new export to download the case records.",
        )
        return redirect("outcomes:job_detail", reference=job.reference)
    jobs.record_download(user=request.user, job=job)
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=job.file_name,
        content_type="application/zip"
        if job.file_name.endswith(".zip")
        else "application/x-ndjson",
    )
    return _no_store(response)
