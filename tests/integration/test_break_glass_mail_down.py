"""Issue 16, item 5: breaking the glass never fails because mail is down.

The grant is saved first; the leads' email goes through the task queue and is
tried again later when the mail server refuses it.
"""

import datetime
import logging

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from enquiries.factories import PersonFactory
from enquiries.models import BreakGlassGrant
from enquiries.services import trust as services_trust
from msp.models import AuditEvent

REASON = "Adult rang the duty line in distress; I am the duty worker today."
BROKEN = "tests.integration.test_break_glass_mail_down.MailServerDown"


class MailServerDown(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server unreachable")


@pytest.fixture
def restricted(team, lead):
    person = PersonFactory(team=team, is_restricted=True, restriction_reason="Staff")
    person.permitted_users.add(lead)
    return person


def _break_glass(client, user, person):
    client.force_login(user)
    return client.post(
        reverse("break_glass", args=[person.reference]), {"reason": REASON}
    )


def _run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay")


@pytest.mark.django_db(transaction=True)
def test_mail_down_with_embedded_tasks_still_opens_the_record(
    client, practitioner, restricted, settings, mailoutbox, caplog
):
    settings.EMAIL_BACKEND = BROKEN
    with caplog.at_level(logging.ERROR, logger="enquiries.services.trust"):
        response = _break_glass(client, practitioner, restricted)
    assert response.status_code == 302
    assert response["Location"] == restricted.get_absolute_url()
    assert BreakGlassGrant.objects.filter(user=practitioner, person=restricted).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.BREAK_GLASS).count() == 1
    assert client.get(restricted.get_absolute_url()).status_code == 200
    assert "Could not email the leads" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_mail_down_with_the_queue_is_retried_until_it_is_sent(
    client, practitioner, lead, restricted, settings, mailoutbox
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = BROKEN

    response = _break_glass(client, practitioner, restricted)
    assert response.status_code == 302
    grant = BreakGlassGrant.objects.get()
    # Nothing was sent in the request: the email waits in the queue.
    queued = DBTaskResult.objects.get()
    assert queued.status == "READY"
    assert queued.task_path.endswith("tell_leads_of_broken_glass")

    _run_worker()  # the mail server refuses: a second try is queued for later
    retry = DBTaskResult.objects.exclude(pk=queued.pk).get()
    assert retry.status == "READY"
    assert retry.args_kwargs["args"] == [grant.pk, 2]
    assert retry.run_after > timezone.now() + datetime.timedelta(seconds=30)
    _run_worker()  # not due yet: nothing happens
    assert DBTaskResult.objects.get(pk=retry.pk).status == "READY"

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    _run_worker()
    assert DBTaskResult.objects.get(pk=retry.pk).status == "SUCCESSFUL"
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [lead.email]


@pytest.mark.django_db(transaction=True)
def test_the_last_try_fails_the_task_so_it_shows_in_admin(
    practitioner, restricted, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = BROKEN
    grant = BreakGlassGrant.objects.create(
        person=restricted,
        user=practitioner,
        reason=REASON,
        expires_at=timezone.now() + datetime.timedelta(hours=2),
    )
    services_trust.tell_leads_of_broken_glass.enqueue(
        grant.pk, services_trust.LEADS_EMAIL_ATTEMPTS
    )
    _run_worker()
    result = DBTaskResult.objects.get()
    assert result.status == "FAILED"
    assert result.exception_class_path == "builtins.ConnectionRefusedError"
