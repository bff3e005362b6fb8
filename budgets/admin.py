"""Admin for budgets. Nothing here can be deleted; local condition types are
configured here (deactivate one rather than delete it)."""

from django.contrib import admin

from budgets.models import (
    ConcernLink,
    Condition,
    DirectPayment,
    DirectPaymentDocument,
    Ending,
    FamilyMemberException,
    LocalConditionType,
    PersonalAssistant,
    PersonalBudget,
    RecipientChange,
    Review,
    StatusChange,
)
from msp.admin_audit import AuditedAdminMixin


class NoDeleteAdmin(AuditedAdminMixin, admin.ModelAdmin):
    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LocalConditionType)
class LocalConditionTypeAdmin(NoDeleteAdmin):
    list_display = ["name", "code", "names_a_party", "is_active", "sort_order"]
    list_filter = ["is_active", "names_a_party"]
    list_editable = ["is_active", "sort_order"]
    search_fields = ["name", "code", "description"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(PersonalBudget)
class PersonalBudgetAdmin(NoDeleteAdmin):
    list_display = [
        "person",
        "effective_from",
        "effective_to",
        "total_cost",
        "management",
    ]
    list_filter = ["management"]
    search_fields = ["person__family_name", "person__given_name", "care_plan_reference"]
    list_select_related = ["person"]
    raw_id_fields = ["person"]
    readonly_fields = ["council_contribution", "version"]


@admin.register(DirectPayment)
class DirectPaymentAdmin(NoDeleteAdmin):
    list_display = ["person", "amount", "frequency", "status", "start_date"]
    list_filter = ["status", "legal_basis", "payment_method", "frequency"]
    search_fields = ["person__family_name", "person__given_name", "recipient_name"]
    list_select_related = ["person"]
    raw_id_fields = ["personal_budget"]
    readonly_fields = ["status", "version"]


@admin.register(Condition)
class ConditionAdmin(NoDeleteAdmin):
    list_display = [
        "__str__",
        "direct_payment",
        "kind",
        "agreement",
        "status",
        "review_on",
    ]
    list_filter = ["kind", "status", "agreement", "local_type"]
    search_fields = ["details", "direct_payment__person__family_name"]
    list_select_related = ["local_type", "direct_payment"]
    raw_id_fields = ["direct_payment", "safeguarding_concern"]
    readonly_fields = ["kind", "version"]


@admin.register(FamilyMemberException)
class FamilyMemberExceptionAdmin(NoDeleteAdmin):
    list_display = ["family_member_name", "relationship", "authorised_on", "review_on"]
    search_fields = ["family_member_name", "direct_payment__person__family_name"]
    raw_id_fields = ["direct_payment", "authorised_by"]


@admin.register(PersonalAssistant)
class PersonalAssistantAdmin(NoDeleteAdmin):
    list_display = [
        "name",
        "relationship",
        "same_household",
        "dbs_type",
        "dbs_recheck_due",
    ]
    list_filter = ["relationship", "same_household", "dbs_type", "dbs_request"]
    search_fields = ["name", "direct_payment__person__family_name"]
    raw_id_fields = ["direct_payment", "family_exception"]


@admin.register(Review)
class ReviewAdmin(NoDeleteAdmin):
    list_display = [
        "direct_payment",
        "review_type",
        "trigger",
        "due_on",
        "completed_on",
        "outcome",
    ]
    list_filter = ["review_type", "trigger", "outcome"]
    search_fields = ["direct_payment__person__family_name", "findings"]
    raw_id_fields = [
        "direct_payment",
        "trigger_concern",
        "trigger_condition",
        "completed_by",
    ]


@admin.register(ConcernLink)
class ConcernLinkAdmin(NoDeleteAdmin):
    list_display = ["direct_payment", "concern", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["direct_payment__person__family_name", "notes"]
    raw_id_fields = ["direct_payment", "concern"]


@admin.register(Ending)
class EndingAdmin(NoDeleteAdmin):
    list_display = ["direct_payment", "reason", "ended_on", "notice_days"]
    list_filter = ["reason", "repayment_reason"]
    search_fields = ["direct_payment__person__family_name", "reason_details"]
    raw_id_fields = ["direct_payment"]


@admin.register(StatusChange)
class StatusChangeAdmin(NoDeleteAdmin):
    """Append-only history of status changes."""

    list_display = [
        "direct_payment",
        "from_status",
        "to_status",
        "changed_by",
        "changed_at",
    ]
    list_filter = ["to_status"]
    search_fields = ["reason", "direct_payment__person__family_name"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RecipientChange)
class RecipientChangeAdmin(NoDeleteAdmin):
    """Append-only history of recipient and legal basis changes (read only)."""

    list_display = [
        "direct_payment",
        "from_legal_basis",
        "to_legal_basis",
        "changed_by",
        "changed_at",
    ]
    list_filter = ["to_legal_basis"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DirectPaymentDocument)
class DirectPaymentDocumentAdmin(NoDeleteAdmin):
    """Which documents are held with which direct payment (read only; the
    documents themselves are in "Documents")."""

    list_display = ["document", "direct_payment"]
    list_filter = ["document__kind"]
    search_fields = ["document__title", "direct_payment__reference"]
    raw_id_fields = ["direct_payment", "document"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
