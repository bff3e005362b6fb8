"""Writes for online concerns: receiving them, converting them, closing them.

Each write runs in one transaction with its audit line (and, once there is
an adult, a chronology entry). Converting and closing lock the submission
row first, so a double click or two practitioners at once cannot convert the
same submission twice.
"""

from __future__ import annotations

import logging
import secrets

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch
from django.utils import timezone

from enquiries import codes, notices
from enquiries.models import (
    Concern,
    Person,
    PublicSubmission,
)
from enquiries.services.people import (
    add_desired_outcome,
    create_person,
    record_concern,
    record_views,
)
from msp import audit
from msp.models import Team

logger = logging.getLogger(__name__)

# No 0/O, 1/I/L, 5/S or 2/Z: easy to read out over the phone.
REFERENCE_ALPHABET = "346789ABCDEFGHJKMNPQRTUVWXY"

REFERRER_TYPES = {
    "self": Concern.ReferrerType.SELF,
    "family": Concern.ReferrerType.FAMILY,
    "friend": Concern.ReferrerType.FRIEND,
    "public": Concern.ReferrerType.PUBLIC,
    "professional": Concern.ReferrerType.OTHER_AGENCY,
}
ADULT_AWARE = {
    "yes": Concern.Aware.YES,
    "no": Concern.Aware.NO,
    "unknown": Concern.Aware.UNKNOWN,
}


class AlreadyHandled(Exception):
    """The submission was converted or closed already (e.g. a double submit)."""

    def __init__(self, submission: PublicSubmission):
        super().__init__(f"{submission} is already {submission.get_status_display()}")
        self.submission = submission


def make_reference_code() -> str:
    """A short reference like 'SG-7K4P9Q', from unambiguous characters."""
    return "SG-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


def route(answers: dict) -> tuple[str, Team | None]:
    """The area the referrer gave, and the team covering it (or None)."""
    postcode = (answers.get("postcode") or "").strip().upper()
    district = postcode.split(" ")[0] if postcode else ""
    town = (answers.get("town") or "").strip()
    candidates = [value for value in (district, town) if value]
    teams = list(Team.objects.filter(is_active=True).order_by("name"))
    for value in candidates:
        for team in teams:
            if team.covers_area(value):
                return value, team
    return (candidates[0] if candidates else ""), None


def receive_submission(*, answers: dict) -> PublicSubmission:
    """Save what a member of the public sent, exactly as sent, routed to a team."""
    area, team = route(answers)
    for _attempt in range(10):
        submission = PublicSubmission(
            reference=make_reference_code(), answers=answers, area=area[:100], team=team
        )
        try:
            with transaction.atomic():
                submission.full_clean()
                submission.save()
                audit.record(
                    actor=None,
                    action="create",
                    obj=submission,
                    summary=(
                        f"Online concern received, routed to {team}"
                        if team
                        else "Online concern received, not routed to a team"
                    ),
                )
                notices.online_concern_arrived(submission)
            return submission
        except (IntegrityError, ValidationError) as exc:
            if not PublicSubmission.objects.filter(
                reference=submission.reference
            ).exists():
                raise
            logger.info("Reference clash, trying another: %s", exc)
    raise RuntimeError("Could not find a free reference")


def send_referrer_confirmation(submission: PublicSubmission) -> bool:
    """Email only the reference, and only if the referrer said email is safe."""
    answers = submission.answers
    email = answers.get("email")
    if not (email and answers.get("safe_to_email") and answers.get("contact") == "yes"):
        return False
    try:
        send_mail(
            subject=f"Your safeguarding concern reference: {submission.reference}",
            message=(
                "Thank you for telling us you are worried about someone.\n\n"
                f"Your reference is {submission.reference}.\n\n"
                "Quote this reference if you contact us about the concern. "
                "For everyone's safety this email does not include any details.\n\n"
                "If someone is in immediate danger, call 999."
            ),
            from_email=None,
            recipient_list=[email],
        )
    except Exception:  # noqa: BLE001 - the concern is saved; email is a courtesy
        logger.exception("Could not send the confirmation email")
        return False
    return True


def _url_of(obj) -> str:
    try:
        return obj.get_absolute_url()
    except NoReverseMatch:
        return ""


def _lock_new(submission: PublicSubmission) -> PublicSubmission:
    locked = PublicSubmission.objects.select_for_update().get(pk=submission.pk)
    if locked.status != PublicSubmission.Status.NEW:
        raise AlreadyHandled(locked)
    return locked


