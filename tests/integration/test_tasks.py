"""Background work: immediate by default, queued in the database in production."""

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from enquiries.models import PublicSubmission
from enquiries.tasks import email_referrer_confirmation

ANSWERS = {"email": "worried@example.org", "safe_to_email": True, "contact": "yes"}


@pytest.mark.django_db
def test_referrer_email_is_sent_at_once_with_the_embedded_default(mailoutbox):
    submission = PublicSubmission.objects.create(reference="SG-7K4P9Q", answers=ANSWERS)
    email_referrer_confirmation.enqueue(submission.pk)
    assert len(mailoutbox) == 1
    assert "SG-7K4P9Q" in mailoutbox[0].subject


@pytest.mark.django_db(transaction=True)
def test_database_backend_queues_until_the_worker_runs(settings, mailoutbox):
    # Changing TASKS resets django-tasks' backends (its setting_changed hook).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    submission = PublicSubmission.objects.create(reference="SG-3MXR8T", answers=ANSWERS)
    email_referrer_confirmation.enqueue(submission.pk)
    assert DBTaskResult.objects.count() == 1
    assert mailoutbox == []
    call_command("db_worker", "--batch", "--no-startup-delay")
    assert len(mailoutbox) == 1
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
