"""A person's chronology and case notes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from enquiries.forms.voice import CaseNoteForm
from enquiries.models import (
    CaseNote,
    ChronologyEvent,
    Person,
)
from enquiries.services import people as services
from enquiries.views.common import form_page
from enquiries.views.people import _person
from msp import editing, paging
from msp.access import (
    require_write,
)
from msp.concurrency import EditConflict
from msp.roles import has_role_perm

PAGE_SIZE = 25


# Chronology and case notes ---------------------------------------------------------


def chronology(request: HttpRequest, reference) -> HttpResponse:
    person = _person(request, reference)
    kind = request.GET.get("kind", "")
    events = person.chronology.select_related("recorded_by")
    if kind in ChronologyEvent.Kind.values:
        events = events.filter(kind=kind)
    else:
        kind = ""
    page = paging.keyset_page(
        events,
        after=request.GET.get("after"),
        key="occurred_at",
        descending=True,
        size=PAGE_SIZE,
    )
    rows, next_after = page.rows, page.next_cursor
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
    services.mark_chronology_event(
        user=request.user,
        event=event,
        significant=request.POST.get("significant") == "yes",
    )
    return redirect(reverse("enquiries:chronology", args=[person.reference]))


def case_notes(request: HttpRequest, reference) -> HttpResponse:
    person = _person(request, reference)
    if request.method == "POST":
        require_write(request.user)
    form = CaseNoteForm(editing.bound_data(request))
    if editing.submit(
        request,
        form,
        lambda: services.add_case_note(
            user=request.user,
            person=person,
            text=form.cleaned_data["text"],
            significant=form.cleaned_data["significant"],
        ),
        success="Draft case note saved",
    ):
        return redirect(reverse("enquiries:case_notes", args=[person.reference]))
    page = paging.keyset_page(
        person.case_notes.select_related("created_by"),
        after=request.GET.get("after"),
        key="created_at",
        descending=True,
        size=PAGE_SIZE,
    )
    notes, next_after = page.rows, page.next_cursor
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
    notes_url = reverse("enquiries:case_notes", args=[person.reference])
    form = CaseNoteForm(editing.bound_data(request), instance=note)
    return editing.edit_page(
        request,
        form,
        lambda: services.change_case_note(
            user=request.user,
            note=note,
            expected_version=form.cleaned_data["version"],
            changes=editing.changes(form),
        ),
        success="Draft case note saved",
        done=notes_url,
        page=lambda: form_page(
            request,
            form,
            title="Change a draft case note",
            caption=person.full_name,
            back_url=notes_url,
        ),
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
        services.finalise_case_note(
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
