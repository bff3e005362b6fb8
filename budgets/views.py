"""Pages for personal budgets and direct payments. Writes go through services."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from budgets import forms, paging, reports, selectors, services
from budgets.models import (
    Condition,
    DirectPayment,
    Ending,
    PersonalAssistant,
    PersonalBudget,
    Review,
)
from enquiries.models import Concern, Person
from msp import audit
from msp.access import get_visible_or_404, require_write
from msp.concurrency import EditConflict
from msp.roles import has_role_perm

GET_POST = require_http_methods(["GET", "POST"])


# --- helpers ---------------------------------------------------------------


def _apply_errors(form, exc: ValidationError) -> None:
    """Show a model or service ValidationError on the form it came from."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _apply_conflict(form, conflict: EditConflict) -> None:
    """Keep what the user typed; say what the other person changed."""
    labels = [
        str(form.fields[name].label) if name in form.fields else name
        for name in conflict.changed_fields
    ]
    changed = ", ".join(labels) or "other details"
    form.add_error(
        None,
        "Someone else saved this record while you were editing it. They changed: "
        f"{changed}. Check your answers, then save again to keep yours.",
    )
    form.data = form.data.copy()
    form.data["version"] = str(conflict.current.version)


def _form_page(request, *, form, title: str, back_url: str, caption: str = "", **extra):
    return render(
        request,
        "budgets/form.html",
        {
            "form": form,
            "title": title,
            "back_url": back_url,
            "caption": caption,
            **extra,
        },
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
    form = forms.BudgetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            budget = services.create_budget(
                user=request.user, person=person, data=form.changed_values()
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Personal budget recorded")
            return redirect(budget)
    return _form_page(
        request,
        form=form,
        title="Record a personal budget",
        caption=person.full_name,
        back_url=reverse("budgets:person", args=[person.reference]),
    )


def budget_detail(request: HttpRequest, reference) -> HttpResponse:
    budget = _budget(request, reference)
    audit.record_view(request, budget)
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
    form = forms.BudgetForm(request.POST or None, instance=budget)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_budget(
                user=request.user,
                budget=PersonalBudget.objects.get(pk=budget.pk),
                expected_version=_version(form),
                changes=form.changed_values(),
            )
        except EditConflict as conflict:
            _apply_conflict(form, conflict)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Personal budget changed")
            return redirect(budget)
    return _form_page(
        request,
        form=form,
        title="Change personal budget",
        caption=budget.person.full_name,
        back_url=budget.get_absolute_url(),
    )


# --- direct payments --------------------------------------------------------


@GET_POST
def dp_create(request: HttpRequest, reference) -> HttpResponse:
    require_write(request.user)
    budget = _budget(request, reference)
    form = forms.DirectPaymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            payment = services.create_direct_payment(
                user=request.user, budget=budget, data=form.changed_values()
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                "Direct payment set up with its statutory conditions and first review",
            )
            return redirect(payment)
    return _form_page(
        request,
        form=form,
        title="Set up a direct payment",
        caption=budget.person.full_name,
        back_url=budget.get_absolute_url(),
    )


def dp_detail(request: HttpRequest, reference) -> HttpResponse:
    payment = _payment(request, reference)
    audit.record_view(request, payment)
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
            "ending": ending,
            "can_write": has_role_perm(request.user, "manage_cases"),
        },
    )


