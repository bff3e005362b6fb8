from django.apps import AppConfig
from django.db.models.signals import post_migrate


class MspConfig(AppConfig):
    name = "msp"
    verbose_name = "Accounts, teams and audit"

    def ready(self) -> None:
        post_migrate.connect(grant_administrator_permissions, sender=self)


def grant_administrator_permissions(sender, **kwargs) -> None:
    """Administrators configure everything in admin but delete nothing.

    Run after every migrate, so models added later are covered too. Audit
    records are read-only for everyone.
    """
    from django.contrib.auth.models import Group, Permission

    from msp.roles import ADMINISTRATOR

    group, _ = Group.objects.get_or_create(name=ADMINISTRATOR)
    wanted = Permission.objects.filter(
        content_type__app_label__in=["msp", "enquiries", "outcomes", "budgets", "auth"],
        codename__regex=r"^(add|change|view)_",
    ).exclude(content_type__model__in=["auditevent", "viewaccessrecord"])
    group.permissions.add(*wanted)
