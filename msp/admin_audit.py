"""Audit for Django admin: the safety net for changes that bypass the services.

Use it on every ModelAdmin for a case-related (or account) model, before
``admin.ModelAdmin`` in the bases::

    from msp.admin_audit import AuditedAdminMixin

    @admin.register(Concern)
    class ConcernAdmin(AuditedAdminMixin, admin.ModelAdmin):
        ...

What it does:

- every add or change saved in admin (including list-editable changes)
  writes an audit line with the before/after values, inside the admin's own
  transaction, so the change and its line are saved together;
- many-to-many changes (for example a user's teams and roles) are included;
- records are never deleted in admin: the delete permission is off, and an
  attempt to open a delete page is itself recorded before it is refused;
- :meth:`audited_update` is for admin actions that change many rows: it
  writes one line per row (see :func:`msp.audit.bulk_change`);
- case records (models with ``ACCESS_TEAM_LOOKUPS``) are for the roles that
  may read cases, and only as the app's own pages show them: scoped through
  :func:`msp.access.visible` (other teams' and restricted records hidden),
  and every record opened is audited like a case page. Administrators, who
  configure the service, see configuration models only.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from msp import access, audit
from msp.models import AuditEvent


class AuditedAdminMixin:
    """Record every admin add and change; refuse and record every delete;
    scope and audit case records."""

    def _is_case_model(self) -> bool:
        return hasattr(self.model, "ACCESS_TEAM_LOOKUPS")

    def _may_read_cases(self, request) -> bool:
        user = request.user
        return access.can_work_on_cases(user) or access.can_see_all_teams(user)

    def has_module_permission(self, request) -> bool:
        if self._is_case_model() and not self._may_read_cases(request):
            return False
        return super().has_module_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        if self._is_case_model() and not self._may_read_cases(request):
            return False
        return super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        if self._is_case_model() and not self._may_read_cases(request):
            return False
        return super().has_change_permission(request, obj)

    def has_add_permission(self, request, *args) -> bool:
        if self._is_case_model() and not self._may_read_cases(request):
            return False
        return super().has_add_permission(request, *args)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self._is_case_model():
            # The same scope as the app's own pages: other teams' records
            # and restricted records the user is not named on are not here.
            queryset = access.visible(request.user, queryset)
        return queryset

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and self._is_case_model():
            audit.note_read(obj)  # one "viewed" line, as on a case page
        return obj

    def save_model(self, request, obj, form, change):
        before = {}
        if change and obj.pk:
            stored = type(obj)._base_manager.filter(pk=obj.pk).first()
            if stored is not None:
                before = audit.snapshot(stored)
        super().save_model(request, obj, form, change)
        request._msp_audit_pending = (obj, before, change)

    def save_related(self, request, form, formsets, change):
        obj = form.instance
        m2m_before = _m2m_snapshot(obj) if change else {}
        super().save_related(request, form, formsets, change)
        pending = getattr(request, "_msp_audit_pending", None)
        if pending is None or pending[0] is not obj:
            return
        _, before, changed = pending
        del request._msp_audit_pending
        after = audit.snapshot(obj)
        changes = audit.diff(before, after) if changed else after
        m2m_after = _m2m_snapshot(obj)
        for name, values in m2m_after.items():
            if m2m_before.get(name, []) != values:
                changes[name] = [m2m_before.get(name, []), values]
        audit.record(
            actor=request.user,
            action=AuditEvent.Action.CHANGE if changed else AuditEvent.Action.CREATE,
            obj=obj,
            summary=f"{'Changed' if changed else 'Added'} "
            f"{obj._meta.verbose_name} in admin",
            changes=changes,
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None:
            with transaction.atomic():
                audit.record(
                    actor=request.user,
                    action=AuditEvent.Action.DELETE_ATTEMPT,
                    obj=obj,
                    summary=f"Tried to delete {obj._meta.verbose_name} in admin",
                )
        raise PermissionDenied("Records are never deleted.")

    def audited_update(self, request, queryset, *, summary: str, **changes) -> int:
        """For admin actions: change many rows with one audit line per row."""
        return audit.bulk_change(
            actor=request.user, queryset=queryset, summary=summary, **changes
        )


def _m2m_snapshot(obj) -> dict:
    return {
        field.name: sorted(
            str(pk) for pk in getattr(obj, field.name).values_list("pk", flat=True)
        )
        for field in obj._meta.many_to_many
    }
