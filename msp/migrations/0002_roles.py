"""Create the role groups and grant each its permissions."""

from django.db import migrations

from msp.roles import ALL_ROLES, ROLE_PERMISSIONS


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    team_type, _ = ContentType.objects.get_or_create(app_label="msp", model="team")
    for role in ALL_ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        for codename in ROLE_PERMISSIONS[role]:
            label = codename.replace("_", " ").capitalize()
            permission, _ = Permission.objects.get_or_create(
                content_type=team_type, codename=codename, defaults={"name": label}
            )
            group.permissions.add(permission)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ALL_ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("msp", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
