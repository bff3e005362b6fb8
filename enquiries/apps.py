from django.apps import AppConfig


class EnquiriesConfig(AppConfig):
    name = "enquiries"
    verbose_name = "People, concerns and enquiries"

    def ready(self) -> None:
        from enquiries.selectors.trust import hidden_people
        from msp import access

        # Restricted records: every scoped read in every app hides them.
        access.register_hidden_people(hidden_people)
        # Notifications about concerns and enquiries (issue 19).
        from enquiries import notices

        notices.register()
        # The adult's own page (issue 20): its panel on the enquiry page, and
        # no adult session survives a staff sign-in.
        from django.contrib.auth.signals import user_logged_in

        from enquiries import panels
        from enquiries.views import adult_page

        panels.register("enquiry", adult_page.enquiry_panel)
        user_logged_in.connect(
            adult_page.drop_adult_session, dispatch_uid="enquiries_adult_page_login"
        )
        # Patterns on the person page (issue 19); their records' dates
        # follow their concerns'.
        from enquiries import panels
        from enquiries.services import patterns as pattern_service
        from enquiries.views.patterns import person_panel

        panels.register("person", person_panel)
        pattern_service.connect()
        # Partners and information sharing, on the enquiry page (issue 18),
        # and the reminder when a partner's response is overdue.
        from enquiries import reminders
        from enquiries.views import partners
        from msp.notifications import register_reminder_source

        panels.register("enquiry", partners.enquiry_panel)
        panels.register("concern", partners.concern_panel)
        register_reminder_source(
            "enquiries.partner_requests_overdue", reminders.partner_requests_overdue
        )
        # Documents held with the case, on the person, concern and enquiry pages.
        from enquiries.views import documents

        panels.register("person", documents.person_panel)
        panels.register("concern", documents.concern_panel)
        panels.register("enquiry", documents.enquiry_panel)
        # People in a position of trust: the way in, and the cases the user
        # may see (decision 0026).
        from enquiries.views import pipot

        panels.register("concern", pipot.concern_panel)
        panels.register("enquiry", pipot.enquiry_panel)
        # The name search's words follow every saved change of name (issue 21).
        from django.db.models.signals import post_save

        from enquiries.models import Person

        post_save.connect(
            _names_saved, sender=Person, dispatch_uid="enquiries_person_name_words"
        )


NAME_FIELDS = frozenset({"given_name", "family_name", "preferred_name"})


def _names_saved(sender, instance, created, update_fields=None, **kwargs) -> None:
    if created or update_fields is None or NAME_FIELDS & set(update_fields):
        from enquiries.models import refresh_name_words

        refresh_name_words([instance.pk])
