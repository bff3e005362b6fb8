"""Writes for the adult's own page (issue 20).

Staff side: offering the page (after the safety questions), inviting, and a
manager refusing or revoking it. Adult side: signing in with a one-time code
and date of birth, and what they add (views, their answer to the plan, a
call-back request, how far their outcomes were achieved).

The safety model is in docs/decisions/0021-adult-own-page.md. In short:

- invitation links are signed (``TimestampSigner``, so a changed or stale
  link is refused before any database lookup) and stored only as a keyed
  hash; one sign-in uses them up;
- sign-in codes are six digits, kept as a keyed hash, last
  ``ADULT_PAGE_CODE_SECONDS`` and work once;
- wrong codes or dates of birth count on the access row (the database, so
  every app server sees the same count) and per address in the cache; the
  lockout is checked *before* the code or date is compared;
- every adult session holds the access's ``session_secret``; revoking or
  refusing changes it, so every session ends at its next request.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import logout
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from enquiries import codes
from enquiries.models import (
    AdultPageAccess,
    AdultPageEntry,
    AdultPageInvitation,
    AdultSignInCode,
    DesiredOutcome,
    Enquiry,
    PersonView,
    PlanAction,
)
from enquiries.models.adult_page import new_session_secret, secret_hash
from enquiries.signals import adult_page_outcomes_rated
from enquiries.sms import send_sms
from msp import access, audit, roles
from msp.models import NotificationKind
from msp.notifications import notify, team_managers

logger = logging.getLogger(__name__)

ADULT_ACTOR = "adult's own page"
INVITATION_SALT = "enquiries.adult_page.invitation"
# Session keys of an adult session (no staff user is ever signed in with them).
SESSION_ACCESS = "adult_page_access"
SESSION_SECRET = "adult_page_secret"
SESSION_STARTED = "adult_page_started"
SESSION_SEEN = "adult_page_seen"
SESSION_PENDING = "adult_page_pending_invitation"
SESSION_LANGUAGE = "adult_page_language"
SESSION_LARGE_TEXT = "adult_page_large_text"
# Codes sent for one invitation within CODE_SEND_WINDOW before more are refused.
CODE_SENDS_ALLOWED = 3
CODE_SEND_WINDOW = datetime.timedelta(minutes=15)
# Wrong answers from one address (any invitation) before it is refused for
# ADDRESS_LOCK_SECONDS: stops one machine trying many invitations.
ADDRESS_ATTEMPTS_ALLOWED = 20
ADDRESS_LOCK_SECONDS = 60 * 60


def is_manager(user) -> bool:
    return roles.has_role_perm(user, "sign_off_closure")


# --- Staff side ---------------------------------------------------------------


def live_access(enquiry: Enquiry) -> AdultPageAccess | None:
    return (
        AdultPageAccess.objects.filter(
            enquiry=enquiry, status=AdultPageAccess.Status.OFFERED
        )
        .order_by("-created_at")
        .first()
    )


def offer_page(*, user, enquiry: Enquiry, data: dict) -> AdultPageAccess:
    """Offer the adult's own page for ``enquiry``, once its safety is recorded."""
    access.require_write(user)
    if not enquiry.is_open:
        raise ValidationError("The enquiry is closed: the page cannot be offered now")
    if live_access(enquiry) is not None:
        raise ValidationError("The page has already been offered for this enquiry")
    offer = AdultPageAccess(
        enquiry=enquiry,
        person=enquiry.concern.person,
        created_by=user,
        updated_by=user,
        **data,
    )
    if offer.code_by == AdultPageAccess.CodeBy.SMS:
        offer.mobile = "".join(ch for ch in offer.mobile if ch.isdigit() or ch == "+")
    offer.full_clean()
    with transaction.atomic():
        offer.save()
        audit.record(
            actor=user,
            action="create",
            obj=offer,
            summary=(
                f"Offered the adult's own page to {offer.get_recipient_display().lower()}"
            ),
            changes={
                "recipient": offer.recipient,
                "authority": offer.authority,
                "code_by": offer.code_by,
                "withhold_sharing": offer.withhold_sharing,
            },
        )
    return offer


