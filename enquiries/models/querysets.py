"""The query set of the case records other apps keep figures from."""

from __future__ import annotations

from django.db import models, transaction

from enquiries import signals


class CaseRecordQuerySet(models.QuerySet):
    """Announces writes that bypass ``save()`` (:data:`signals.case_rows_written`)
    in the same transaction as the write, so what other apps keep from these
    records (the SAC return's kept counts, the per-enquiry and monthly report
    figures, the pattern records' copies) follows them. ``Model.save()`` does
    not come through here; it sends ``post_save``. An update reads the ids
    of its rows first (one query) to announce them as written."""

    def update(self, **kwargs):
        with transaction.atomic(using=self.db, savepoint=False):
            # The rows are announced again once written: what they now say
            # (another person's concern, another month's conclusion) changes
            # what is kept from them too.
            rows = list(self.values_list("pk", flat=True))
            signals.case_rows_written.send(
                sender=self.model, queryset=self, values=kwargs, when="before"
            )
            updated = super().update(**kwargs)
            self._announce(rows, values=kwargs, when="after")
            return updated

    update.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        with transaction.atomic(using=self.db, savepoint=False):
            created = super().bulk_create(objs, *args, **kwargs)
            self._announce(
                [obj.pk for obj in created if obj.pk is not None], when="created"
            )
            return created

    bulk_create.alters_data = True

    def _announce(self, ids: list, *, values: dict | None = None, when: str) -> None:
        """The rows with these ids were just written (updated or created)."""
        if ids:
            signals.case_rows_written.send(
                sender=self.model,
                queryset=self.model._base_manager.filter(pk__any_of=ids),
                values=values or {},
                when=when,
            )
