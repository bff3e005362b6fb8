"""URLs for restricted records and the person access log.

No namespace: ``{% url 'break_glass' %}`` and friends.
"""

from django.urls import path

from enquiries.views import trust as views_trust

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
    path(
        "audit/person/<uuid:person_reference>/",
        views_trust.audit_person,
        name="audit_person",
    ),
]
