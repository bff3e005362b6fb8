from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from enquiries import views as enquiries_views
from msp import views
from msp.forms import SignInForm

urlpatterns = [
    path("", include("enquiries.urls")),
    path("", enquiries_views.home, name="home"),
    path("outcomes/", include("outcomes.urls")),
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
    path("admin/", admin.site.urls),
]
