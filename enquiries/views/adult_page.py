"""The adult's own page (issue 20), and the practitioner's pages that offer it.

Adult pages are public pages (``@public_page``: "Exit this page", no-store)
that need an adult session instead of a staff sign-in: :func:`adult_page`
checks it on every request (``services.adult_page.session_access``) and
refuses any request made with a staff sign-in. No adult URL names a case:
what is shown comes from the signed-in access alone.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from enquiries.forms import adult_page as forms
from enquiries.models import AdultPageAccess, AdultPageInvitation, Enquiry
from enquiries.selectors import adult_page as selectors
from enquiries.services import adult_page as services
from enquiries.services import documents as document_services
from enquiries.views.documents import _download_name
from enquiries.views.enquiry_base import _enquiry, _writable
from msp import editing
from msp.public_pages import public_page

LANGUAGES = {"en-gb": "English", "pl": "Polski"}


def _activate_language(request: HttpRequest) -> str:
    language = request.session.get(services.SESSION_LANGUAGE, "en-gb")
    if language not in LANGUAGES:
        language = "en-gb"
    translation.activate(language)
    request.LANGUAGE_CODE = language
    return language


def _adult_view(view, *, signed_in: bool):
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            # A staff sign-in never opens an adult's page.
            raise PermissionDenied("Sign out of the staff service first.")
        language = _activate_language(request)
        request.adult_large_text = bool(
            request.session.get(services.SESSION_LARGE_TEXT)
        )
        try:
            if signed_in:
                offer = services.session_access(request)
                if offer is None:
                    return redirect("enquiries:adult_signed_out")
                request.adult_access = offer
                response = view(request, offer, *args, **kwargs)
            else:
                response = view(request, *args, **kwargs)
        finally:
            translation.deactivate()
        response["Content-Language"] = language
        return response

    return public_page(wrapped)


def adult_page(view):
    """An adult page that needs an adult signed in."""
    return _adult_view(view, signed_in=True)


def adult_public(view):
    """An adult page for signing in (no session needed yet)."""
    return _adult_view(view, signed_in=False)


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def _render(request, template, context=None, status=200):
    return render(request, f"adult/{template}", context or {}, status=status)


# --- Signing in -----------------------------------------------------------------


@adult_public
def start(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the invitation: remembered in the session, then left
    behind (the page redirects, so the link is not kept in the address bar)."""
    invitation = services.open_invitation(token)
    if invitation is None:
        return _render(request, "link_not_working.html", status=410)
    request.session.cycle_key()
    request.session[services.SESSION_PENDING] = invitation.pk
    return redirect("enquiries:adult_sign_in")


def _pending(request: HttpRequest) -> AdultPageInvitation | None:
    pk = request.session.get(services.SESSION_PENDING)
    if not pk:
        return None
    return services.usable_invitation(
        AdultPageInvitation.objects.select_related("access").filter(pk=pk).first()
    )


@adult_public
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    invitation = _pending(request)
    if invitation is None:
        return _render(request, "link_not_working.html", status=410)
    error = ""
    if request.method == "POST":
        try:
            services.send_code(invitation)
        except services.SignInRefused as refused:
            error = str(refused)
        else:
            return redirect("enquiries:adult_code")
    return _render(
        request,
        "sign_in.html",
        {"contact_hint": invitation.access.contact_hint, "error": error},
    )


@adult_public
@require_http_methods(["GET", "POST"])
def code(request: HttpRequest) -> HttpResponse:
    invitation = _pending(request)
    if invitation is None:
        return _render(request, "link_not_working.html", status=410)
    form = forms.SignInForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            offer = services.check_code(
                invitation=invitation,
                code=form.cleaned_data["code"],
                date_of_birth=form.cleaned_data["date_of_birth"],
                ip=_client_ip(request),
            )
        except services.SignInRefused as refused:
            form.add_error(None, str(refused))
        else:
            services.start_session(request, offer)
            return redirect("enquiries:adult_home")
    return _render(request, "code.html", {"form": form})


@adult_public
def signed_out(request: HttpRequest) -> HttpResponse:
    return _render(request, "signed_out.html")


@adult_public
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    services.end_session(request)
    return redirect("enquiries:adult_signed_out")


