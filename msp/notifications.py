"""Notifications: telling staff what needs them, without revealing anything.

Apps raise notifications with one call, :func:`notify`, naming the record
the notification is about. msp knows no domain model: each app registers the
models its notifications may be about (:func:`register_subject`, in its
``AppConfig.ready()``): how to find the record's page and who may see it.
Date-driven reminders come from *reminder sources* the apps register too
(:func:`register_reminder_source`), run by ``manage.py send_reminders``.

A notification is listed, counted and e-mailed only while its recipient may
still see the record (through the registered scope, ``msp.access.visible``
for case records): a notification never reveals a record. See
docs/decisions/0030-notifications.md.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from msp import access, roles
from msp.models import Notification, NotificationKind, User
from msp.paging import keyset_page

PAGE_SIZE = 25


# -- Registries (filled in each app's AppConfig.ready()) --------------------


@dataclass(frozen=True)
class Subject:
    """A model notifications may be about."""

    model: type[models.Model]
    # The string the record's page is found by (stored on the notification).
    reference: Callable[[models.Model], str]
    # The record's page, from that string (no query).
    url: Callable[[str], str]
    # The part of a queryset of this model a user may see.
    scope: Callable[[User, QuerySet], QuerySet] = access.visible


_subjects: dict[str, Subject] = {}


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def register_subject(
    model: type[models.Model],
    *,
    url_name: str,
    reference: Callable[[models.Model], str] | None = None,
    scope: Callable[[User, QuerySet], QuerySet] | None = None,
) -> None:
    """Let notifications be about ``model``.

    ``url_name`` is the page a notification links to, reversed with the
    stored reference (by default the record's own ``reference``).
    ``scope`` decides who may see a record; by default
    :func:`msp.access.visible`, which every case model supports. Registering
    again replaces the entry (idempotent across repeated ``ready()`` calls).
    """
    if scope is None and not hasattr(model, "ACCESS_TEAM_LOOKUPS"):
        raise TypeError(
            f"{model.__name__} is not a case record: give the scope that decides "
            "who may see it"
        )
    _subjects[_label(model)] = Subject(
        model=model,
        reference=reference or (lambda obj: str(obj.reference)),
        url=lambda ref, _name=url_name: reverse(_name, args=[ref]),
        scope=scope or access.visible,
    )


def subjects() -> list[Subject]:
    return list(_subjects.values())


@dataclass(frozen=True)
class Reminder:
    """One date-driven reminder a source wants raised."""

    recipients: list[User]
    kind: str
    obj: models.Model
    due_on: datetime.date
    key: str


ReminderSource = Callable[[datetime.date], Iterable[Reminder]]
_sources: dict[str, ReminderSource] = {}


def register_reminder_source(name: str, source: ReminderSource) -> None:
    """Add a function ``source(today) -> reminders`` to ``send_reminders``."""
    _sources[name] = source


def reminder_sources() -> dict[str, ReminderSource]:
    return dict(_sources)


# -- Who is responsible ------------------------------------------------------


def team_managers(team_ids: Iterable[int]) -> QuerySet[User]:
    """Active team managers of the given teams."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__name=roles.TEAM_MANAGER,
            teams__in=list(team_ids),
        )
        .distinct()
    )


# -- Services ------------------------------------------------------------------


def default_key(kind: str, obj: models.Model, due_on: datetime.date) -> str:
    return f"{kind}:{_label(type(obj))}:{obj.pk}:{due_on.isoformat()}"


def notify(
    recipients: Iterable[User | None],
    kind: str,
    obj: models.Model,
    due_on: datetime.date,
    key: str | None = None,
) -> list[Notification]:
    """Tell each of ``recipients`` about ``obj`` (idempotent).

    ``key`` names the reminder (by default kind, record and date): a
    recipient who already has a notification with that key gets nothing new,
    so events replayed and reminders computed twice are harmless. Returns the
    notifications actually created. Recipients who asked for immediate
    e-mails are e-mailed through the task queue after the transaction
    commits. Nobody is told about their own action: callers leave the actor
    out of ``recipients``.
    """
    if kind not in NotificationKind.values:
        raise ValueError(f"Unknown notification kind {kind!r}")
    label = _label(type(obj))
    subject = _subjects.get(label)
    if subject is None:
        raise LookupError(f"{label} is not registered with register_subject()")
    key = (key or default_key(kind, obj, due_on))[:200]
    people = {user.pk: user for user in recipients if user is not None}
    people = {pk: user for pk, user in people.items() if user.is_active}
    if not people:
        return []
    content_type = ContentType.objects.get_for_model(type(obj))
    reference = subject.reference(obj)
    with transaction.atomic():
        already = set(
            Notification.objects.filter(
                recipient_id__in=list(people), key=key
            ).values_list("recipient_id", flat=True)
        )
        wanted = [
            Notification(
                recipient_id=pk,
                kind=kind,
                content_type=content_type,
                object_id=obj.pk,
                object_ref=reference,
                due_on=due_on,
                key=key,
            )
            for pk in people
            if pk not in already
        ]
        # A concurrent run that raced past the check above is stopped by the
        # unique (recipient, key) constraint; its rows are not created twice.
        Notification.objects.bulk_create(wanted, ignore_conflicts=True)
        created = list(
            Notification.objects.filter(
                recipient_id__in=[n.recipient_id for n in wanted], key=key
            )
        )
        immediate = [
            n.pk
            for n in created
            if people[n.recipient_id].reminder_email == User.ReminderEmail.IMMEDIATE
        ]
        if immediate:
            from msp.notification_mail import email_notification

            transaction.on_commit(
                lambda: [email_notification.enqueue(pk) for pk in immediate]
            )
    return created


