"""Reads for restricted records (docs/decisions/0007): who may not see whom,
what a search may admit exists, who may break the glass, the leads' queue.

:func:`hidden_people` is the hook ``msp.access`` calls (registered in
``EnquiriesConfig.ready()``) so that every scoped read hides restricted
records; the core knows nothing of people.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from enquiries.models import BreakGlassGrant, Person
from msp.access import can_work_on_cases, in_team_scope


def permitted_restricted(user) -> QuerySet[Person]:
    """Restricted people this user is named on or has broken the glass for."""
    return Person.objects.filter(is_restricted=True).filter(
        Q(permitted_users=user)
        | Q(
            break_glass_grants__user=user,
            break_glass_grants__expires_at__gt=timezone.now(),
        )
    )


def hidden_people(user) -> list[int]:
    """Every restricted person ``user`` is not named on and holds no live
    break-glass grant for (one small query on the partial index)."""
    return list(
        Person.objects.filter(is_restricted=True)
        .exclude(pk__in=permitted_restricted(user).values("pk"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@dataclass(frozen=True)
class RestrictedStub:
    """All a search may show about a restricted record the user cannot open."""

    reference: str
    break_glass_url: str


@dataclass(frozen=True)
class RestrictedMatches:
    count: int
    stubs: list[RestrictedStub]

    def __bool__(self) -> bool:
        return self.count > 0


def restricted_matches(
    user, queryset: QuerySet[Person], *, limit: int = 20
) -> RestrictedMatches:
    """Restricted people among ``queryset`` that ``user`` may not open.

    ``queryset`` is an *unscoped* Person search (e.g. the same name filter the
    search page applies, before :func:`msp.access.visible`). Only records in
    the user's own team scope are admitted to, and then only as "a restricted
    record matches": a reference and a link to break the glass, never a name.
    """
    if queryset.model is not Person:
        raise TypeError("restricted_matches takes a Person queryset")
    # In team scope and restricted, the only thing that makes a record
    # visible is being named on it or holding a live break-glass grant, so
    # "not visible" is "not among those" (no scan of every visible person).
    hidden = (
        in_team_scope(user, queryset.filter(is_restricted=True))
        .exclude(pk__in=permitted_restricted(user).values("pk"))
        .order_by("pk")
    )
    references = list(hidden.values_list("reference", flat=True)[: limit + 1])
    count = hidden.count() if len(references) > limit else len(references)
    stubs = [
        RestrictedStub(
            reference=str(ref),
            break_glass_url=reverse("break_glass", args=[ref]),
        )
        for ref in references[:limit]
    ]
    return RestrictedMatches(count=count, stubs=stubs)


def can_break_glass(user, person: Person) -> bool:
    """A case worker may break the glass on a restricted adult in their scope."""
    return (
        person.is_restricted
        and can_work_on_cases(user)
        and in_team_scope(user, Person.objects.filter(pk=person.pk)).exists()
    )


def restricted_person_in_scope(user, person_reference) -> Person | None:
    """The restricted adult, if they are in the user's team scope; else None.

    Resolved without the restriction filter on purpose: the page must know the
    record exists to offer the glass. It shows nothing but that it is restricted.
    """
    try:
        person = Person.objects.get(reference=person_reference, is_restricted=True)
    except (Person.DoesNotExist, ValueError, ValidationError):
        return None
    if not in_team_scope(user, Person.objects.filter(pk=person.pk)).exists():
        return None
    return person


def grants_waiting_review() -> QuerySet[BreakGlassGrant]:
    return BreakGlassGrant.objects.filter(reviewed_at__isnull=True).select_related(
        "user", "person"
    )


def grants_recently_reviewed(limit: int = 20) -> QuerySet[BreakGlassGrant]:
    return (
        BreakGlassGrant.objects.filter(reviewed_at__isnull=False)
        .select_related("user", "person", "reviewed_by")
        .order_by("-reviewed_at")[:limit]
    )
