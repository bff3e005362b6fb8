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
"""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404
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
            if _is_multi_valued(model, lookup):
                # A subquery, so a person with two concerns is not listed twice.
                matching = model._base_manager.filter(**{f"{lookup}__in": ids})
                condition |= Q(pk__in=matching.values("pk"))
            else:
                condition |= Q(**{f"{lookup}__in": ids})
    queryset = queryset.filter(condition)
    return _apply_restrictions(user, queryset)


def _is_multi_valued(model, lookup: str) -> bool:
    field = model._meta.get_field(lookup.split("__")[0])
    return bool(field.one_to_many or field.many_to_many)


def _apply_restrictions(user, queryset: QuerySet[M]) -> QuerySet[M]:
    """Hide restricted records unless the user is named on them."""
    lookup = getattr(queryset.model, "ACCESS_PERSON_LOOKUP", None)
    if lookup is None:
        return queryset
    from enquiries.models import Person

    allowed = Person.objects.filter(is_restricted=True).filter(
        Q(permitted_users=user)
        | Q(
            break_glass_grants__user=user,
            break_glass_grants__expires_at__gt=timezone.now(),
        )
    )
    return queryset.filter(
        Q(**{f"{lookup}is_restricted": False})
        | Q(**{f"{lookup}pk__in": allowed.values("pk")})
    )


def get_visible_or_404(user, queryset: QuerySet[M], **lookup) -> M:
    """One record the user may see, or 404 (never revealing that it exists)."""
    try:
        return visible(user, queryset).distinct().get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, ValidationError) as exc:
        # ValidationError/ValueError: a malformed reference in the URL.
        raise Http404("No such record") from exc


def require_write(user) -> None:
    """Readers who may not change case records get 403."""
    if not can_work_on_cases(user):
        raise PermissionDenied("You can read this record but not change it.")
