"""Reads for budget pages and for other pages (person, enquiry) to call.

Every read is scoped through ``msp.access.visible``.
"""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from budgets.models import (
    ConcernLink,
    Condition,
    DirectPayment,
    FamilyMemberException,
    Review,
)
from enquiries.models import Concern, Enquiry
from msp.access import visible

DUE_SOON_DAYS = 30


def scoped(user, queryset: QuerySet) -> QuerySet:
    """``queryset`` limited to what ``user`` may see, each row once."""
    allowed = visible(user, queryset.model._base_manager.all()).values("pk")
    return queryset.filter(pk__in=allowed)


def _links(user) -> QuerySet[ConcernLink]:
    return scoped(
        user,
        ConcernLink.objects.select_related(
            "direct_payment", "direct_payment__person", "concern"
        ),
    )


def links_for_person(user, person) -> QuerySet[ConcernLink]:
    """Safeguarding links for the person's direct payments, for the person page."""
    return _links(user).filter(direct_payment__person=person)


def links_for_concern(user, concern) -> QuerySet[ConcernLink]:
    """Direct payments linked to a concern, for the concern or enquiry page."""
    return _links(user).filter(concern=concern)


def _open_safeguarding() -> Q:
    """The concern, or an enquiry from it, is not closed."""
    open_enquiries = Enquiry.objects.exclude(status=Enquiry.Status.CLOSED)
    return ~Q(concern__status=Concern.Status.CLOSED) | Q(
        concern__in=open_enquiries.values("concern")
    )


def reviews_due(user, *, today: datetime.date | None = None) -> QuerySet[Review]:
    """Open reviews due within 30 days or overdue, for payments still running."""
    today = today or datetime.date.today()
    return scoped(
        user,
        Review.objects.filter(
            completed_on__isnull=True,
            due_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
        )
        .exclude(direct_payment__status=DirectPayment.Status.ENDED)
        .select_related("direct_payment", "direct_payment__person"),
    )


def conditions_breached(user) -> QuerySet[Condition]:
    return scoped(
        user,
        Condition.objects.filter(status=Condition.Status.BREACHED)
        .exclude(direct_payment__status=DirectPayment.Status.ENDED)
        .select_related("local_type", "direct_payment", "direct_payment__person"),
    )


def linked_to_open_safeguarding(user) -> QuerySet[ConcernLink]:
    return (
        _links(user)
        .filter(_open_safeguarding(), withdrawn_at__isnull=True)
        .exclude(direct_payment__status=DirectPayment.Status.ENDED)
    )


def family_exceptions_due(
    user, *, today: datetime.date | None = None
) -> QuerySet[FamilyMemberException]:
    today = today or datetime.date.today()
    return scoped(
        user,
        FamilyMemberException.objects.filter(
            review_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS)
        )
        .exclude(direct_payment__status=DirectPayment.Status.ENDED)
        .select_related("direct_payment", "direct_payment__person", "authorised_by"),
    )


def local_conditions_unjustified(user) -> QuerySet[Condition]:
    """Local conditions in force without a rationale or the person's agreement."""
    lacking = (
        Q(risk_answered="")
        | Q(why_nothing_less="")
        | ~Q(agreement=Condition.Agreement.AGREED)
    )
    return scoped(
        user,
        Condition.objects.filter(kind=Condition.Kind.LOCAL)
        .exclude(status=Condition.Status.REMOVED)
        .exclude(direct_payment__status=DirectPayment.Status.ENDED)
        .filter(lacking)
        .select_related("local_type", "direct_payment", "direct_payment__person"),
    )