def end_access(*, user, offer: AdultPageAccess, refuse: bool, reason: str):
    """A manager refuses the page, or anyone on the case revokes it: every
    invitation, code and session ends at once."""
    access.require_write(user)
    if refuse and not is_manager(user):
        raise PermissionDenied("Only a manager can refuse the page.")
    if not is_manager(user) and offer.created_by_id != user.pk:
        raise PermissionDenied(
            "Only a manager or the practitioner who offered it can revoke the page."
        )
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the page is ending"})
    now = timezone.now()
    with transaction.atomic():
        locked = AdultPageAccess.objects.select_for_update().get(pk=offer.pk)
        if not locked.is_live:
            raise ValidationError("The page has already ended")
        locked.status = (
            AdultPageAccess.Status.REFUSED if refuse else AdultPageAccess.Status.REVOKED
        )
        locked.ended_at = now
        locked.ended_by = user
        locked.end_reason = reason
        # Every session holds the old secret: all of them end now.
        locked.session_secret = new_session_secret()
        locked.updated_by = user
        locked.version += 1
        locked.save()
        AdultPageInvitation.objects.filter(access=locked, used_at__isnull=True).update(
            expires_at=now
        )
        AdultSignInCode.objects.filter(access=locked, used_at__isnull=True).update(
            expires_at=now
        )
        audit.record(
            actor=user,
            action="status",
            obj=locked,
            summary=(
                "Refused the adult's own page"
                if refuse
                else "Revoked the adult's own page"
            ),
            changes={"reason": reason},
        )
    return locked


def _site_url(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}" if settings.SITE_URL else path


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: AdultPageInvitation
    link: str


def invite(*, user, offer: AdultPageAccess, sent_by: str) -> IssuedInvitation:
    """A new invitation link (earlier unused ones stop working), e-mailed or
    returned for the printed letter. The link is shown only now."""
    access.require_write(user)
    if not offer.is_live:
        raise ValidationError("The page has ended: it cannot be sent")
    if sent_by not in AdultPageInvitation.SentBy.values:
        raise ValidationError({"sent_by": "Select how to send the invitation"})
    if sent_by == AdultPageInvitation.SentBy.EMAIL and not offer.email:
        raise ValidationError(
            {"sent_by": "There is no confirmed e-mail address: print a letter"}
        )
    if sent_by == AdultPageInvitation.SentBy.TEXT and not offer.mobile:
        raise ValidationError(
            {"sent_by": "There is no confirmed mobile number: print a letter"}
        )
    return _issue(offer=offer, sent_by=sent_by, user=user)


def _issue(*, offer: AdultPageAccess, sent_by: str, user) -> IssuedInvitation:
    raw = secrets.token_urlsafe(32)
    token = signing.TimestampSigner(salt=INVITATION_SALT).sign(raw)
    now = timezone.now()
    with transaction.atomic():
        AdultPageInvitation.objects.filter(access=offer, used_at__isnull=True).update(
            expires_at=now
        )
        invitation = AdultPageInvitation.objects.create(
            access=offer,
            token_hash=secret_hash(raw, purpose="invitation"),
            sent_by=sent_by,
            created_by=user,
            expires_at=now
            + datetime.timedelta(days=settings.ADULT_PAGE_INVITATION_DAYS),
        )
        audit.record(
            actor=user,
            actor_name="" if user else ADULT_ACTOR,
            action="create",
            obj=offer,
            summary=(
                "Sent an invitation to the adult's own page by "
                f"{invitation.get_sent_by_display().lower()}"
            ),
        )
    link = _site_url(reverse("enquiries:adult_start", args=[token]))
    if sent_by == AdultPageInvitation.SentBy.EMAIL:
        body = (
            "Hello,\n\n"
            "You asked us for a link to your own page. Open it here:\n\n"
            f"{link}\n\n"
            f"The link works once and stops working on "
            f"{timezone.localtime(invitation.expires_at):%-d %B %Y}. "
            "We will send a code to sign in.\n\n"
            f"{settings.COUNCIL_NAME}"
        )
        transaction.on_commit(
            lambda: send_mail(
                "Your link",
                body,
                settings.ADULT_PAGE_FROM_EMAIL,
                [offer.email],
                fail_silently=True,
            )
        )
    if sent_by == AdultPageInvitation.SentBy.TEXT:
        body = (
            f"Your link: {link} It works once, for "
            f"{settings.ADULT_PAGE_INVITATION_DAYS} days."
        )
        transaction.on_commit(lambda: send_sms(offer.mobile, body))
    return IssuedInvitation(invitation=invitation, link=link)


