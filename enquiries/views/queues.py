"""The home page and the work queues."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from enquiries import timescales
from enquiries.selectors.partners import PARTNER_QUEUE, overdue_request_rows
from enquiries.selectors.queues import QUEUES, queue_rows
from msp.roles import has_role_perm

# The home page shows the top of each work queue; "See all" opens the queue.
HOME_ROWS = 10
ALL_QUEUES = {**QUEUES, **PARTNER_QUEUE}
# Queues the home page leaves out while they are empty.
SHOWN_WHEN_NOT_EMPTY = {*PARTNER_QUEUE, "my_concerns"}


def _rows(user, name: str, *, after, scales, size=None):
    if name in PARTNER_QUEUE:
        return overdue_request_rows(user, after=after, size=size)
    return queue_rows(user, name, after=after, scales=scales, size=size)


def _queue_names(request: HttpRequest) -> list[str]:
    names = ["mine", "my_concerns", "partners", "team", "decision"]
    if has_role_perm(request.user, "sign_off_closure"):
        names.append("signoff")
    return names


def home(request: HttpRequest) -> HttpResponse:
    if not has_role_perm(request.user, "manage_cases"):
        return render(request, "enquiries/home.html", {"queues": []})
    scales = timescales.load_timescales()
    queues = []
    for name in _queue_names(request):
        rows, more = _rows(
            request.user, name, after=None, scales=scales, size=HOME_ROWS
        )
        if name in SHOWN_WHEN_NOT_EMPTY and not rows:
            continue  # e.g. shown only when a request to a partner is overdue
        queues.append(
            {
                "name": name,
                "title": ALL_QUEUES[name],
                "rows": rows,
                "see_all": bool(more),
            }
        )
    return render(request, "enquiries/home.html", {"queues": queues})


def queue(request: HttpRequest, name: str) -> HttpResponse:
    if name not in ALL_QUEUES or name not in _queue_names(request):
        raise Http404("No such list")
    if not has_role_perm(request.user, "manage_cases"):
        raise Http404("No such list")
    scales = timescales.load_timescales()
    rows, next_after = _rows(
        request.user, name, after=request.GET.get("after"), scales=scales
    )
    return render(
        request,
        "enquiries/queue.html",
        {
            "queue": {
                "name": name,
                "title": ALL_QUEUES[name],
                "rows": rows,
                "next": next_after,
            }
        },
    )
