"""People, concerns, the adult's voice, the decision, chronology, notes and queues.

The views, desired-outcome and consent pages serve a concern or an enquiry:
``case_type`` is ``"concern"`` or ``"enquiry"`` and ``reference`` is that
record's UUID, e.g. ``{% url 'enquiries:view_add' 'enquiry' enquiry.reference %}``.
"""

from django.urls import path

from enquiries import views

CASE = "cases/<str:case_type>/<uuid:reference>"

urlpatterns = [
    path("queues/<str:name>/", views.queue, name="queue"),
    path("people/", views.person_search, name="person_search"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<uuid:reference>/", views.person_detail, name="person_detail"),
    path("people/<uuid:reference>/edit/", views.person_edit, name="person_edit"),
    path(
        "people/<uuid:reference>/relationships/add/",
        views.relationship_add,
        name="relationship_add",
    ),
    path(
        "people/<uuid:reference>/legal-authorities/add/",
        views.legal_authority_add,
        name="legal_authority_add",
    ),
    path("people/<uuid:reference>/chronology/", views.chronology, name="chronology"),
    path(
        "people/<uuid:reference>/chronology/<int:event_id>/significant/",
        views.chronology_mark,
        name="chronology_mark",
    ),
    path("people/<uuid:reference>/notes/", views.case_notes, name="case_notes"),
    path(
        "people/<uuid:reference>/notes/<int:note_id>/edit/",
        views.case_note_edit,
        name="case_note_edit",
    ),
    path(
        "people/<uuid:reference>/notes/<int:note_id>/finalise/",
        views.case_note_finalise,
        name="case_note_finalise",
    ),
    path(
        "people/<uuid:reference>/concerns/new/",
        views.concern_create,
        name="concern_create",
    ),
    path("concerns/<uuid:reference>/", views.concern_detail, name="concern_detail"),
    path("concerns/<uuid:reference>/edit/", views.concern_edit, name="concern_edit"),
    path("concerns/<uuid:reference>/risks/add/", views.risk_add, name="risk_add"),
    path(
        "concerns/<uuid:reference>/three-part-test/",
        views.concern_test,
        name="concern_test",
    ),
    path(
        "concerns/<uuid:reference>/decision/",
        views.concern_decision,
        name="concern_decision",
    ),
    path(f"{CASE}/views/", views.view_list, name="view_list"),
    path(f"{CASE}/views/add/", views.view_add, name="view_add"),
    path(
        f"{CASE}/views/<int:view_id>/correct/", views.view_correct, name="view_correct"
    ),
    path(f"{CASE}/desired-outcomes/", views.desired_outcomes, name="desired_outcomes"),
    path(
        f"{CASE}/desired-outcomes/add/",
        views.desired_outcome_add,
        name="desired_outcome_add",
    ),
    path(
        f"{CASE}/desired-outcomes/<int:outcome_id>/revise/",
        views.desired_outcome_revise,
        name="desired_outcome_revise",
    ),
    path(
        f"{CASE}/desired-outcomes/<int:outcome_id>/withdraw/",
        views.desired_outcome_withdraw,
        name="desired_outcome_withdraw",
    ),
    path(f"{CASE}/consent/", views.consent_list, name="consent_list"),
    path(f"{CASE}/consent/add/", views.consent_add, name="consent_add"),
    path(
        f"{CASE}/consent/<int:consent_id>/confirm/",
        views.consent_confirm,
        name="consent_confirm",
    ),
]
