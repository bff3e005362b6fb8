"""Finding, adding and editing people, their relationships and legal representatives."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from enquiries import codes, panels
from enquiries.forms.people import (
    LegalAuthorityForm,
    PersonCreateForm,
    PersonForm,
    PersonSearchForm,
    RelationshipChangeForm,
    RelationshipForm,
)
from enquiries.models import (
    Person,
    Relationship,
)
from enquiries.selectors.people import (
    find_likely_duplicates,
    first_visible,
    matching_people,
)
from enquiries.selectors.trust import restricted_matches
from enquiries.services import people as services
from enquiries.views.common import (
    enquiry_url,
    form_page,
)
from msp import audit, editing
from msp.access import (
    can_see_all_teams,
    get_visible_or_404,
    require_write,
    team_ids,
    visible,
)
from msp.models import Team

# People ---------------------------------------------------------------------------


def _writable_teams(user) -> QuerySet[Team]:
    teams = Team.objects.filter(is_active=True)
    if can_see_all_teams(user):
        return teams
    return teams.filter(pk__in=team_ids(user))


def person_search(request: HttpRequest) -> HttpResponse:
    require_write(request.user)
    results = restricted = None
    truncated = False
    form = PersonSearchForm(request.GET) if request.GET else PersonSearchForm()
    if request.GET and form.is_valid():
        data = form.cleaned_data
        people = matching_people(
            name=data["name"],
            date_of_birth=data["date_of_birth"],
            nhs_number=data["nhs_number"],
            reference=data["reference"],
        )
        by_name_alone = not (
            data["date_of_birth"] or data["nhs_number"] or data["reference"]
        )
        results, truncated = first_visible(
            request.user, people, name_alone=data["name"] if by_name_alone else ""
        )
        # Restricted records the user may not open: only that they exist.
        restricted = restricted_matches(request.user, people)
        audit.note_listed(results)
    return render(
        request,
        "enquiries/person_search.html",
        {
            "form": form,
            "results": results,
            "truncated": truncated,
            "restricted": restricted,
        },
    )


def person_create(request: HttpRequest) -> HttpResponse:
    require_write(request.user)
    teams = _writable_teams(request.user)
    duplicates = hidden_duplicates = None
    if request.method == "POST":
        form = PersonCreateForm(request.POST, teams=teams, show_confirm=True)
        if form.is_valid():
            data = dict(form.cleaned_data)
            confirmed = data.pop("confirm_new", False)
            matches = find_likely_duplicates(
                given_name=data["given_name"],
                family_name=data["family_name"],
                date_of_birth=data["date_of_birth"],
            )
            duplicates = list(
                visible(request.user, matches).order_by("family_name", "id")[:10]
            )
            hidden_duplicates = matches.count() - len(duplicates)
            if (duplicates or hidden_duplicates) and not confirmed:
                form.add_error(
                    "confirm_new",
                    "Check whether the person already has a record. If none of "
                    "these is them, confirm you want to create a new record",
                )
            else:
                try:
                    person = services.create_person(user=request.user, data=data)
                except ValidationError as exc:
                    editing.add_errors(form, exc)
                else:
                    messages.success(request, f"Record created for {person}")
                    return redirect(person)
        if not (duplicates or hidden_duplicates):
            form.hide_confirm()
    else:
        names = request.GET.get("name", "").split()
        initial = {
            "given_name": names[0] if names else "",
            "family_name": " ".join(names[1:]),
        }
        form = PersonCreateForm(initial=initial, teams=teams)
    audit.note_listed(duplicates or ())
    return render(
        request,
        "enquiries/person_form.html",
        {
            "form": form,
            "title": "Create a record for the adult",
            "duplicates": duplicates,
            "hidden_duplicates": hidden_duplicates,
            "back_url": reverse("enquiries:person_search"),
        },
    )


def _person(request: HttpRequest, reference) -> Person:
    return get_visible_or_404(
        request.user, Person.objects.select_related("team"), reference=reference
    )


def person_detail(request: HttpRequest, reference) -> HttpResponse:
    person = _person(request, reference)
    concerns = list(
        visible(request.user, person.concerns.all())
        .select_related("allocated_to")
        .prefetch_related("enquiries")
        .order_by("-received_on", "-id")
    )
    for concern in concerns:
        concern.enquiry_links = [
            (enquiry, enquiry_url(enquiry)) for enquiry in concern.enquiries.all()
        ]
    return render(
        request,
        "enquiries/person_detail.html",
        {
            "person": person,
            "concerns": concerns,
            "relationships": person.relationships.all(),
            "legal_authorities": person.legal_authorities.all(),
            "health_conditions": _labels(
                codes.HealthCondition, person.health_conditions
            ),
            "communication_needs": _labels(
                codes.CommunicationNeed, person.communication_needs
            ),
            "panels": panels.panels("person", request.user, person),
        },
    )


def _labels(choices, values) -> list[str]:
    lookup = dict(choices.choices)
    return [str(lookup.get(value, value)) for value in values or []]


def person_edit(request: HttpRequest, reference) -> HttpResponse:
    require_write(request.user)
    person = _person(request, reference)
    form = PersonForm(
        editing.bound_data(request),
        instance=editing.instance_for(request, person),
    )
    return _person_page(
        request,
        person,
        form,
        lambda: services.change_person(
            user=request.user,
            person=person,
            expected_version=form.cleaned_data["version"],
            changes=editing.changes(form),
        ),
        success="Details saved",
        title=f"Change details for {person}",
    )


def _person_page(request, person, form, action, *, success, title) -> HttpResponse:
    """A form about a person, saved by a service call (msp.editing); then
    back to their page."""
    return editing.edit_page(
        request,
        form,
        action,
        success=success,
        done=person,
        page=lambda: form_page(
            request,
            form,
            title=title,
            caption=person.full_name,
            back_url=person.get_absolute_url(),
        ),
    )


def _simple_add(request, reference, form_class, service, title):
    require_write(request.user)
    person = _person(request, reference)
    form = form_class(editing.bound_data(request))
    return _person_page(
        request,
        person,
        form,
        lambda: service(user=request.user, person=person, data=form.cleaned_data),
        success="Saved",
        title=title,
    )


def relationship_add(request: HttpRequest, reference) -> HttpResponse:
    return _simple_add(
        request,
        reference,
        RelationshipForm,
        services.add_relationship,
        "Add a family member, carer, representative or advocate",
    )


def relationship_edit(request: HttpRequest, reference, relationship_id) -> HttpResponse:
    require_write(request.user)
    person = _person(request, reference)
    relationship = get_object_or_404(person.relationships, pk=relationship_id)
    form = RelationshipChangeForm(editing.bound_data(request), instance=relationship)
    return _person_page(
        request,
        person,
        form,
        lambda: services.change_relationship(
            user=request.user,
            relationship=Relationship.objects.get(pk=relationship.pk),
            expected_version=form.cleaned_data["version"],
            changes={
                name: form.cleaned_data[name]
                for name in RelationshipChangeForm.Meta.fields
                if name in form.cleaned_data
            },
        ),
        success="Relationship saved",
        title=f"Change {relationship.name}",
    )


def legal_authority_add(request: HttpRequest, reference) -> HttpResponse:
    return _simple_add(
        request,
        reference,
        LegalAuthorityForm,
        services.add_legal_authority,
        "Add a legal authority (LPA, deputy, appointee)",
    )