# The adult may ask for one link for next time an hour.
RETURN_LINK_WINDOW = datetime.timedelta(hours=1)


def send_return_link(*, offer: AdultPageAccess) -> None:
    """From the adult's own page: a new single-use link for next time, sent
    to the contact the practitioner confirmed (never anywhere else)."""
    recent = AdultPageInvitation.objects.filter(
        access=offer,
        created_by__isnull=True,
        created_at__gte=timezone.now() - RETURN_LINK_WINDOW,
    ).exists()
    if recent:
        raise ValidationError(_("We have just sent you a link. Wait an hour"))
    if offer.code_by == AdultPageAccess.CodeBy.SMS:
        sent_by = AdultPageInvitation.SentBy.TEXT
    else:
        sent_by = AdultPageInvitation.SentBy.EMAIL
    _issue(offer=offer, sent_by=sent_by, user=None)


def request_copy(*, offer: AdultPageAccess) -> AdultPageEntry:
    """A subject access request (UK GDPR Article 15) made on the page: kept,
    with the day it is due (one month), and the worker is told."""
    today = timezone.localdate()
    due = _one_month_after(today)
    with transaction.atomic():
        entry = _entry(
            offer,
            AdultPageEntry.Kind.COPY_REQUESTED,
            details={"respond_by": due.isoformat()},
        )
        _tell_worker(offer, "A copy of their information was asked for")
    return entry


def _one_month_after(day: datetime.date) -> datetime.date:
    """The same day next month (the last day when next month is shorter)."""
    import calendar

    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


# --- Signing in ---------------------------------------------------------------


def open_invitation(token: str) -> AdultPageInvitation | None:
    """The invitation a link names, if it is genuine, unused and in date."""
    try:
        raw = signing.TimestampSigner(salt=INVITATION_SALT).unsign(
            token,
            max_age=datetime.timedelta(days=settings.ADULT_PAGE_INVITATION_DAYS),
        )
    except signing.BadSignature:
        return None
    return usable_invitation(
        AdultPageInvitation.objects.filter(
            token_hash=secret_hash(raw, purpose="invitation")
        ).first()
    )


def usable_invitation(
    invitation: AdultPageInvitation | None,
) -> AdultPageInvitation | None:
    if invitation is None:
        return None
    if invitation.used_at is not None or invitation.expires_at <= timezone.now():
        return None
    if not invitation.access.is_live:
        return None
    return invitation


class SignInRefused(Exception):
    """A sign-in attempt refused; the message is safe to show."""


def _address_key(ip: str) -> str:
    return f"adult_page:address:{hashlib.sha256(ip.encode()).hexdigest()[:32]}"


def send_code(invitation: AdultPageInvitation) -> None:
    """Send a new sign-in code to the contact the practitioner confirmed."""
    offer = invitation.access
    now = timezone.now()
    if offer.locked_until and offer.locked_until > now:
        raise SignInRefused(
            _("Too many wrong tries. Wait 30 minutes, or ask your worker for help")
        )
    recent = AdultSignInCode.objects.filter(
        invitation=invitation, created_at__gte=now - CODE_SEND_WINDOW
    ).count()
    if recent >= CODE_SENDS_ALLOWED:
        raise SignInRefused(
            _("We have sent several codes. Wait 15 minutes before asking for another")
        )
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction.atomic():
        AdultSignInCode.objects.filter(access=offer, used_at__isnull=True).update(
            expires_at=now
        )
        AdultSignInCode.objects.create(
            access=offer,
            invitation=invitation,
            code_hash=secret_hash(f"{offer.pk}:{code}", purpose="code"),
            expires_at=now
            + datetime.timedelta(seconds=settings.ADULT_PAGE_CODE_SECONDS),
        )
    minutes = settings.ADULT_PAGE_CODE_SECONDS // 60
    body = (
        f"Your code is {code}. It works for {minutes} minutes. "
        "Nobody will ever ask you to tell them this code."
    )
    if offer.code_by == AdultPageAccess.CodeBy.SMS:
        send_sms(offer.mobile, body)
    else:
        send_mail(
            "Your code",
            body,
            settings.ADULT_PAGE_FROM_EMAIL,
            [offer.email],
            fail_silently=True,
        )


