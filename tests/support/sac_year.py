"""A concluded Section 42 enquiry the 2024-25 SAC return counts, for the
report pages' tests (the SAC page, its kept figures, the replica)."""

import datetime

from enquiries.factories import EnquiryFactory

YEAR = "2024-25"


def concluded_in_year(team, **kwargs):
    """Received, started and concluded in 2024-25 about an adult of ``team``
    (born 1950 unless given: factory ages are relative to today)."""
    kwargs.setdefault("concern__person__date_of_birth", datetime.date(1950, 1, 1))
    return EnquiryFactory(
        concluded=True,
        concern__person__team=team,
        concern__received_on=datetime.date(2024, 5, 1),
        started_on=datetime.date(2024, 5, 2),
        concluded_on=datetime.date(2024, 8, 1),
        **kwargs,
    )
