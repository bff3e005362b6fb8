"""Reading the documents held with a case, scoped to what the user may see.

A document is part of the adult's record: whoever may see the adult may see
its current documents. Withdrawn documents are kept but shown only to
safeguarding leads (marked withdrawn); to everyone else they are gone.
"""

from __future__ import annotations

from django.db.models import QuerySet

from enquiries.models import Document
from msp.access import can_see_all_teams, get_visible_or_404, visible


def sees_withdrawn(user) -> bool:
    return can_see_all_teams(user)


def _base(user) -> QuerySet[Document]:
    documents = Document.objects.select_related(
        "kind", "uploaded_by", "withdrawn_by", "meeting"
    )
    if not sees_withdrawn(user):
        documents = documents.filter(withdrawn_at__isnull=True)
    return documents


def documents_for(
    user, *, person=None, concern=None, enquiry=None
) -> QuerySet[Document]:
    """The documents of one person, concern or enquiry the user may see."""
    documents = _base(user)
    if enquiry is not None:
        documents = documents.filter(enquiry=enquiry)
    elif concern is not None:
        documents = documents.filter(concern=concern)
    else:
        documents = documents.filter(person=person)
    return visible(user, documents).order_by("-document_date", "-id")


def document_or_404(user, reference) -> Document:
    """One document the user may see (404 otherwise, audited as refused)."""
    return get_visible_or_404(
        user,
        _base(user).select_related("person", "concern", "enquiry"),
        reference=reference,
    )
