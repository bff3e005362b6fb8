"""Enquiry stages (planning to closure) and large-scale enquiries."""

from django.urls import path

from enquiries.urls.partners import urlpatterns as partner_patterns
from enquiries.views import closure, enquiry, organisational, outcome, plan, planning

E = "enquiries/<uuid:reference>/"

urlpatterns = [
    path(E, enquiry.enquiry_detail, name="enquiry_detail"),
    path(f"{E}move/", enquiry.enquiry_transition, name="enquiry_transition"),
    path(
        f"{E}views/<slug:stage>/", enquiry.enquiry_views_add, name="enquiry_views_add"
    ),
    path(f"{E}planning/", planning.enquiry_planning, name="enquiry_planning"),
    path(
        f"{E}planning/meetings/add/",
        planning.enquiry_meeting_add,
        name="enquiry_meeting_add",
    ),
    path(
        f"{E}planning/caused-enquiries/add/",
        planning.enquiry_caused_add,
        name="enquiry_caused_add",
    ),
    path(
        f"{E}planning/caused-enquiries/<int:caused_id>/report/",
        planning.enquiry_caused_report,
        name="enquiry_caused_report",
    ),
    path(f"{E}findings/", planning.enquiry_findings, name="enquiry_findings"),
    path(f"{E}outcome/", outcome.enquiry_outcome, name="enquiry_outcome"),
    path(f"{E}outcome/risks/add/", outcome.enquiry_risk_add, name="enquiry_risk_add"),
    path(
        f"{E}outcome/risks/<int:risk_id>/withdraw/",
        outcome.enquiry_risk_withdraw,
        name="enquiry_risk_withdraw",
    ),
    path(
        f"{E}capacity/add/", outcome.enquiry_capacity_add, name="enquiry_capacity_add"
    ),
    path(
        f"{E}capacity/<int:assessment_id>/",
        outcome.enquiry_capacity_detail,
        name="enquiry_capacity_detail",
    ),
    path(
        f"{E}advocacy/add/", outcome.enquiry_advocacy_add, name="enquiry_advocacy_add"
    ),
    path(
        f"{E}advocacy/<int:referral_id>/",
        outcome.enquiry_advocacy_progress,
        name="enquiry_advocacy_progress",
    ),
    path(f"{E}plan/", plan.enquiry_plan, name="enquiry_plan"),
    path(
        f"{E}plan/actions/add/",
        plan.enquiry_plan_action_add,
        name="enquiry_plan_action_add",
    ),
    path(
        f"{E}plan/actions/<int:action_id>/",
        plan.enquiry_plan_action_edit,
        name="enquiry_plan_action_edit",
    ),
    path(
        f"{E}plan/reviews/add/",
        plan.enquiry_plan_review_add,
        name="enquiry_plan_review_add",
    ),
    path(f"{E}closure/", closure.enquiry_closure, name="enquiry_closure"),
    path(
        f"{E}closure/review/",
        closure.enquiry_closure_review,
        name="enquiry_closure_review",
    ),
    path(f"{E}closure/sign-off/", closure.enquiry_sign_off, name="enquiry_sign_off"),
    path(f"{E}closure/send-back/", closure.enquiry_send_back, name="enquiry_send_back"),
    path(f"{E}allocate/", closure.enquiry_allocate, name="enquiry_allocate"),
    path(
        "large-scale-enquiries/",
        organisational.organisational_list,
        name="organisational_list",
    ),
    path(
        "large-scale-enquiries/start/",
        organisational.organisational_create,
        name="organisational_create",
    ),
    path(
        "large-scale-enquiries/<uuid:reference>/",
        organisational.organisational_detail,
        name="organisational_detail",
    ),
    path(
        "large-scale-enquiries/<uuid:reference>/link/",
        organisational.organisational_link,
        name="organisational_link",
    ),
    *[
        path(
            f"large-scale-enquiries/<uuid:reference>/{segment}",
            getattr(organisational, f"organisational_{name}"),
            name=f"organisational_{name}",
        )
        for segment, name in (
            ("change/", "edit"),
            ("conclude/", "conclude"),
            ("sign-off/", "sign_off"),
            ("meetings/add/", "meeting_add"),
            ("actions/add/", "action_add"),
            ("actions/<int:action_id>/", "action_edit"),
        )
    ],
    path(
        "large-scale-enquiries/<uuid:reference>/unlink/<uuid:enquiry_reference>/",
        organisational.organisational_unlink,
        name="organisational_unlink",
    ),
    *partner_patterns,
]
