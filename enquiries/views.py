"""Pages for people, concerns, the adult's voice, the decision, notes and queues.

Views are thin: they fetch records through :mod:`msp.access` (out of scope is
404, readers writing is 403), validate a form and call a service.
"""

from __future__ import annotations

import datetime
import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.db.models.functions import Upper
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from budgets.selectors import links_for_person
from enquiries import codes, timescales
from enquiries import services_people as services
from enquiries.forms import (
    AskedOutcomesForm,
    CaseNoteForm,
    ConcernCreateForm,
    ConcernForm,
    ConfirmOverrideForm,
    ConsentForm,
    DecisionForm,
    DesiredOutcomeForm,
    DesiredOutcomeReviseForm,
    DesiredOutcomeWithdrawForm,
    LegalAuthorityForm,
    PersonCreateForm,
    PersonForm,
    PersonSearchForm,
    PersonViewCorrectionForm,
    PersonViewForm,
    RelationshipForm,
    RiskForm,
    ThreePartTestForm,
)
from enquiries.links import url_maker
from enquiries.models import (
    CaseNote,
    ChronologyEvent,
    Concern,
    ConsentDecision,
    DesiredOutcome,
    Enquiry,
    Person,
)
from msp import audit
from msp.access import (
    can_see_all_teams,
    get_visible_or_404,
    require_write,
    restricted_matches,
    team_ids,
    visible,
)
from msp.concurrency import EditConflict
from msp.models import Team
from msp.roles import has_role_perm

PAGE_SIZE = 25
# The home page shows the top of each work queue; "See all" opens the queue.
HOME_ROWS = 10
SEARCH_LIMIT = 50
# A name search checks access on at most this many name matches, this many
# at a time; past that the page asks for a narrower search.
SEARCH_CANDIDATES = 2000
SEARCH_CHUNK = 200
CONCERN_STAGES = [codes.Stage.CONCERN, codes.Stage.INFORMATION_GATHERING]
ENQUIRY_STAGES = [
    codes.Stage.PLANNING,
    codes.Stage.ENQUIRY,
    codes.Stage.OUTCOME,
    codes.Stage.PLAN,
    codes.Stage.REVIEW,
    codes.Stage.CLOSURE,
]
ENQUIRY_STATUS_STAGE = {
    Enquiry.Status.PLANNING: codes.Stage.PLANNING,
    Enquiry.Status.IN_PROGRESS: codes.Stage.ENQUIRY,
    Enquiry.Status.OUTCOME_RECORDED: codes.Stage.OUTCOME,
    Enquiry.Status.PLAN_ACTIVE: codes.Stage.PLAN,
    Enquiry.Status.CLOSURE_REQUESTED: codes.Stage.CLOSURE,
    Enquiry.Status.CLOSED: codes.Stage.CLOSURE,
}


# Helpers ------------------------------------------------------------------------


