"""Working with partners on an enquiry: involved agencies, requests to
partners, the information-sharing log and s45 requests; and adding an
organisation to the directory from the pages that pick one."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme

from enquiries.forms import partners as forms
from enquiries.models import (
    CausedEnquiry,
    Concern,
    Enquiry,
    InformationShare,
    InvolvedAgency,
    S45Request,
)
from enquiries.services import partners as services
from enquiries.views.common import form_page
from enquiries.views.enquiry_base import (
    _attempt,
    _base_context,
    _closed_guard,
    _edit_page,
    _enquiry,
    _fields,
    _for_request,
    _id,
    _version,
)
from msp import editing
from msp.access import can_work_on_cases, get_visible_or_404, require_write

# The enquiry's partners page --------------------------------------------------


def _partner_records(enquiry) -> dict:
    today = timezone.localdate()
    requests = list(
        CausedEnquiry.objects.filter(enquiry=enquiry)
        .select_related("organisation")
        .order_by("requested_on", "pk")
    )
    for r in requests:
        r.overdue = r.is_overdue(today)
    return {
        "agencies": list(
            InvolvedAgency.objects.filter(concern_id=enquiry.concern_id)
            .select_related("organisation")
            .order_by("withdrawn_at", "organisation__name", "pk")
        ),
        "requests": requests,
        "shares": list(
            InformationShare.objects.filter(concern_id=enquiry.concern_id)
            .select_related("organisation", "consent_decision", "s45_request")
            .order_by("withdrawn_at", "-shared_on", "-pk")
        ),
        "s45_requests": list(
            S45Request.objects.filter(concern_id=enquiry.concern_id)
            .select_related("organisation")
            .order_by("withdrawn_at", "requested_on", "pk")
        ),
        "today": today,
    }


def enquiry_partners(request: HttpRequest, reference) -> HttpResponse:
    enquiry = _enquiry(request, reference)
    context = _base_context(enquiry)
    context.update(_partner_records(enquiry))
    return render(request, "enquiries/enquiry_partners.html", context)


def enquiry_panel(user, enquiry) -> str:
    """The partners summary on the enquiry page (enquiries.panels)."""
    records = _partner_records(enquiry)
    return render_to_string(
        "enquiries/_partners_panel.html",
        {
            "enquiry": enquiry,
            "agencies": [a for a in records["agencies"] if not a.is_withdrawn],
            "open_requests": [r for r in records["requests"] if r.is_outstanding],
            "overdue": [r for r in records["requests"] if r.overdue],
            "shares": [s for s in records["shares"] if not s.is_withdrawn],
        },
    )


def concern_panel(user, concern) -> str | None:
    """On the concern page: the agencies involved and the shares recorded,
    read-only, with the way to each enquiry's partners page."""
    agencies = list(
        InvolvedAgency.objects.filter(concern=concern, withdrawn_at__isnull=True)
        .select_related("organisation")
        .order_by("organisation__name", "pk")
    )
    shares = list(
        InformationShare.objects.filter(concern=concern, withdrawn_at__isnull=True)
        .select_related("organisation")
        .order_by("-shared_on", "-pk")
    )
    enquiries = list(
        Enquiry.objects.filter(concern=concern).only("reference").order_by("pk")
    )
    # Before an enquiry, practitioners record them here (decision 0024).
    can_add = (
        not enquiries
        and concern.status != Concern.Status.CLOSED
        and can_work_on_cases(user)
    )
    if not agencies and not shares and not can_add:
        return None
    return render_to_string(
        "enquiries/_partners_concern_panel.html",
        {
            "concern": concern,
            "agencies": agencies,
            "shares": shares,
            "enquiries": enquiries,
            "can_add": can_add,
        },
    )


def _concern_add_page(request, reference, *, form_class, service, title, done, **kw):
    """Add an involved agency or a share on a concern before any enquiry."""
    require_write(request.user)
    concern = get_visible_or_404(
        request.user, Concern.objects.select_related("person"), reference=reference
    )
    if (
        concern.status == Concern.Status.CLOSED
        or Enquiry.objects.filter(concern=concern).exists()
    ):
        messages.info(
            request,
            "Record this on the enquiry's partners page"
            if concern.status != Concern.Status.CLOSED
            else "This concern is closed",
        )
        return redirect(concern)
    kwargs = {k: v(concern) for k, v in kw.items()}
    form = form_class(editing.bound_data(request), initial=_picked(request), **kwargs)
    return editing.edit_page(
        request,
        form,
        lambda: service(
            user=request.user,
            concern=concern,
            data=_fields(form, form_class.Meta.fields),
        ),
        success=done,
        done=concern,
        page=lambda: form_page(
            request,
            form,
            title=title,
            caption=concern.person.full_name,
            back_url=concern.get_absolute_url(),
            intro=directory_intro(request),
            concern=concern,
        ),
    )


def concern_agency_add(request: HttpRequest, reference) -> HttpResponse:
    return _concern_add_page(
        request,
        reference,
        form_class=forms.InvolvedAgencyForm,
        service=services.add_concern_agency,
        title="Add an involved agency or professional",
        done="Agency added",
    )