def _count_failure(offer: AdultPageAccess, ip: str) -> None:
    key = _address_key(ip)
    cache.add(key, 0, ADDRESS_LOCK_SECONDS)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, ADDRESS_LOCK_SECONDS)
    AdultPageAccess.objects.filter(pk=offer.pk).update(
        failed_attempts=F("failed_attempts") + 1
    )
    offer.refresh_from_db(fields=["failed_attempts"])
    if offer.failed_attempts >= settings.ADULT_PAGE_MAX_ATTEMPTS:
        now = timezone.now()
        AdultPageAccess.objects.filter(pk=offer.pk).update(
            failed_attempts=0,
            locked_until=now
            + datetime.timedelta(minutes=settings.ADULT_PAGE_LOCKOUT_MINUTES),
        )
        AdultSignInCode.objects.filter(access=offer, used_at__isnull=True).update(
            expires_at=now
        )
        audit.record(
            actor=None,
            actor_name=ADULT_ACTOR,
            action="login_failed",
            obj=offer,
            summary="The adult's own page was locked after wrong sign-in codes",
        )


def check_code(
    *,
    invitation: AdultPageInvitation,
    code: str,
    date_of_birth: datetime.date | None,
    ip: str,
) -> AdultPageAccess:
    """Check a sign-in code and date of birth; the access on success.

    Lockouts first (the address's count in the cache, then the access's in
    the database), before the code or date is compared.
    """
    offer = AdultPageAccess.objects.select_related("person").get(
        pk=invitation.access_id
    )
    now = timezone.now()
    if (cache.get(_address_key(ip)) or 0) >= ADDRESS_ATTEMPTS_ALLOWED:
        raise SignInRefused(_("Too many wrong tries from this device. Try again later"))
    if offer.locked_until and offer.locked_until > now:
        raise SignInRefused(
            _("Too many wrong tries. Wait 30 minutes, or ask your worker for help")
        )
    if not offer.is_live or usable_invitation(invitation) is None:
        raise SignInRefused(
            _("This link no longer works. Ask your worker for a new one")
        )
    wanted = secret_hash(f"{offer.pk}:{code.strip()}", purpose="code")
    current = (
        AdultSignInCode.objects.filter(
            access=offer, used_at__isnull=True, expires_at__gt=now
        )
        .order_by("-created_at")
        .first()
    )
    code_ok = current is not None and hmac.compare_digest(current.code_hash, wanted)
    born_ok = (
        date_of_birth is not None
        and offer.person.date_of_birth is not None
        and date_of_birth == offer.person.date_of_birth
    )
    if not (code_ok and born_ok):
        _count_failure(offer, ip)
        if current is None:
            raise SignInRefused(_("Your code has expired. Ask for a new code"))
        raise SignInRefused(
            _("The code or date of birth is not right. Check them and try again")
        )
    with transaction.atomic():
        used = AdultSignInCode.objects.filter(
            pk=current.pk, used_at__isnull=True
        ).update(used_at=now)
        taken = AdultPageInvitation.objects.filter(
            pk=invitation.pk, used_at__isnull=True
        ).update(used_at=now)
        if not (used and taken):
            raise SignInRefused(
                _("This link no longer works. Ask your worker for a new one")
            )
        AdultPageAccess.objects.filter(pk=offer.pk).update(
            failed_attempts=0, locked_until=None
        )
        audit.record(
            actor=None,
            actor_name=ADULT_ACTOR,
            action="login",
            obj=offer,
            summary="Signed in to their own page",
        )
    return offer


