"""Documents held with a case: added from the person, concern or enquiry page."""

from django.urls import path

from enquiries.views import documents

urlpatterns = [
    path(
        "people/<uuid:reference>/documents/add/",
        documents.person_document_add,
        name="person_document_add",
    ),
    path(
        "concerns/<uuid:reference>/documents/add/",
        documents.concern_document_add,
        name="concern_document_add",
    ),
    path(
        "enquiries/<uuid:reference>/documents/add/",
        documents.enquiry_document_add,
        name="enquiry_document_add",
    ),
    path(
        "documents/<uuid:reference>/", documents.document_detail, name="document_detail"
    ),
    path(
        "documents/<uuid:reference>/download/",
        documents.document_download,
        name="document_download",
    ),
    path(
        "documents/<uuid:reference>/withdraw/",
        documents.document_withdraw,
        name="document_withdraw",
    ),
]
