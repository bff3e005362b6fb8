"""People, concerns, the adult's voice, the decision, chronology, notes and queues.

The views, desired-outcome and consent pages serve a concern or an enquiry:
``case_type`` is ``"concern"`` or ``"enquiry"`` and ``reference`` is that
record's UUID, e.g. ``{% url 'enquiries:view_add' 'enquiry' enquiry.reference %}``.
"""

from django.urls import path

from enquiries.views import allocation, chronology, concerns, people, queues, voice

CASE = "cases/<str:case_type>/<uuid:reference>"

urlpatterns = [
    path("queues/<str:name>/", queues.queue, name="queue"),
    path("people/", people.person_search, name="person_search"),
    path("people/new/", people.person_create, name="person_create"),
    path("people/<uuid:reference>/", people.person_detail, name="person_detail"),
    path("people/<uuid:reference>/edit/", people.person_edit, name="person_edit"),
    path(
        "people/<uuid:reference>/relationships/add/",
        people.relationship_add,
        name="relationship_add",
    ),
    path(
        "people/<uuid:reference>/relationships/<int:relationship_id>/change/",
        people.relationship_edit,
        name="relationship_edit",
    ),
    path(
        "people/<uuid:reference>/legal-authorities/add/",
        people.legal_authority_add,
        name="legal_authority_add",
    ),
    path(
        "people/<uuid:reference>/chronology/", chronology.chronology, name="chronology"
    ),
    path(
        "people/<uuid:reference>/chronology/<int:event_id>/significant/",
        chronology.chronology_mark,
        name="chronology_mark",
    ),
    path("people/<uuid:reference>/notes/", chronology.case_notes, name="case_notes"),
    path(
        "people/<uuid:reference>/notes/<int:note_id>/edit/",
        chronology.case_note_edit,
        name="case_note_edit",
    ),
    path(
        "people/<uuid:reference>/notes/<int:note_id>/finalise/",
        chronology.case_note_finalise,
        name="case_note_finalise",
    ),
    path(
        "people/<uuid:reference>/concerns/new/",
        concerns.concern_create,
        name="concern_create",
    ),
    path("concerns/<uuid:reference>/", concerns.concern_detail, name="concern_detail"),
    path("concerns/<uuid:reference>/edit/", concerns.concern_edit, name="concern_edit"),
    path(
        "concerns/<uuid:reference>/allocate/",
        allocation.concern_allocate,
        name="concern_allocate",
    ),
    path("concerns/<uuid:reference>/risks/add/", concerns.risk_add, name="risk_add"),
    path(
        "concerns/<uuid:reference>/three-part-test/",
        concerns.concern_test,
        name="concern_test",
    ),
    path(
        "concerns/<uuid:reference>/decision/",
        concerns.concern_decision,
        name="concern_decision",
    ),
    path(f"{CASE}/views/", voice.view_list, name="view_list"),
    path(f"{CASE}/views/add/", voice.view_add, name="view_add"),
    path(
        f"{CASE}/views/<int:view_id>/correct/", voice.view_correct, name="view_correct"
    ),
    path(f"{CASE}/desired-outcomes/", voice.desired_outcomes, name="desired_outcomes"),
    path(
        f"{CASE}/desired-outcomes/add/",
        voice.desired_outcome_add,
        name="desired_outcome_add",
    ),
    path(
        f"{CASE}/desired-outcomes/<int:outcome_id>/revise/",
        voice.desired_outcome_revise,
        name="desired_outcome_revise",
    ),
    path(
        f"{CASE}/desired-outcomes/<int:outcome_id>/withdraw/",
        voice.desired_outcome_withdraw,
        name="desired_outcome_withdraw",
    ),
    path(f"{CASE}/consent/", voice.consent_list, name="consent_list"),
    path(f"{CASE}/consent/add/", voice.consent_add, name="consent_add"),
    path(
        f"{CASE}/consent/<int:consent_id>/confirm/",
        voice.consent_confirm,
        name="consent_confirm",
    ),
]
