"""The one place that decides which case records a user may see.

Every list, search, detail page, report drill-down and export gets its
records through :func:`visible`. A case model says how it reaches its team(s)
through ``ACCESS_TEAM_LOOKUPS`` (ORM paths to a Team) and to its adult
through ``ACCESS_PERSON_LOOKUP`` (an ORM prefix ending in ``__``, or ``""``
for Person itself). A record is
visible when any path leads to one of the user's teams, or when the user may
see all teams' cases (safeguarding lead). Restricted records are hidden from
everyone except the named users (and anyone who has broken the glass).

Objects outside a user's scope answer 404 (see :func:`get_visible_or_404`);
a user who may read but not write gets 403 (see :func:`require_write`).

Restricted records (docs/decisions/0007): a search shows only *that* a
restricted record matches, through :func:`restricted_matches`; a user in the
record's team scope may break the glass (:func:`can_break_glass`, page
``break_glass``) for ``BREAK_GLASS_HOURS`` of reviewed access.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from msp.roles import has_role_perm

M = TypeVar("M", bound=models.Model)


def can_see_all_teams(user) -> bool:
    return has_role_perm(user, "view_all_cases")


def can_work_on_cases(user) -> bool:
    return has_role_perm(user, "manage_cases")


def team_ids(user) -> list[int]:
    cached = getattr(user, "_msp_team_ids", None)
    if cached is None:
        cached = list(user.teams.values_list("pk", flat=True))
        user._msp_team_ids = cached
    return cached


def visible(user, queryset: QuerySet[M]) -> QuerySet[M]:
    """The part of ``queryset`` that ``user`` may see."""
    model = queryset.model
    if not (user.is_authenticated and user.is_active):
        return queryset.none()
    if not (can_work_on_cases(user) or can_see_all_teams(user)):
        # Auditors and administrators read case records only through the
        # audit pages and admin, never through case pages.
        return queryset.none()
    condition = Q()
    if not can_see_all_teams(user):
        ids = team_ids(user)
        if not ids:
            return queryset.none()
        for lookup in model.ACCESS_TEAM_LOOKUPS:
            condition |= _team_condition(model, lookup, ids)
    queryset = queryset.filter(condition)
    return _apply_restrictions(user, queryset)


def _team_condition(model, lookup: str, ids: list[int]) -> Q:
    """Rows of ``model`` whose ``lookup`` path reaches one of the teams ``ids``.

    A single-valued path (forward foreign keys only) is a plain join. A path
    through a reverse foreign key (a person's concerns) becomes a correlated
    ``EXISTS`` on the related table, so a person with two concerns is not
    listed twice and the database probes the related rows of just the
    candidate records (by the foreign key's index) instead of building the
    set of every record in the team. Many-to-many steps keep a ``pk IN``
    subquery.
    """
    current = model
    prefix: list[str] = []
    names = lookup.split("__")
    for position, name in enumerate(names):
        field = current._meta.get_field(name)
        if field.one_to_many and not field.many_to_many:
            rest = "__".join(names[position + 1 :])
            target = f"{rest}__in" if rest else "pk__in"
            outer = "__".join(prefix) if prefix else "pk"
            related = field.related_model._base_manager.filter(
                **{field.field.name: OuterRef(outer), target: ids}
            )
            return Q(Exists(related))
        if field.many_to_many:
            matching = model._base_manager.filter(**{f"{lookup}__in": ids})
            return Q(pk__in=matching.values("pk"))
        if field.related_model is None:
            break
        prefix.append(name)
        current = field.related_model
    return Q(**{f"{lookup}__in": ids})


def _apply_restrictions(user, queryset: QuerySet[M]) -> QuerySet[M]:
    """Hide restricted records unless the user is named on them."""
    lookup = getattr(queryset.model, "ACCESS_PERSON_LOOKUP", None)
    if lookup is None:
        return queryset
    hidden = hidden_restricted_ids(user)
    if not hidden:
        return queryset
    # The ids go as one array parameter on PostgreSQL, so the statement is
    # the same whatever their number, and the test needs only the person's
    # id, which the row already holds (no join to the person table).
    return queryset.exclude(**{f"{lookup}pk__any_of": hidden})


def hidden_restricted_ids(user) -> list[int]:
    """The restricted people ``user`` may not see: every restricted person
    they are not named on and hold no live break-glass grant for.

    Restricted records are few, so this is one small query (the partial index
    of restricted people), made once per request and remembered on the
    request being served (outside a request, on every call). Every case query
    then carries the ids as a plain parameter instead of a correlated
    sub-query, which is cheaper both to build here and for the database to
    plan. :func:`forget_cached_access` drops it when access changes within a
    request (breaking the glass).
    """
    from enquiries.models import Person
    from msp.audit import current_request

    request = current_request()
    remembered = request.__dict__.setdefault(_HIDDEN_RESTRICTED, {}) if request else {}
    if user.pk not in remembered:
        remembered[user.pk] = list(
            Person.objects.filter(is_restricted=True)
            .exclude(pk__in=_permitted_restricted(user).values("pk"))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    return remembered[user.pk]


_HIDDEN_RESTRICTED = "_msp_hidden_restricted"


def scope_key(user) -> str:
    """What decides which case records ``user`` sees, as a short string.

    Two users with the same key see exactly the same records, so figures
    counted from :func:`visible` records may be kept under it: role, teams,
    and the restricted records hidden from them (which changes when a
    break-glass grant starts or ends, or someone is named on a record).
    """
    if not (user.is_authenticated and user.is_active):
        return "none"
    hidden = ",".join(str(pk) for pk in hidden_restricted_ids(user))
    teams = ",".join(str(pk) for pk in sorted(team_ids(user)))
    return ":".join(
        (
            "work" if can_work_on_cases(user) else "-",
            "all" if can_see_all_teams(user) else teams,
            hashlib.sha256(hidden.encode()).hexdigest()[:16],
        )
    )


def forget_cached_access(user) -> None:
    """Drop what this request remembers of ``user``'s access (their teams,
    the restricted records hidden from them) after a change to it."""
    from msp.audit import current_request

    user.__dict__.pop("_msp_team_ids", None)
    request = current_request()
    if request is not None:
        request.__dict__.get(_HIDDEN_RESTRICTED, {}).pop(user.pk, None)


def _permitted_restricted(user):
    """Restricted people this user is named on or has broken the glass for."""
    from enquiries.models import Person

    return Person.objects.filter(is_restricted=True).filter(
        Q(permitted_users=user)
        | Q(
            break_glass_grants__user=user,
            break_glass_grants__expires_at__gt=timezone.now(),
        )
    )


def get_visible_or_404(user, queryset: QuerySet[M], **lookup) -> M:
    """One record the user may see, or 404 (never revealing that it exists)."""
    try:
        # No DISTINCT: visible() never repeats a row (reverse relations are
        # EXISTS, many-to-many a pk IN), and DISTINCT over every column made
        # PostgreSQL spend ~25 ms planning each record page.
        return visible(user, queryset).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, ValidationError) as exc:
        # ValidationError/ValueError: a malformed reference in the URL.
        raise Http404("No such record") from exc


def require_write(user) -> None:
    """Readers who may not change case records get 403."""
    if not can_work_on_cases(user):
        raise PermissionDenied("You can read this record but not change it.")


def in_team_scope(user, queryset: QuerySet[M]) -> QuerySet[M]:
    """Like :func:`visible` but *ignoring* restrictions: the records the user
    would see if none were restricted. Used only to decide who may break the
    glass and what a search may admit exists; never to show details."""
    if not (user.is_authenticated and user.is_active):
        return queryset.none()
    if not (can_work_on_cases(user) or can_see_all_teams(user)):
        return queryset.none()
    if can_see_all_teams(user):
        return queryset
    ids = team_ids(user)
    if not ids:
        return queryset.none()
    model = queryset.model
    condition = Q()
    for lookup in model.ACCESS_TEAM_LOOKUPS:
        condition |= _team_condition(model, lookup, ids)
    return queryset.filter(condition)


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


def restricted_matches(user, queryset, *, limit: int = 20) -> RestrictedMatches:
    """Restricted people among ``queryset`` that ``user`` may not open.

    ``queryset`` is an *unscoped* Person search (e.g. the same name filter the
    search page applies, before :func:`visible`). Only records in the user's
    own team scope are admitted to, and then only as "a restricted record
    matches": a reference and a link to break the glass, never a name.
    """
    from enquiries.models import Person

    if queryset.model is not Person:
        raise TypeError("restricted_matches takes a Person queryset")
    # In team scope and restricted, the only thing that makes a record
    # visible is being named on it or holding a live break-glass grant, so
    # "not visible" is "not among those" (no scan of every visible person).
    hidden = (
        in_team_scope(user, queryset.filter(is_restricted=True))
        .exclude(pk__in=_permitted_restricted(user).values("pk"))
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


def can_break_glass(user, person) -> bool:
    """A case worker may break the glass on a restricted adult in their scope."""
    from enquiries.models import Person

    return (
        person.is_restricted
        and can_work_on_cases(user)
        and in_team_scope(user, Person.objects.filter(pk=person.pk)).exists()
    )
