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
    list_display = ["name", "kind", "postcode", "cqc_location_id", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "postcode", "cqc_location_id", "address"]
    readonly_fields = ["match_key"]


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


@admin.register(models.PersonNameWord)
class PersonNameWordAdmin(ReadOnlyAdmin):
    """The name search's words (decision 0031): derived from the person's
    names on every save, so shown here only to check them."""

    list_display = ["word", "family_key", "given_key", "person"]
    list_filter = [("person__team", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["=word", "person__family_name"]
    list_select_related = ["person"]


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
    raw_id_fields = ["person", "individual"]


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


@admin.register(models.OrganisationalMeeting)
class OrganisationalMeetingAdmin(NoDeleteAdmin):
    list_display = ["organisational", "held_on"]
    list_filter = ["held_on"]
    search_fields = ["organisational__organisation__name", "minutes"]
    list_select_related = ["organisational__organisation"]
    filter_horizontal = ["attendees"]


@admin.register(models.OrganisationalAction)
class OrganisationalActionAdmin(NoDeleteAdmin):
    list_display = ["organisational", "owner", "due_on", "status"]
    list_filter = ["status", "due_on"]
    search_fields = ["organisational__organisation__name", "description", "owner"]
    list_select_related = ["organisational__organisation"]


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
    list_display = [
        "concern",
        "enquiry",
        "risk_type",
        "location",
        "place_postcode",
        "source",
    ]
    list_filter = ["risk_type", "location", "source", "is_withdrawn"]
    search_fields = [
        "source_person_name",
        "concern__person__family_name",
        "place_postcode",
    ]
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
    readonly_fields = [
        "recorded_at",
        "recorded_by",
        "override_confirmed_by",
        "override_disagreed_by",
    ]
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


@admin.register(models.InvolvedAgency)
class InvolvedAgencyAdmin(NoDeleteAdmin):
    list_display = ["concern", "organisation", "role", "named_contact", "withdrawn_at"]
    list_filter = ["role"]
    search_fields = ["organisation__name", "named_contact"]
    list_select_related = ["organisation", "concern"]
    raw_id_fields = ["concern", "enquiry", "organisation"]


@admin.register(models.InformationShare)
class InformationShareAdmin(NoDeleteAdmin):
    list_display = ["concern", "direction", "organisation", "shared_on", "lawful_basis"]
    list_filter = ["direction", "lawful_basis", "consent", "adult_told"]
    search_fields = ["organisation__name", "what"]
    list_select_related = ["organisation", "concern"]
    raw_id_fields = [
        "concern",
        "enquiry",
        "organisation",
        "consent_decision",
        "s45_request",
    ]


@admin.register(models.S45Request)
class S45RequestAdmin(NoDeleteAdmin):
    list_display = ["concern", "direction", "organisation", "due_on", "decision"]
    list_filter = ["direction", "decision"]
    search_fields = ["organisation__name", "what_requested"]
    list_select_related = ["organisation", "concern"]
    raw_id_fields = ["concern", "enquiry", "organisation"]


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
    list_display = [
        "title",
        "referred_on",
        "decision",
        "commissioned_on",
        "completed_on",
    ]
    list_filter = ["decision", "completed_on"]
    search_fields = ["title", "referred_by", "reviewer"]
    readonly_fields = ["reference"]
    raw_id_fields = ["referred_from_enquiry"]


@admin.register(models.SarIndividual)
class SarIndividualAdmin(NoDeleteAdmin):
    list_display = ["review", "person", "died"]
    list_filter = ["died"]
    search_fields = ["review__title", "person__family_name"]
    list_select_related = ["review", "person"]
    raw_id_fields = ["review", "person"]


@admin.register(models.SarRecommendation)
class SarRecommendationAdmin(NoDeleteAdmin):
    list_display = ["review", "owner", "due_on", "status", "done_on"]
    list_filter = ["status", "due_on"]
    search_fields = ["review__title", "owner", "text"]
    list_select_related = ["review"]
    raw_id_fields = ["review"]


@admin.register(models.PublicSubmission)
class PublicSubmissionAdmin(ReadOnlyAdmin):
    list_display = ["reference", "submitted_at", "area", "team", "status"]
    list_filter = ["status", "team"]
    search_fields = ["reference", "area"]
    readonly_fields = ["submitted_at", "handled_by", "handled_at"]
    list_select_related = ["team"]


@admin.register(models.PatternRule)
class PatternRuleAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Safeguarding leads set what adds up to a pattern. Concerns recorded
    from now on are checked at once; past ones by the next send_reminders."""

    list_display = ["kind", "threshold", "window_months", "is_active", "checked_at"]
    list_filter = ["is_active", "kind"]
    search_fields = ["kind"]
    readonly_fields = ["checked_at"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # switch a rule off instead: its flags keep their rule


@admin.register(models.PatternFlag)
class PatternFlagAdmin(ReadOnlyAdmin):
    list_display = [
        "kind",
        "concern_count",
        "first_received_on",
        "last_received_on",
        "acknowledged_at",
    ]
    list_filter = ["kind"]
    search_fields = ["person__family_name", "organisation__name", "postcode"]
    readonly_fields = ["raised_at", "changed_at"]

    def get_exclude(self, request, obj=None):
        # A PiPoT case is named only to those its own rule admits (leads).
        from enquiries.selectors.pipot import is_pipot_lead

        exclude = list(super().get_exclude(request, obj) or [])
        if not is_pipot_lead(request.user):
            exclude.append("pipot_case")
        return exclude


@admin.register(models.PatternFlagRecord)
class PatternFlagRecordAdmin(ReadOnlyAdmin):
    list_display = ["flag", "concern", "received_on", "added_at"]
    list_filter = ["flag__kind"]
    search_fields = ["concern__person__family_name"]
    raw_id_fields = ["flag", "concern"]


# Letter templates and sent letters (issue 17) are configured in a module of
# their own; importing it registers them.
# PiPoT cases (issue 18): leads only, in a module of their own.
from enquiries import admin_letters, admin_pipot  # noqa: E402,F401


@admin.register(models.DocumentKind)
class DocumentKindAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # deactivate instead: documents keep their kind


@admin.register(models.Document)
class DocumentAdmin(ReadOnlyAdmin):
    """What is held, for support; the files are downloaded only from the case
    pages (access-checked and audited), and withdrawn there with a reason."""

    list_display = ["title", "kind", "document_date", "size", "uploaded_at"]
    list_filter = ["kind", "sensitivity"]
    search_fields = ["reference", "title"]
    raw_id_fields = ["person", "concern", "enquiry", "meeting"]


# The adult's own page (issue 20): written by the services only (offering,
# inviting and ending it go through the enquiry's page, which checks safety
# and ends sessions); read here. Hashes and the session secret are not shown.
@admin.register(models.AdultPageAccess)
class AdultPageAccessAdmin(ReadOnlyAdmin):
    list_display = ["person", "enquiry", "recipient", "status", "created_at"]
    list_filter = ["status", "recipient"]
    search_fields = ["person__family_name", "recipient_name"]
    exclude = ["session_secret"]
    list_select_related = ["person", "enquiry"]


@admin.register(models.AdultPageInvitation)
class AdultPageInvitationAdmin(ReadOnlyAdmin):
    list_display = ["access", "sent_by", "created_at", "expires_at", "used_at"]
    list_filter = ["sent_by"]
    search_fields = ["access__person__family_name"]
    exclude = ["token_hash"]
    list_select_related = ["access"]


@admin.register(models.AdultSignInCode)
class AdultSignInCodeAdmin(ReadOnlyAdmin):
    list_display = ["access", "created_at", "expires_at", "used_at"]
    list_filter = ["created_at"]
    search_fields = ["access__person__family_name"]
    exclude = ["code_hash"]
    list_select_related = ["access"]


@admin.register(models.AdultPageEntry)
class AdultPageEntryAdmin(ReadOnlyAdmin):
    list_display = ["access", "kind", "given_on", "recorded_at"]
    list_filter = ["kind"]
    search_fields = ["access__person__family_name", "text"]
    list_select_related = ["access"]
