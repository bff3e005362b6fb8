"""URLs for trust: restricted records, audit pages, two-factor, password reset.

No namespace: ``{% url 'audit_log' %}`` and friends.
"""

from django.contrib.auth import views as auth_views
from django.urls import path

from msp import views_account, views_audit, views_trust
from msp.forms import GovukPasswordResetForm, GovukSetPasswordForm

urlpatterns = [
    # Restricted records
    path(
        "access/break-glass/<uuid:person_reference>/",
        views_trust.break_glass,
        name="break_glass",
    ),
    path("access/reviews/", views_trust.access_reviews, name="access_reviews"),
    path(
        "access/reviews/<int:grant_id>/",
        views_trust.access_review,
        name="access_review",
    ),
    path(
        "access/subject-access/<uuid:person_reference>/",
        views_trust.subject_access_pack,
        name="subject_access",
    ),
    path(
        "access/subject-access/<uuid:person_reference>.zip",
        views_trust.subject_access_zip,
        name="subject_access_zip",
    ),
    # Audit
    path("audit/", views_audit.audit_log, name="audit_log"),
    path("audit/export.csv", views_audit.audit_export, name="audit_export"),
    path(
        "audit/person/<uuid:person_reference>/",
        views_audit.audit_person,
        name="audit_person",
    ),
    # Two-factor authentication and the session
    path(
        "account/two-factor/set-up/",
        views_account.two_factor_setup,
        name="two_factor_setup",
    ),
    path(
        "account/two-factor/verify/",
        views_account.two_factor_verify,
        name="two_factor_verify",
    ),
    path(
        "account/two-factor/backup-codes/",
        views_account.two_factor_backup_codes,
        name="two_factor_backup_codes",
    ),
    path(
        "account/two-factor/backup-codes/new/",
        views_account.two_factor_new_backup_codes,
        name="two_factor_new_backup_codes",
    ),
    path(
        "account/session/keep-alive/",
        views_account.session_keep_alive,
        name="session_keep_alive",
    ),
    # Password reset by email (links expire: PASSWORD_RESET_TIMEOUT)
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            form_class=GovukPasswordResetForm,
            template_name="registration/password_reset_form.html",
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="registration/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            form_class=GovukSetPasswordForm,
            template_name="registration/password_reset_confirm.html",
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
