"""The enquiry's Letters page: choose a letter, preview it, produce the PDF
and record it as sent; download a sent letter (audited, never cached)."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from enquiries.forms.letters import SendLetterForm
from enquiries.letter_text import LetterKind
from enquiries.selectors import letters as selectors
from enquiries.services import letters as services
from enquiries.views.enquiry_base import REFUSALS, _enquiry, _for_request
from msp import editing


def enquiry_letters(request: HttpRequest, reference) -> HttpResponse:
    enquiry = _enquiry(request, reference)
    return render(
        request,
        "enquiries/letters/letters.html",
        {
            "enquiry": enquiry,
            "person": enquiry.concern.person,
            "choices": selectors.letter_choices(enquiry),
            "letters": selectors.letters_for(request.user, enquiry),
            "back_url": enquiry.get_absolute_url(),
        },
    )


def _kind(enquiry, kind: str) -> str:
    if kind not in LetterKind.values:
        raise Http404("No such letter")
    return kind


def enquiry_letter_preview(request: HttpRequest, reference, kind: str) -> HttpResponse:
    enquiry = _for_request(request, reference)
    kind = _kind(enquiry, kind)
    problem = selectors.why_not(enquiry, kind, selectors.templates_by_kind())
    form = SendLetterForm(
        editing.bound_data(request), initial={"sent_on": timezone.localdate()}
    )
    if editing.submit(
        request,
        form,
        lambda: services.send_letter(
            user=request.user,
            enquiry=enquiry,
            kind=kind,
            sent_via=form.cleaned_data["sent_via"],
            sent_on=form.cleaned_data["sent_on"],
        ),
        success=f"{LetterKind(kind).label}: the PDF is saved with the case "
        "and the letter is recorded as sent.",
        refusals=REFUSALS,
    ):
        return redirect("enquiries:enquiry_letters", enquiry.reference)
    letter = version = None
    if not problem:
        letter, version = selectors.enquiry_letter(enquiry, kind, request.user)
    return render(
        request,
        "enquiries/letters/preview.html",
        {
            "enquiry": enquiry,
            "person": enquiry.concern.person,
            "kind": kind,
            "kind_label": LetterKind(kind).label,
            "problem": problem,
            "letter": letter,
            "version": version,
            "form": form,
            "back_url": reverse("enquiries:enquiry_letters", args=[enquiry.reference]),
        },
    )


@never_cache
def enquiry_letter_print(request: HttpRequest, reference, kind: str) -> HttpResponse:
    """The letter on a page of its own, to print from the browser."""
    enquiry = _enquiry(request, reference)
    kind = _kind(enquiry, kind)
    if selectors.why_not(enquiry, kind, selectors.templates_by_kind()):
        return redirect("enquiries:enquiry_letter_preview", enquiry.reference, kind)
    letter, _version = selectors.enquiry_letter(enquiry, kind, request.user)
    response = render(
        request,
        "enquiries/letters/letter_document.html",
        {"letter": letter, "standalone": True},
    )
    response["Cache-Control"] = "no-store"
    return response


def letter_download(request: HttpRequest, letter_reference) -> HttpResponse:
    letter = selectors.letter_for(request.user, letter_reference)
    services.record_download(user=request.user, letter=letter)
    response = FileResponse(
        services.open_pdf(letter),
        as_attachment=True,
        filename=f"{letter.kind}-{letter.sent_on:%Y-%m-%d}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "no-store"
    return response
