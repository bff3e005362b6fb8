"""Admin: the versioned feedback question bank, and a read-only look at feedback.

To change the questions, add a new version (with its questions) and make it
active; a version that has been answered cannot have its questions changed,
so past answers keep their meaning.
"""

from django.contrib import admin, messages
from django.db import transaction

from msp import audit
from msp.admin import ReadOnlyAdmin
from msp.admin_audit import AuditedAdminMixin
from outcomes.figures import VALUE_FIELDS
from outcomes.models import (
    EnquiryFigures,
    FeedbackAnswer,
    FeedbackFollowUp,
    FeedbackQuestion,
    FeedbackQuestionnaire,
    FeedbackResponse,
    FigureMonthChange,
    InterchangeJob,
    MonthlyFigures,
    MonthlyFiguresState,
    SacAgeUnknown,
    SacCount,
    SacCountsState,
    SacPersonChange,
    SacPersonCounts,
)


class FeedbackQuestionInline(admin.TabularInline):
    model = FeedbackQuestion
    extra = 1
    fields = ["order", "text", "representative_text", "scale"]

    def _answered(self, obj) -> bool:
        return obj is not None and obj.responses.exists()

    def has_add_permission(self, request, obj=None) -> bool:
        return not self._answered(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return not self._answered(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(FeedbackQuestionnaire)
class FeedbackQuestionnaireAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "version", "is_active", "created_at"]
    readonly_fields = ["is_active", "created_at"]
    fields = ["name", "version", "notes", "is_active", "created_at"]
    inlines = [FeedbackQuestionInline]
    actions = ["make_active"]

    @admin.action(description="Use this version for new feedback")
    def make_active(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(
                request, "Select exactly one version to use.", messages.ERROR
            )
            return
        chosen = queryset.get()
        with transaction.atomic():
            for old in FeedbackQuestionnaire.objects.filter(is_active=True):
                old.is_active = False
                old.save(update_fields=["is_active"])
                audit.record(
                    actor=request.user,
                    action="change",
                    obj=old,
                    summary=f"Feedback questions version {old.version} retired",
                )
            chosen.is_active = True
            chosen.save(update_fields=["is_active"])
            audit.record(
                actor=request.user,
                action="change",
                obj=chosen,
                summary=f"Feedback questions version {chosen.version} made active",
            )
        self.message_user(request, f"Version {chosen.version} is now used.")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class FeedbackAnswerInline(admin.TabularInline):
    model = FeedbackAnswer
    extra = 0
    fields = ["question", "answer"]
    readonly_fields = ["question", "answer"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(FeedbackResponse)
class FeedbackResponseAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Read-only: feedback is recorded on the enquiry, not in admin."""

    list_display = ["enquiry", "respondent", "collected_by", "collected_on"]
    list_filter = ["respondent", "collected_by", "questionnaire"]
    inlines = [FeedbackAnswerInline]
    readonly_fields = [
        "enquiry",
        "questionnaire",
        "respondent",
        "collected_by",
        "collector_name",
        "collected_on",
        "comment",
    ]
    exclude = ["created_by", "updated_by", "version"]
    list_select_related = ["enquiry__concern__person"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(FeedbackFollowUp)
class FeedbackFollowUpAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["enquiry", "closed_on", "due_on", "completed_at"]
    list_filter = ["completed_at"]
    readonly_fields = [
        "enquiry",
        "closed_on",
        "due_on",
        "completed_at",
        "completed_by",
        "response",
    ]
    list_select_related = ["enquiry__concern__person"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(InterchangeJob)
class InterchangeJobAdmin(admin.ModelAdmin):
    """Who imported or exported case records, and how it ended. Read-only; the
    report (which may quote the file) is shown only to the job's owner on the
    job page."""

    list_display = ["file_name", "kind", "status", "created_by", "created_at"]
    list_filter = ["kind", "status"]
    fields = [
        "kind",
        "file_name",
        "created_by",
        "team",
        "status",
        "message",
        "records_done",
        "created_at",
        "finished_at",
        "expires_at",
    ]
    readonly_fields = fields
    list_select_related = ["created_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(EnquiryFigures)
class EnquiryFiguresAdmin(ReadOnlyAdmin):
    """Read-only, for support: the figures the reports keep per closed
    enquiry (decision 0033), by the enquiry's number only (no one's details).
    ``manage.py refresh_enquiry_figures`` recomputes them."""

    list_display = [
        "enquiry_id",
        "concluded_on",
        "decision_days",
        "plan_days",
        "closure_days",
        "counted_at",
    ]
    fields = ["enquiry_id", *VALUE_FIELDS, "counted_at"]
    readonly_fields = fields
    date_hierarchy = "concluded_on"


@admin.register(SacCountsState)
class SacCountsStateAdmin(ReadOnlyAdmin):
    """Read-only, for support: whether the SAC return's kept counts are
    filled, when, and how many changes wait to be counted (decision 0037).
    ``manage.py keep_sac_counts`` fills them; ``--check`` compares them with
    a count afresh."""

    list_display = ["__str__", "filled_at", "changes_waiting"]
    fields = ["rules", "filled_at", "fill_seen_at", "changes_waiting"]
    readonly_fields = fields

    @admin.display(description="Changes waiting to be counted")
    def changes_waiting(self, obj) -> int:
        return SacPersonChange.objects.count()


@admin.register(SacCount)
class SacCountAdmin(ReadOnlyAdmin):
    """Read-only: each year's kept SAC cells (tables SG1 to SG4)."""

    list_display = ["year", "cell_label", "n"]
    list_filter = ["year"]
    fields = ["year", "cell", "cell_label", "n"]
    readonly_fields = fields

    @admin.display(description="Cell")
    def cell_label(self, obj) -> str:
        from outcomes.sac_counts import cell_of

        table, row, column = cell_of(obj.cell)
        return " / ".join(part for part in (table, row, column) if part)


@admin.register(SacPersonCounts)
class SacPersonCountsAdmin(ReadOnlyAdmin):
    """Read-only: what each person adds to the SAC return, by their id only
    (year: the places of the cells; see ``outcomes.sac_counts``)."""

    list_display = ["person_id", "cells"]
    fields = ["person_id", "cells"]
    readonly_fields = fields


@admin.register(SacPersonChange)
class SacPersonChangeAdmin(ReadOnlyAdmin):
    """Read-only: people marked to be counted again (by id only)."""

    list_display = ["id", "person_id"]
    fields = ["person_id"]
    readonly_fields = fields


@admin.register(SacAgeUnknown)
class SacAgeUnknownAdmin(ReadOnlyAdmin):
    """Read-only: people counted "Age unknown" in a year (by id only)."""

    list_display = ["year", "person_id"]
    list_filter = ["year"]
    fields = ["year", "person_id"]
    readonly_fields = fields


@admin.register(MonthlyFiguresState)
class MonthlyFiguresStateAdmin(ReadOnlyAdmin):
    """Read-only, for support: whether the dashboard's monthly figures are
    filled, when, and how many months wait to be counted again (decision
    0038). ``manage.py keep_monthly_figures`` fills them; ``--check``
    compares them with a count afresh."""

    list_display = ["__str__", "filled_at", "months_waiting"]
    fields = ["rules", "filled_at", "fill_seen_at", "months_waiting"]
    readonly_fields = fields

    @admin.display(description="Months waiting to be counted again")
    def months_waiting(self, obj) -> int:
        return FigureMonthChange.objects.values("month").distinct().count()


@admin.register(MonthlyFigures)
class MonthlyFiguresAdmin(ReadOnlyAdmin):
    """Read-only: the dashboard's figures kept per month, team and kind
    (counts only)."""

    list_display = ["month", "team_id", "kind"]
    list_filter = ["kind"]
    fields = ["month", "team_id", "kind", "counts"]
    readonly_fields = fields
    date_hierarchy = "month"


@admin.register(FigureMonthChange)
class FigureMonthChangeAdmin(ReadOnlyAdmin):
    """Read-only: months marked for the monthly figures to count again."""

    list_display = ["id", "month"]
    fields = ["month"]
    readonly_fields = fields
