"""What the enquiries app announces to the apps built on it.

Sent after the transaction commits (``transaction.on_commit``), so receivers
see the saved record and a rolled-back change announces nothing, except
:data:`case_records_loaded` and :data:`case_rows_written`, sent inside the
writing transaction so that what other apps keep from these records changes
with them. Receivers are connected
in their app's ``AppConfig.ready()``.
"""

from django.dispatch import Signal

# An enquiry's closure was signed off. Arguments: ``enquiry`` (now closed),
# ``user`` (who signed it off).
enquiry_closed = Signal()

# An alleged source of harm on a concern was recorded as one of the adult's
# recorded relationships (``Risk.source_relation``). Arguments: ``risk``,
# ``user`` (who recorded it). Budgets links the adult's direct payments
# whose recipient or personal assistant is that person.
concern_source_recorded = Signal()

# The adult said on their own page how far each desired outcome was achieved.
# Arguments: ``entry`` (an ``AdultPageEntry`` whose ``details`` hold
# ``ratings`` and ``comments`` by desired outcome id, and ``given_by``, a
# ViewSource code), ``enquiry``. The outcomes app records the evaluation.
adult_page_outcomes_rated = Signal()

# Case records were written in bulk, past ``save()`` (an import, a generated
# data set). Sent inside the writing transaction. Arguments: ``enquiry_ids``,
# the ids of the enquiries whose records (or whose concern's) were written,
# and ``concern_ids`` (optional), the concerns written.
case_records_loaded = Signal()

# Rows of a case record (a person, concern, enquiry, risk or desired outcome)
# are about to be changed by ``QuerySet.update()`` (which ``bulk_update()``
# uses), or were just created by ``bulk_create()``: writes that send no
# ``post_save``. Sent inside the writing transaction, by the models' query
# sets (``enquiries.models.querysets.CaseRecordQuerySet``), so no bulk write
# can forget it. Arguments: ``queryset`` (the rows), ``values`` (the fields
# set: a dict; empty for a bulk create) and ``when``: "before" an update,
# "after" it (the same rows, as written: sent for every update, so what a
# row says now, another person or another month, is seen), or "created".
case_rows_written = Signal()