def _referrer_contact(answers: dict) -> str:
    parts = []
    if answers.get("phone"):
        parts.append(f"Phone: {answers['phone']}")
    if answers.get("email"):
        parts.append(f"Email: {answers['email']}")
    if answers.get("safe_contact"):
        parts.append(f"Safe contact: {answers['safe_contact']}")
    return "\n".join(parts)


def convert_submission(
    *,
    user,
    submission: PublicSubmission,
    team: Team,
    person: Person | None = None,
    new_person: dict | None = None,
) -> Concern:
    """Turn an online concern into a concern in the normal workflow.

    Either ``person`` (an existing adult the user can see) or ``new_person``
    (given_name, family_name, date_of_birth, address, postcode) is needed.
    What the referrer said the adult wants is carried across as the adult's
    views and desired outcomes *as reported by the referrer*, not own words.
    """
    if (person is None) == (new_person is None):
        raise ValueError("Give either an existing person or a new person's details")
    with transaction.atomic():
        submission = _lock_new(submission)
        answers = submission.answers
        if person is None:
            person = create_person(
                user=user,
                data={**new_person, "team": team},
                summary=f"Person added from online concern {submission.reference}",
            )
        anonymous = answers.get("contact") != "yes"
        concern = record_concern(
            user=user,
            person=person,
            data={
                "team": team,
                "received_on": timezone.localtime(submission.submitted_at).date(),
                "received_via": Concern.ReceivedVia.ONLINE_FORM,
                "in_our_area": True,
                "referrer_type": REFERRER_TYPES.get(
                    answers.get("relationship", ""), Concern.ReferrerType.OTHER
                ),
                "referrer_name": ""
                if anonymous
                else answers.get("contact_name", "")[:200],
                "referrer_organisation": answers.get("organisation", "")[:200],
                "referrer_contact": "" if anonymous else _referrer_contact(answers),
                "referrer_anonymous": anonymous,
                "summary": answers.get("what", ""),
                "adult_aware": ADULT_AWARE.get(
                    answers.get("adult_knows", ""), Concern.Aware.UNKNOWN
                ),
            },
            summary=f"Concern created from online concern {submission.reference}",
            occurred_at=submission.submitted_at,
        )
        wants = (answers.get("adult_wants") or "").strip()
        if wants:
            referrer = (
                "Anonymous referrer"
                if anonymous
                else answers.get("contact_name", "")[:200] or "The referrer"
            )
            # As reported by the referrer, not the adult's own words.
            record_views(
                user=user,
                case=concern,
                data={
                    "stage": codes.Stage.CONCERN,
                    "source": codes.ViewSource.REFERRER,
                    "source_name": referrer,
                    "method": codes.ViewMethod.ONLINE_FORM,
                    "views_text": wants,
                    "own_words": False,
                },
            )
            add_desired_outcome(
                user=user,
                case=concern,
                data={
                    "stage": codes.Stage.CONCERN,
                    "text": wants,
                    "expressed_by": codes.ViewSource.REFERRER,
                },
            )
        before = audit.snapshot(submission, ["status", "concern_id"])
        submission.status = PublicSubmission.Status.CONVERTED
        submission.concern = concern
        submission.handled_by = user
        submission.handled_at = timezone.now()
        submission.save(update_fields=["status", "concern", "handled_by", "handled_at"])
        audit.record(
            actor=user,
            action="status",
            obj=submission,
            person_ref=str(person.reference),
            summary=f"Online concern converted into a concern about {person}",
            changes=audit.diff(
                before, audit.snapshot(submission, ["status", "concern_id"])
            ),
        )
    return concern


def close_submission(
    *, user, submission: PublicSubmission, reason: str, referrer_feedback: str
) -> PublicSubmission:
    """Close an online concern as not a safeguarding matter, with feedback given."""
    with transaction.atomic():
        submission = _lock_new(submission)
        submission.status = PublicSubmission.Status.CLOSED
        submission.closed_reason = reason
        submission.referrer_feedback = referrer_feedback
        submission.handled_by = user
        submission.handled_at = timezone.now()
        submission.full_clean()
        submission.save(
            update_fields=[
                "status",
                "closed_reason",
                "referrer_feedback",
                "handled_by",
                "handled_at",
            ]
        )
        audit.record(
            actor=user,
            action="status",
            obj=submission,
            summary="Online concern closed: not a safeguarding matter",
            changes={"status": [PublicSubmission.Status.NEW, submission.status]},
        )
    return submission