def concern_share_add(request: HttpRequest, reference) -> HttpResponse:
    return _concern_add_page(
        request,
        reference,
        form_class=forms.InformationShareForm,
        service=services.record_concern_share,
        title="Record information shared or received",
        done="Information share recorded",
        person=lambda c: c.person,
        concern=lambda c: c,
    )


def _partners_url(enquiry) -> str:
    return reverse("enquiries:enquiry_partners", args=[enquiry.reference])


def return_path(request: HttpRequest) -> str:
    """This page's address to come back to, without an organisation picked."""
    query = request.GET.copy()
    query.pop("organisation", None)
    return request.path + (f"?{query.urlencode()}" if query else "")


def directory_intro(request: HttpRequest):
    """The link from a page that picks an organisation to add one."""
    return format_html(
        'Not in the list? <a class="govuk-link" href="{}?next={}">Add an '
        "organisation to the directory</a>.",
        reverse("enquiries:organisation_add"),
        quote(return_path(request), safe="/"),
    )


def _picked(request: HttpRequest) -> dict:
    value = request.GET.get("organisation", "")
    return {"organisation": value} if value.isdigit() else {}


def _one(model, enquiry, pk: int):
    found = (
        model.objects.filter(concern_id=enquiry.concern_id, pk=_id(pk))
        .select_related("organisation", "concern__person", "enquiry")
        .first()
    )
    if found is None:
        raise Http404("No such record")
    return found


def _add_page(request, reference, *, form_class, service, title, done, **form_kwargs):
    """Shared by every "add" page here: the form, the service, back to partners."""
    enquiry = _for_request(request, reference)
    if guard := _closed_guard(request, enquiry):
        return guard
    kwargs = {k: v(enquiry) for k, v in form_kwargs.items()}
    form = form_class(editing.bound_data(request), initial=_picked(request), **kwargs)
    return _partner_page(
        request,
        enquiry,
        form,
        lambda: service(
            user=request.user,
            enquiry=enquiry,
            data=_fields(form, form_class.Meta.fields),
        ),
        success=done,
        title=title,
        intro=directory_intro(request) if "organisation" in form.fields else "",
    )


def _partner_page(request, enquiry, form, action, **page) -> HttpResponse:
    """A form on a partner record: saved, back to the enquiry's partners page."""
    url = _partners_url(enquiry)
    return _edit_page(request, enquiry, form, action, done=url, back=url, **page)


# Involved agencies -----------------------------------------------------------


def agency_add(request: HttpRequest, reference) -> HttpResponse:
    return _add_page(
        request,
        reference,
        form_class=forms.InvolvedAgencyForm,
        service=services.add_agency,
        title="Add an involved agency or professional",
        done="Agency added",
    )


def agency_edit(request: HttpRequest, reference, agency_id: int) -> HttpResponse:
    enquiry = _for_request(request, reference)
    agency = _one(InvolvedAgency, enquiry, agency_id)
    if guard := _closed_guard(request, enquiry):
        return guard
    form = forms.InvolvedAgencyChangeForm(editing.bound_data(request), instance=agency)
    return _partner_page(
        request,
        enquiry,
        form,
        lambda: services.change_agency(
            user=request.user,
            agency=agency,
            expected_version=_version(form),
            data=_fields(form, forms.InvolvedAgencyForm.Meta.fields),
        ),
        success="Agency changed",
        title=f"Change {agency.organisation}'s involvement",
        intro=directory_intro(request),
    )


def _withdraw_page(request, reference, model, pk, *, service, what, keyword):
    enquiry = _for_request(request, reference)
    record = _one(model, enquiry, pk)
    if guard := _closed_guard(request, enquiry):
        return guard
    if record.is_withdrawn:
        messages.error(request, "This has already been withdrawn.")
        return redirect(_partners_url(enquiry))
    form = forms.WithdrawForm(editing.bound_data(request), record=record)
    return _partner_page(
        request,
        enquiry,
        form,
        lambda: service(
            user=request.user,
            expected_version=_version(form),
            reason=form.cleaned_data["reason"],
            **{keyword: record},
        ),
        success=f"{what} withdrawn",
        title=f"Withdraw: {record}",
        intro="It stays on the record, marked withdrawn, with your reason.",
    )


def agency_withdraw(request: HttpRequest, reference, agency_id: int) -> HttpResponse:
    return _withdraw_page(
        request,
        reference,
        InvolvedAgency,
        agency_id,
        service=services.withdraw_agency,
        what="Agency",
        keyword="agency",
    )


# Requests to partners: chase and close ---------------------------------------


def _request(enquiry, pk: int) -> CausedEnquiry:
    found = (
        CausedEnquiry.objects.filter(enquiry=enquiry, pk=_id(pk))
        .select_related("organisation", "enquiry__concern__person")
        .first()
    )
    if found is None:
        raise Http404("No such request")
    return found


