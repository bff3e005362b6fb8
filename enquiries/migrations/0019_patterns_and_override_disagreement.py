# Issue 19: a second person may disagree with a consent override; patterns
# (cumulative-risk flags) with their rules, flags and the concerns that made
# them; a relationship may name the individual's own record.

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

DEFAULT_RULES = [
    # kind, how many, within how many months
    ("adult", 3, 6),
    ("alleged_source", 2, 12),
    ("organisation", 3, 1),
]


def add_default_rules(apps, schema_editor):
    PatternRule = apps.get_model("enquiries", "PatternRule")
    for kind, threshold, months in DEFAULT_RULES:
        PatternRule.objects.get_or_create(
            kind=kind, defaults={"threshold": threshold, "window_months": months}
        )


def leads_set_the_rules(apps, schema_editor):
    """Safeguarding leads may view and change the rules in admin (an
    administrator still decides who may sign in to admin at all)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    rule_type, _ = ContentType.objects.get_or_create(
        app_label="enquiries", model="patternrule"
    )
    group, _ = Group.objects.get_or_create(name="Safeguarding lead")
    for action in ("view", "change"):
        permission, _ = Permission.objects.get_or_create(
            content_type=rule_type,
            codename=f"{action}_patternrule",
            defaults={"name": f"Can {action} pattern rule"},
        )
        group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("enquiries", "0018_adult_own_page"),
        ("msp", "0002_roles"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PatternRule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("adult", "The same adult"),
                            (
                                "alleged_source",
                                "The same alleged source, across adults",
                            ),
                            ("organisation", "The same organisation"),
                        ],
                        max_length=20,
                        unique=True,
                    ),
                ),
                (
                    "threshold",
                    models.PositiveSmallIntegerField(
                        help_text="Concerns (for the same alleged source: different adults) that raise a flag. At least 2.",
                        validators=[
                            django.core.validators.MinValueValidator(2),
                            django.core.validators.MaxValueValidator(50),
                        ],
                        verbose_name="How many",
                    ),
                ),
                (
                    "window_months",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(60),
                        ],
                        verbose_name="Within how many months",
                    ),
                ),
                ("is_active", models.BooleanField(default=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "checked_at",
                    models.DateTimeField(blank=True, editable=False, null=True),
                ),
            ],
            options={
                "ordering": ["kind"],
            },
        ),
        migrations.CreateModel(
            name="PatternFlag",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("adult", "The same adult"),
                            (
                                "alleged_source",
                                "The same alleged source, across adults",
                            ),
                            ("organisation", "The same organisation"),
                        ],
                        max_length=20,
                    ),
                ),
                ("threshold", models.PositiveSmallIntegerField()),
                ("window_months", models.PositiveSmallIntegerField()),
                ("first_received_on", models.DateField()),
                ("last_received_on", models.DateField()),
                ("concern_count", models.PositiveIntegerField()),
                ("adult_count", models.PositiveIntegerField()),
                ("raised_at", models.DateTimeField(auto_now_add=True)),
                ("changed_at", models.DateTimeField(auto_now=True)),
                ("acknowledged_at", models.DateTimeField(blank=True, null=True)),
                ("acknowledgement_note", models.TextField(blank=True)),
            ],
            options={
                "ordering": ["-last_received_on", "-id"],
            },
        ),
        migrations.CreateModel(
            name="PatternFlagRecord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("added_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "ordering": ["id"],
            },
        ),
        migrations.AddField(
            model_name="consentdecision",
            name="override_disagreed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="consentdecision",
            name="override_disagreed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="consentdecision",
            name="override_disagreement_reason",
            field=models.TextField(
                blank=True, verbose_name="Why the override should not stand"
            ),
        ),
        migrations.AddField(
            model_name="relationship",
            name="individual",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="known_in_networks",
                to="enquiries.person",
                verbose_name="Their own record (if they are known to us)",
            ),
        ),
        migrations.AddField(
            model_name="patternflag",
            name="acknowledged_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="patternflag",
            name="organisation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="pattern_flags",
                to="enquiries.organisation",
            ),
        ),
        migrations.AddField(
            model_name="patternflag",
            name="person",
            field=models.ForeignKey(
                blank=True,
                help_text="The adult (same adult) or the alleged source's own record",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="pattern_flags",
                to="enquiries.person",
            ),
        ),
        migrations.AddField(
            model_name="patternflagrecord",
            name="concern",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="pattern_records",
                to="enquiries.concern",
            ),
        ),
        migrations.AddField(
            model_name="patternflagrecord",
            name="flag",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="records",
                to="enquiries.patternflag",
            ),
        ),
        migrations.AddField(
            model_name="patternflag",
            name="concerns",
            field=models.ManyToManyField(
                related_name="pattern_flags",
                through="enquiries.PatternFlagRecord",
                to="enquiries.concern",
            ),
        ),
        migrations.AddField(
            model_name="patternflag",
            name="rule",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="enquiries.patternrule",
            ),
        ),
        migrations.AddIndex(
            model_name="consentdecision",
            index=models.Index(
                condition=models.Q(
                    ("overridden", True),
                    ("override_confirmed_by__isnull", True),
                    ("override_disagreed_by__isnull", True),
                ),
                fields=["recorded_at", "id"],
                name="enq_consent_override_waiting",
            ),
        ),
        migrations.AddConstraint(
            model_name="patternflagrecord",
            constraint=models.UniqueConstraint(
                fields=("flag", "concern"), name="enq_flag_record_once"
            ),
        ),
        migrations.AddIndex(
            model_name="patternflag",
            index=models.Index(fields=["kind", "person"], name="enq_flag_person"),
        ),
        migrations.AddIndex(
            model_name="patternflag",
            index=models.Index(fields=["kind", "organisation"], name="enq_flag_org"),
        ),
        migrations.RunPython(add_default_rules, migrations.RunPython.noop),
        migrations.RunPython(leads_set_the_rules, migrations.RunPython.noop),
    ]