def _form_errors_from(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form, by field where possible."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


def _display(instance, name: str) -> str:
    field = instance._meta.get_field(name)
    value = getattr(instance, name)
    if field.choices:
        return str(getattr(instance, f"get_{name}_display")()) or "(blank)"
    if value in (None, "", []):
        return "(blank)"
    return str(value)


def _conflict_error(form, conflict: EditConflict, post) -> object:
    """Re-bind the form at the saved version, keeping input, and explain."""
    data = post.copy()
    data["version"] = str(conflict.current.version)
    form = type(form)(data, **getattr(form, "_init_kwargs", {}))
    form.is_valid()
    who = conflict.current.updated_by or "someone else"
    changed = [
        f"{conflict.current._meta.get_field(name).verbose_name}: now "
        f"“{_display(conflict.current, name)}”"
        for name in conflict.changed_fields
        if name not in ("decided_by", "decided_at", "status", "finalised_at")
    ]
    message = (
        f"{who} changed this record while you were editing it. "
        "Your answers are kept below: check them and save again."
    )
    if changed:
        message += " What they changed: " + "; ".join(changed) + "."
    form.add_error(None, message)
    return form


def _bind(form_class, request, **kwargs):
    form = form_class(request.POST, **kwargs)
    form._init_kwargs = kwargs
    return form


def _next_or(request: HttpRequest, default: str) -> str:
    """Where to go after saving: a safe ``?next=`` on this site, else ``default``.

    Enquiry pages link here with ``?next=`` so the practitioner returns to them.
    """
    wanted = request.GET.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return default


def enquiry_url(enquiry: Enquiry) -> str:
    """The enquiry's page, or its concern's page until enquiry pages exist."""
    try:
        return enquiry.get_absolute_url()
    except NoReverseMatch:
        return enquiry.concern.get_absolute_url()


def _get_case(request: HttpRequest, case_type: str, reference: uuid.UUID):
    if case_type == "concern":
        case = get_visible_or_404(
            request.user,
            Concern.objects.select_related("person", "team"),
            reference=reference,
        )
        return case, case.person, CONCERN_STAGES, case.get_absolute_url()
    if case_type == "enquiry":
        case = get_visible_or_404(
            request.user,
            Enquiry.objects.select_related("concern__person", "team"),
            reference=reference,
        )
        return case, case.concern.person, ENQUIRY_STAGES, enquiry_url(case)
    raise Http404("No such record")


def current_desired_outcomes(case: Concern | Enquiry) -> QuerySet[DesiredOutcome]:
    """The adult's current desired outcomes for a concern, or an enquiry
    (including those stated at its concern)."""
    outcomes = DesiredOutcome.objects.filter(status=DesiredOutcome.Status.ACTIVE)
    if isinstance(case, Enquiry):
        outcomes = outcomes.filter(
            Q(enquiry=case) | Q(concern=case.concern, enquiry__isnull=True)
        )
    else:
        outcomes = outcomes.filter(concern=case)
    return outcomes.select_related("category", "revises").order_by("recorded_at", "id")


def _all_desired_outcomes(case: Concern | Enquiry) -> QuerySet[DesiredOutcome]:
    """Every desired outcome for the case, including revised and withdrawn ones."""
    if isinstance(case, Enquiry):
        outcomes = DesiredOutcome.objects.filter(
            Q(enquiry=case) | Q(concern=case.concern, enquiry__isnull=True)
        )
    else:
        outcomes = DesiredOutcome.objects.filter(concern=case)
    return outcomes.select_related("revises", "category").order_by("recorded_at", "id")


def _case_stage(case) -> str:
    if isinstance(case, Enquiry):
        return ENQUIRY_STATUS_STAGE[case.status]
    if case.status == Concern.Status.RECEIVED:
        return codes.Stage.CONCERN
    return codes.Stage.INFORMATION_GATHERING


def _page(
    queryset: QuerySet,
    after: str | None,
    field: str,
    parse,
    descending: bool = False,
    size: int | None = None,
):
    """Keyset pagination on (field, id): never OFFSET."""
    if after:
        try:
            raw_value, raw_id = after.rsplit(",", 1)
            value, last_id = parse(raw_value), int(raw_id)
        except ValueError:
            value = None
        if value is not None:
            op = "lt" if descending else "gt"
            queryset = queryset.filter(
                Q(**{f"{field}__{op}": value})
                | Q(**{field: value, f"id__{op}": last_id})
            )
    order = [f"-{field}", "-id"] if descending else [field, "id"]
    size = size or PAGE_SIZE
    rows = list(queryset.order_by(*order)[: size + 1])
    next_after = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_after = f"{getattr(last, field).isoformat()},{last.id}"
    return rows, next_after


# Work queues ----------------------------------------------------------------------

QUEUES = {
    "mine": "My cases",
    "team": "My team's cases",
    "decision": "Awaiting decision",
    "signoff": "Awaiting sign-off",
}


# The columns a queue shows (a row's link, adult, dates, stage, worker, due
# date): a queue row need not load the whole concern, person and user.
_WORKER_COLUMNS = ("first_name", "last_name", "username")
QUEUE_CONCERN_COLUMNS = (
    "reference",
    "status",
    "received_on",
    "person__given_name",
    "person__family_name",
    *(f"allocated_to__{name}" for name in _WORKER_COLUMNS),
)
QUEUE_ENQUIRY_COLUMNS = (
    "reference",
    "kind",
    "status",
    "started_on",
    "concern__reference",
    "concern__person__given_name",
    "concern__person__family_name",
    *(f"allocated_to__{name}" for name in _WORKER_COLUMNS),
)


def _queue_rows(
    request: HttpRequest, name: str, after: str | None, scales, size: int | None = None
):
    user = request.user
    today = datetime.date.today()
    if name == "decision":
        concerns = visible(
            user,
            Concern.objects.filter(
                status__in=[
                    Concern.Status.RECEIVED,
                    Concern.Status.INFORMATION_GATHERING,
                ]
            )
            .select_related("person", "allocated_to")
            .only(*QUEUE_CONCERN_COLUMNS),
        )
        rows, next_after = _page(
            concerns,
            after,
            "received_on",
            datetime.date.fromisoformat,
            size=size,
        )
        concern_link = url_maker("enquiries:concern_detail")
        for concern in rows:
            concern.due_on = timescales.concern_decision_due(
                concern.received_on, scales
            )
            _set_queue_display(
                concern,
                today,
                url=concern_link(concern.reference),
                adult=concern.person,
                begun_on=concern.received_on,
                stage=concern.get_status_display(),
            )
        return rows, next_after
    enquiries = (
        Enquiry.objects.exclude(status=Enquiry.Status.CLOSED)
        .select_related("concern__person", "allocated_to")
        .only(*QUEUE_ENQUIRY_COLUMNS)
    )
    if name == "mine":
        enquiries = enquiries.filter(allocated_to=user)
    elif name == "signoff":
        enquiries = enquiries.filter(status=Enquiry.Status.CLOSURE_REQUESTED)
    rows, next_after = _page(
        visible(user, enquiries),
        after,
        "started_on",
        datetime.date.fromisoformat,
        size=size,
    )
    enquiry_link = url_maker("enquiries:enquiry_detail")
    for enquiry in rows:
        enquiry.due_on = timescales.enquiry_due(enquiry, scales)
        _set_queue_display(
            enquiry,
            today,
            url=enquiry_link(enquiry.reference),
            adult=enquiry.concern.person,
            begun_on=enquiry.started_on,
            stage=f"{enquiry.get_kind_display()}: "
            f"{enquiry.get_status_display().lower()}",
        )
    return rows, next_after


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun")
_MONTHS += ("Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _short_date(day: datetime.date | None) -> str:
    """``day`` as the queues show it: 7 Mar 2026 (the date filter's "j M Y")."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}" if day else ""


def _set_queue_display(row, today, *, url, adult, begun_on, stage) -> None:
    """What a queue row shows, as text, so the template only prints it."""
    row.url = url
    row.overdue = timescales.is_overdue(row.due_on, today)
    row.adult_name = adult.full_name
    row.begun_text = _short_date(begun_on)
    row.stage_text = stage
    row.worker_text = str(row.allocated_to) if row.allocated_to else "Not allocated"
    row.due_text = _short_date(row.due_on)


def _queue_names(request: HttpRequest) -> list[str]:
    names = ["mine", "team", "decision"]
    if has_role_perm(request.user, "sign_off_closure"):
        names.append("signoff")
    return names


def home(request: HttpRequest) -> HttpResponse:
    if not has_role_perm(request.user, "manage_cases"):
        return render(request, "enquiries/home.html", {"queues": []})
    scales = timescales.load_timescales()
    queues = []
    for name in _queue_names(request):
        rows, more = _queue_rows(request, name, None, scales, size=HOME_ROWS)
        queues.append(
            {"name": name, "title": QUEUES[name], "rows": rows, "see_all": bool(more)}
        )
    return render(request, "enquiries/home.html", {"queues": queues})


def queue(request: HttpRequest, name: str) -> HttpResponse:
    if name not in QUEUES or name not in _queue_names(request):
        raise Http404("No such list")
    if not has_role_perm(request.user, "manage_cases"):
        raise Http404("No such list")
    scales = timescales.load_timescales()
    rows, next_after = _queue_rows(request, name, request.GET.get("after"), scales)
    return render(
        request,
        "enquiries/queue.html",
        {
            "queue": {
                "name": name,
                "title": QUEUES[name],
                "rows": rows,
                "next": next_after,
            }
        },
    )


# People ---------------------------------------------------------------------------


def _writable_teams(user) -> QuerySet[Team]:
    teams = Team.objects.filter(is_active=True)
    if can_see_all_teams(user):
        return teams
    return teams.filter(pk__in=team_ids(user))


def _search_visible(user, people: QuerySet[Person]) -> tuple[list[Person], bool]:
    """The first ``SEARCH_LIMIT`` people the user may see among ``people``,
    by name, and whether there may be more.

    The name match runs alone first (the trigram index on PostgreSQL) and
    gives candidate ids in name order; the access rules are then checked on
    those ids a chunk at a time. Checking them on the whole match at once
    makes PostgreSQL test every match (thousands for a common surname)
    instead of the few it needs. The first look takes one chunk of
    candidates, which is usually enough for a page of results and keeps the
    database's sort small; only if too few of them are visible does a second
    look take the rest, up to ``SEARCH_CANDIDATES``, after the last one seen
    (keyset). Ordering by the upper-cased name keeps the database from
    walking the whole name index to find the matches in order.
    """
    ordered = people.annotate(
        family_key=Upper("family_name"), given_key=Upper("given_name")
    ).order_by("family_key", "given_key", "id")
    results: list[Person] = []
    seen = 0
    wanted = min(SEARCH_CHUNK, SEARCH_CANDIDATES)
    last = None
    while True:
        batch = ordered
        if last is not None:
            family, given, pk = last
            batch = batch.filter(
                Q(family_key__gt=family)
                | Q(family_key=family, given_key__gt=given)
                | Q(family_key=family, given_key=given, id__gt=pk)
            )
        rows = list(batch.values_list("family_key", "given_key", "pk")[: wanted + 1])
        more = len(rows) > wanted
        rows = rows[:wanted]
        seen += len(rows)
        for start in range(0, len(rows), SEARCH_CHUNK):
            chunk = [pk for _family, _given, pk in rows[start : start + SEARCH_CHUNK]]
            found = {
                person.pk: person
                for person in visible(
                    user, Person.objects.filter(pk__in=chunk)
                ).select_related("team")
            }
            results.extend(found[pk] for pk in chunk if pk in found)
            if len(results) > SEARCH_LIMIT:
                return results[:SEARCH_LIMIT], True
        if not more or seen >= SEARCH_CANDIDATES:
            return results, more
        last = rows[-1]
        wanted = SEARCH_CANDIDATES - seen


def person_search(request: HttpRequest) -> HttpResponse:
    require_write(request.user)
    results = restricted = None
    truncated = False
    form = PersonSearchForm(request.GET) if request.GET else PersonSearchForm()
    if request.GET and form.is_valid():
        data = form.cleaned_data
        people = Person.objects.filter(is_archived=False)
        for term in data["name"].split():
            people = people.filter(
                Q(given_name__icontains=term)
                | Q(family_name__icontains=term)
                | Q(preferred_name__icontains=term)
            )
        if data["date_of_birth"]:
            people = people.filter(date_of_birth=data["date_of_birth"])
        if data["nhs_number"]:
            people = people.filter(nhs_number=data["nhs_number"].replace(" ", ""))
        if data["reference"]:
            people = people.filter(reference=data["reference"])
        results, truncated = _search_visible(request.user, people)
        # Restricted records the user may not open: only that they exist.
        restricted = restricted_matches(request.user, people)
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
            matches = services.person_likely_duplicates(
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
                    person = services.person_create(user=request.user, data=data)
                except ValidationError as exc:
                    _form_errors_from(form, exc)
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
    audit.record_view(request, person)
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
            "direct_payment_links": list(links_for_person(request.user, person)),
        },
    )


def _labels(choices, values) -> list[str]:
    lookup = dict(choices.choices)
    return [str(lookup.get(value, value)) for value in values or []]


def person_edit(request: HttpRequest, reference) -> HttpResponse:
    require_write(request.user)
    person = _person(request, reference)
    if request.method == "POST":
        form = _bind(PersonForm, request, instance=Person.objects.get(pk=person.pk))
        if form.is_valid():
            changes = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                services.person_update(
                    user=request.user,
                    person=person,
                    expected_version=form.cleaned_data["version"],
                    changes=changes,
                )
            except EditConflict as conflict:
                form = _conflict_error(form, conflict, request.POST)
            except ValidationError as exc:
                _form_errors_from(form, exc)
            else:
                messages.success(request, "Details saved")
                return redirect(person)
    else:
        form = PersonForm(instance=person, initial={"version": person.version})
    return render(
        request,
        "enquiries/form_page.html",
        {
            "form": form,
            "title": f"Change details for {person}",
            "caption": person.full_name,
            "back_url": person.get_absolute_url(),
        },
    )


def _simple_add(request, reference, form_class, service, title):
    require_write(request.user)
    person = _person(request, reference)
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                service(user=request.user, person=person, data=form.cleaned_data)
            except ValidationError as exc:
                _form_errors_from(form, exc)
            else:
                messages.success(request, "Saved")
                return redirect(person)
    else:
        form = form_class()
    return render(
        request,
        "enquiries/form_page.html",
        {
            "form": form,
            "title": title,
            "caption": person.full_name,
            "back_url": person.get_absolute_url(),
        },
    )


def relationship_add(request: HttpRequest, reference) -> HttpResponse:
    return _simple_add(
        request,
        reference,
        RelationshipForm,
        services.relationship_add,
        "Add a family member, carer, representative or advocate",
    )


def legal_authority_add(request: HttpRequest, reference) -> HttpResponse:
    return _simple_add(
        request,
        reference,
        LegalAuthorityForm,
        services.legal_authority_add,
        "Add a legal authority (LPA, deputy, appointee)",
    )


# Chronology and case notes ---------------------------------------------------------


def chronology(request: HttpRequest, reference) -> HttpResponse:
    person = _person(request, reference)
    kind = request.GET.get("kind", "")
    events = person.chronology.select_related("recorded_by")
    if kind in ChronologyEvent.Kind.values:
        events = events.filter(kind=kind)
    else:
        kind = ""
    rows, next_after = _page(
        events,
        request.GET.get("after"),
        "occurred_at",
        datetime.datetime.fromisoformat,
        descending=True,
    )
    return render(
        request,
        "enquiries/chronology.html",
        {
            "person": person,
            "events": rows,
            "next_after": next_after,
            "kind": kind,
            "kinds": ChronologyEvent.Kind.choices,
            "can_write": has_role_perm(request.user, "manage_cases"),
        },
    )


@require_POST
def chronology_mark(request: HttpRequest, reference, event_id: int) -> HttpResponse:
    require_write(request.user)
    person = _person(request, reference)
    event = person.chronology.filter(pk=event_id).first()
    if event is None:
        raise Http404("No such event")
    services.chronology_mark(
        user=request.user,
        event=event,
        significant=request.POST.get("significant") == "yes",
    )
    return redirect(reverse("enquiries:chronology", args=[person.reference]))


def case_notes(request: HttpRequest, reference) -> HttpResponse:
    person = _person(request, reference)
    if request.method == "POST":
        require_write(request.user)
        form = CaseNoteForm(request.POST)
        if form.is_valid():
            services.case_note_add(
                user=request.user,
                person=person,
                text=form.cleaned_data["text"],
                significant=form.cleaned_data["significant"],
            )
            messages.success(request, "Draft case note saved")
            return redirect(reverse("enquiries:case_notes", args=[person.reference]))
    else:
        form = CaseNoteForm()
    notes, next_after = _page(
        person.case_notes.select_related("created_by"),
        request.GET.get("after"),
        "created_at",
        datetime.datetime.fromisoformat,
        descending=True,
    )
    return render(
        request,
        "enquiries/case_notes.html",
        {
            "person": person,
            "form": form,
            "notes": notes,
            "next_after": next_after,
            "can_write": has_role_perm(request.user, "manage_cases"),
        },
    )


def _note(request, reference, note_id) -> tuple[Person, CaseNote]:
    person = _person(request, reference)
    note = person.case_notes.filter(pk=note_id).first()
    if note is None:
        raise Http404("No such note")
    return person, note


def case_note_edit(request: HttpRequest, reference, note_id: int) -> HttpResponse:
    require_write(request.user)
    person, note = _note(request, reference, note_id)
    if note.is_final:
        messages.info(request, "This case note is final and cannot be changed")
        return redirect(reverse("enquiries:case_notes", args=[person.reference]))
    if request.method == "POST":
        form = _bind(CaseNoteForm, request, instance=note)
        if form.is_valid():
            changes = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                services.case_note_update(
                    user=request.user,
                    note=note,
                    expected_version=form.cleaned_data["version"],
                    changes=changes,
                )
            except EditConflict as conflict:
                form = _conflict_error(form, conflict, request.POST)
            except ValidationError as exc:
                _form_errors_from(form, exc)
            else:
                messages.success(request, "Draft case note saved")
                return redirect(
                    reverse("enquiries:case_notes", args=[person.reference])
                )
    else:
        form = CaseNoteForm(instance=note, initial={"version": note.version})
    return render(
        request,
        "enquiries/form_page.html",
        {
            "form": form,
            "title": "Change a draft case note",
            "caption": person.full_name,
            "back_url": reverse("enquiries:case_notes", args=[person.reference]),
        },
    )


@require_POST
def case_note_finalise(request: HttpRequest, reference, note_id: int) -> HttpResponse:
    require_write(request.user)
    person, note = _note(request, reference, note_id)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        services.case_note_finalise(
            user=request.user, note=note, expected_version=version
        )
    except EditConflict:
        messages.error(
            request,
            "Someone changed this note since you opened the page. "
            "Read it again, then finalise it.",
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Case note finalised: it can no longer be changed")
    return redirect(reverse("enquiries:case_notes", args=[person.reference]))


# Concerns -------------------------------------------------------------------------


def _concern(request, reference) -> Concern:
    return get_visible_or_404(
        request.user,
        Concern.objects.select_related("person", "team", "allocated_to", "decided_by"),
        reference=reference,
    )


def concern_create(request: HttpRequest, reference) -> HttpResponse:
    require_write(request.user)
    person = _person(request, reference)
    if request.method == "POST":
        form = ConcernCreateForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("version", None)
            adult_said = data.pop("adult_said")
            own_words = data.pop("adult_said_own_words")
            try:
                concern = services.concern_create(
                    user=request.user,
                    person=person,
                    data=data,
                    adult_said=adult_said,
                    own_words=own_words,
                )
            except ValidationError as exc:
                _form_errors_from(form, exc)
            else:
                messages.success(request, "Concern recorded. Now record the risks")
                return redirect(reverse("enquiries:risk_add", args=[concern.reference]))
    else:
        form = ConcernCreateForm(initial={"received_on": datetime.date.today()})
    return render(
        request,
        "enquiries/form_page.html",
        {
            "form": form,
            "title": "Record a concern",
            "caption": person.full_name,
            "back_url": person.get_absolute_url(),
            "exit_this_page": False,
        },
    )


def concern_detail(request: HttpRequest, reference) -> HttpResponse:
    concern = _concern(request, reference)
    audit.record_view(request, concern)
    views = list(
        concern.views.select_related("recorded_by", "superseded_by").order_by(
            "recorded_at", "id"
        )
    )
    enquiries = [(e, enquiry_url(e)) for e in concern.enquiries.all()]
    decision_due = timescales.concern_decision_due(
        concern.received_on, timescales.load_timescales()
    )
    return render(
        request,
        "enquiries/concern_detail.html",
        {
            "concern": concern,
            "person": concern.person,
            "risks": concern.risks.filter(enquiry__isnull=True).select_related(
                "subtype", "source_organisation"
            ),
            "views": views,
            "views_recorded": services.concern_views_recorded(concern),
            "desired_outcomes": current_desired_outcomes(concern),
            "consents": concern.consent_decisions.select_related(
                "override_confirmed_by"
            ),
            "enquiries": enquiries,
            "can_write": has_role_perm(request.user, "manage_cases"),
            "decision_due": decision_due,
            "decision_overdue": timescales.is_overdue(decision_due),
        },
    )


def concern_edit(request: HttpRequest, reference) -> HttpResponse:
    require_write(request.user)
    concern = _concern(request, reference)
    if request.method == "POST":
        form = _bind(ConcernForm, request, instance=Concern.objects.get(pk=concern.pk))
        if form.is_valid():
            changes = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                services.concern_update(
                    user=request.user,
                    concern=concern,
                    expected_version=form.cleaned_data["version"],
                    changes=changes,
                )
            except EditConflict as conflict:
                form = _conflict_error(form, conflict, request.POST)
            except ValidationError as exc:
                _form_errors_from(form, exc)
            else:
                messages.success(request, "Concern saved")
                return redirect(concern)
    else:
        form = ConcernForm(instance=concern, initial={"version": concern.version})
    return render(
        request,
        "enquiries/form_page.html",
        {
            "form": form,
            "title": "Change the concern",
            "caption": concern.person.full_name,
            "back_url": concern.get_absolute_url(),
            "desired_outcomes": current_desired_outcomes(concern),
        },
    )


def risk_add(request: HttpRequest, reference) -> HttpResponse:
    require_write(request.user)
    concern = _concern(request, reference)
    if request.method == "POST":
        form = RiskForm(request.POST)
        if form.is_valid():
            try:
                services.risk_add(
                    user=request.user, concern=concern, data=form.cleaned_data
                )
            except ValidationError as exc:
                _form_errors_from(form, exc)
            else:
                messages.success(request, "Risk recorded")
                if "add_another" in request.POST:
                    return redirect(
                        reverse("enquiries:risk_add", args=[concern.reference])
                    )
                return redirect(concern)
    else:
        form = RiskForm()
    risks = concern.risks.filter(enquiry__isnull=True)
    return render(
        request,
        "enquiries/risk_form.html",
        {
            "form": form,
            "concern": concern,
            "risks": risks,
            "title": "Add an alleged risk",
            "caption": concern.person.full_name,
            "back_url": concern.get_absolute_url(),
            "desired_outcomes": current_desired_outcomes(concern),
        },
    )


def _versioned_concern_page(request, reference, form_class, service, title, intro):
    require_write(request.user)
    concern = _concern(request, reference)
    if concern.decision:
        messages.info(request, "This concern has already been decided")
        return redirect(concern)
    if request.method == "POST":
        form = _bind(form_class, request, instance=Concern.objects.get(pk=concern.pk))
        if form.is_valid():
            changes = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                service(
                    user=request.user,
                    concern=concern,
                    expected_version=form.cleaned_data["version"],
                    changes=changes,
                )
            except EditConflict as conflict:
                form = _conflict_error(form, conflict, request.POST)
            except ValidationError as exc:
                _form_errors_from(form, exc)
            else:
                messages.success(request, "Saved")
                return redirect(concern)
    else:
        form = form_class(instance=concern, initial={"version": concern.version})
    return render(
        request,
        "enquiries/form_page.html",
        {
            "form": form,
            "title": title,
            "intro": intro,
            "caption": concern.person.full_name,
            "back_url": concern.get_absolute_url(),
            "desired_outcomes": current_desired_outcomes(concern),
            "concern": concern,
        },
    )


def concern_test(request: HttpRequest, reference) -> HttpResponse:
    return _versioned_concern_page(
        request,
        reference,
        ThreePartTestForm,
        services.concern_test_record,
        "Information gathering: the section 42 three-part test",
        "Judge each part separately and give your reasons. A section 42 enquiry "
        "needs all three.",
    )


def concern_decision(request: HttpRequest, reference) -> HttpResponse:
    require_write(request.user)
    concern = _concern(request, reference)
    parts = [
        ("needs for care and support", concern.get_criterion_care_needs_display()),
        ("abuse or neglect", concern.get_criterion_abuse_display()),
        (
            "unable to protect themselves",
            concern.get_criterion_unable_to_protect_display(),
        ),
    ]
    intro = "Three-part test: " + "; ".join(
        f"{name}: {str(answer or 'not recorded').lower()}" for name, answer in parts
    )
    intro += ". This is a public-law decision: give your reasons."
    if not services.concern_views_recorded(concern):
        intro += (
            " The adult's views, or why they could not be obtained, must be "
            "recorded before you can decide."
        )
    return _versioned_concern_page(
        request,
        reference,
        DecisionForm,
        services.concern_decide,
        "Decide what happens next",
        intro,
    )


# The adult's views, desired outcomes and consent (for a concern or an enquiry) -----


def _case_context(case, person, back_url, case_type):
    return {
        "case": case,
        "case_type": case_type,
        "person": person,
        "caption": person.full_name,
        "back_url": back_url,
        "desired_outcomes": current_desired_outcomes(case),
    }


def view_list(request: HttpRequest, case_type: str, reference) -> HttpResponse:
    case, person, _stages, back_url = _get_case(request, case_type, reference)
    views = case.views.select_related("recorded_by", "superseded_by").order_by(
        "recorded_at", "id"
    )
    return render(
        request,
        "enquiries/views_list.html",
        {
            **_case_context(case, person, back_url, case_type),
            "views": views,
            "can_write": has_role_perm(request.user, "manage_cases"),
        },
    )


def view_add(request: HttpRequest, case_type: str, reference) -> HttpResponse:
    require_write(request.user)
    case, person, stages, back_url = _get_case(request, case_type, reference)
    if request.method == "POST":
        form = PersonViewForm(request.POST, stages=stages)
        if form.is_valid():
            try:
                services.view_record(
                    user=request.user, case=case, data=form.cleaned_data
                )
            except ValidationError as exc:
                _form_errors_from(form, exc)
            else:
                messages.success(request, "The adult's views have been recorded")
                return redirect(
                    _next_or(
                        request,
                        reverse(
                            "enquiries:view_list", args=[case_type, case.reference]
                        ),
                    )
                )
    else:
        stage = request.GET.get("stage")
        form = PersonViewForm(
            stages=stages,
            initial={"stage": stage if stage in stages else _case_stage(case)},
        )
    return render(
        request,
        "enquiries/form_page.html",
        {
            **_case_context(case, person, back_url, case_type),
            "form": form,
            "title": "Record the adult's views",
            "intro": "Use their own words where you can. If their views could not "
            "be obtained, choose that and say why.",
        },
    )


def view_correct(
    request: HttpRequest, case_type: str, reference, view_id: int
) -> HttpResponse:
    require_write(request.user)
    case, person, stages, back_url = _get_case(request, case_type, reference)
    original = case.views.filter(pk=view_id).first()
    if original is None:
        raise Http404("No such entry")
    if request.method == "POST":
        form = PersonViewCorrectionForm(request.POST, stages=stages)
        if form.is_valid():
            data = dict(form.cleaned_data)
            reason = data.pop("correction_reason")
            try:
                services.view_record(
                    user=request.user,
                    case=case,
                    data=data,
                    supersedes=original,
                    correction_reason=reason,
                )
            except ValidationError as exc:
                _form_errors_from(form, exc)
            else:
                messages.success(request, "Correction saved. The earlier entry is kept")
                return redirect(
                    _next_or(
                        request,
                        reverse(
                            "enquiries:view_list", args=[case_type, case.reference]
                        ),
                    )
                )
    else:
        form = PersonViewCorrectionForm(
            stages=stages,
            initial={
                name: getattr(original, name) for name in PersonViewForm.Meta.fields
            },
        )
    return render(
        request,
        "enquiries/form_page.html",
        {
            **_case_context(case, person, back_url, case_type),
            "form": form,
            "title": "Correct an entry of the adult's views",
            "intro": "The earlier entry is kept and shown as superseded.",
        },
    )


def desired_outcomes(request: HttpRequest, case_type: str, reference) -> HttpResponse:
    case, person, _stages, back_url = _get_case(request, case_type, reference)
    asked_form = None
    if isinstance(case, Enquiry):
        if request.method == "POST":
            require_write(request.user)
            asked_form = _bind(AskedOutcomesForm, request)
            if asked_form.is_valid():
                try:
                    services.enquiry_asked_outcomes(
                        user=request.user,
                        enquiry=case,
                        expected_version=asked_form.cleaned_data["version"],
                        answer=asked_form.cleaned_data["asked_desired_outcomes"],
                    )
                except EditConflict as conflict:
                    asked_form = _conflict_error(asked_form, conflict, request.POST)
                except ValidationError as exc:
                    _form_errors_from(asked_form, exc)
                else:
                    messages.success(request, "Answer saved")
                    return redirect(request.path)
        else:
            asked_form = AskedOutcomesForm(
                initial={
                    "version": case.version,
                    "asked_desired_outcomes": case.asked_desired_outcomes,
                }
            )
    elif request.method == "POST":
        raise Http404("Nothing to save here")
    history = _all_desired_outcomes(case)
    return render(
        request,
        "enquiries/desired_outcomes.html",
        {
            **_case_context(case, person, back_url, case_type),
            "history": history,
            "form": asked_form,
            "can_write": has_role_perm(request.user, "manage_cases"),
        },
    )


def desired_outcome_add(
    request: HttpRequest, case_type: str, reference
) -> HttpResponse:
    require_write(request.user)
    case, person, stages, back_url = _get_case(request, case_type, reference)
    if request.method == "POST":
        form = DesiredOutcomeForm(request.POST, stages=stages)
        if form.is_valid():
            try:
                services.desired_outcome_add(
                    user=request.user, case=case, data=form.cleaned_data
                )
            except ValidationError as exc:
                _form_errors_from(form, exc)
            else:
                messages.success(request, "Desired outcome recorded")
                return redirect(
                    _next_or(
                        request,
                        reverse(
                            "enquiries:desired_outcomes",
                            args=[case_type, case.reference],
                        ),
                    )
                )
    else:
        form = DesiredOutcomeForm(stages=stages, initial={"stage": _case_stage(case)})
    return render(
        request,
        "enquiries/form_page.html",
        {
            **_case_context(case, person, back_url, case_type),
            "form": form,
            "title": "What does the adult want to happen?",
            "intro": "Write it in their own words.",
        },
    )


def _outcome(case, outcome_id) -> DesiredOutcome:
    outcome = current_desired_outcomes(case).filter(pk=outcome_id).first()
    if outcome is None:
        raise Http404("No such current outcome")
    return outcome


def desired_outcome_revise(
    request: HttpRequest, case_type: str, reference, outcome_id: int
) -> HttpResponse:
    require_write(request.user)
    case, person, stages, back_url = _get_case(request, case_type, reference)
    outcome = _outcome(case, outcome_id)
    if request.method == "POST":
        form = DesiredOutcomeReviseForm(request.POST, stages=stages)
        if form.is_valid():
            try:
                services.desired_outcome_revise(
                    user=request.user,
                    outcome=outcome,
                    text=form.cleaned_data["text"],
                    reason=form.cleaned_data["reason"],
                    stage=form.cleaned_data["stage"],
                    enquiry=case if isinstance(case, Enquiry) else None,
                )
            except ValidationError as exc:
                _form_errors_from(form, exc)
            else:
                messages.success(request, "Desired outcome revised. History is kept")
                return redirect(
                    _next_or(
                        request,
                        reverse(
                            "enquiries:desired_outcomes",
                            args=[case_type, case.reference],
                        ),
                    )
                )
    else:
        form = DesiredOutcomeReviseForm(
            stages=stages, initial={"text": outcome.text, "stage": _case_stage(case)}
        )
    return render(
        request,
        "enquiries/form_page.html",
        {
            **_case_context(case, person, back_url, case_type),
            "form": form,
            "title": "Revise a desired outcome",
            "intro": f"Currently: “{outcome.text}”",
        },
    )


def desired_outcome_withdraw(
    request: HttpRequest, case_type: str, reference, outcome_id: int
) -> HttpResponse:
    require_write(request.user)
    case, person, _stages, back_url = _get_case(request, case_type, reference)
    outcome = _outcome(case, outcome_id)
    if request.method == "POST":
        form = DesiredOutcomeWithdrawForm(request.POST)
        if form.is_valid():
            try:
                services.desired_outcome_withdraw(
                    user=request.user,
                    outcome=outcome,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                _form_errors_from(form, exc)
            else:
                messages.success(request, "Desired outcome withdrawn")
                return redirect(
                    _next_or(
                        request,
                        reverse(
                            "enquiries:desired_outcomes",
                            args=[case_type, case.reference],
                        ),
                    )
                )
    else:
        form = DesiredOutcomeWithdrawForm()
    return render(
        request,
        "enquiries/form_page.html",
        {
            **_case_context(case, person, back_url, case_type),
            "form": form,
            "title": "Withdraw a desired outcome",
            "intro": f"“{outcome.text}”",
        },
    )


def consent_list(request: HttpRequest, case_type: str, reference) -> HttpResponse:
    case, person, _stages, back_url = _get_case(request, case_type, reference)
    consents = case.consent_decisions.select_related(
        "recorded_by", "override_confirmed_by"
    )
    return render(
        request,
        "enquiries/consent_list.html",
        {
            **_case_context(case, person, back_url, case_type),
            "consents": consents,
            "can_write": has_role_perm(request.user, "manage_cases"),
        },
    )


def consent_add(request: HttpRequest, case_type: str, reference) -> HttpResponse:
    require_write(request.user)
    case, person, _stages, back_url = _get_case(request, case_type, reference)
    if request.method == "POST":
        form = ConsentForm(request.POST)
        if form.is_valid():
            try:
                consent = services.consent_record(
                    user=request.user, case=case, data=form.cleaned_data
                )
            except ValidationError as exc:
                _form_errors_from(form, exc)
            else:
                if consent.overridden:
                    messages.success(
                        request,
                        "Saved. The override needs a second person to confirm it",
                    )
                else:
                    messages.success(request, "Consent decision recorded")
                return redirect(
                    _next_or(
                        request,
                        reverse(
                            "enquiries:consent_list", args=[case_type, case.reference]
                        ),
                    )
                )
    else:
        form = ConsentForm()
    return render(
        request,
        "enquiries/form_page.html",
        {
            **_case_context(case, person, back_url, case_type),
            "form": form,
            "title": "Record a consent decision",
            "intro": "Overriding the adult's decision needs grounds, reasons and a "
            "second person's confirmation.",
        },
    )


def consent_confirm(
    request: HttpRequest, case_type: str, reference, consent_id: int
) -> HttpResponse:
    require_write(request.user)
    case, person, _stages, back_url = _get_case(request, case_type, reference)
    consent = (
        case.consent_decisions.select_related("recorded_by")
        .filter(pk=consent_id, overridden=True)
        .first()
    )
    if consent is None:
        raise Http404("No such override")
    if request.method == "POST":
        form = ConfirmOverrideForm(request.POST)
        if form.is_valid():
            try:
                services.consent_confirm_override(user=request.user, consent=consent)
            except ValidationError as exc:
                _form_errors_from(form, exc)
            else:
                messages.success(request, "Override confirmed")
                return redirect(
                    _next_or(
                        request,
                        reverse(
                            "enquiries:consent_list", args=[case_type, case.reference]
                        ),
                    )
                )
    else:
        form = ConfirmOverrideForm()
    grounds = _labels(ConsentDecision.OverrideGround, consent.override_grounds)
    return render(
        request,
        "enquiries/consent_confirm.html",
        {
            **_case_context(case, person, back_url, case_type),
            "form": form,
            "consent": consent,
            "grounds": grounds,
            "same_person": consent.recorded_by_id == request.user.pk,
        },
    )
