"""Background work for enquiries, through Django's tasks framework.

With the embedded defaults (``TASKS_BACKEND=immediate``) a task runs at
once, in the request; in production (``TASKS_BACKEND=database``) it is queued
in the database and run by ``manage.py db_worker``, so a slow mail server
never holds up the person raising a concern.
"""

from django_tasks import task

from enquiries.models import PublicSubmission


@task()
def email_referrer_confirmation(submission_id: int) -> bool:
    """Email the referrer their reference (never the details), if they asked."""
    from enquiries.services.intake import send_referrer_confirmation

    submission = PublicSubmission.objects.filter(pk=submission_id).first()
    if submission is None:
        return False
    return send_referrer_confirmation(submission)
