"""Large-scale (organisational) enquiries."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from enquiries.forms import enquiry as forms
from enquiries.forms import organisational as org_forms
from enquiries.models import (
    Enquiry,
    InvolvedAgency,
    OrganisationalAction,
    OrganisationalEnquiry,
)
from enquiries.services import enquiry as services
from enquiries.services import organisational as org_services
from enquiries.views.enquiry_base import S, _fields, _id, _version
from msp import editing, paging
from msp.access import get_visible_or_404, require_write, visible
from msp.models import Team
from msp.permissions import require_perm
from msp.roles import has_role_perm

# Large-scale (organisational) enquiries ------------------------------------------

PAGE_SIZE = 50


def organisational_list(request: HttpRequest) -> HttpResponse:
    """Large-scale enquiries the user can see, newest first (keyset pages)."""
    queryset = (
        visible(request.user, OrganisationalEnquiry.objects.all())
        .select_related("organisation", "team", "lead")
        .annotate(linked=Count("enquiries"))
        .order_by("-id")
    )
    before = request.GET.get("before", "")
    if before.isdigit():
        _id(int(before))  # a marker no record could have is 404
    page = paging.keyset_page(queryset, after=before, descending=True, size=PAGE_SIZE)
    return render(
        request,
        "enquiries/organisational_list.html",
        {
            "rows": page.rows,
            "next_before": page.next_cursor,
            "can_write": request.user.has_perm("msp.manage_cases"),
        },
    )


def _user_teams(user):
    if user.has_perm("msp.view_all_cases"):
        return Team.objects.filter(is_active=True)
    return user.teams.filter(is_active=True)


def organisational_create(request: HttpRequest) -> HttpResponse:
    require_write(request.user)
    teams = _user_teams(request.user)
    form = forms.OrganisationalEnquiryForm(
        editing.bound_data(request),
        instance=OrganisationalEnquiry(lead=request.user),
        teams=teams,
    )
    return editing.edit_page(
        request,
        form,
        lambda: services.start_organisational_enquiry(
            user=request.user,
            data={
                **_fields(form, forms.OrganisationalEnquiryForm.Meta.fields),
                "lead": request.user,
            },
        ),
        success="Large-scale enquiry started",
        page=lambda: render(
            request, "enquiries/organisational_form.html", {"form": form}
        ),
    )


def _organisational(request: HttpRequest, reference) -> OrganisationalEnquiry:
    return get_visible_or_404(
        request.user,
        OrganisationalEnquiry.objects.select_related("organisation", "team", "lead"),
        reference=reference,
    )


def _link_candidates(request: HttpRequest, org=None):
    """Open, unlinked enquiries the user can see; for the picker, only those
    naming the same provider on a risk (``org``)."""
    queryset = visible(request.user, Enquiry.objects.all())
    if org is not None:
        queryset = org_services.names_provider(queryset, org)
    return (
        queryset.filter(organisational_enquiry__isnull=True)
        .exclude(status=S.CLOSED)
        .select_related("concern__person")
        .order_by("concern__person__family_name", "concern__person__given_name", "id")
    )


def _organisational_page(request, org, form=None, status=200):
    if form is None:
        form = forms.LinkEnquiryForm(candidates=_link_candidates(request, org)[:200])
    form.helper.form_action = reverse(
        "enquiries:organisational_link", args=[org.reference]
    )
    linked = list(
        visible(request.user, Enquiry.objects.filter(organisational_enquiry=org))
        .select_related("concern__person", "allocated_to")
        .order_by("concern__person__family_name", "id")
    )
    hidden = Enquiry.objects.filter(organisational_enquiry=org).count() - len(linked)
    meetings = org.meetings.prefetch_related(
        Prefetch(
            "attendees",
            queryset=InvolvedAgency.objects.select_related("organisation"),
        )
    )
    return render(
        request,
        "enquiries/organisational_detail.html",
        {
            "org": org,
            "linked": linked,
            "hidden_count": hidden,
            "form": form,
            "meetings": list(meetings),
            "actions": list(org.actions.all()),
            "can_write": request.user.has_perm("msp.manage_cases"),
            "can_sign_off": has_role_perm(request.user, "sign_off_closure"),
        },
        status=status,
    )


def organisational_detail(request: HttpRequest, reference) -> HttpResponse:
    org = _organisational(request, reference)
    return _organisational_page(request, org)


@require_POST
def organisational_link(request: HttpRequest, reference) -> HttpResponse:
    require_write(request.user)
    org = _organisational(request, reference)
    form = forms.LinkEnquiryForm(request.POST, candidates=_link_candidates(request))
    if editing.submit(
        request,
        form,
        lambda: services.link_to_organisational(
            user=request.user,
            organisational=org,
            enquiry=form.cleaned_data["enquiry"],
        ),
        success="Enquiry linked",
    ):
        return redirect(org)
    return _organisational_page(request, org, form=form)


@require_POST
def organisational_unlink(request: HttpRequest, reference, enquiry_reference):
    require_write(request.user)
    org = _organisational(request, reference)
    enquiry = get_visible_or_404(
        request.user,
        Enquiry.objects.filter(organisational_enquiry=org),
        reference=enquiry_reference,
    )
    try:
        services.unlink_from_organisational(
            user=request.user, organisational=org, enquiry=enquiry
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Enquiry unlinked")
    return redirect(org)


# To the end: edit, meetings, actions, conclusion, sign-off -------------------


def _form_page(request, org, form, *, title, intro="", status=200, extra=None):
    return render(
        request,
        "enquiries/organisational_step.html",
        {"org": org, "form": form, "title": title, "intro": intro, **(extra or {})},
        status=status,
    )


def _open_org(request: HttpRequest, reference) -> OrganisationalEnquiry:
    require_write(request.user)
    return _organisational(request, reference)


def organisational_edit(request: HttpRequest, reference) -> HttpResponse:
    org = _open_org(request, reference)
    form = org_forms.OrganisationalEditForm(editing.bound_data(request), instance=org)
    return editing.edit_page(
        request,
        form,
        lambda: org_services.change_organisational(
            user=request.user,
            organisational=org,
            expected_version=_version(form),
            data=_fields(form, org_forms.OrganisationalEditForm.Meta.fields),
        ),
        success="Large-scale enquiry updated",
        page=lambda: _form_page(
            request, org, form, title="Change the large-scale enquiry"
        ),
        done=org,
    )


def organisational_conclude(request: HttpRequest, reference) -> HttpResponse:
    org = _open_org(request, reference)
    form = org_forms.ConclusionForm(editing.bound_data(request), instance=org)
    return editing.edit_page(
        request,
        form,
        lambda: org_services.conclude_organisational(
            user=request.user,
            organisational=org,
            expected_version=_version(form),
            data=_fields(form, org_forms.ConclusionForm.Meta.fields),
        ),
        success="Conclusion recorded: a manager can now sign it off",
        page=lambda: _form_page(
            request,
            org,
            form,
            title="Conclude the large-scale enquiry",
            intro="Each adult's own enquiry is concluded and closed on its own "
            "record; this is the conclusion about the provider.",
        ),
        done=org,
    )


def organisational_sign_off(request: HttpRequest, reference) -> HttpResponse:
    org = _open_org(request, reference)
    require_perm(
        request.user,
        "sign_off_closure",
        "Only team managers and safeguarding leads can sign off a large-scale enquiry.",
    )
    form = org_forms.SignOffForm(editing.bound_data(request), record=org)
    return editing.edit_page(
        request,
        form,
        lambda: org_services.close_organisational(
            user=request.user, organisational=org, expected_version=_version(form)
        ),
        success="Large-scale enquiry signed off and closed",
        page=lambda: _form_page(
            request,
            org,
            form,
            title="Sign off and close the large-scale enquiry",
            extra={"show_conclusion": True},
        ),
        done=org,
    )


def organisational_meeting_add(request: HttpRequest, reference) -> HttpResponse:
    org = _open_org(request, reference)
    form = org_forms.MeetingForm(
        editing.bound_data(request), agencies=org_services.agencies_for(org)
    )
    return editing.edit_page(
        request,
        form,
        lambda: org_services.record_meeting(
            user=request.user,
            organisational=org,
            data=_fields(form, org_forms.MeetingForm.Meta.fields),
        ),
        success="Meeting recorded",
        page=lambda: _form_page(request, org, form, title="Record a meeting"),
        done=org,
    )


def organisational_action_add(request: HttpRequest, reference) -> HttpResponse:
    org = _open_org(request, reference)
    form = org_forms.ActionForm(editing.bound_data(request))
    return editing.edit_page(
        request,
        form,
        lambda: org_services.add_action(
            user=request.user,
            organisational=org,
            data=_fields(form, org_forms.ActionForm.Meta.fields),
        ),
        success="Action added",
        page=lambda: _form_page(request, org, form, title="Add an action"),
        done=org,
    )


def organisational_action_edit(
    request: HttpRequest, reference, action_id: int
) -> HttpResponse:
    org = _open_org(request, reference)
    action = get_object_or_404(
        OrganisationalAction.objects.filter(organisational=org), pk=_id(action_id)
    )
    action.organisational = org
    form = org_forms.ActionStatusForm(editing.bound_data(request), instance=action)
    return editing.edit_page(
        request,
        form,
        lambda: org_services.change_action(
            user=request.user,
            action=action,
            expected_version=_version(form),
            data=_fields(form, org_forms.ActionStatusForm.Meta.fields),
        ),
        success="Action updated",
        page=lambda: _form_page(
            request,
            org,
            form,
            title="Update an action",
            intro=f"{action.description} (owner: {action.owner}, due "
            f"{action.due_on:%-d %B %Y})",
        ),
        done=org,
    )
