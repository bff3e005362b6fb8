"""Letter templates in Django admin: edit, see every version, preview.

Administrators edit the words of each kind of letter. A save is checked (only
the placeholders listed for that kind, pictures that exist, lists closed) and
kept as a new version; the versions below the form are never changed. The
preview fills the template in with made-up values and, for easy-read
letters, shows the reading level against the target. Sent letters are listed
read-only (they are case records, scoped like the case pages).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from enquiries import letter_text
from enquiries.admin import ReadOnlyAdmin
from enquiries.models.letters import Letter, LetterTemplate, LetterTemplateVersion
from enquiries.selectors import letters as selectors
from enquiries.services import letters as services
from msp.admin_audit import AuditedAdminMixin


class LetterTemplateForm(forms.ModelForm):
    class Meta:
        model = LetterTemplate
        fields = ["kind", "title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 30, "cols": 100})}

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind") or getattr(self.instance, "kind", "")
        body = cleaned.get("body")
        if kind and body is not None:
            for problem in letter_text.check(kind, body):
                self.add_error("body", problem)
        return cleaned


class LetterTemplateVersionInline(admin.TabularInline):
    model = LetterTemplateVersion
    extra = 0
    can_delete = False
    fields = ["number", "title", "saved_at", "saved_by", "preview"]
    readonly_fields = fields
    ordering = ["-number"]
    verbose_name = "saved version"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Preview")
    def preview(self, version: LetterTemplateVersion) -> str:
        if not version.pk:
            return ""
        url = reverse(
            "admin:enquiries_lettertemplate_preview_version",
            args=[version.template_id, version.number],
        )
        return format_html('<a href="{}">Preview version {}</a>', url, version.number)


def placeholder_list(kind: str) -> str:
    """The placeholders (and lists) a letter of ``kind`` may use, as HTML."""
    rows = format_html_join(
        "",
        "<li><code>{{{{ {} }}}}</code>: {} (for example: {})</li>",
        ((p.name, p.meaning, p.sample) for p in letter_text.scalars(kind).values()),
    )
    lists = []
    for listed in letter_text.lists(kind).values():
        fields = format_html_join(
            "",
            "<li><code>{{{{ {} }}}}</code>: {}</li>",
            ((f.name, f.meaning) for f in listed.fields),
        )
        lists.append(
            format_html(
                "<li><code>{{{{#{}}}}}</code> … <code>{{{{/{}}}}}</code>: {}. "
                "Inside, each item has:<ul>{}</ul>"
                "<code>{{{{^{}}}}}</code> … <code>{{{{/{}}}}}</code> is shown only "
                "when there are none.</li>",
                listed.name,
                listed.name,
                listed.meaning,
                fields,
                listed.name,
                listed.name,
            )
        )
    pictures = format_html_join(
        ", ",
        "<code>[{}]</code> {}",
        sorted(letter_text.PICTURES.items()),
    )
    return format_html(
        "<p>Placeholders:</p><ul>{}</ul>{}"
        "<p>Lines: <code># Heading</code> starts a section (easy read: "
        "<code># [picture] Heading</code>); <code>- words</code> is a bullet "
        "point; every other line is a paragraph.</p><p>Pictures: {}</p>",
        rows,
        format_html(
            "<p>Lists:</p><ul>{}</ul>",
            format_html_join("", "{}", ((x,) for x in lists)),
        )
        if lists
        else "",
        pictures,
    )


@admin.register(LetterTemplate)
class LetterTemplateAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = LetterTemplateForm
    list_display = ["kind", "title", "version", "updated_at", "updated_by"]
    list_filter = ["kind"]
    search_fields = ["title", "body"]
    readonly_fields = ["version", "placeholders", "preview_link"]
    inlines = [LetterTemplateVersionInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        # A letter sent names the version that produced it: templates stay.
        return False

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("kind")
        return fields

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["kind", "title", "body"]
        return ["kind", "version", "preview_link", "title", "body", "placeholders"]

    @admin.display(description="Placeholders you can use")
    def placeholders(self, obj: LetterTemplate) -> str:
        return placeholder_list(obj.kind) if obj and obj.kind else ""

    @admin.display(description="Preview")
    def preview_link(self, obj: LetterTemplate) -> str:
        if not obj or not obj.pk:
            return ""
        url = reverse("admin:enquiries_lettertemplate_preview", args=[obj.pk])
        return format_html(
            '<a href="{}">Preview the saved version with made-up details</a>', url
        )

    def save_model(self, request, obj, form, change):
        # Every save is a new version, through the service (which writes the
        # audit line); never a plain save of the row.
        services.save_template(
            user=request.user,
            template=obj,
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
        )

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        # An administrators' page (sample data only), not a case page.
        preview.msp_staff_page = True
        own = [
            path(
                "<int:template_id>/preview/",
                preview,
                name="enquiries_lettertemplate_preview",
            ),
            path(
                "<int:template_id>/preview/<int:number>/",
                preview,
                name="enquiries_lettertemplate_preview_version",
            ),
        ]
        return own + super().get_urls()

    def preview_view(self, request, template_id: int, number: int | None = None):
        template = get_object_or_404(LetterTemplate, pk=template_id)
        if not self.has_view_permission(request, template):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        version = get_object_or_404(
            LetterTemplateVersion,
            template=template,
            number=number if number is not None else template.version,
        )
        letter = selectors.sample_letter(template.kind, version.title, version.body)
        grade = None
        if letter.easy_read:
            grade = round(letter_text.reading_grade(letter.words), 1)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Preview: {template} (version {version.number})",
            "opts": self.model._meta,
            "original": template,
            "template_obj": template,
            "version": version,
            "letter": letter,
            "grade": grade,
            "target": letter_text.EASY_READ_MAX_GRADE,
            "within_target": grade is not None
            and grade <= letter_text.EASY_READ_MAX_GRADE,
        }
        return TemplateResponse(
            request, "admin/enquiries/lettertemplate/preview.html", context
        )


@admin.register(Letter)
class LetterAdmin(ReadOnlyAdmin):
    list_display = ["kind", "enquiry", "recipient", "sent_via", "sent_on", "sent_by"]
    list_filter = ["kind", "sent_via"]
    search_fields = ["recipient", "enquiry__reference"]
    exclude = ["html"]
    raw_id_fields = ["enquiry", "template_version", "document", "sent_by"]


@admin.register(LetterTemplateVersion)
class LetterTemplateVersionAdmin(ReadOnlyAdmin):
    """Every saved version of a letter template, as it was: never changed."""

    list_display = ["template", "number", "title", "saved_at", "saved_by"]
    list_filter = ["template__kind"]
    search_fields = ["title", "body"]
    raw_id_fields = ["template", "saved_by"]
