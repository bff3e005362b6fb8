"""Django admin for the enquiries app: configuration lists and read-mostly case records.

Administrators configure code lists (risk sub-types, outcome categories,
organisations, timescales) here. Case records are shown for support; none can
be deleted here (practice records are never hard-deleted), and the adult's
voice (views, desired outcomes, consent) and chronology are read-only.
"""

from django.contrib import admin

from enquiries import models
from msp.admin_audit import AuditedAdminMixin

AUDIT_FIELDS = ["created_at", "updated_at", "created_by", "updated_by", "version"]


class NoDeleteAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Case records: never hard-deleted."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        own = {f.name for f in self.model._meta.get_fields()}
        return fields + [f for f in AUDIT_FIELDS if f in own and f not in fields]


class ReadOnlyAdmin(NoDeleteAdmin):
    """Append-only records: written by the services, only read here."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.Organisation)
class OrganisationAdmin(NoDeleteAdmin):
    list_display = ["name", "kind", "cqc_location_id", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "cqc_location_id", "address"]


@admin.register(models.RiskSubtype)
class RiskSubtypeAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "risk_type", "is_active"]
    list_filter = ["risk_type", "is_active"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # deactivate instead: recorded risks keep their sub-type


@admin.register(models.OutcomeCategory)
class OutcomeCategoryAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.StageTimescale)
class StageTimescaleAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["step", "working_days"]
    list_filter = ["step"]
    search_fields = ["step"]


@admin.register(models.Person)
class PersonAdmin(NoDeleteAdmin):
    list_display = [
        "family_name",
        "given_name",
        "date_of_birth",
        "team",
        "is_restricted",
        "is_archived",
    ]
    list_filter = ["team", "gender", "is_restricted", "is_archived", "address_type"]
    search_fields = ["family_name", "given_name", "preferred_name", "nhs_number"]
    readonly_fields = ["reference"]
    list_select_related = ["team"]
    filter_horizontal = ["permitted_users"]


@admin.register(models.LegalAuthority)
class LegalAuthorityAdmin(NoDeleteAdmin):
    list_display = ["person", "kind", "holder_name", "concern_about_holder"]
    list_filter = ["kind", "concern_about_holder"]
    search_fields = ["holder_name", "person__family_name", "registration_reference"]
    list_select_related = ["person"]
    raw_id_fields = ["person"]


@admin.register(models.Relationship)
class RelationshipAdmin(NoDeleteAdmin):
    list_display = ["person", "kind", "name", "is_appropriate_person"]
    list_filter = ["kind", "is_appropriate_person", "lives_with_adult"]
    search_fields = ["name", "person__family_name"]
    list_select_related = ["person"]
    raw_id_fields = ["person"]


@admin.register(models.Concern)
class ConcernAdmin(NoDeleteAdmin):
    list_display = ["person", "received_on", "team", "status", "decision"]
    list_filter = ["status", "decision", "team", "received_via", "in_our_area"]
    search_fields = ["person__family_name", "person__given_name", "referrer_name"]
    date_hierarchy = "received_on"
    readonly_fields = ["reference", "decided_by", "decided_at"]
    list_select_related = ["person", "team"]
    raw_id_fields = ["person", "allocated_to"]


@admin.register(models.OrganisationalEnquiry)
class OrganisationalEnquiryAdmin(NoDeleteAdmin):
    list_display = ["organisation", "team", "started_on", "status"]
    list_filter = ["status", "team", "placements_embargoed"]
    search_fields = ["organisation__name", "trigger"]
    readonly_fields = ["reference"]
    list_select_related = ["organisation", "team"]


@admin.register(models.Enquiry)
class EnquiryAdmin(NoDeleteAdmin):
    list_display = ["concern", "kind", "team", "status", "started_on", "concluded_on"]
    list_filter = ["kind", "status", "team", "lead_agency"]
    search_fields = ["concern__person__family_name", "concern__person__given_name"]
    date_hierarchy = "started_on"
    readonly_fields = [
        "reference",
        "status",
        "kind_at_start",
        "signed_off_by",
        "signed_off_at",
    ]
    list_select_related = ["concern__person", "team"]
    raw_id_fields = ["concern", "allocated_to", "organisational_enquiry"]


@admin.register(models.Risk)
class RiskAdmin(NoDeleteAdmin):
    list_display = ["concern", "enquiry", "risk_type", "location", "source"]
    list_filter = ["risk_type", "location", "source", "is_withdrawn"]
    search_fields = ["source_person_name", "concern__person__family_name"]
    list_select_related = ["concern__person", "enquiry"]
    raw_id_fields = ["concern", "enquiry", "source_organisation"]


@admin.register(models.PersonView)
class PersonViewAdmin(ReadOnlyAdmin):
    list_display = ["person", "stage", "source", "own_words", "recorded_at"]
    list_filter = ["stage", "source", "own_words"]
    search_fields = ["person__family_name", "views_text"]
    readonly_fields = ["recorded_at", "recorded_by"]
    list_select_related = ["person"]


@admin.register(models.DesiredOutcome)
class DesiredOutcomeAdmin(ReadOnlyAdmin):
    list_display = ["person", "stage", "status", "achieved", "recorded_at"]
    list_filter = ["stage", "status", "achieved"]
    search_fields = ["person__family_name", "text"]
    readonly_fields = ["recorded_at", "recorded_by"]
    list_select_related = ["person"]


@admin.register(models.ConsentDecision)
class ConsentDecisionAdmin(ReadOnlyAdmin):
    list_display = ["person", "question", "answer", "overridden", "recorded_at"]
    list_filter = ["question", "answer", "overridden"]
    search_fields = ["person__family_name", "agency"]
    readonly_fields = ["recorded_at", "recorded_by", "override_confirmed_by"]
    list_select_related = ["person"]


@admin.register(models.CapacityAssessment)
class CapacityAssessmentAdmin(NoDeleteAdmin):
    list_display = ["person", "decision_in_question", "assessed_on", "conclusion"]
    list_filter = ["conclusion"]
    search_fields = ["person__family_name", "decision_in_question"]
    list_select_related = ["person"]
    raw_id_fields = ["person", "enquiry"]


@admin.register(models.AdvocacyReferral)
class AdvocacyReferralAdmin(NoDeleteAdmin):
    list_display = ["enquiry", "kind", "status", "referred_on", "advocate_name"]
    list_filter = ["kind", "status"]
    search_fields = ["advocate_name", "provider"]
    list_select_related = ["enquiry__concern__person"]
    raw_id_fields = ["enquiry"]


@admin.register(models.Meeting)
class MeetingAdmin(NoDeleteAdmin):
    list_display = ["enquiry", "kind", "held_on", "format", "adult_attended"]
    list_filter = ["kind", "format", "adult_invited", "adult_attended"]
    search_fields = ["attendees", "decisions"]
    list_select_related = ["enquiry__concern__person"]
    raw_id_fields = ["enquiry"]


@admin.register(models.CausedEnquiry)
class CausedEnquiryAdmin(NoDeleteAdmin):
    list_display = ["enquiry", "organisation", "requested_on", "due_on"]
    list_filter = ["council_satisfied"]
    search_fields = ["organisation__name", "scope"]
    list_select_related = ["organisation", "enquiry"]
    raw_id_fields = ["enquiry", "organisation"]


@admin.register(models.PlanAction)
class PlanActionAdmin(NoDeleteAdmin):
    list_display = ["enquiry", "description", "owner", "due_on", "status"]
    list_filter = ["status"]
    search_fields = ["description", "owner"]
    list_select_related = ["enquiry"]
    raw_id_fields = ["enquiry", "desired_outcomes"]


@admin.register(models.PlanReview)
class PlanReviewAdmin(NoDeleteAdmin):
    list_display = ["enquiry", "reviewed_on", "risk_rating", "decision"]
    list_filter = ["risk_rating", "decision"]
    search_fields = ["adult_view", "notes"]
    list_select_related = ["enquiry"]
    raw_id_fields = ["enquiry"]


@admin.register(models.CaseNote)
class CaseNoteAdmin(ReadOnlyAdmin):
    list_display = ["person", "created_at", "is_final", "significant"]
    list_filter = ["is_final", "significant"]
    search_fields = ["person__family_name", "text"]
    list_select_related = ["person"]


@admin.register(models.ChronologyEvent)
class ChronologyEventAdmin(ReadOnlyAdmin):
    list_display = ["person", "occurred_at", "kind", "summary", "significant"]
    list_filter = ["kind", "significant"]
    search_fields = ["person__family_name", "summary"]
    readonly_fields = ["recorded_by"]
    list_select_related = ["person"]


@admin.register(models.Allocation)
class AllocationAdmin(ReadOnlyAdmin):
    list_display = ["enquiry", "team", "worker", "allocated_at"]
    list_filter = ["team"]
    search_fields = ["reason", "worker__username"]
    readonly_fields = ["allocated_at", "allocated_by"]
    list_select_related = ["enquiry", "team", "worker"]


@admin.register(models.BreakGlassGrant)
class BreakGlassGrantAdmin(ReadOnlyAdmin):
    list_display = ["person", "user", "granted_at", "expires_at", "reviewed_at"]
    list_filter = ["reviewed_at"]
    search_fields = ["person__family_name", "user__username", "reason"]
    readonly_fields = ["granted_at", "reviewed_by"]
    list_select_related = ["person", "user"]


@admin.register(models.SafeguardingAdultsReview)
class SafeguardingAdultsReviewAdmin(NoDeleteAdmin):
    list_display = ["title", "commissioned_on", "completed_on"]
    list_filter = ["completed_on"]
    search_fields = ["title"]
    readonly_fields = ["reference"]


@admin.register(models.SarIndividual)
class SarIndividualAdmin(NoDeleteAdmin):
    list_display = ["review", "person", "died"]
    list_filter = ["died"]
    search_fields = ["review__title", "person__family_name"]
    list_select_related = ["review", "person"]
    raw_id_fields = ["review", "person"]


@admin.register(models.PublicSubmission)
class PublicSubmissionAdmin(ReadOnlyAdmin):
    list_display = ["reference", "submitted_at", "area", "team", "status"]
    list_filter = ["status", "team"]
    search_fields = ["reference", "area"]
    readonly_fields = ["submitted_at", "handled_by", "handled_at"]
    list_select_related = ["team"]
