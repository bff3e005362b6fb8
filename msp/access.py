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

Restricted records (docs/decisions/0007) belong to the app that owns people
(``enquiries.selectors.trust``): it tells this module which people a user may
not see through :func:`register_hidden_people`, called from its
``AppConfig.ready()``. This module knows no domain app.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from msp import audit
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
    return _apply_restrictions(user, in_team_scope(user, queryset))


def in_team_scope(user, queryset: QuerySet[M]) -> QuerySet[M]:
    """The part of ``queryset`` in the teams ``user`` may see, restricted
    records included: :func:`visible` is this less :func:`hidden_part`.
    Used on its own only to decide who may break the glass, what a search
    may admit exists, and for figures kept per team (decision 0038), which
    take the records hidden from a user off what the user's teams hold;
    never to show details."""
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
    return queryset.filter(condition)


def hidden_part(user, queryset: QuerySet[M]) -> QuerySet[M]:
    """The rows of ``queryset`` about the restricted people hidden from
    ``user`` (none when nothing is hidden from them): what :func:`visible`
    takes off :func:`in_team_scope`."""
    hidden = _hidden_condition(user, queryset.model)
    return queryset.none() if hidden is None else queryset.filter(hidden)


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
            outer = "__".join(prefix) if prefix else "pk"
            rest = names[position + 1 :]
            step = field.related_model._meta.get_field(rest[0]) if rest else None
            if step is not None and step.one_to_many and not step.many_to_many:
                return _two_reverse_steps(field, step, outer, rest[1:], ids)
            target = f"{'__'.join(rest)}__in" if rest else "pk__in"
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


def _two_reverse_steps(first, second, outer: str, rest: list[str], ids: list[int]) -> Q:
    """A path through two reverse foreign keys (a person's concerns'
    enquiries' team): ``EXISTS`` on the far table whose foreign key is among
    the near rows of the candidate, written with ``any_of_array``.

    Written as one join inside the ``EXISTS``, PostgreSQL hashes every row of
    the team's far table against the near table (1M concerns) to meet a few
    candidates: 645-681 ms for a manager's no-date-of-birth check at 1M. With
    the near rows gathered per candidate by the foreign key's index it took
    178-258 ms (benchmarks/README.md, "The person access test at 1M").
    """
    near = first.related_model._base_manager.filter(
        **{first.field.name: OuterRef(OuterRef(outer))}
    ).values("pk")
    target = f"{'__'.join(rest)}__in" if rest else "pk__in"
    far = second.related_model._base_manager.filter(
        **{f"{second.field.name}__any_of_array": near, target: ids}
    )
    return Q(Exists(far))


def _apply_restrictions(user, queryset: QuerySet[M]) -> QuerySet[M]:
    """Hide restricted records unless the user is named on them."""
    hidden = _hidden_condition(user, queryset.model)
    return queryset if hidden is None else queryset.exclude(hidden)


def _hidden_condition(user, model) -> Q | None:
    """Rows of ``model`` about the restricted people hidden from ``user``;
    None when nothing is hidden from them (or the model names no adult).
    The ids go as one array parameter on PostgreSQL, so the statement is the
    same whatever their number, and the test needs only the person's id,
    which the row already holds (no join to the person table)."""
    lookup = getattr(model, "ACCESS_PERSON_LOOKUP", None)
    if lookup is None:
        return None
    hidden = hidden_restricted_ids(user)
    return Q(**{f"{lookup}pk__any_of": hidden}) if hidden else None


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
    from msp.audit import current_request

    request = current_request()
    remembered = request.__dict__.setdefault(_HIDDEN_RESTRICTED, {}) if request else {}
    if user.pk not in remembered:
        hidden: set[int] = set()
        for source in _HIDDEN_PEOPLE_SOURCES:
            hidden.update(source(user))
        remembered[user.pk] = sorted(hidden)
    return remembered[user.pk]


_HIDDEN_RESTRICTED = "_msp_hidden_restricted"

HiddenPeopleSource = Callable[[object], Iterable[int]]
_HIDDEN_PEOPLE_SOURCES: list[HiddenPeopleSource] = []


def register_hidden_people(source: HiddenPeopleSource) -> None:
    """Add a source of "people whose records this user may not see".

    ``source(user)`` returns person ids. The app that owns people registers
    its restricted records here from ``AppConfig.ready()``; registering the
    same function twice has no effect.
    """
    if source not in _HIDDEN_PEOPLE_SOURCES:
        _HIDDEN_PEOPLE_SOURCES.append(source)


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


def get_visible_or_404(user, queryset: QuerySet[M], **lookup) -> M:
    """One record the user may see, or 404 (never revealing that it exists)."""
    try:
        # No DISTINCT: visible() never repeats a row (reverse relations are
        # EXISTS, many-to-many a pk IN), and DISTINCT over every column made
        # PostgreSQL spend ~25 ms planning each record page.
        record = visible(user, queryset).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        # Perhaps the record exists but is out of scope or restricted: the
        # audit trail notes the refused attempt (a run of them on one person
        # is how snooping shows), the user learns nothing.
        audit.note_refused(queryset.model, lookup)
        raise Http404("No such record") from exc
    except (ValueError, ValidationError) as exc:
        # A malformed reference in the URL.
        raise Http404("No such record") from exc
    # Every record a page is given is noted, and the page's read is audited
    # once it has been served (msp.middleware.CaseReadAuditMiddleware).
    audit.note_read(record)
    return record


def require_write(user) -> None:
    """Readers who may not change case records get 403."""
    if not can_work_on_cases(user):
        raise PermissionDenied("You can read this record but not change it.")
