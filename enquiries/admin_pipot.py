"""PiPoT cases in admin (decision 0026): for safeguarding leads only, scoped
like the app's own pages (enquiries.selectors.pipot), every case opened
audited, nothing deleted. Importing this module registers them."""

from django.contrib import admin

from enquiries import models
from enquiries.admin import NoDeleteAdmin
from enquiries.selectors import pipot as selectors
from msp import audit


class _LeadsOnly(NoDeleteAdmin):
    """Not everyone who may read cases in admin: leads only."""

    def _lead(self, request) -> bool:
        return selectors.is_pipot_lead(request.user)

    def has_module_permission(self, request) -> bool:
        return self._lead(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._lead(request) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._lead(request) and super().has_change_permission(request, obj)

    def has_add_permission(self, request, *args) -> bool:
        return self._lead(request) and super().has_add_permission(request, *args)


@admin.register(models.PipotCase)
class PipotCaseAdmin(_LeadsOnly):
    list_display = ["subject_name", "subject_role", "employer", "opened_on", "status"]
    list_filter = ["status", "subject_kind", "outcome"]
    search_fields = ["subject_name", "subject_role", "employer__name"]
    list_select_related = ["employer"]
    raw_id_fields = ["concern", "enquiry", "employer", "subject_person", "closed_by"]
    filter_horizontal = ["named_workers"]
    readonly_fields = ["reference"]

    def get_queryset(self, request):
        return selectors.pipot_cases(request.user).select_related("employer")

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            audit.note_read(obj, summary="Viewed a PiPoT case (admin)")
        return obj


@admin.register(models.PipotReferral)
class PipotReferralAdmin(_LeadsOnly):
    list_display = ["case", "kind", "referred_on", "outcome_on"]
    list_filter = ["kind"]
    search_fields = ["case__subject_name", "organisation__name", "outcome"]
    list_select_related = ["case__employer"]
    raw_id_fields = ["case", "organisation"]


@admin.register(models.PipotConcern)
class PipotConcernAdmin(_LeadsOnly):
    """Other concerns linked to a case (made on the case's page, where the
    pattern is checked): here a link made in error is withdrawn."""

    list_display = ["case", "concern", "linked_at", "linked_by", "is_withdrawn"]
    list_filter = ["is_withdrawn"]
    search_fields = ["case__subject_name", "concern__person__family_name"]
    list_select_related = ["case__employer", "concern__person", "linked_by"]
    raw_id_fields = ["case", "concern"]
    readonly_fields = ["case", "concern", "linked_at", "linked_by"]

    def has_add_permission(self, request, *args) -> bool:
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(case__in=selectors.pipot_cases(request.user))
        )
