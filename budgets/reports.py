"""The manager lists for direct payments: what each shows and how it sorts."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet

from budgets import selectors


@dataclass
class Cell:
    text: str
    url: str = ""
    tag: str = ""


@dataclass
class Report:
    slug: str
    title: str
    description: str
    key: str
    headings: list[str]
    queryset: Callable[[object], QuerySet]
    cells: Callable[[object], list[Cell]]

    def row(self, item) -> list[Cell]:
        return self.cells(item)


def csv_safe(value: str) -> str:
    """Stop spreadsheet programs treating a cell as a formula."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def _date(value) -> str:
    return f"{value:%-d %B %Y}" if value else ""


def _person_cell(payment) -> Cell:
    return Cell(payment.person.full_name, payment.get_absolute_url())


def _review_cells(review) -> list[Cell]:
    overdue = review.is_overdue()
    return [
        _person_cell(review.direct_payment),
        Cell(review.get_review_type_display()),
        Cell(review.get_trigger_display() if review.trigger else ""),
        Cell(_date(review.due_on)),
        Cell("Overdue" if overdue else "Due", tag="red" if overdue else "yellow"),
    ]


def _breach_cells(condition) -> list[Cell]:
    return [
        _person_cell(condition.direct_payment),
        Cell(condition.title),
        Cell(_date(condition.breached_on)),
        Cell(condition.breach_details),
    ]


def _link_cells(link) -> list[Cell]:
    return [
        _person_cell(link.direct_payment),
        Cell(link.get_role_display()),
        Cell(link.concern.get_status_display()),
        Cell(link.direct_payment.get_status_display()),
        Cell(_date(link.created_at)),
    ]


def _exception_cells(exception) -> list[Cell]:
    overdue = exception.review_on < datetime.date.today()
    return [
        _person_cell(exception.direct_payment),
        Cell(f"{exception.family_member_name} ({exception.relationship})"),
        Cell(str(exception.authorised_by)),
        Cell(_date(exception.review_on)),
        Cell("Overdue" if overdue else "Due", tag="red" if overdue else "yellow"),
    ]


def _unjustified_cells(condition) -> list[Cell]:
    missing = []
    if condition.lacks_rationale:
        missing.append("No proportionality rationale")
    if condition.lacks_agreement:
        missing.append(f"Person's agreement: {condition.get_agreement_display()}")
    return [
        _person_cell(condition.direct_payment),
        Cell(condition.title),
        Cell("; ".join(missing)),
        Cell(_date(condition.review_on)),
    ]


REPORTS = {
    report.slug: report
    for report in [
        Report(
            slug="reviews-due",
            title="Reviews due and overdue",
            description="Reviews due within 30 days, or overdue (reg 7).",
            key="due_on",
            headings=["Person", "Review", "Trigger", "Due", "State"],
            queryset=selectors.reviews_due,
            cells=_review_cells,
        ),
        Report(
            slug="conditions-breached",
            title="Conditions breached",
            description="Conditions marked as breached on running payments.",
            key="breached_on",
            headings=["Person", "Condition", "Breached on", "What happened"],
            queryset=selectors.conditions_breached,
            cells=_breach_cells,
        ),
        Report(
            slug="open-safeguarding",
            title="Linked to open safeguarding",
            description="Payments linked to a concern or enquiry that is not closed.",
            key="created_at",
            headings=["Person", "Role", "Concern", "Payment", "Linked on"],
            queryset=selectors.linked_to_open_safeguarding,
            cells=_link_cells,
        ),
        Report(
            slug="family-exceptions",
            title="Family member exceptions due for review",
            description="Regulation 3 exceptions due for review within 30 days.",
            key="review_on",
            headings=[
                "Person",
                "Family member",
                "Authorised by",
                "Review due",
                "State",
            ],
            queryset=selectors.family_exceptions_due,
            cells=_exception_cells,
        ),
        Report(
            slug="unjustified-conditions",
            title="Local conditions without rationale or agreement",
            description="Local conditions in force that lack a proportionality "
            "rationale or the person's agreement.",
            key="review_on",
            headings=["Person", "Condition", "What is missing", "Review due"],
            queryset=selectors.local_conditions_unjustified,
            cells=_unjustified_cells,
        ),
    ]
}