def start_session(request: HttpRequest, offer: AdultPageAccess) -> None:
    """A fresh session for the adult: no staff sign-in survives in it."""
    language = request.session.get(SESSION_LANGUAGE)
    large_text = request.session.get(SESSION_LARGE_TEXT)
    if request.user.is_authenticated:
        logout(request)
    request.session.flush()
    now = timezone.now().timestamp()
    request.session[SESSION_ACCESS] = offer.pk
    request.session[SESSION_SECRET] = offer.session_secret
    request.session[SESSION_STARTED] = now
    request.session[SESSION_SEEN] = now
    if language:
        request.session[SESSION_LANGUAGE] = language
    if large_text:
        request.session[SESSION_LARGE_TEXT] = True
    # The cookie ends with the browser or after the idle time: no "remember me".
    request.session.set_expiry(settings.ADULT_PAGE_IDLE_SECONDS)


def end_session(request: HttpRequest) -> None:
    for key in (SESSION_ACCESS, SESSION_SECRET, SESSION_STARTED, SESSION_SEEN):
        request.session.pop(key, None)
    request.session.cycle_key()


def session_access(request: HttpRequest) -> AdultPageAccess | None:
    """The access of the adult signed in on this request, or None.

    Checked on every request: no staff user, the access still live, the
    session's secret still the access's, and within the idle and absolute
    limits.
    """
    if request.user.is_authenticated:
        return None
    session = request.session
    pk = session.get(SESSION_ACCESS)
    if not pk:
        return None
    now = timezone.now().timestamp()
    started = session.get(SESSION_STARTED, 0)
    seen = session.get(SESSION_SEEN, 0)
    if (
        now - seen > settings.ADULT_PAGE_IDLE_SECONDS
        or now - started > settings.ADULT_PAGE_ABSOLUTE_SECONDS
    ):
        end_session(request)
        return None
    offer = (
        AdultPageAccess.objects.select_related(
            "person", "enquiry", "enquiry__allocated_to", "enquiry__team"
        )
        .filter(pk=pk, status=AdultPageAccess.Status.OFFERED)
        .first()
    )
    if offer is None or not hmac.compare_digest(
        offer.session_secret, str(session.get(SESSION_SECRET, ""))
    ):
        end_session(request)
        return None
    if now - seen >= 60:
        session[SESSION_SEEN] = now
    return offer


# --- What the adult adds ------------------------------------------------------

STAGE_FOR_STATUS = {
    Enquiry.Status.PLANNING: codes.Stage.PLANNING,
    Enquiry.Status.IN_PROGRESS: codes.Stage.ENQUIRY,
    Enquiry.Status.OUTCOME_RECORDED: codes.Stage.OUTCOME,
    Enquiry.Status.PLAN_ACTIVE: codes.Stage.PLAN,
    Enquiry.Status.CLOSURE_REQUESTED: codes.Stage.CLOSURE,
    Enquiry.Status.CLOSED: codes.Stage.CLOSURE,
}

SOURCE_FOR_RECIPIENT = {
    AdultPageAccess.Recipient.ADULT: codes.ViewSource.ADULT,
    AdultPageAccess.Recipient.ADVOCATE: codes.ViewSource.ADVOCATE,
    AdultPageAccess.Recipient.REPRESENTATIVE: codes.ViewSource.REPRESENTATIVE,
}


def plan_actions(enquiry: Enquiry):
    return PlanAction.objects.filter(enquiry=enquiry).order_by("due_on", "id")


def plan_version(actions) -> str:
    """A fingerprint of the plan as the adult sees it: what, who, by when.

    A change to any of these (or an action added or removed) is a new
    version, and the adult is asked again; progress updates are not."""
    parts = [
        [action.pk, action.description, action.owner, str(action.due_on)]
        for action in actions
    ]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:16]


