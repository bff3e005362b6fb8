"""Pages for personal budgets and direct payments. Writes go through services."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from budgets import forms, reports, selectors, services
from budgets.models import (
    ConcernLink,
    Condition,
    DirectPayment,
    Ending,
    PersonalAssistant,
    PersonalBudget,
    Review,
)
from enquiries.models import Concern, Person
from enquiries.selectors.documents import documents_for
from enquiries.views.documents import upload_page
from msp import audit, editing, paging
from msp.access import get_visible_or_404, require_write
from msp.permissions import require_perm
from msp.roles import has_role_perm

GET_POST = require_http_methods(["GET", "POST"])


# --- helpers ---------------------------------------------------------------


def _form_page(
    request, *, form, title: str, back_url: str, person=None, caption: str = "", **extra
):
    """A budgets form page; about one adult, it shows their identity bar."""
    return render(
        request,
        "budgets/form.html",
        {
            "form": form,
            "title": title,
            "back_url": back_url,
            "caption": caption,
            "person": person,
            **extra,
        },
    )


def _save_page(
    request, form, action, *, success, title: str, back_url: str, done=None, **extra
) -> HttpResponse:
    """One form page: the service call on a valid POST, then ``done`` (by
    default the record the service returns); else the form (msp.editing)."""
    return editing.edit_page(
        request,
        form,
        action,
        success=success,
        done=done,
        page=lambda: _form_page(
            request, form=form, title=title, back_url=back_url, **extra
        ),
    )


def _payment_page(request, payment, form, action, **page) -> HttpResponse:
    """A form page about one direct payment: back to the payment once saved."""
    return _save_page(
        request,
        form,
        action,
        done=payment,
        person=payment.person,
        back_url=payment.get_absolute_url(),
        **page,
    )


def _creates(request, form, service, **owner):
    """The call that creates a record from ``form`` under ``owner``."""
    return lambda: service(user=request.user, data=form.changed_values(), **owner)


def _changes(request, form, service, **record):
    """The call that saves ``form``'s changes to its record (the one keyword
    argument), read afresh when the call runs."""
    ((name, instance),) = record.items()
    return lambda: service(
        user=request.user,
        expected_version=_version(form),
        changes=form.changed_values(),
        **{name: type(instance).objects.get(pk=instance.pk)},
    )


def _person(request, reference) -> Person:
    return get_visible_or_404(request.user, Person.objects.all(), reference=reference)


def _budget(request, reference) -> PersonalBudget:
    return get_visible_or_404(
        request.user,
        PersonalBudget.objects.select_related("person"),
        reference=reference,
    )


def _payment(request, reference) -> DirectPayment:
    return get_visible_or_404(
        request.user,
        DirectPayment.objects.select_related("person", "personal_budget"),
        reference=reference,
    )


def _child(request, model, reference):
    return get_visible_or_404(
        request.user,
        model.objects.select_related(
            "direct_payment",
            "direct_payment__person",
            "direct_payment__personal_budget",
        ),
        reference=reference,
    )


def _version(form) -> int | None:
    return form.cleaned_data.get("version")


def _person_concerns(request, person):
    return selectors.scoped(
        request.user, Concern.objects.filter(person=person).order_by("-received_on")
    )


# --- personal budgets -------------------------------------------------------


def person_budgets(request: HttpRequest, person_reference) -> HttpResponse:
    person = _person(request, person_reference)
    budgets = selectors.scoped(
        request.user, PersonalBudget.objects.filter(person=person)
    ).annotate(payment_count=Count("direct_payments"))
    payments = selectors.scoped(
        request.user,
        DirectPayment.objects.filter(person=person).select_related("personal_budget"),
    )
    return render(
        request,
        "budgets/person.html",
        {
            "person": person,
            "budgets": list(budgets),
            "payments": list(payments),
            "direct_payment_links": list(
                selectors.links_for_person(request.user, person)
            ),
        },
    )


@GET_POST
def budget_create(request: HttpRequest, person_reference) -> HttpResponse:
    require_write(request.user)
    person = _person(request, person_reference)
    form = forms.BudgetForm(editing.bound_data(request))
    return _save_page(
        request,
        form,
        _creates(request, form, services.create_budget, person=person),
        success="Personal budget recorded",
        title="Record a personal budget",
        person=person,
        back_url=reverse("budgets:person", args=[person.reference]),
    )


def budget_detail(request: HttpRequest, reference) -> HttpResponse:
    budget = _budget(request, reference)
    payments = list(budget.direct_payments.all())
    return render(
        request,
        "budgets/budget_detail.html",
        {"budget": budget, "person": budget.person, "payments": payments},
    )


@GET_POST
def budget_edit(request: HttpRequest, reference) -> HttpResponse:
    require_write(request.user)
    budget = _budget(request, reference)
    form = forms.BudgetForm(editing.bound_data(request), instance=budget)
    return _save_page(
        request,
        form,
        _changes(request, form, services.change_budget, budget=budget),
        success="Personal budget changed",
        done=budget,
        title="Change personal budget",
        person=budget.person,
        back_url=budget.get_absolute_url(),
    )


# --- direct payments --------------------------------------------------------


@GET_POST
def dp_create(request: HttpRequest, reference) -> HttpResponse:
    require_write(request.user)
    budget = _budget(request, reference)
    form = forms.DirectPaymentForm(editing.bound_data(request), person=budget.person)
    return _save_page(
        request,
        form,
        _creates(request, form, services.create_direct_payment, budget=budget),
        success="Direct payment set up with its statutory conditions and first review",
        title="Set up a direct payment",
        person=budget.person,
        back_url=budget.get_absolute_url(),
    )


def dp_detail(request: HttpRequest, reference) -> HttpResponse:
    payment = _payment(request, reference)
    conditions = list(
        payment.conditions.select_related(
            "local_type", "safeguarding_concern"
        ).order_by("id")
    )
    local = [c for c in conditions if not c.is_statutory]
    in_force = [c for c in local if c.status != Condition.Status.REMOVED]
    reviews = list(payment.reviews.select_related("completed_by", "trigger_concern"))
    ending = Ending.objects.filter(direct_payment=payment).first()
    return render(
        request,
        "budgets/dp_detail.html",
        {
            "payment": payment,
            "person": payment.person,
            "budget": payment.personal_budget,
            "statutory_conditions": [c for c in conditions if c.is_statutory],
            "local_conditions": local,
            "local_in_force": len(in_force),
            "local_lacking_rationale": [c for c in in_force if c.lacks_rationale],
            "local_lacking_agreement": [c for c in in_force if c.lacks_agreement],
            "assistants": list(payment.assistants.select_related("family_exception")),
            "exceptions": list(
                payment.family_exceptions.select_related("authorised_by")
            ),
            "open_reviews": [r for r in reviews if r.is_open],
            "past_reviews": [r for r in reviews if not r.is_open],
            "direct_payment_links": list(
                payment.concern_links.select_related(
                    "concern", "direct_payment", "direct_payment__person"
                )
            ),
            "history": list(payment.status_changes.select_related("changed_by")),
            "recipient_history": list(
                payment.recipient_changes.select_related("changed_by")
            ),
            "ending": ending,
            "documents": list(
                documents_for(request.user, person=payment.person).filter(
                    direct_payment_link__direct_payment=payment
                )
            ),
            "can_write": has_role_perm(request.user, "manage_cases"),
        },
    )


def dp_document_add(request: HttpRequest, reference) -> HttpResponse:
    """Add a document to a direct payment: held as the adult's document
    (enquiries), linked to the payment here in the same transaction."""
    require_write(request.user)
    payment = _payment(request, reference)
    return upload_page(
        request,
        person=payment.person,
        back_url=reverse("budgets:dp_detail", args=[payment.reference]),
        caption=f"Direct payment for {payment.person.full_name}",
        also=lambda document: services.link_document(
            user=request.user, direct_payment=payment, document=document
        ),
    )


@GET_POST
def dp_edit(request: HttpRequest, reference) -> HttpResponse:
    require_write(request.user)
    payment = _payment(request, reference)
    if payment.is_ended:
        raise Http404("An ended payment cannot be changed")
    form = forms.DirectPaymentChangeForm(
        editing.bound_data(request), instance=payment, person=payment.person
    )
    return _payment_page(
        request,
        payment,
        form,
        _changes(request, form, services.change_direct_payment, payment=payment),
        success="Direct payment changed",
        title="Change direct payment",
    )


@GET_POST
def dp_recipient(request: HttpRequest, reference) -> HttpResponse:
    require_write(request.user)
    payment = _payment(request, reference)
    if payment.is_ended:
        raise Http404("An ended payment cannot be changed")
    form = forms.RecipientForm(
        editing.bound_data(request), instance=payment, person=payment.person
    )
    return _payment_page(
        request,
        payment,
        form,
        lambda: services.change_recipient(
            user=request.user,
            payment=DirectPayment.objects.get(pk=payment.pk),
            expected_version=_version(form),
            changes=form.changed_values(),
            reason=form.cleaned_data["reason"],
        ),
        success="Recipient changed",
        title="Change who receives the payment or its legal basis",
    )


@GET_POST
def dp_status(request: HttpRequest, reference) -> HttpResponse:
    require_write(request.user)
    payment = _payment(request, reference)
    choices = [
        (value, DirectPayment.Status(value).label)
        for value in services.ALLOWED_STATUS_CHANGES[payment.status]
    ]
    if not choices:
        raise Http404("An ended payment has no status to change to")
    choices.sort()
    form = forms.StatusForm(
        editing.bound_data(request), choices=choices, record=payment
    )
    return _payment_page(
        request,
        payment,
        form,
        lambda: services.change_status(
            user=request.user,
            payment=payment,
            to_status=form.cleaned_data["to_status"],
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        ),
        success="Status changed",
        title="Change the status of the direct payment",
        intro=f"It is now {payment.get_status_display().lower()}. To end the "
        "payment, use 'End direct payment' instead.",
    )


@GET_POST
def dp_end(request: HttpRequest, reference) -> HttpResponse:
    require_write(request.user)
    payment = _payment(request, reference)
    if payment.is_ended:
        messages.info(request, "This direct payment has already ended")
        return redirect(payment)
    form = forms.EndingForm(editing.bound_data(request))
    return _payment_page(
        request,
        payment,
        form,
        _creates(request, form, services.end_direct_payment, payment=payment),
        success="Direct payment ended",
        title="End the direct payment",
        intro="The council must stop payments when the section 31 or 32 "
        "conditions are no longer met (s33(4)). It may stop them when a "
        "condition is breached or the money is not used for the plan (s33(5)). "
        "Genuine mistakes should not be treated like wilful misuse.",
    )


# --- conditions -------------------------------------------------------------


@GET_POST
def condition_add(request: HttpRequest, reference) -> HttpResponse:
    require_write(request.user)
    payment = _payment(request, reference)
    form = forms.LocalConditionForm(
        editing.bound_data(request), concerns=_person_concerns(request, payment.person)
    )
    return _payment_page(
        request,
        payment,
        form,
        _creates(request, form, services.add_local_condition, payment=payment),
        success="Condition added",
        title="Add a local condition",
        intro="A local condition must answer a specific risk, and nothing less "
        "restrictive must do. Ask the person whether they agree and record "
        "their view in their own words.",
        person_wants=payment.person_wants,
    )


@GET_POST
def condition_status(request: HttpRequest, reference) -> HttpResponse:
    require_write(request.user)
    condition = _child(request, Condition, reference)
    payment = condition.direct_payment
    if condition.status == Condition.Status.REMOVED:
        messages.info(request, "This condition has been removed")
        return redirect(payment)
    form = forms.ConditionStatusForm(editing.bound_data(request), instance=condition)
    return _payment_page(
        request,
        payment,
        form,
        _changes(request, form, services.record_condition_status, condition=condition),
        success="Condition updated",
        title=f"Update condition: {condition.title}",
        intro="A breach triggers a review of the payment. "
        + (
            "This is a statutory condition: it cannot be removed."
            if condition.is_statutory
            else "Removing a condition needs a reason."
        ),
    )


@GET_POST
def family_exception_add(request: HttpRequest, reference) -> HttpResponse:
    require_write(request.user)
    payment = _payment(request, reference)
    require_perm(
        request.user,
        "sign_off_closure",
        "A team manager or safeguarding lead decides the regulation 3 exception.",
    )
    form = forms.FamilyExceptionForm(editing.bound_data(request))
    return _payment_page(
        request,
        payment,
        form,
        _creates(request, form, services.add_family_exception, payment=payment),
        success="Regulation 3 exception recorded",
        title="Record a regulation 3 exception",
        intro="Only when the council decides it is necessary to pay a close "
        "family member living in the same household, for care or for managing "
        "the payment. You are recorded as the person who authorised it.",
    )


# --- personal assistants ----------------------------------------------------


@GET_POST
def assistant_add(request: HttpRequest, reference) -> HttpResponse:
    require_write(request.user)
    payment = _payment(request, reference)
    form = forms.AssistantForm(
        editing.bound_data(request),
        exceptions=payment.family_exceptions.all(),
        person=payment.person,
    )
    return _payment_page(
        request,
        payment,
        form,
        _creates(request, form, services.add_assistant, payment=payment),
        success="Personal assistant recorded",
        title="Record a personal assistant",
    )


@GET_POST
def assistant_edit(request: HttpRequest, reference) -> HttpResponse:
    require_write(request.user)
    assistant = _child(request, PersonalAssistant, reference)
    payment = assistant.direct_payment
    form = forms.AssistantForm(
        editing.bound_data(request),
        instance=assistant,
        exceptions=payment.family_exceptions.all(),
        person=payment.person,
    )
    return _payment_page(
        request,
        payment,
        form,
        _changes(request, form, services.change_assistant, assistant=assistant),
        success="Personal assistant changed",
        title=f"Change personal assistant: {assistant.name}",
    )


# --- reviews ----------------------------------------------------------------


@GET_POST
def review_complete(request: HttpRequest, reference) -> HttpResponse:
    require_write(request.user)
    review = _child(request, Review, reference)
    payment = review.direct_payment
    if not review.is_open:
        messages.info(request, "This review has already been recorded")
        return redirect(payment)
    form = forms.ReviewForm(editing.bound_data(request), instance=review)
    return _payment_page(
        request,
        payment,
        form,
        _changes(request, form, services.complete_review, review=review),
        success="Review recorded",
        title=f"Record the review: {review.get_review_type_display()}",
        intro=f"Due {review.due_on:%-d %B %Y}."
        + (f" Triggered by: {review.get_trigger_display()}." if review.trigger else ""),
    )


# --- safeguarding links -----------------------------------------------------


@GET_POST
def link_add(request: HttpRequest, reference) -> HttpResponse:
    require_write(request.user)
    payment = _payment(request, reference)
    concerns = _person_concerns(request, payment.person)
    form = forms.ConcernLinkForm(editing.bound_data(request), concerns=concerns)
    return _payment_page(
        request,
        payment,
        form,
        lambda: services.link_concern(
            user=request.user,
            payment=payment,
            concern=form.cleaned_data["concern"],
            role=form.cleaned_data["role"],
            notes=form.cleaned_data["notes"],
        ),
        success=lambda link: (
            "Concern linked. A review of the payment is now due"
            if link.triggers_review
            else "Concern linked"
        ),
        title="Link a safeguarding concern",
        no_choices="There are no safeguarding concerns about this person that you "
        "can see."
        if not concerns.exists()
        else "",
    )


@GET_POST
def link_from_concern(request: HttpRequest, concern_reference) -> HttpResponse:
    require_write(request.user)
    concern = get_visible_or_404(
        request.user,
        Concern.objects.select_related("person"),
        reference=concern_reference,
    )
    payments = selectors.scoped(
        request.user, DirectPayment.objects.filter(person=concern.person)
    ).exclude(status=DirectPayment.Status.ENDED)
    form = forms.ConcernSideLinkForm(editing.bound_data(request), payments=payments)
    return _save_page(
        request,
        form,
        lambda: services.link_concern(
            user=request.user,
            payment=form.cleaned_data["direct_payment"],
            concern=concern,
            role=form.cleaned_data["role"],
            notes=form.cleaned_data["notes"],
        ),
        success="Direct payment linked to the concern",
        done=lambda link: link.direct_payment,
        title="Link a direct payment to this concern",
        person=concern.person,
        back_url=reverse("budgets:person", args=[concern.person.reference]),
        no_choices="This person has no running direct payment."
        if not payments.exists()
        else "",
    )


@GET_POST
def link_withdraw(request: HttpRequest, reference) -> HttpResponse:
    """Undo a wrong link (often a wrong automatic match), with a reason."""
    require_write(request.user)
    link = _child(request, ConcernLink, reference)
    if link.is_withdrawn:
        raise Http404("This link has already been withdrawn")
    payment = link.direct_payment
    form = forms.LinkWithdrawForm(editing.bound_data(request))
    return _payment_page(
        request,
        payment,
        form,
        lambda: services.withdraw_link(
            user=request.user, link=link, reason=form.cleaned_data["reason"]
        ),
        success="Link withdrawn",
        title="Withdraw this link to a safeguarding concern",
    )


@GET_POST
def suspend_pending_investigation(
    request: HttpRequest, reference, concern_reference
) -> HttpResponse:
    """Confirm, then suspend payments while a concern is investigated."""
    require_write(request.user)
    payment = _payment(request, reference)
    concern = get_visible_or_404(
        request.user, Concern.objects.all(), reference=concern_reference
    )
    if concern.person_id != payment.person_id:
        raise Http404("The concern is about someone else")
    form = forms.SuspendForm(editing.bound_data(request))
    return editing.edit_page(
        request,
        form,
        lambda: services.suspend_pending_investigation(
            user=request.user,
            payment=payment,
            concern=concern,
            reason=form.cleaned_data["reason"],
        ),
        success="Payments suspended pending investigation",
        done=payment,
        page=lambda: render(
            request,
            "budgets/suspend_confirm.html",
            {"form": form, "payment": payment, "concern": concern},
        ),
    )


# --- manager views ----------------------------------------------------------


def manager_overview(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "view_reports")
    counts = [
        (report, report.queryset(request.user).count())
        for report in reports.REPORTS.values()
    ]
    return render(request, "budgets/manager.html", {"counts": counts})


def manager_report(request: HttpRequest, slug: str) -> HttpResponse:
    require_perm(request.user, "view_reports")
    report = reports.REPORTS.get(slug)
    if report is None:
        raise Http404("No such report")
    page = paging.keyset_page(
        report.queryset(request.user),
        key=report.key,
        after=request.GET.get("after"),
        size=paging.PAGE_SIZE,
    )
    return render(
        request,
        "budgets/report.html",
        {
            "report": report,
            "headings": report.headings,
            "rows": [report.row(item) for item in page.rows],
            "next_cursor": page.next_cursor,
        },
    )


def manager_report_csv(request: HttpRequest, slug: str) -> HttpResponse:
    require_perm(request.user, "view_reports")
    report = reports.REPORTS.get(slug)
    if report is None:
        raise Http404("No such report")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="direct-payments-{slug}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(report.headings)
    count = 0
    for item in (
        report.queryset(request.user)
        .order_by(report.key, "id")
        .iterator(chunk_size=500)
    ):
        writer.writerow([reports.csv_safe(cell.text) for cell in report.row(item)])
        count += 1
    audit.record(
        actor=request.user,
        action="download",
        summary=f"Downloaded direct payments report: {report.title} ({count} rows)",
    )
    return response
