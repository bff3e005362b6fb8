"""Pages for the Safeguarding Adults Review process (rules in outcomes.sar).

Every page is for users with ``view_reports`` (team managers and
safeguarding leads); changing anything also needs ``manage_cases``.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from enquiries.models import (
    Enquiry,
    Person,
    SafeguardingAdultsReview,
    SarRecommendation,
)
from enquiries.selectors.people import first_visible, matching_people
from msp import editing
from msp.access import get_visible_or_404, require_write, visible
from msp.dates import financial_year_of
from msp.permissions import require_perm
from outcomes import sac, sar
from outcomes.forms_sar import (
    AddFoundPersonForm,
    DecisionForm,
    DoneForm,
    PersonSearchForm,
    RecommendationForm,
    ReferralForm,
)

GET_POST = require_http_methods(["GET", "POST"])


def _review(reference) -> SafeguardingAdultsReview:
    return get_object_or_404(
        SafeguardingAdultsReview.objects.select_related("referred_from_enquiry"),
        reference=reference,
    )


def _detail_url(review) -> str:
    return reverse("outcomes:sar_detail", kwargs={"reference": review.reference})


def _step_page(request, review, form, action, *, success, **page) -> HttpResponse:
    """One step of the review's process: the form, saved by a service call
    (msp.editing), then back to the review."""
    return editing.edit_page(
        request,
        form,
        action,
        success=success,
        done=_detail_url(review),
        page=lambda: render(
            request,
            "outcomes/sar_step.html",
            {"form": form, "review": review, **page},
        ),
    )


@GET_POST
def refer(request: HttpRequest, person_reference) -> HttpResponse:
    """Refer a person's case (and optionally one of their enquiries) for a SAR."""
    require_perm(request.user, "view_reports")
    require_write(request.user)
    person = get_visible_or_404(
        request.user, Person.objects.all(), reference=person_reference
    )
    enquiry = None
    if request.GET.get("enquiry"):
        enquiry = get_visible_or_404(
            request.user,
            Enquiry.objects.filter(concern__person=person),
            reference=request.GET["enquiry"],
        )
    form = ReferralForm(editing.bound_data(request))
    return editing.edit_page(
        request,
        form,
        lambda: sar.refer(
            user=request.user,
            person=person,
            enquiry=enquiry,
            title=form.cleaned_data["title"],
            referred_on=form.cleaned_data["referred_on"],
            referred_by=form.cleaned_data["referred_by"],
            reason=form.cleaned_data["referral_reason"],
            died=form.cleaned_data["died"],
        ),
        success="Referral recorded",
        done=_detail_url,
        page=lambda: render(
            request,
            "outcomes/sar_refer.html",
            {"form": form, "person": person, "enquiry": enquiry},
        ),
    )


@GET_POST
def sar_detail(request: HttpRequest, reference) -> HttpResponse:
    """The review's process, its individuals (added by searching people),
    and its recommendations."""
    require_perm(request.user, "view_reports")
    review = _review(reference)
    search = PersonSearchForm(request.GET if "name" in request.GET else None)
    found: list[Person] = []
    more = False
    if search.is_bound and search.is_valid():
        name = search.cleaned_data["name"]
        found, more = first_visible(
            request.user, matching_people(name=name), name_alone=name
        )
    add_form = AddFoundPersonForm(editing.bound_data(request), people=found)
    if request.method == "POST":
        require_write(request.user)

    def add_individual():
        chosen = add_form.cleaned_data["person"]
        died = add_form.cleaned_data["died"]
        if chosen:
            sar.add_individual(
                user=request.user, review=review, person_pk=chosen, died=died
            )
        else:
            sac.add_individual(user=request.user, review=review, person=None, died=died)

    if editing.submit(
        request, add_form, add_individual, success="Individual added to the review"
    ):
        return redirect(_detail_url(review))
    # Names are shown only for people this user may see.
    rows = list(review.individuals.select_related("person").order_by("pk"))
    named = [row.person_id for row in rows if row.person_id]
    seen = set(
        visible(request.user, Person.objects.filter(pk__in=named)).values_list(
            "pk", flat=True
        )
    )
    individuals = [
        {
            "died": row.died,
            "person": row.person if row.person_id in seen else None,
            "named": row.person_id is not None,
        }
        for row in rows
    ]
    totals = review.individuals.aggregate(
        n_died=Count("pk", filter=Q(died=True)),
        n_survived=Count("pk", filter=Q(died=False)),
    )
    enquiry = review.referred_from_enquiry
    if (
        enquiry is not None
        and not visible(request.user, Enquiry.objects.filter(pk=enquiry.pk)).exists()
    ):
        enquiry = None
    return render(
        request,
        "outcomes/sar_detail.html",
        {
            "review": review,
            "individuals": individuals,
            "totals": totals,
            "search": search,
            "found": found,
            "more": more,
            "form": add_form,
            "enquiry": enquiry,
            "recommendations": list(review.recommendations.all()),
            "year": financial_year_of(review.completed_on)
            if review.completed_on
            else None,
        },
    )


@GET_POST
def decision(request: HttpRequest, reference) -> HttpResponse:
    require_perm(request.user, "view_reports")
    require_write(request.user)
    review = _review(reference)
    initial = {
        "decision": review.decision or None,
        "decided_on": review.decided_on,
        "decision_reasons": review.decision_reasons,
    }
    form = DecisionForm(editing.bound_data(request), initial=initial, record=review)
    return _step_page(
        request,
        review,
        form,
        lambda: sar.record_decision(
            user=request.user,
            review=review,
            expected_version=form.cleaned_data["version"],
            decision=form.cleaned_data["decision"],
            decided_on=form.cleaned_data["decided_on"],
            reasons=form.cleaned_data["decision_reasons"],
        ),
        success="Decision recorded",
        title="The board's decision",
    )


@GET_POST
def recommendation_add(request: HttpRequest, reference) -> HttpResponse:
    require_perm(request.user, "view_reports")
    require_write(request.user)
    review = _review(reference)
    form = RecommendationForm(editing.bound_data(request))
    return _step_page(
        request,
        review,
        form,
        lambda: sar.add_recommendation(
            user=request.user, review=review, **form.cleaned_data
        ),
        success="Recommendation added",
        title="Add a recommendation",
    )


@GET_POST
def recommendation_done(request: HttpRequest, reference, pk: int) -> HttpResponse:
    require_perm(request.user, "view_reports")
    require_write(request.user)
    review = _review(reference)
    recommendation = get_object_or_404(
        SarRecommendation.objects.select_related("review"), review=review, pk=pk
    )
    form = DoneForm(editing.bound_data(request), record=recommendation)
    return _step_page(
        request,
        review,
        form,
        lambda: sar.complete_recommendation(
            user=request.user,
            recommendation=recommendation,
            expected_version=form.cleaned_data["version"],
            done_on=form.cleaned_data["done_on"],
        ),
        success="Recommendation marked as done",
        title="Mark a recommendation as done",
        intro=recommendation.text,
    )
