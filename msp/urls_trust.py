"""URLs for trust: audit pages, two-factor, password reset.

No namespace: ``{% url 'audit_log' %}`` and friends.
"""

from django.contrib.auth import views as auth_views
from django.urls import path

from msp import views_account, views_audit
from msp.forms import GovukPasswordResetForm, GovukSetPasswordForm

urlpatterns = [
    # Audit
    path("audit/", views_audit.audit_log, name="audit_log"),
    path("audit/export.csv", views_audit.audit_export, name="audit_export"),
    path("audit/refused/", views_audit.refused_attempts, name="audit_refused"),
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