def mark_read(user: User, notification_id: int) -> bool:
    """Mark one of ``user``'s notifications read. False if it is not theirs
    (or they may no longer see its record)."""
    mine = visible_notifications(user).filter(pk=notification_id)
    mine.filter(read_at__isnull=True).update(read_at=timezone.now())
    return mine.exists()


def mark_all_read(user: User) -> int:
    """Mark every notification ``user`` can see read; the number marked."""
    return (
        visible_notifications(user)
        .filter(read_at__isnull=True)
        .update(read_at=timezone.now())
    )


def set_email_preference(user: User, choice: str) -> None:
    if choice not in User.ReminderEmail.values:
        raise ValueError(f"Unknown e-mail preference {choice!r}")
    from msp import audit
    from msp.models import AuditEvent

    with transaction.atomic():
        before = user.reminder_email
        user.reminder_email = choice
        user.save(update_fields=["reminder_email"])
        audit.record(
            actor=user,
            action=AuditEvent.Action.CHANGE,
            obj=user,
            summary="Changed e-mails about notifications",
            changes={"reminder_email": [before, choice]},
        )


# -- Selectors ---------------------------------------------------------------


def can_see(user: User, obj: models.Model) -> bool:
    """Whether ``user`` may see ``obj``, by its registered scope."""
    subject = _subjects.get(_label(type(obj)))
    if subject is None:
        return False
    queryset = subject.model._base_manager.filter(pk=obj.pk)
    return subject.scope(user, queryset).exists()


def _still_visible(user: User, labels: Iterable[str] | None = None) -> Q:
    """Notifications whose record ``user`` may still see: one correlated
    EXISTS per registered model (or per model in ``labels``), each probing
    just the notification's row through the model's scope. Nothing here
    runs a query by itself."""
    condition = Q(pk__in=[])
    chosen = _subjects if labels is None else set(labels)
    for label, subject in _subjects.items():
        if label not in chosen:
            continue
        meta = subject.model._meta
        base = subject.model._base_manager.filter(pk=OuterRef("object_id"))
        condition |= Q(
            Exists(subject.scope(user, base)),
            content_type__app_label=meta.app_label,
            content_type__model=meta.model_name,
        )
    return condition


def visible_notifications(user: User) -> QuerySet[Notification]:
    """``user``'s notifications whose record they may still see."""
    if not (user.is_authenticated and user.is_active):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).filter(_still_visible(user))


def unread_count(user: User, *, up_to: int | None = None) -> int:
    """Unread notifications ``user`` may see. With ``up_to``, the count
    stops there (the header shows "99+"), so its cost does not grow with a
    backlog nobody has read.

    Two queries: first which kinds of record the unread notifications are
    about (a read of the recipient's unread index), then the count, with the
    access test built for those kinds only. Every page's header pays for
    this count, and building the scope of every registered model cost more
    than the database did. With nothing unread, the first is the only one.
    """
    if not (user.is_authenticated and user.is_active):
        return 0
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    about = unread.order_by().values_list("content_type_id", flat=True).distinct()
    labels = {_content_type_label(ContentType.objects.get_for_id(pk)) for pk in about}
    if not labels:
        return 0
    unread = unread.filter(_still_visible(user, labels))
    if up_to is not None:
        unread = unread.values("pk")[:up_to]
    return unread.count()


@dataclass
class NotificationRow:
    notification: Notification
    url: str | None

    @property
    def label(self) -> str:
        return self.notification.get_kind_display()


@dataclass
class NotificationPage:
    rows: list[NotificationRow]
    older: str | None
    unread: int


def notification_page(user: User, *, before: str | None = None) -> NotificationPage:
    """A page of ``user``'s notifications, newest first, keyset-paged
    (:mod:`msp.paging`; ``before`` is the cursor of the previous page's last
    row). Constant queries whatever the number of rows."""
    page = keyset_page(
        visible_notifications(user).select_related("content_type"),
        after=before,
        key="created_at",
        descending=True,
        size=PAGE_SIZE,
    )
    rows = [NotificationRow(notification=n, url=link(n)) for n in page.rows]
    return NotificationPage(
        rows=rows, older=page.next_cursor, unread=unread_count(user)
    )


def _content_type_label(content_type: ContentType) -> str:
    return f"{content_type.app_label}.{content_type.model}"


def link(notification: Notification) -> str | None:
    """The page of the record a notification is about (no query)."""
    subject = _subjects.get(_content_type_label(notification.content_type))
    if subject is None or not notification.object_ref:
        return None
    return subject.url(notification.object_ref)
