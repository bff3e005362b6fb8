"""Documents held with a case: add, see, download, withdraw."""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse

from enquiries.forms.documents import DocumentForm, WithdrawDocumentForm
from enquiries.selectors.documents import (
    document_or_404,
    documents_for,
    sees_withdrawn,
)
from enquiries.services import documents as services
from enquiries.views.common import form_page
from enquiries.views.concerns import _concern
from enquiries.views.enquiry_base import _enquiry
from enquiries.views.people import _person
from msp import editing
from msp.access import require_write
from msp.roles import has_role_perm

logger = logging.getLogger(__name__)

STORAGE_DOWN = "The selected file could not be saved: try again later"


def upload_page(
    request, *, person, back_url, caption, concern=None, enquiry=None, also=None
) -> HttpResponse:
    """Add a document about ``person`` (on a concern or an enquiry, if given);
    ``also(document)`` runs in the same transaction (another app's link)."""
    require_write(request.user)
    meetings = enquiry.meetings.all() if enquiry is not None else None
    form = DocumentForm(
        editing.bound_data(request),
        request.FILES if request.method == "POST" else None,
        meetings=meetings,
    )

    def store():
        data = form.cleaned_data
        try:
            return services.store_document(
                user=request.user,
                person=person,
                upload=data["file"],
                title=data["title"],
                kind=data["kind"],
                document_date=data["document_date"],
                provided_by=data["provided_by"],
                sensitivity=data["sensitivity"],
                sensitivity_reason=data["sensitivity_reason"],
                adults_own=data["adults_own"],
                concern=concern,
                enquiry=enquiry,
                meeting=data.get("meeting"),
                also=also,
            )
        except OSError:
            # The documents storage is full or unreachable: nothing was
            # saved (the service keeps row and file together).
            logger.exception("Documents storage refused a file")
            raise ValidationError({"file": STORAGE_DOWN}) from None

    return editing.edit_page(
        request,
        form,
        store,
        success=lambda document: f"Document added: {document.title}",
        done=back_url,
        page=lambda: render(
            request,
            "enquiries/document_form.html",
            {
                "form": form,
                "person": person,
                "caption": caption,
                "back_url": back_url,
                "max_mb": settings.DOCUMENT_MAX_MB,
                "allowed": services.allowed_labels(),
            },
        ),
    )


def person_document_add(request: HttpRequest, reference) -> HttpResponse:
    person = _person(request, reference)
    return upload_page(
        request,
        person=person,
        back_url=person.get_absolute_url(),
        caption=person.full_name,
    )


def concern_document_add(request: HttpRequest, reference) -> HttpResponse:
    concern = _concern(request, reference)
    return upload_page(
        request,
        person=concern.person,
        concern=concern,
        back_url=reverse("enquiries:concern_detail", args=[concern.reference]),
        caption=f"Concern about {concern.person.full_name}",
    )


def enquiry_document_add(request: HttpRequest, reference) -> HttpResponse:
    enquiry = _enquiry(request, reference)
    person = enquiry.concern.person
    return upload_page(
        request,
        person=person,
        enquiry=enquiry,
        back_url=reverse("enquiries:enquiry_detail", args=[enquiry.reference]),
        caption=f"Enquiry for {person.full_name}",
    )


def document_detail(request: HttpRequest, reference) -> HttpResponse:
    document = document_or_404(request.user, reference)
    return render(
        request,
        "enquiries/document_detail.html",
        {
            "document": document,
            "person": document.person,
            "can_write": has_role_perm(request.user, "manage_cases"),
            "sees_withdrawn": sees_withdrawn(request.user),
        },
    )


def _download_name(document) -> str:
    """The name the browser saves it as: the title, safe for any file system."""
    stem = re.sub(r"[^A-Za-z0-9 ._-]+", "", document.title).strip(" .") or "document"
    extension = services.extension_for(document.content_type)
    return f"{stem[:80]}.{extension}"


def document_download(request: HttpRequest, reference) -> HttpResponse:
    document = document_or_404(request.user, reference)
    # A missing file answers 404 (services.DocumentFileMissing), logged.
    handle = services.open_document(document)
    services.record_download(user=request.user, document=document)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=_download_name(document),
        content_type=document.content_type,
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Length"] = str(document.size)
    return response


def document_withdraw(request: HttpRequest, reference) -> HttpResponse:
    require_write(request.user)
    document = document_or_404(request.user, reference)
    form = WithdrawDocumentForm(editing.bound_data(request))
    return editing.edit_page(
        request,
        form,
        lambda: services.withdraw_document(
            user=request.user,
            document=document,
            reason=form.cleaned_data["reason"],
        ),
        success=f"Document withdrawn: {document.title}",
        done=document.person,
        page=lambda: form_page(
            request,
            form,
            title=f"Withdraw ‘{document.title}’",
            caption=document.person.full_name,
            back_url=document.get_absolute_url(),
        ),
    )


# Panels on the person, concern and enquiry pages (registered in
# EnquiriesConfig.ready(), like the other apps' panels).


def _panel(user, documents, add_url, where: str) -> str:
    return render_to_string(
        "enquiries/_documents_panel.html",
        {
            "documents": list(documents),
            "add_url": add_url,
            "where": where,
            "can_write": has_role_perm(user, "manage_cases"),
        },
    )


def person_panel(user, person) -> str:
    return _panel(
        user,
        documents_for(user, person=person),
        reverse("enquiries:person_document_add", args=[person.reference]),
        "person",
    )


def concern_panel(user, concern) -> str:
    return _panel(
        user,
        documents_for(user, concern=concern),
        reverse("enquiries:concern_document_add", args=[concern.reference]),
        "concern",
    )


def enquiry_panel(user, enquiry) -> str:
    return _panel(
        user,
        documents_for(user, enquiry=enquiry),
        reverse("enquiries:enquiry_document_add", args=[enquiry.reference]),
        "enquiry",
    )