@GET_POST
def dp_edit(request: HttpRequest, reference) -> HttpResponse:
    require_write(request.user)
    payment = _payment(request, reference)
    if payment.is_ended:
        raise Http404("An ended payment cannot be changed")
    form = forms.DirectPaymentChangeForm(request.POST or None, instance=payment)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_direct_payment(
                user=request.user,
                payment=DirectPayment.objects.get(pk=payment.pk),
                expected_version=_version(form),
                changes=form.changed_values(),
            )
        except EditConflict as conflict:
            _apply_conflict(form, conflict)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Direct payment changed")
            return redirect(payment)
    return _form_page(
        request,
        form=form,
        title="Change direct payment",
        caption=payment.person.full_name,
        back_url=payment.get_absolute_url(),
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
        request.POST or None, choices=choices, initial={"version": payment.version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change_status(
                user=request.user,
                payment=payment,
                to_status=form.cleaned_data["to_status"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Status changed")
            return redirect(payment)
    return _form_page(
        request,
        form=form,
        title="Change the status of the direct payment",
        caption=payment.person.full_name,
        back_url=payment.get_absolute_url(),
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
    form = forms.EndingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.end_direct_payment(
                user=request.user, payment=payment, data=form.changed_values()
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Direct payment ended")
            return redirect(payment)
    return _form_page(
        request,
        form=form,
        title="End the direct payment",
        caption=payment.person.full_name,
        back_url=payment.get_absolute_url(),
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
        request.POST or None, concerns=_person_concerns(request, payment.person)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.add_local_condition(
                user=request.user, payment=payment, data=form.changed_values()
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Condition added")
            return redirect(payment)
    return _form_page(
        request,
        form=form,
        title="Add a local condition",
        caption=payment.person.full_name,
        back_url=payment.get_absolute_url(),
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
    form = forms.ConditionStatusForm(request.POST or None, instance=condition)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_condition_status(
                user=request.user,
                condition=Condition.objects.get(pk=condition.pk),
                expected_version=_version(form),
                changes=form.changed_values(),
            )
        except EditConflict as conflict:
            _apply_conflict(form, conflict)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Condition updated")
            return redirect(payment)
    return _form_page(
        request,
        form=form,
        title=f"Update condition: {condition.title}",
        caption=payment.person.full_name,
        back_url=payment.get_absolute_url(),
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
    if not has_role_perm(request.user, "sign_off_closure"):
        raise PermissionDenied(
            "A team manager or safeguarding lead decides the regulation 3 exception."
        )
    form = forms.FamilyExceptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_family_exception(
                user=request.user, payment=payment, data=form.changed_values()
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Regulation 3 exception recorded")
            return redirect(payment)
    return _form_page(
        request,
        form=form,
        title="Record a regulation 3 exception",
        caption=payment.person.full_name,
        back_url=payment.get_absolute_url(),
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
        request.POST or None, exceptions=payment.family_exceptions.all()
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.add_assistant(
                user=request.user, payment=payment, data=form.changed_values()
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Personal assistant recorded")
            return redirect(payment)
    return _form_page(
        request,
        form=form,
        title="Record a personal assistant",
        caption=payment.person.full_name,
        back_url=payment.get_absolute_url(),
    )


@GET_POST
def assistant_edit(request: HttpRequest, reference) -> HttpResponse:
    require_write(request.user)
    assistant = _child(request, PersonalAssistant, reference)
    payment = assistant.direct_payment
    form = forms.AssistantForm(
        request.POST or None,
        instance=assistant,
        exceptions=payment.family_exceptions.all(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change_assistant(
                user=request.user,
                assistant=PersonalAssistant.objects.get(pk=assistant.pk),
                expected_version=_version(form),
                changes=form.changed_values(),
            )
        except EditConflict as conflict:
            _apply_conflict(form, conflict)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Personal assistant changed")
            return redirect(payment)
    return _form_page(
        request,
        form=form,
        title=f"Change personal assistant: {assistant.name}",
        caption=payment.person.full_name,
        back_url=payment.get_absolute_url(),
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
    form = forms.ReviewForm(request.POST or None, instance=review)
    if request.method == "POST" and form.is_valid():
        try:
            services.complete_review(
                user=request.user,
                review=Review.objects.get(pk=review.pk),
                expected_version=_version(form),
                changes=form.changed_values(),
            )
        except EditConflict as conflict:
            _apply_conflict(form, conflict)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Review recorded")
            return redirect(payment)
    return _form_page(
        request,
        form=form,
        title=f"Record the review: {review.get_review_type_display()}",
        caption=payment.person.full_name,
        back_url=payment.get_absolute_url(),
        intro=f"Due {review.due_on:%d %B %Y}."
        + (f" Triggered by: {review.get_trigger_display()}." if review.trigger else ""),
    )


# --- safeguarding links -----------------------------------------------------


@GET_POST
def link_add(request: HttpRequest, reference) -> HttpResponse:
    require_write(request.user)
    payment = _payment(request, reference)
    concerns = _person_concerns(request, payment.person)
    form = forms.ConcernLinkForm(request.POST or None, concerns=concerns)
    if request.method == "POST" and form.is_valid():
        try:
            link = services.link_concern(
                user=request.user,
                payment=payment,
                concern=form.cleaned_data["concern"],
                role=form.cleaned_data["role"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                "Concern linked. A review of the payment is now due"
                if link.triggers_review
                else "Concern linked",
            )
            return redirect(payment)
    return _form_page(
        request,
        form=form,
        title="Link a safeguarding concern",
        caption=payment.person.full_name,
        back_url=payment.get_absolute_url(),
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
    form = forms.ConcernSideLinkForm(request.POST or None, payments=payments)
    if request.method == "POST" and form.is_valid():
        payment = form.cleaned_data["direct_payment"]
        try:
            services.link_concern(
                user=request.user,
                payment=payment,
                concern=concern,
                role=form.cleaned_data["role"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Direct payment linked to the concern")
            return redirect(payment)
    return _form_page(
        request,
        form=form,
        title="Link a direct payment to this concern",
        caption=concern.person.full_name,
        back_url=reverse("budgets:person", args=[concern.person.reference]),
        no_choices="This person has no running direct payment."
        if not payments.exists()
        else "",
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
    form = forms.SuspendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.suspend_pending_investigation(
                user=request.user,
                payment=payment,
                concern=concern,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Payments suspended pending investigation")
            return redirect(payment)
    return render(
        request,
        "budgets/suspend_confirm.html",
        {"form": form, "payment": payment, "concern": concern},
    )


# --- manager views ----------------------------------------------------------


def _require_reports(user) -> None:
    if not has_role_perm(user, "view_reports"):
        raise PermissionDenied("Only managers and leads can see these reports.")


def manager_overview(request: HttpRequest) -> HttpResponse:
    _require_reports(request.user)
    counts = [
        (report, report.queryset(request.user).count())
        for report in reports.REPORTS.values()
    ]
    return render(request, "budgets/manager.html", {"counts": counts})


def manager_report(request: HttpRequest, slug: str) -> HttpResponse:
    _require_reports(request.user)
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
    _require_reports(request.user)
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
