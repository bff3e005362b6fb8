from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = "Outcomes, reports and the SAC return"

    def ready(self) -> None:
        from enquiries import panels
        from enquiries.signals import enquiry_closed
        from outcomes import panels as outcome_panels
        from outcomes import reminders
        from outcomes.services import ask_feedback_after_closure

        panels.register("enquiry", outcome_panels.enquiry_panel)
        panels.register("person", outcome_panels.sar_person_panel)
        panels.register("enquiry", outcome_panels.sar_enquiry_panel)
        panels.register("enquiry_closure", outcome_panels.msp_asked_panel)
        panels.register("enquiry_closure", outcome_panels.closure_panel)
        panels.register("enquiry_closure_review", outcome_panels.msp_asked_panel)
        # MSP: ask the adult about their experience within 8 weeks of closure.
        enquiry_closed.connect(
            ask_feedback_after_closure, dispatch_uid="outcomes_feedback_follow_up"
        )
        # The adult's own judgement of their outcomes, from their own page.
        from enquiries.signals import adult_page_outcomes_rated
        from outcomes.adult_page import record_adult_evaluation

        adult_page_outcomes_rated.connect(
            record_adult_evaluation, dispatch_uid="outcomes_adult_page_evaluation"
        )
        # ... and, at the end, the feedback questions on their page.
        from django.utils.translation import gettext_lazy

        from enquiries.views.adult_page import register_end_link

        register_end_link(
            "outcomes_adult:adult_feedback",
            gettext_lazy("Answer some questions about how we worked with you"),
        )
        # What outcomes' notifications may be about, and its reminders.
        reminders.register()
        # The per-enquiry figures the reports count, kept with the records.
        from outcomes import figures

        figures.connect()
        # Kept report figures are dropped when a counted record changes.
        from outcomes import sac

        sac.connect()
        # The SAC return's tables SG1-SG4, kept counted (decision 0037).
        from outcomes import sac_counts

        sac_counts.connect()
        # The dashboard's figures, kept per month, team and kind (decision 0038).
        from outcomes import monthly_figures

        monthly_figures.connect()
