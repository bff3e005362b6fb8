"""Personal budgets in the interchange format (version 2): a
``personal_budgets`` list on each person record.

The interchange code lives in enquiries, which may not import this app
(decision 0019), so the list is described here and registered from
``BudgetsConfig.ready()``; enquiries' one pattern for history lists
(``enquiries.interchange_lists``) does the rest: schema, checks, import
(append-only, the time typed kept) and export.
"""

from __future__ import annotations

from budgets.models import PersonalBudget
from enquiries.interchange_lists import Item, ListSpec, register


def _council_part(budget: PersonalBudget) -> None:
    """What PersonalBudget.save() works out (rows are bulk inserted)."""
    budget.council_contribution = budget.total_cost - budget.adult_contribution


PERSONAL_BUDGETS = ListSpec(
    "personal_budgets",
    "person",
    PersonalBudget,
    (
        Item("care_plan_reference", "text", True),
        Item("effective_from", "date", True, past=False),
        Item("effective_to", "date", past=False),
        Item("total_cost", "money", True),
        Item("adult_contribution", "money", True),
        Item("daily_living_costs", "money"),
        Item("other_public_money", "text"),
        Item("management", "code", True),
    ),
    "The adult's personal budgets (Care Act s26 statements); the council's "
    "part is the total less the adult's contribution",
    clean=True,
    prepare=_council_part,
)


def register_lists() -> None:
    register(PERSONAL_BUDGETS)
