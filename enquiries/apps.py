from django.apps import AppConfig


class EnquiriesConfig(AppConfig):
    name = "enquiries"
    verbose_name = "People, concerns and enquiries"

    def ready(self) -> None:
        from enquiries import lookups  # noqa: F401 - registers __any_of
