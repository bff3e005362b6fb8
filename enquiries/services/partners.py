"""Writing partner records: the organisation directory, involved agencies,
requests to partners (s42(2) caused enquiries), the information-sharing log
and s45 requests.

Every function checks the user may change case records, validates with
``full_clean()``, and writes the audit line and the adult's chronology in the
same transaction. Nothing is deleted: records are withdrawn with a reason.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from enquiries import chronology, timescales
from enquiries.models import (
    CausedEnquiry,
    ChronologyEvent,
    Concern,
    Enquiry,
    InformationShare,
    InvolvedAgency,
    Organisation,
    S45Request,
    StageTimescale,
    event_date_problem,
    outstanding_requests,
)
from enquiries.models.reference import name_key, postcode_key
from msp import audit
from msp.access import require_write
from msp.concurrency import save_changes

Kind = ChronologyEvent.Kind


def _open(enquiry: Enquiry | None) -> None:
    if enquiry is not None and not enquiry.is_open:
        raise ValidationError("This enquiry is closed, so it cannot be changed.")


def _note(user, record, summary: str, happened_on=None) -> None:
    enquiry = record.enquiry
    concern = record.concern
    chronology.add(
        person=concern.person,
        kind=Kind.ENQUIRY,
        summary=summary,
        user=user,
        link=(enquiry or concern).get_absolute_url(),
        happened_on=happened_on,
    )


def _event_date(record, field: str, day, what: str) -> None:
    if day is None:
        return
    problem = event_date_problem(
        day,
        received_on=record.concern.received_on,
        died_on=record.concern.person.date_of_death,
        what=what,
    )
    if problem:
        raise ValidationError({field: problem})


def _no_future_day(field: str, day, what: str) -> None:
    """Refuse a day after today for something that has already happened."""
    if day and (problem := event_date_problem(day, what=what)):
        raise ValidationError({field: problem})


def _add(user, instance: models.Model, summary: str, happened_on=None):
    require_write(user)
    instance.created_by = user
    instance.updated_by = user
    instance.full_clean()
    with transaction.atomic():
        instance.save()
        audit.record(
            actor=user,
            action="create",
            obj=instance,
            summary=summary,
            changes=audit.snapshot(instance),
        )
        _note(user, instance, summary, happened_on)
    return instance


def _change(user, instance, expected_version, changes: dict, summary: str):
    require_write(user)
    with transaction.atomic():
        saved = save_changes(
            user=user,
            instance=instance,
            expected_version=expected_version,
            changes=changes,
            summary=summary,
        )
        _note(user, instance, summary)
    return saved


def _withdraw(user, instance, expected_version, reason: str, summary: str):
    if not (reason or "").strip():
        raise ValidationError({"reason": "Enter why it is being withdrawn"})
    if instance.withdrawn_at is not None:
        raise ValidationError("This has already been withdrawn.")
    _open(instance.enquiry)
    return _change(
        user,
        instance,
        expected_version,
        {
            "withdrawn_at": timezone.now(),
            "withdrawn_by": user,
            "withdrawn_reason": reason.strip(),
        },
        summary,
    )


# The organisation directory ------------------------------------------------


def likely_duplicates(name: str, postcode: str) -> list[Organisation]:
    """Organisations with the same name (ignoring case and spacing) and the
    same postcode, or with no postcode on one side to tell them apart."""
    wanted = name_key(name)
    if not wanted:
        return []
    code = postcode_key(postcode)
    found = Organisation.objects.filter(
        match_key__startswith=f"{wanted}|", is_active=True
    ).order_by("name", "pk")
    return [
        org
        for org in found
        if org.match_key == f"{wanted}|{code}"
        or not code
        or org.match_key.endswith("|")
    ]


def add_organisation(
    *, user, data: dict[str, Any], allow_duplicate: bool = False
) -> Organisation:
    """Add an organisation to the directory (any practitioner may).

    A likely duplicate refuses the add unless ``allow_duplicate`` (the
    practitioner saw the match and said it is a different organisation).
    """
    require_write(user)
    organisation = Organisation(**data, created_by=user, updated_by=user)
    organisation.name = " ".join(organisation.name.split())
    organisation.postcode = " ".join(organisation.postcode.upper().split())
    organisation.full_clean()
    if not allow_duplicate and likely_duplicates(
        organisation.name, organisation.postcode
    ):
        raise ValidationError(
            {"name": "An organisation with this name and postcode is already listed"}
        )
    with transaction.atomic():
        organisation.save()
        audit.record(
            actor=user,
            action="create",
            obj=organisation,
            summary=f"Organisation added to the directory: {organisation.label}"
            + (" (after a possible duplicate was shown)" if allow_duplicate else ""),
            changes=audit.snapshot(organisation),
        )
    return organisation


# Involved agencies -----------------------------------------------------------


def add_agency(*, user, enquiry: Enquiry, data: dict[str, Any]) -> InvolvedAgency:
    _open(enquiry)
    return _add_agency(
        user, InvolvedAgency(enquiry=enquiry, concern=enquiry.concern, **data)
    )


def _add_agency(user, agency: InvolvedAgency) -> InvolvedAgency:
    """A new involved agency, on an enquiry or on a concern before one."""
    _event_date(agency, "involved_from", agency.involved_from, "The date involved")
    return _add(
        user,
        agency,
        f"{agency.organisation} involved: {agency.get_role_display().lower()}",
        agency.involved_from,
    )


def change_agency(
    *, user, agency: InvolvedAgency, expected_version, data: dict[str, Any]
) -> InvolvedAgency:
    _open(agency.enquiry)
    if agency.is_withdrawn:
        raise ValidationError("This agency was withdrawn from the case.")
    _event_date(agency, "involved_from", data.get("involved_from"), "The date involved")
    return _change(
        user,
        agency,
        expected_version,
        data,
        f"Involved agency {agency.organisation} changed",
    )


def withdraw_agency(*, user, agency: InvolvedAgency, expected_version, reason: str):
    return _withdraw(
        user,
        agency,
        expected_version,
        reason,
        f"Involved agency {agency.organisation} withdrawn: {reason}",
    )


# Requests to partners (s42(2) caused enquiries) ------------------------------


def due_after(requested_on: datetime.date, working_days: int) -> datetime.date:
    """The day a response is due: ``working_days`` after the request,
    skipping weekends and England bank holidays."""
    return timescales.add_working_days(requested_on, working_days)


def default_working_days() -> int:
    return timescales.load_timescales()[StageTimescale.Step.CAUSED_REPORT]


def ask_partner(*, user, enquiry: Enquiry, data: dict[str, Any]) -> CausedEnquiry:
    _open(enquiry)
    data = dict(data)
    days = data.get("working_days")
    if not days or days < 1:
        raise ValidationError({"working_days": "Give at least 1 working day"})
    data["due_on"] = due_after(data["requested_on"], days)
    request = CausedEnquiry(enquiry=enquiry, **data)
    problem = event_date_problem(
        request.requested_on,
        received_on=enquiry.concern.received_on,
        what="The date of the request",
    )
    if problem:
        raise ValidationError({"requested_on": problem})
    require_write(user)
    request.created_by = user
    request.updated_by = user
    request.full_clean()
    summary = (
        f"{request.organisation} asked to make enquiries: response due "
        f"{request.due_on:%-d %B %Y} ({days} working days)"
    )
    with transaction.atomic():
        request.save()
        audit.record(
            actor=user,
            action="create",
            obj=request,
            summary=summary,
            changes=audit.snapshot(request),
        )
        chronology.add(
            person=enquiry.concern.person,
            kind=Kind.ENQUIRY,
            summary=summary,
            user=user,
            link=enquiry.get_absolute_url(),
            happened_on=request.requested_on,
        )
    return request


def _request_change(user, request: CausedEnquiry, expected_version, data, summary):
    enquiry = request.enquiry
    _open(enquiry)
    require_write(user)
    with transaction.atomic():
        saved = save_changes(
            user=user,
            instance=request,
            expected_version=expected_version,
            changes=data,
            summary=summary,
        )
        chronology.add(
            person=enquiry.concern.person,
            kind=Kind.ENQUIRY,
            summary=summary,
            user=user,
            link=enquiry.get_absolute_url(),
        )
    return saved


def record_partner_response(*, user, request: CausedEnquiry, expected_version, data):
    if request.closed_on:
        raise ValidationError("This request is closed.")
    _no_future_day(
        "report_received_on", data.get("report_received_on"), "The date received"
    )
    return _request_change(
        user,
        request,
        expected_version,
        data,
        f"Response from {request.organisation} recorded",
    )


def chase_partner(*, user, request: CausedEnquiry, expected_version, chased_on):
    if not request.is_outstanding:
        raise ValidationError("Only a request still awaiting a response can be chased.")
    _no_future_day("chased_on", chased_on, "The date chased")
    return _request_change(
        user,
        request,
        expected_version,
        {"chased_on": chased_on, "chase_count": request.chase_count + 1},
        f"{request.organisation} chased for their response ({chased_on:%-d %B %Y})",
    )


def close_partner_request(*, user, request: CausedEnquiry, expected_version, data):
    # Read from the database: a model form has already put the typed date on
    # the instance.
    if CausedEnquiry.objects.filter(pk=request.pk, closed_on__isnull=False).exists():
        raise ValidationError("This request is already closed.")
    _no_future_day("closed_on", data.get("closed_on"), "The date closed")
    return _request_change(
        user,
        request,
        expected_version,
        data,
        f"Request to {request.organisation} closed",
    )


def outstanding_for(enquiry: Enquiry):
    return outstanding_requests().filter(enquiry=enquiry).select_related("organisation")


def note_open_requests_at_closure(*, user, enquiry: Enquiry, reason: str) -> int:
    """Closure asked for while requests to partners are still open: the reason
    is required and kept on each open request (and in the audit trail)."""
    open_requests = list(outstanding_for(enquiry))
    if not open_requests:
        return 0
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {
                "open_requests_reason": "Enter why the enquiry can close while a "
                "request to a partner is still awaiting a response"
            }
        )
    for request in open_requests:
        before = audit.snapshot(request)
        request.open_at_closure_reason = reason
        request.version += 1
        request.updated_by = user
        request.save(
            update_fields=[
                "open_at_closure_reason",
                "version",
                "updated_by",
                "updated_at",
            ]
        )
        audit.record(
            actor=user,
            action="change",
            obj=request,
            summary=f"Closure asked for with the request to {request.organisation} "
            f"still open: {reason}",
            changes=audit.diff(before, audit.snapshot(request)),
        )
    return len(open_requests)


# On the concern, before an enquiry ----------------------------------------------


def _concern_open(concern: Concern) -> None:
    """Agencies and shares can be recorded on a concern until it is closed or
    an enquiry starts (then they are recorded on the enquiry)."""
    if concern.status == Concern.Status.CLOSED:
        raise ValidationError("This concern is closed, so it cannot be changed.")
    if Enquiry.objects.filter(concern=concern).exists():
        raise ValidationError(
            "An enquiry has started: record this on the enquiry's partners page."
        )


def add_concern_agency(
    *, user, concern: Concern, data: dict[str, Any]
) -> InvolvedAgency:
    _concern_open(concern)
    return _add_agency(user, InvolvedAgency(concern=concern, enquiry=None, **data))


def record_concern_share(
    *, user, concern: Concern, data: dict[str, Any]
) -> InformationShare:
    _concern_open(concern)
    return _add_share(user, InformationShare(concern=concern, enquiry=None, **data))


# The information-sharing log --------------------------------------------------


def record_share(*, user, enquiry: Enquiry, data: dict[str, Any]) -> InformationShare:
    _open(enquiry)
    return _add_share(
        user, InformationShare(enquiry=enquiry, concern=enquiry.concern, **data)
    )


def _add_share(user, share: InformationShare) -> InformationShare:
    """A new entry in the sharing log, on an enquiry or on a concern before one."""
    if share.s45_request_id and share.s45_request.concern_id != share.concern_id:
        raise ValidationError({"s45_request": "Select a request on this case"})
    _event_date(share, "shared_on", share.shared_on, "The date it was shared")
    way = "to" if share.direction == InformationShare.Direction.OUT else "from"
    return _add(
        user,
        share,
        f"Information shared {way} {share.organisation} "
        f"({share.get_lawful_basis_display().lower()})",
        share.shared_on,
    )


def withdraw_share(*, user, share: InformationShare, expected_version, reason: str):
    return _withdraw(
        user,
        share,
        expected_version,
        reason,
        f"Information-sharing entry ({share.organisation}) withdrawn: {reason}",
    )


# Section 45 requests -----------------------------------------------------------


def record_s45_request(*, user, enquiry: Enquiry, data: dict[str, Any]) -> S45Request:
    _open(enquiry)
    request = S45Request(enquiry=enquiry, concern=enquiry.concern, **data)
    _event_date(
        request, "requested_on", request.requested_on, "The date of the request"
    )
    way = "from" if request.direction == S45Request.Direction.RECEIVED else "to"
    return _add(
        user,
        request,
        f"Section 45 request {way} {request.organisation} recorded "
        f"(deadline {request.due_on:%-d %B %Y})",
        request.requested_on,
    )


def withdraw_s45_request(*, user, request: S45Request, expected_version, reason: str):
    if request.shares.filter(withdrawn_at__isnull=True).exists():
        raise ValidationError(
            "A share answering this request is on the record: withdraw it first."
        )
    return _withdraw(
        user,
        request,
        expected_version,
        reason,
        f"Section 45 request ({request.organisation}) withdrawn: {reason}",
    )


def decide_s45_request(
    *, user, request: S45Request, expected_version, data: dict[str, Any]
):
    _open(request.enquiry)
    if request.is_withdrawn:
        raise ValidationError("This request was withdrawn.")
    _no_future_day("decided_on", data.get("decided_on"), "The date of the decision")
    label = dict(S45Request.Decision.choices).get(data.get("decision"), "")
    return _change(
        user,
        request,
        expected_version,
        data,
        f"Section 45 request ({request.organisation}): {label.lower()}",
    )