def _tell_worker(offer: AdultPageAccess, what: str) -> None:
    """E-mail the worker (or the team's managers) that something is waiting,
    with no detail: they read it on the enquiry page."""
    enquiry = offer.enquiry
    recipients = []
    if enquiry.allocated_to_id and enquiry.allocated_to.is_active:
        recipients = [enquiry.allocated_to.email]
    else:
        from msp.notifications import team_managers

        recipients = [u.email for u in team_managers([enquiry.team_id]) if u.email]
    recipients = [r for r in recipients if r]
    if not recipients:
        return
    link = _site_url(enquiry.get_absolute_url())
    body = f"{what} on an adult's own page. Sign in to read it on the enquiry: {link}"
    transaction.on_commit(
        lambda: send_mail(
            "New on an adult's own page",
            body,
            settings.DEFAULT_FROM_EMAIL,
            recipients,
            fail_silently=True,
        )
    )


def _notify_worker(offer: AdultPageAccess, kind: str, entry: AdultPageEntry) -> None:
    """An in-app notification about the enquiry for the worker (or, with
    none, the team's managers), one per entry; no detail, like the e-mail."""
    enquiry = offer.enquiry
    if enquiry.allocated_to_id and enquiry.allocated_to.is_active:
        recipients = [enquiry.allocated_to]
    else:
        recipients = list(team_managers([enquiry.team_id]))
    notify(
        recipients,
        kind,
        enquiry,
        entry.given_on,
        key=f"{kind}:{entry.pk}",
    )


def _entry(offer: AdultPageAccess, kind: str, **fields) -> AdultPageEntry:
    entry = AdultPageEntry.objects.create(
        access=offer, kind=kind, given_on=timezone.localdate(), **fields
    )
    audit.record(
        actor=None,
        actor_name=ADULT_ACTOR,
        action="create",
        obj=entry,
        summary=f"From the adult's own page: {entry.get_kind_display().lower()}",
    )
    return entry


def add_views(
    *, offer: AdultPageAccess, views_text: str, worries: str = ""
) -> AdultPageEntry:
    """The adult's views in their own words, for the enquiry's current stage
    (a new entry: staff records are never changed)."""
    views_text = views_text.strip()
    if not views_text:
        raise ValidationError({"views_text": _("Write what you want to tell us")})
    enquiry = offer.enquiry
    with transaction.atomic():
        view = PersonView(
            person=offer.person,
            enquiry=enquiry,
            stage=STAGE_FOR_STATUS.get(enquiry.status, codes.Stage.ENQUIRY),
            source=SOURCE_FOR_RECIPIENT[offer.recipient],
            source_name=offer.recipient_name[:200],
            method=codes.ViewMethod.WRITTEN,
            views_text=views_text,
            own_words=True,
            worries=worries.strip(),
            given_on=timezone.localdate(),
            recorded_by=None,
        )
        # No member of staff recorded it: the entry below says where it came from.
        view.full_clean(exclude=["recorded_by"])
        view.save()
        entry = _entry(offer, AdultPageEntry.Kind.VIEWS, person_view=view)
        _tell_worker(offer, "New views were written")
    return entry


def answer_plan(
    *, offer: AdultPageAccess, agree: bool | None, disagreement: str, shown_version: str
) -> AdultPageEntry:
    """Agreement to the plan (or what they disagree with), kept with the
    version of the plan they were shown."""
    actions = list(plan_actions(offer.enquiry))
    if not actions:
        raise ValidationError(_("There is no plan yet"))
    version = plan_version(actions)
    errors = {}
    if shown_version != version:
        errors["__all__"] = _("The plan has changed since you opened it. Read it again")
    if agree is None:
        errors["agree"] = _("Select whether you agree with the plan")
    elif not agree and not disagreement.strip():
        errors["disagreement"] = _("Tell us what you do not agree with")
    if errors:
        raise ValidationError(errors)
    snapshot = [
        {
            "description": a.description,
            "owner": a.owner,
            "due_on": str(a.due_on),
        }
        for a in actions
    ]
    with transaction.atomic():
        entry = _entry(
            offer,
            AdultPageEntry.Kind.PLAN_AGREED
            if agree
            else AdultPageEntry.Kind.PLAN_DISAGREED,
            text="" if agree else disagreement.strip(),
            plan_version=version,
            plan_snapshot=snapshot,
        )
        _tell_worker(
            offer, "The plan was agreed" if agree else "Someone disagreed with the plan"
        )
    return entry