@adult_public
@require_http_methods(["GET", "POST"])
def language(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        chosen = request.POST.get("language", "")
        if chosen in LANGUAGES:
            request.session[services.SESSION_LANGUAGE] = chosen
        back = request.POST.get("next", "")
        if back.startswith("/my-page/") and "//" not in back:
            return redirect(back)
        return redirect("enquiries:adult_home")
    return _render(request, "language.html", {"languages": LANGUAGES})


@adult_public
@require_POST
def text_size(request: HttpRequest) -> HttpResponse:
    """Larger text, or back to the standard size: a button (a POST, works
    without JavaScript), remembered in their session."""
    if request.POST.get("size") == "large":
        request.session[services.SESSION_LARGE_TEXT] = True
    else:
        request.session.pop(services.SESSION_LARGE_TEXT, None)
    back = request.POST.get("next", "")
    if back.startswith("/my-page/") and "//" not in back:
        return redirect(back)
    return redirect("enquiries:adult_home")


# --- What they see ----------------------------------------------------------------


# Pages other apps add for the end of the work ("Tell us how it went" and
# after), filled in their AppConfig.ready(): (URL name, label).
END_LINKS: list[tuple[str, str]] = []


def register_end_link(url_name: str, label) -> None:
    if (url_name, label) not in END_LINKS:
        END_LINKS.append((url_name, label))


def _context(offer: AdultPageAccess, **extra) -> dict:
    return {"offer": offer, "enquiry": offer.enquiry, **extra}


@adult_page
def home(request: HttpRequest, offer: AdultPageAccess) -> HttpResponse:
    steps, version = selectors.plan(offer)
    return _render(
        request,
        "home.html",
        _context(
            offer,
            outcomes=selectors.outcomes_with_progress(offer),
            steps=steps,
            plan_state=selectors.plan_answer_state(offer, version),
            worker=offer.enquiry.allocated_to,
            can_rate=offer.enquiry.status in services.EVALUATION_STATUSES,
            end_links=[(reverse(name), label) for name, label in END_LINKS],
            entries=selectors.own_entries(offer, limit=5),
        ),
    )


@adult_page
@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest, offer: AdultPageAccess) -> HttpResponse:
    return _plan_page(request, offer, template="plan.html")


@adult_page
@require_http_methods(["GET", "POST"])
def plan_easy_read(request: HttpRequest, offer: AdultPageAccess) -> HttpResponse:
    return _plan_page(request, offer, template="plan_easy_read.html")


