"""Partners on an enquiry (involved agencies, requests, sharing log, s45) and
adding an organisation to the directory."""

from django.urls import path

from enquiries.views import partners

E = "enquiries/<uuid:reference>/partners/"

urlpatterns = [
    path(E, partners.enquiry_partners, name="enquiry_partners"),
    path(f"{E}agencies/add/", partners.agency_add, name="agency_add"),
    path(f"{E}agencies/<int:agency_id>/", partners.agency_edit, name="agency_edit"),
    path(
        f"{E}agencies/<int:agency_id>/withdraw/",
        partners.agency_withdraw,
        name="agency_withdraw",
    ),
    path(
        f"{E}requests/<int:caused_id>/chase/",
        partners.request_chase,
        name="request_chase",
    ),
    path(
        f"{E}requests/<int:caused_id>/close/",
        partners.request_close,
        name="request_close",
    ),
    path(f"{E}shares/add/", partners.share_add, name="share_add"),
    path(
        f"{E}shares/<int:share_id>/withdraw/",
        partners.share_withdraw,
        name="share_withdraw",
    ),
    path(f"{E}s45/add/", partners.s45_add, name="s45_add"),
    path(f"{E}s45/<int:s45_id>/", partners.s45_decide, name="s45_decide"),
    path(
        f"{E}s45/<int:s45_id>/withdraw/",
        partners.s45_withdraw,
        name="s45_withdraw",
    ),
    path(
        "concerns/<uuid:reference>/partners/agencies/add/",
        partners.concern_agency_add,
        name="concern_agency_add",
    ),
    path(
        "concerns/<uuid:reference>/partners/shares/add/",
        partners.concern_share_add,
        name="concern_share_add",
    ),
    path("organisations/add/", partners.organisation_add, name="organisation_add"),
]
