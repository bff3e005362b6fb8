"""Consent overrides awaiting a second person; patterns (cumulative-risk
flags) and the provider page (issue 19)."""

from django.urls import path

from enquiries.views import overrides, patterns

CASE = "cases/<str:case_type>/<uuid:reference>"

urlpatterns = [
    path("overrides/", overrides.overrides_queue, name="overrides_queue"),
    path("overrides/<int:consent_id>/", overrides.override_open, name="override_open"),
    path(
        f"{CASE}/consent/<int:consent_id>/disagree/",
        overrides.consent_disagree,
        name="consent_disagree",
    ),
    path("patterns/", patterns.pattern_list, name="pattern_list"),
    path("patterns/<int:flag_id>/", patterns.pattern_detail, name="pattern_detail"),
    path(
        "patterns/<int:flag_id>/acknowledge/",
        patterns.pattern_acknowledge,
        name="pattern_acknowledge",
    ),
    path(
        "people/<uuid:reference>/relationships/<int:relationship_id>/own-record/",
        patterns.relationship_record,
        name="relationship_record",
    ),
    path(
        "organisations/<int:organisation_id>/",
        patterns.organisation_detail,
        name="organisation_detail",
    ),
]