def latest_plan_answer(offer: AdultPageAccess) -> AdultPageEntry | None:
    return (
        AdultPageEntry.objects.filter(
            access=offer,
            kind__in=[
                AdultPageEntry.Kind.PLAN_AGREED,
                AdultPageEntry.Kind.PLAN_DISAGREED,
            ],
        )
        .order_by("-recorded_at", "-id")
        .first()
    )


def ask_call_back(*, offer: AdultPageAccess, when: str) -> AdultPageEntry:
    when = when.strip()
    if len(when) > 500:
        raise ValidationError({"when": _("Write 500 characters or fewer")})
    with transaction.atomic():
        entry = _entry(offer, AdultPageEntry.Kind.CALL_BACK, text=when)
        _tell_worker(offer, "A call-back was asked for")
        _notify_worker(offer, NotificationKind.ADULT_CALL_BACK, entry)
    return entry


EVALUATION_STATUSES = {
    Enquiry.Status.OUTCOME_RECORDED,
    Enquiry.Status.PLAN_ACTIVE,
    Enquiry.Status.CLOSURE_REQUESTED,
    Enquiry.Status.CLOSED,
}


def outcomes_to_rate(offer: AdultPageAccess):
    enquiry = offer.enquiry
    return DesiredOutcome.objects.filter(
        Q(enquiry=enquiry) | Q(concern_id=enquiry.concern_id),
        status=DesiredOutcome.Status.ACTIVE,
        expressed_by__in=list(SOURCE_FOR_RECIPIENT.values()),
    ).order_by("recorded_at", "id")


def rate_outcomes(
    *, offer: AdultPageAccess, ratings: dict[int, str], comments: dict[int, str]
) -> AdultPageEntry:
    """How far each outcome was achieved, in the adult's judgement. Kept
    here, then announced (``adult_page_outcomes_rated``) so the outcomes app
    records the evaluation, marked as the adult's own."""
    if offer.enquiry.status not in EVALUATION_STATUSES:
        raise ValidationError(_("It is too early to say how things went"))
    outcomes = list(outcomes_to_rate(offer))
    errors = {}
    for outcome in outcomes:
        if ratings.get(outcome.pk) not in codes.Achieved.values:
            errors[f"outcome_{outcome.pk}"] = _("Select how far this happened")
    if not outcomes:
        errors["__all__"] = _("There is nothing to rate")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        entry = _entry(
            offer,
            AdultPageEntry.Kind.OUTCOMES_RATED,
            details={
                "ratings": {str(o.pk): ratings[o.pk] for o in outcomes},
                "comments": {
                    str(o.pk): comments.get(o.pk, "").strip()[:2000] for o in outcomes
                },
                "given_by": SOURCE_FOR_RECIPIENT[offer.recipient],
            },
        )
        _tell_worker(offer, "Outcomes were rated")
        transaction.on_commit(
            lambda: adult_page_outcomes_rated.send(
                sender=AdultPageEntry, entry=entry, enquiry=offer.enquiry
            )
        )
    return entry


def mark_entries_seen(*, user, enquiry: Enquiry) -> int:
    """The worker has seen what the adult added (the panel's count resets)."""
    access.require_write(user)
    return AdultPageEntry.objects.filter(
        access__enquiry=enquiry, seen_by_worker_at__isnull=True
    ).update(seen_by_worker_at=timezone.now())


def record_document_read(*, offer: AdultPageAccess, document) -> None:
    """The audit line for a document the adult downloads from their page
    (written before the file is sent): a read by the adult, no staff actor."""
    audit.record(
        actor=None,
        actor_name=ADULT_ACTOR,
        action="view",
        obj=document,
        summary=f"The adult downloaded a document from their page: {document.title}"[
            :255
        ],
        changes={"sha256": document.sha256, "access": str(offer.reference)},
    )
