"""Optimistic concurrency: two people editing one record never silently
overwrite each other.

Every editable record carries ``version`` (``msp.models.TimeStampedModel``).
Forms send back the version they were shown; :func:`save_changes` locks the
row, compares versions, and either saves (version + 1, with an audit line in
the same transaction) or raises :class:`EditConflict` naming what the other
person changed, so the view can show it while keeping what this user typed.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from msp import audit

STALE_PAGE_MESSAGE = (
    "This page is out of date. Go back, open it again and re-enter your changes"
)


class EditConflict(Exception):
    """Someone else saved the record after this user opened it."""

    def __init__(self, current: models.Model, changed_fields: list[str]):
        self.current = current
        self.changed_fields = changed_fields
        super().__init__("The record was changed by someone else")


def save_changes(
    *,
    user,
    instance: models.Model,
    expected_version: int | None,
    changes: dict[str, Any],
    summary: str = "",
) -> models.Model:
    """Apply ``changes`` to ``instance`` if nobody else saved it first.

    An edit must say which version it was made against: without one it is
    refused (ValidationError), never saved unchecked.
    """
    if expected_version is None:
        raise ValidationError(STALE_PAGE_MESSAGE, code="stale")
    model = type(instance)
    with transaction.atomic():
        locked = model._base_manager.select_for_update(of=("self",))
        # The adult the audit line names, read with the locked row (the
        # lock stays on this record only) rather than by a second query.
        person = getattr(model, "ACCESS_PERSON_LOOKUP", "").removesuffix("__")
        if person:
            locked = locked.select_related(person)
        current = locked.get(pk=instance.pk)
        if current.version != expected_version:
            # What differs between the saved record and what this user typed.
            changed = [
                name
                for name, value in changes.items()
                if getattr(current, name) != value
            ]
            raise EditConflict(current, changed)
        before = audit.snapshot(current)
        for name, value in changes.items():
            setattr(current, name, value)
        # Validate the fields being changed (and the model's own clean());
        # unchanged fields were valid when saved, and skipping them saves the
        # uniqueness and constraint queries an edit does not need.
        unchanged = [
            field.name
            for field in model._meta.concrete_fields
            if field.name not in changes and field.attname not in changes
        ]
        current.full_clean(exclude=unchanged)
        current.version = current.version + 1
        # On the class: on the instance, hasattr would load the last editor.
        if hasattr(model, "updated_by"):
            current.updated_by = user
        current.save()
        after = audit.snapshot(current)
        audit.record(
            actor=user,
            action="change",
            obj=current,
            summary=summary or f"Changed {model._meta.verbose_name}",
            changes=audit.diff(before, after),
        )
    for name in changes:
        setattr(instance, name, getattr(current, name))
    instance.version = current.version
    return current
