from django.urls import path

from budgets import views

app_name = "budgets"

urlpatterns = [
    path("person/<uuid:person_reference>/", views.person_budgets, name="person"),
    path(
        "person/<uuid:person_reference>/new/", views.budget_create, name="budget_create"
    ),
    path("<uuid:reference>/", views.budget_detail, name="budget_detail"),
    path("<uuid:reference>/change/", views.budget_edit, name="budget_edit"),
    path("<uuid:reference>/direct-payments/new/", views.dp_create, name="dp_create"),
    path("direct-payments/<uuid:reference>/", views.dp_detail, name="dp_detail"),
    path("direct-payments/<uuid:reference>/change/", views.dp_edit, name="dp_edit"),
    path("direct-payments/<uuid:reference>/status/", views.dp_status, name="dp_status"),
    path("direct-payments/<uuid:reference>/end/", views.dp_end, name="dp_end"),
    path(
        "direct-payments/<uuid:reference>/documents/add/",
        views.dp_document_add,
        name="dp_document_add",
    ),
    path(
        "direct-payments/<uuid:reference>/conditions/new/",
        views.condition_add,
        name="condition_add",
    ),
    path(
        "direct-payments/<uuid:reference>/family-exception/new/",
        views.family_exception_add,
        name="family_exception_add",
    ),
    path(
        "direct-payments/<uuid:reference>/assistants/new/",
        views.assistant_add,
        name="assistant_add",
    ),
    path(
        "direct-payments/<uuid:reference>/concerns/new/",
        views.link_add,
        name="link_add",
    ),
    path(
        "direct-payments/<uuid:reference>/recipient/",
        views.dp_recipient,
        name="dp_recipient",
    ),
    path(
        "concern-links/<uuid:reference>/withdraw/",
        views.link_withdraw,
        name="link_withdraw",
    ),
    path(
        "direct-payments/<uuid:reference>/suspend/<uuid:concern_reference>/",
        views.suspend_pending_investigation,
        name="suspend_pending_investigation",
    ),
    path(
        "conditions/<uuid:reference>/status/",
        views.condition_status,
        name="condition_status",
    ),
    path(
        "assistants/<uuid:reference>/change/",
        views.assistant_edit,
        name="assistant_edit",
    ),
    path(
        "reviews/<uuid:reference>/record/",
        views.review_complete,
        name="review_complete",
    ),
    path(
        "concerns/<uuid:concern_reference>/link/",
        views.link_from_concern,
        name="link_from_concern",
    ),
    path("manage/", views.manager_overview, name="manager"),
    path("manage/<slug:slug>/", views.manager_report, name="manager_report"),
    path(
        "manage/<slug:slug>/download/",
        views.manager_report_csv,
        name="manager_report_csv",
    ),
]
