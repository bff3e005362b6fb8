from django.apps import AppConfig


class BudgetsConfig(AppConfig):
    name = "budgets"
    verbose_name = "Personal budgets and direct payments"

    def ready(self) -> None:
        from budgets import panels as budget_panels
        from budgets import reminders
        from budgets.interchange import register_lists
        from budgets.services import link_source_of_concern
        from enquiries import panels
        from enquiries.signals import concern_source_recorded

        panels.register("person", budget_panels.person_panel)
        panels.register("enquiry", budget_panels.enquiry_panel)
        # What budgets' notifications may be about, and its reminders.
        reminders.register()
        # Personal budgets in the interchange format (a list on each person).
        register_lists()
        # A concern naming the payment's recipient or a personal assistant
        # (as a recorded relationship) as its source links to the payment.
        concern_source_recorded.connect(
            link_source_of_concern, dispatch_uid="budgets_link_source_of_concern"
        )