def request_chase(request: HttpRequest, reference, caused_id: int) -> HttpResponse:
    enquiry = _for_request(request, reference)
    caused = _request(enquiry, caused_id)
    if guard := _closed_guard(request, enquiry):
        return guard
    form = forms.RequestChaseForm(
        editing.bound_data(request),
        record=caused,
        initial={"chased_on": timezone.localdate()},
    )
    return _partner_page(
        request,
        enquiry,
        form,
        lambda: services.chase_partner(
            user=request.user,
            request=caused,
            expected_version=_version(form),
            chased_on=form.cleaned_data["chased_on"],
        ),
        success=f"{caused.organisation} chased",
        title=f"Chase {caused.organisation} for their response",
        intro=f"Response was due {caused.due_on:%-d %B %Y}.",
    )


def request_close(request: HttpRequest, reference, caused_id: int) -> HttpResponse:
    enquiry = _for_request(request, reference)
    caused = _request(enquiry, caused_id)
    if guard := _closed_guard(request, enquiry):
        return guard
    form = forms.RequestCloseForm(
        editing.bound_data(request),
        instance=caused,
        initial={"closed_on": timezone.localdate()},
    )
    return _partner_page(
        request,
        enquiry,
        form,
        lambda: services.close_partner_request(
            user=request.user,
            request=caused,
            expected_version=_version(form),
            data=_fields(form, forms.RequestCloseForm.Meta.fields),
        ),
        success=f"Request to {caused.organisation} closed",
        title=f"Close the request to {caused.organisation}",
    )


# The information-sharing log -----------------------------------------------------


def share_add(request: HttpRequest, reference) -> HttpResponse:
    return _add_page(
        request,
        reference,
        form_class=forms.InformationShareForm,
        service=services.record_share,
        title="Record information shared or received",
        done="Information share recorded",
        person=lambda e: e.concern.person,
        concern=lambda e: e.concern,
    )


def share_withdraw(request: HttpRequest, reference, share_id: int) -> HttpResponse:
    return _withdraw_page(
        request,
        reference,
        InformationShare,
        share_id,
        service=services.withdraw_share,
        what="Entry",
        keyword="share",
    )


# Section 45 requests -----------------------------------------------------------


def s45_add(request: HttpRequest, reference) -> HttpResponse:
    return _add_page(
        request,
        reference,
        form_class=forms.S45RequestForm,
        service=services.record_s45_request,
        title="Record a section 45 request",
        done="Section 45 request recorded",
    )


def s45_withdraw(request: HttpRequest, reference, s45_id: int) -> HttpResponse:
    return _withdraw_page(
        request,
        reference,
        S45Request,
        s45_id,
        service=services.withdraw_s45_request,
        what="Section 45 request",
        keyword="request",
    )


def s45_decide(request: HttpRequest, reference, s45_id: int) -> HttpResponse:
    enquiry = _for_request(request, reference)
    s45 = _one(S45Request, enquiry, s45_id)
    if guard := _closed_guard(request, enquiry):
        return guard
    form = forms.S45DecisionForm(editing.bound_data(request), instance=s45)
    return _partner_page(
        request,
        enquiry,
        form,
        lambda: services.decide_s45_request(
            user=request.user,
            request=s45,
            expected_version=_version(form),
            data=_fields(form, forms.S45DecisionForm.Meta.fields),
        ),
        success="Decision recorded",
        title=f"Decision on the {s45}",
        intro=f"Deadline {s45.due_on:%-d %B %Y}. Asked for: {s45.what_requested}",
    )


# Adding an organisation to the directory ------------------------------------------


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


def _with_organisation(target: str, pk: int) -> str:
    joiner = "&" if "?" in target else "?"
    return f"{target}{joiner}{urlencode({'organisation': pk})}"


def organisation_add(request: HttpRequest) -> HttpResponse:
    """Any practitioner adds an organisation; a likely duplicate is shown
    first, to pick instead (or to confirm it is a different one)."""
    require_write(request.user)
    target = _safe_next(request)
    duplicates = []
    if request.method == "POST":
        form = forms.OrganisationForm(request.POST)
        if form.is_valid():
            data = _fields(form, forms.OrganisationForm.Meta.fields)
            confirmed = request.POST.get("confirm_new") == "yes"
            duplicates = services.likely_duplicates(data["name"], data["postcode"])
            if not duplicates or confirmed:
                saved = []
                ok = _attempt(
                    form,
                    lambda: saved.append(
                        services.add_organisation(
                            user=request.user,
                            data=data,
                            allow_duplicate=confirmed,
                        )
                    ),
                )
                if ok:
                    messages.success(
                        request, f"{saved[0].label} added to the directory"
                    )
                    return redirect(_with_organisation(target, saved[0].pk))
                duplicates = []
    else:
        form = forms.OrganisationForm()
    return render(
        request,
        "enquiries/organisation_add.html",
        {
            "form": form,
            "next": target,
            "duplicates": [
                (org, _with_organisation(target, org.pk)) for org in duplicates
            ],
        },
    )
