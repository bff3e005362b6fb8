"""Sending text messages through a pluggable backend (settings.SMS_BACKEND).

A backend is a class with ``send(to: str, body: str) -> None``. Two come
with the service:

- :class:`ConsoleBackend` (the default) prints the message, for development
  and the demo (``make run`` shows sign-in codes in its console);
- :class:`MemoryBackend` keeps messages in :data:`outbox`, for tests.

For a real provider (for example GOV.UK Notify's text message API), write a
class with ``send`` that calls the provider and raises on failure, and set
``SMS_BACKEND`` to its dotted path. Messages never name the service's purpose
or hold case details (docs/decisions/0021-adult-own-page.md).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class TextMessage:
    to: str
    body: str


outbox: list[TextMessage] = []


class ConsoleBackend:
    def send(self, to: str, body: str) -> None:
        sys.stdout.write(f"Text message to {to}: {body}\n")
        sys.stdout.flush()


class MemoryBackend:
    def send(self, to: str, body: str) -> None:
        outbox.append(TextMessage(to=to, body=body))


def send_sms(to: str, body: str) -> None:
    """Send one text message through the configured backend."""
    backend = import_string(settings.SMS_BACKEND)()
    backend.send(to, body)
