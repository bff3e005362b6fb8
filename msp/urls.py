from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from enquiries.views.queues import home
from msp import views
from msp.forms import SignInForm

urlpatterns = [
    path("", include("enquiries.urls")),
    path("", home, name="home"),
    path("outcomes/", include("outcomes.urls")),
    # The adult's own page: the feedback questions (issue 20).
    path("my-page/", include("outcomes.urls_adult_page")),
    path("budgets/", include("budgets.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("exit/", views.exit_this_page, name="exit"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path(
        "sign-in/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html",
            authentication_form=SignInForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    # Restricted records, audit pages, two-factor, password reset (issue 7)
    path("", include("msp.urls_trust")),
    path("", include("enquiries.urls.trust")),
    # Notifications and reminders (issue 19)
    path("", include("msp.urls_notifications")),
    path("admin/", admin.site.urls),
]

# The service's own error page (templates/500.html), drawn without the database.
handler500 = "msp.errors.server_error"
