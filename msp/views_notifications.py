"""Notifications pages: the list, marking read, and e-mail preferences."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from msp import notifications
from msp.editing import bound_data, edit_page
from msp.forms import ReminderEmailForm


def notification_list(request: HttpRequest) -> HttpResponse:
    page = notifications.notification_page(
        request.user, before=request.GET.get("before")
    )
    return render(
        request,
        "msp/notifications.html",
        {
            "page": page,
            # The header shows the same figure: counted once.
            "unread_notifications": page.unread,
            "first_page": not request.GET.get("before"),
            "email_choice": request.user.get_reminder_email_display(),
        },
    )


@require_POST
def mark_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one read; then open its record if asked to, else back to the list."""
    if not notifications.mark_read(request.user, notification_id):
        # Not theirs, or about a record they may no longer see.
        raise Http404("No such notification")
    if request.POST.get("open"):
        notification = (
            notifications.visible_notifications(request.user)
            .select_related("content_type")
            .get(pk=notification_id)
        )
        url = notifications.link(notification)
        if url:
            return redirect(url)
    return redirect("notifications")


@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    marked = notifications.mark_all_read(request.user)
    if marked:
        messages.success(
            request,
            "1 notification marked as read"
            if marked == 1
            else f"{marked} notifications marked as read",
        )
    return redirect("notifications")


def email_preferences(request: HttpRequest) -> HttpResponse:
    form = ReminderEmailForm(
        bound_data(request),
        initial={"reminder_email": request.user.reminder_email},
    )
    return edit_page(
        request,
        form,
        lambda: notifications.set_email_preference(
            request.user, form.cleaned_data["reminder_email"]
        ),
        success="Your e-mail preference has been saved",
        done="notifications",
        page=lambda: render(request, "msp/notification_email.html", {"form": form}),
    )
