"""PiPoT cases (people in a position of trust)."""

from django.urls import path

from enquiries.views import pipot

P = "pipot/<uuid:reference>/"

urlpatterns = [
    path("pipot/", pipot.pipot_list, name="pipot_list"),
    path(
        "enquiries/<uuid:reference>/pipot/add/",
        pipot.open_from_enquiry,
        name="pipot_from_enquiry",
    ),
    path(
        "concerns/<uuid:reference>/pipot/add/",
        pipot.open_from_concern,
        name="pipot_from_concern",
    ),
    path(P, pipot.pipot_detail, name="pipot_detail"),
    path(f"{P}change/", pipot.pipot_edit, name="pipot_edit"),
    path(f"{P}referrals/add/", pipot.referral_add, name="pipot_referral_add"),
    path(
        f"{P}referrals/<int:referral_id>/outcome/",
        pipot.referral_outcome,
        name="pipot_referral_outcome",
    ),
    path(f"{P}close/", pipot.pipot_close, name="pipot_close"),
    path(f"{P}workers/add/", pipot.name_worker, name="pipot_name_worker"),
    path(f"{P}concerns/add/", pipot.link_concern, name="pipot_link_concern"),
]