def _plan_page(request, offer, *, template: str) -> HttpResponse:
    steps, version = selectors.plan(offer)
    form = forms.PlanAnswerForm(
        request.POST if request.method == "POST" else None, initial={"version": version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_plan(
                offer=offer,
                agree=form.cleaned_data["agree"] == "yes",
                disagreement=form.cleaned_data["disagreement"],
                shown_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            for field_name, problems in error.message_dict.items():
                target = None if field_name == "__all__" else field_name
                for problem in problems:
                    form.add_error(target, problem)
        else:
            messages.success(request, _("Thank you. Your answer has been saved."))
            return redirect(request.path)
    return _render(
        request,
        template,
        _context(
            offer,
            steps=steps,
            version=version,
            form=form,
            plan_state=selectors.plan_answer_state(offer, version),
            worker=offer.enquiry.allocated_to,
        ),
    )


@adult_page
@require_http_methods(["GET", "POST"])
def your_words(request: HttpRequest, offer: AdultPageAccess) -> HttpResponse:
    form = forms.ViewsForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_views(
                offer=offer,
                views_text=form.cleaned_data["views_text"],
                worries=form.cleaned_data["worries"],
            )
        except ValidationError as error:
            for problem in error.messages:
                form.add_error(None, problem)
        else:
            messages.success(
                request, _("Thank you. Your worker will read what you wrote.")
            )
            return redirect("enquiries:adult_home")
    return _render(
        request,
        "your_words.html",
        _context(offer, form=form, entries=selectors.own_entries(offer)),
    )


@adult_page
def who_has_looked(request: HttpRequest, offer: AdultPageAccess) -> HttpResponse:
    return _render(
        request,
        "who_has_looked.html",
        _context(offer, looks=selectors.who_has_looked(offer)),
    )


@adult_page
def information_shared(request: HttpRequest, offer: AdultPageAccess) -> HttpResponse:
    decisions, withheld = selectors.consent_decisions(offer)
    return _render(
        request,
        "information_shared.html",
        _context(offer, decisions=decisions, withheld=withheld),
    )


@adult_page
def documents(request: HttpRequest, offer: AdultPageAccess) -> HttpResponse:
    return _render(
        request,
        "documents.html",
        _context(offer, documents=list(selectors.shared_documents(offer))),
    )


@adult_page
def document_download(
    request: HttpRequest, offer: AdultPageAccess, reference
) -> HttpResponse:
    """A shared document of their own, as an attachment, never cached; the
    read is audited before the file is sent."""
    document = selectors.shared_document_or_404(offer, reference)
    handle = document_services.open_document(document)
    services.record_document_read(offer=offer, document=document)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=_download_name(document),
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Length"] = str(document.size)
    return response


@adult_page
@require_http_methods(["GET", "POST"])
def call_back(request: HttpRequest, offer: AdultPageAccess) -> HttpResponse:
    form = forms.CallBackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.ask_call_back(offer=offer, when=form.cleaned_data["when"])
        messages.success(request, _("Thank you. Your worker will call you back."))
        return redirect("enquiries:adult_home")
    return _render(
        request,
        "call_back.html",
        _context(offer, form=form, worker=offer.enquiry.allocated_to),
    )


@adult_page
@require_http_methods(["GET", "POST"])
def how_did_it_go(request: HttpRequest, offer: AdultPageAccess) -> HttpResponse:
    if offer.enquiry.status not in services.EVALUATION_STATUSES:
        return _render(request, "too_early.html", _context(offer))
    outcomes = list(services.outcomes_to_rate(offer))
    form = forms.RateOutcomesForm(
        request.POST if request.method == "POST" else None, outcomes=outcomes
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.rate_outcomes(
                offer=offer, ratings=form.ratings(), comments=form.comments()
            )
        except ValidationError as error:
            for problem in error.messages:
                form.add_error(None, problem)
        else:
            messages.success(request, _("Thank you. Your answers have been saved."))
            return redirect("enquiries:adult_home")
    return _render(request, "how_did_it_go.html", _context(offer, form=form))


@adult_page
@require_POST
def return_link(request: HttpRequest, offer: AdultPageAccess) -> HttpResponse:
    try:
        services.send_return_link(offer=offer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("We have sent a new link to %(where)s. It works once.")
            % {"where": offer.contact_hint},
        )
    return redirect("enquiries:adult_home")


@adult_page
@require_http_methods(["GET", "POST"])
def copy_of_information(request: HttpRequest, offer: AdultPageAccess) -> HttpResponse:
    if request.method == "POST":
        entry = services.request_copy(offer=offer)
        return _render(
            request,
            "copy_requested.html",
            _context(offer, respond_by=entry.respond_by),
        )
    return _render(request, "copy.html", _context(offer))


# --- The practitioner's side ----------------------------------------------------------


def _staff_context(request, enquiry: Enquiry, **extra) -> dict:
    offers = list(selectors.offers_for_enquiry(request.user, enquiry))
    live = next((o for o in offers if o.is_live), None)
    return {
        "enquiry": enquiry,
        "person": enquiry.concern.person,
        "offers": offers,
        "live": live,
        "entries": selectors.entries_for_enquiry(request.user, enquiry, limit=50),
        "is_manager": services.is_manager(request.user),
        **extra,
    }


@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, reference) -> HttpResponse:
    """The enquiry's own-page page: offer it (safety first), invite, end it."""
    if request.method == "POST":
        enquiry = _writable(request, reference)
    else:
        enquiry = _enquiry(request, reference)
    form = forms.OfferForm(editing.bound_data(request))
    if editing.submit(
        request,
        form,
        lambda: services.offer_page(
            user=request.user,
            enquiry=enquiry,
            data={name: form.cleaned_data[name] for name in form.Meta.fields},
        ),
        success="The page is offered. Now send the invitation.",
    ):
        return redirect("enquiries:adult_page_manage", enquiry.reference)
    return render(
        request,
        "adult/staff/manage.html",
        _staff_context(
            request,
            enquiry,
            form=form,
            invite_form=forms.InviteForm(),
            end_form=forms.EndForm(),
        ),
    )


@require_POST
def invite(request: HttpRequest, reference) -> HttpResponse:
    enquiry = _writable(request, reference)
    offer = services.live_access(enquiry)
    form = forms.InviteForm(request.POST)
    if offer is None:
        messages.error(request, "Offer the page before sending an invitation.")
        return redirect("enquiries:adult_page_manage", enquiry.reference)
    if form.is_valid():
        try:
            issued = services.invite(
                user=request.user, offer=offer, sent_by=form.cleaned_data["sent_by"]
            )
        except ValidationError as error:
            for problem in error.messages:
                form.add_error(None, problem)
        else:
            if issued.invitation.sent_by == AdultPageInvitation.SentBy.LETTER:
                response = render(
                    request,
                    "adult/staff/letter.html",
                    {
                        "offer": offer,
                        "person": offer.person,
                        "link": request.build_absolute_uri(issued.link)
                        if issued.link.startswith("/")
                        else issued.link,
                        "expires": issued.invitation.expires_at,
                        "today": timezone.localdate(),
                    },
                )
                return response
            messages.success(request, "The invitation has been e-mailed.")
            return redirect("enquiries:adult_page_manage", enquiry.reference)
    return render(
        request,
        "adult/staff/manage.html",
        _staff_context(
            request,
            enquiry,
            form=forms.OfferForm(),
            invite_form=form,
            end_form=forms.EndForm(),
        ),
    )


@require_POST
def end(request: HttpRequest, reference) -> HttpResponse:
    enquiry = _writable(request, reference)
    offer = services.live_access(enquiry)
    form = forms.EndForm(request.POST)
    if offer is None:
        messages.error(request, "There is no page to end.")
        return redirect("enquiries:adult_page_manage", enquiry.reference)
    if form.is_valid():
        try:
            services.end_access(
                user=request.user,
                offer=offer,
                refuse=form.cleaned_data["action"] == "refuse",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            for problem in error.messages:
                form.add_error(None, problem)
        except PermissionDenied as denied:
            form.add_error(None, str(denied))
        else:
            messages.success(request, "The page has ended. Every session is closed.")
            return redirect("enquiries:adult_page_manage", enquiry.reference)
    return render(
        request,
        "adult/staff/manage.html",
        _staff_context(
            request,
            enquiry,
            form=forms.OfferForm(),
            invite_form=forms.InviteForm(),
            end_form=form,
        ),
        status=200,
    )


@require_POST
def seen(request: HttpRequest, reference) -> HttpResponse:
    enquiry = _writable(request, reference)
    services.mark_entries_seen(user=request.user, enquiry=enquiry)
    return redirect(reverse("enquiries:enquiry_detail", args=[enquiry.reference]))


def enquiry_panel(user, enquiry: Enquiry) -> str | None:
    """The enquiry page's panel: the page's state and what the adult added
    (registered for the "enquiry" slot in ``EnquiriesConfig.ready()``)."""
    from django.template.loader import render_to_string

    offers = list(selectors.offers_for_enquiry(user, enquiry))
    entries = list(selectors.entries_for_enquiry(user, enquiry, limit=10))
    live = next((o for o in offers if o.is_live), None)
    return render_to_string(
        "adult/staff/_panel.html",
        {
            "enquiry": enquiry,
            "live": live,
            "last": offers[0] if offers else None,
            "entries": entries,
            "new_count": sum(1 for e in entries if e.seen_by_worker_at is None),
        },
    )


def drop_adult_session(sender, request=None, **kwargs) -> None:
    """A staff sign-in ends any adult session in the same browser."""
    if request is not None and hasattr(request, "session"):
        for key in (
            services.SESSION_ACCESS,
            services.SESSION_SECRET,
            services.SESSION_STARTED,
            services.SESSION_SEEN,
            services.SESSION_PENDING,
        ):
            request.session.pop(key, None)
