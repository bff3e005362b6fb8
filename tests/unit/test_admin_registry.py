"""Administrators can configure and inspect every model in Django admin."""

from django.apps import apps
from django.contrib import admin

OUR_APPS = ["msp", "enquiries", "outcomes", "budgets"]


def test_every_model_of_ours_is_in_admin_directly_or_as_an_inline():
    inline_models = {
        inline.model
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
    }
    missing = [
        model._meta.label
        for label in OUR_APPS
        for model in apps.get_app_config(label).get_models()
        if not admin.site.is_registered(model)
        and model not in inline_models
        and not model._meta.auto_created
    ]
    assert missing == []
