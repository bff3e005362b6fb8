"""Enquiry stages (planning to closure) and large-scale enquiries."""

from django.urls import path

from enquiries import views_enquiry as views

E = "enquiries/<uuid:reference>/"

urlpatterns = [
    path(E, views.enquiry_detail, name="enquiry_detail"),
    path(f"{E}move/", views.enquiry_transition, name="enquiry_transition"),
    path(f"{E}views/<slug:stage>/", views.enquiry_views_add, name="enquiry_views_add"),
    path(f"{E}planning/", views.enquiry_planning, name="enquiry_planning"),
    path(
        f"{E}planning/meetings/add/",
        views.enquiry_meeting_add,
        name="enquiry_meeting_add",
    ),
    path(
        f"{E}planning/caused-enquiries/add/",
        views.enquiry_caused_add,
        name="enquiry_caused_add",
    ),
    path(
        f"{E}planning/caused-enquiries/<int:caused_id>/report/",
        views.enquiry_caused_report,
        name="enquiry_caused_report",
    ),
    path(f"{E}findings/", views.enquiry_findings, name="enquiry_findings"),
    path(f"{E}outcome/", views.enquiry_outcome, name="enquiry_outcome"),
    path(f"{E}outcome/risks/add/", views.enquiry_risk_add, name="enquiry_risk_add"),
    path(
        f"{E}outcome/risks/<int:risk_id>/withdraw/",
        views.enquiry_risk_withdraw,
        name="enquiry_risk_withdraw",
    ),
    path(f"{E}capacity/add/", views.enquiry_capacity_add, name="enquiry_capacity_add"),
    path(f"{E}advocacy/add/", views.enquiry_advocacy_add, name="enquiry_advocacy_add"),
    path(
        f"{E}advocacy/<int:referral_id>/",
        views.enquiry_advocacy_progress,
        name="enquiry_advocacy_progress",
    ),
    path(f"{E}plan/", views.enquiry_plan, name="enquiry_plan"),
    path(
        f"{E}plan/actions/add/",
        views.enquiry_plan_action_add,
        name="enquiry_plan_action_add",
    ),
    path(
        f"{E}plan/actions/<int:action_id>/",
        views.enquiry_plan_action_edit,
        name="enquiry_plan_action_edit",
    ),
    path(
        f"{E}plan/reviews/add/",
        views.enquiry_plan_review_add,
        name="enquiry_plan_review_add",
    ),
    path(f"{E}closure/", views.enquiry_closure, name="enquiry_closure"),
    path(
        f"{E}closure/review/",
        views.enquiry_closure_review,
        name="enquiry_closure_review",
    ),
    path(f"{E}closure/sign-off/", views.enquiry_sign_off, name="enquiry_sign_off"),
    path(f"{E}closure/send-back/", views.enquiry_send_back, name="enquiry_send_back"),
    path(f"{E}allocate/", views.enquiry_allocate, name="enquiry_allocate"),
    path(
        "large-scale-enquiries/",
        views.organisational_list,
        name="organisational_list",
    ),
    path(
        "large-scale-enquiries/start/",
        views.organisational_create,
        name="organisational_create",
    ),
    path(
        "large-scale-enquiries/<uuid:reference>/",
        views.organisational_detail,
        name="organisational_detail",
    ),
    path(
        "large-scale-enquiries/<uuid:reference>/link/",
        views.organisational_link,
        name="organisational_link",
    ),
    path(
        "large-scale-enquiries/<uuid:reference>/unlink/<uuid:enquiry_reference>/",
        views.organisational_unlink,
        name="organisational_unlink",
    ),
]
