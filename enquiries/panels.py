"""Panels other apps add to the person and enquiry pages.

The enquiries app knows no other domain app: ``outcomes`` and ``budgets``
register a provider here from their ``AppConfig.ready()`` (as enquiries
itself does for documents), and the pages show
whatever the providers return, in the order the apps are installed.

A provider is ``provider(user, record) -> str | None``: the panel's HTML
(rendered from the providing app's own template) or ``None`` for nothing.
Slots: ``"person"`` (the person page, record = Person), ``"concern"`` (the
concern page, record = Concern), ``"enquiry"`` (the
enquiry page, record = Enquiry) ``"enquiry_closure"`` (the closure stage,
record = Enquiry) and ``"enquiry_closure_review"`` (the manager's review,
record = Enquiry).
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

Provider = Callable[[object, object], str | None]
SLOTS = ("person", "concern", "enquiry", "enquiry_closure", "enquiry_closure_review")
_PROVIDERS: dict[str, list[Provider]] = {slot: [] for slot in SLOTS}


def register(slot: str, provider: Provider) -> None:
    """Show ``provider``'s panel in ``slot`` (registering twice has no effect)."""
    if slot not in _PROVIDERS:
        raise ValueError(f"Unknown panel slot {slot!r}; use one of {SLOTS}")
    if provider not in _PROVIDERS[slot]:
        _PROVIDERS[slot].append(provider)


def panels(slot: str, user, record) -> list[SafeString]:
    """The HTML of every panel for ``record`` in ``slot``, for ``user``."""
    shown = []
    for provider in _PROVIDERS[slot]:
        html = provider(user, record)
        if html:
            shown.append(mark_safe(html))  # noqa: S308 - rendered from a template
    return shown
