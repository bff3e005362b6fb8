"""Every radio group in every form of the project reads right: no blank
"---------" choice for a question the user must answer (issue 15)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from django import forms

from enquiries.factories import EnquiryFactory

BLANK_LABEL = "---------"
APPS = ("msp", "enquiries", "outcomes", "budgets")


def _form_classes() -> list[type[forms.BaseForm]]:
    found: dict[str, type[forms.BaseForm]] = {}
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" in info.name or ".management" in info.name:
                continue
            module = importlib.import_module(info.name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if (
                    issubclass(cls, forms.BaseForm)
                    and cls.__module__ == info.name
                    and cls.__name__ != "VersionedForm"
                    and not (
                        issubclass(cls, forms.BaseModelForm) and cls._meta.model is None
                    )
                ):
                    found[f"{cls.__module__}.{cls.__name__}"] = cls
    return [found[name] for name in sorted(found)]


def _instantiate(cls, practitioner, enquiry):
    """The form as a page would build it, with whatever its __init__ needs."""
    known = {
        "user": practitioner,
        "request": None,
        "enquiry": enquiry,
        "concern": enquiry.concern,
        "person": enquiry.concern.person,
        "case": enquiry,
        "team": enquiry.team,
        "teams": type(enquiry.team).objects.all(),
        "submission": None,
    }
    params = inspect.signature(cls.__init__).parameters
    kwargs = {
        name: known[name]
        for name, param in params.items()
        if name in known and param.default is inspect.Parameter.empty
    }
    if issubclass(cls, forms.BaseModelForm) and "instance" not in kwargs:
        model = cls._meta.model
        if model is type(enquiry):
            kwargs["instance"] = enquiry
    try:
        return cls(**kwargs)
    except TypeError:
        # Records to choose from that only its page has: none.
        for name, param in params.items():
            if (
                name not in kwargs
                and name not in ("self", "args", "kwargs")
                and param.default is inspect.Parameter.empty
            ):
                kwargs[name] = known.get(name, type(enquiry).objects.none())
        return cls(**kwargs)


def test_no_blank_choice_in_any_radio_group(practitioner, team):
    enquiry = EnquiryFactory(team=team)
    classes = _form_classes()
    assert len(classes) > 40  # the walk found the project's forms
    problems, built, radios = [], 0, 0
    for cls in classes:
        try:
            form = _instantiate(cls, practitioner, enquiry)
        except (TypeError, AttributeError, KeyError, ValueError):
            # Needs what only its page has (the records to choose from):
            # its declared fields are checked as they are.
            fields = [(name, field, None) for name, field in cls.base_fields.items()]
        else:
            built += 1
            fields = [(bound.name, bound.field, bound) for bound in form]
        for name, field, bound in fields:
            if not isinstance(field.widget, forms.RadioSelect) or isinstance(
                field.widget, forms.CheckboxSelectMultiple
            ):
                continue
            radios += 1
            html = str(bound) if bound is not None else field.widget.render(name, "")
            labels = [str(label) for _value, label in field.choices]
            if BLANK_LABEL in html or BLANK_LABEL in labels:
                problems.append(f"{cls.__name__}.{name}: blank radio choice")
            elif field.required and any(
                value in ("", None) for value, _label in field.choices
            ):
                problems.append(f"{cls.__name__}.{name}: empty required choice")
    assert built > 40
    assert radios > 40
    assert problems == []
