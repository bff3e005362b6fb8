"""Running an edit form's service call: one conflict message, one error mapping.

Every form that changes a saved record mixes in :class:`VersionedForm`. It
carries two hidden fields: ``version`` (the record's version when the page
was drawn; required, so a post without it is refused) and ``base`` (a signed
copy of the record's values the user was shown). Views run the service call
through :func:`run`, which turns a :class:`~django.core.exceptions.ValidationError`
into form errors and an :class:`~msp.concurrency.EditConflict` into a
three-way merge (decision 0017):

- a field only the other person changed now shows their value;
- a field only this user changed keeps what this user typed;
- a field both changed, to different answers, shows both answers side by side
  and the user must choose one before the save goes through.

The hidden version and the signed copy then move on to the saved record, so
the next save is checked against what is now on the page.
"""

from __future__ import annotations

import datetime
import decimal
import json
import uuid
from collections.abc import Callable
from typing import Any

from crispy_forms_gds.layout import Field, Size
from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect

from msp.concurrency import STALE_PAGE_MESSAGE, EditConflict
from msp.forms import drop_blank_radio_choices

CONFLICT_MESSAGE = (
    "Someone else saved this record while you were editing it. Your answers "
    "are kept and their changes are now shown below. Where you both changed "
    "the same answer, choose which one to keep, then save again."
)
CHOOSE_MESSAGE = "Choose which answer to keep for {label}"
MINE, THEIRS = "mine", "theirs"
CHOICE_PREFIX = "keep__"
SALT = "msp.editing.base"
# Fields the merge never compares: the plumbing itself.
PLUMBING = frozenset({"version", "base"})


def bound_data(request: HttpRequest) -> QueryDict | None:
    """The data to bind a page's form to: the POST on a POST, else nothing.

    Not ``request.POST or None``: an empty POST must be checked (and refused),
    not shown as a fresh form.
    """
    return request.POST if request.method == "POST" else None


def instance_for(request: HttpRequest, record: models.Model) -> models.Model:
    """The record a model form binds to: on a POST a copy read afresh.

    Validating a model form writes the typed answers onto its instance; the
    service must still see ``record`` as it was when the page was drawn.
    """
    if request.method != "POST":
        return record
    return type(record)._default_manager.get(pk=record.pk)


def add_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a model or service ValidationError on the form, by field where possible."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            target = name if name in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def run(
    form: forms.BaseForm,
    action: Callable[[], Any],
    *,
    refusals: tuple[type[Exception], ...] = (),
) -> bool:
    """Run ``action`` (a service call); True if it saved.

    Otherwise the refusal is on ``form``: field errors, the one conflict
    message with the three-way merge, or the text of any of ``refusals``.
    """
    try:
        action()
    except EditConflict as conflict:
        merge_conflict(form, conflict)
    except ValidationError as exc:
        add_errors(form, exc)
    except refusals as exc:
        form.add_error(None, str(exc))
    else:
        return True
    return False


def changes(form: forms.BaseForm) -> dict[str, Any]:
    """The form's answers without the plumbing (the version and the base)."""
    return {k: v for k, v in form.cleaned_data.items() if k not in PLUMBING}


def submit(
    request: HttpRequest,
    form: forms.BaseForm,
    action: Callable[[], Any],
    *,
    success: str | Callable[[Any], str],
    refusals: tuple[type[Exception], ...] = (),
) -> Any:
    """A page's save, in one place: on a POST whose ``form`` is valid, run
    ``action`` (the service call) through :func:`run` and say ``success``
    (or what ``success(result)`` says about the saved record).

    Returns what the service returned (``True`` if it returned nothing) once
    saved; otherwise ``None``: a GET, or the refusal is on ``form``.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    result = None

    def call() -> None:
        nonlocal result
        result = action()

    if not run(form, call, refusals=refusals):
        return None
    messages.success(request, success(result) if callable(success) else success)
    return True if result is None else result


def edit_page(
    request: HttpRequest,
    form: forms.BaseForm,
    action: Callable[[], Any],
    *,
    success: str | Callable[[Any], str],
    page: Callable[[], HttpResponse],
    done: Any = None,
    refusals: tuple[type[Exception], ...] = (),
) -> HttpResponse:
    """A page with one form whose save is a service call (:func:`submit`).

    Once saved, go to ``done`` (a record or URL, or a function of what the
    service returned; by default what it returned); otherwise ``page()``
    shows the form, with the refusal on it after a POST.
    """
    saved = submit(request, form, action, success=success, refusals=refusals)
    if not saved:
        return page()
    if done is None:
        return redirect(saved)
    return redirect(done(saved) if callable(done) else done)


# Comparing values ------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A JSON-ready value that compares equal when two values mean the same."""
    if isinstance(value, models.Manager):
        value = list(value.all())
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.QuerySet | list | tuple | set | frozenset):
        items = [_plain(item) for item in value]
        return sorted(items, key=repr)
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if value is None or value == "":
        return None
    if isinstance(value, decimal.Decimal):
        return str(value.normalize())
    if isinstance(value, datetime.date | datetime.time | uuid.UUID):
        return str(value)
    if isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _as_data(field: forms.Field, value: Any) -> str | list[str] | None:
    """How ``value`` would arrive in a POST for ``field`` (None: not sent)."""
    widget = field.widget
    if isinstance(value, models.Manager):
        value = list(value.all())
    if isinstance(widget, forms.CheckboxInput):
        return "on" if value else None
    prepared = field.prepare_value(value)
    if getattr(widget, "allow_multiple_selected", False):
        return [str(item) for item in (prepared or [])]
    coerce = getattr(field, "coerce", None)
    if coerce is not None and hasattr(field, "choices"):
        for key, _label in field.choices:
            try:
                if key != "" and coerce(key) == value:
                    return str(key)
            except (TypeError, ValueError, ValidationError):
                continue
    shown = widget.format_value(prepared)
    return "" if shown is None else str(shown)


def _shown(field: forms.Field, data: str | list[str] | None) -> str:
    """What an answer looks like to the user, for the side-by-side choice."""
    items = data if isinstance(data, list) else [data]
    items = [item for item in items if item not in (None, "")]
    if isinstance(field.widget, forms.CheckboxInput):
        return "Yes" if items else "No"
    if not items:
        return "(blank)"
    labels = {}
    if hasattr(field, "choices"):
        labels = {str(key): str(label) for key, label in field.choices}
    return ", ".join(labels.get(str(item), str(item)) for item in items)


# The form mixin ----------------------------------------------------------------


class VersionedForm(forms.Form):
    """An edit form: the record's version and the values the user was shown.

    The record edited is the model form's saved instance, or ``record=`` for a
    plain form. Without one the form creates a record and has neither field.
    """

    # Required, but checked in full_clean() so the refusal reads as one
    # message in the error summary rather than an error on a hidden field.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    base = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, record: models.Model | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        drop_blank_radio_choices(self)
        if "version" in self.fields:
            self.fields["version"].required = False
            self.fields["version"].error_messages["invalid"] = STALE_PAGE_MESSAGE
        instance = getattr(self, "instance", None)
        if record is None and instance is not None and instance.pk:
            record = instance
        self.record = record
        if record is None:
            # Creating a record: nothing to be out of date with.
            del self.fields["version"]
            del self.fields["base"]
            self._choices: dict[str, dict] = {}
            return
        if record is not None and "version" not in self.initial:
            self.initial["version"] = record.version
        self.fields["base"].initial = self._base_for_page
        self._choices = self._read_choices()

    # What the page showed --------------------------------------------------

    def merge_names(self) -> list[str]:
        return [
            name
            for name in self.fields
            if name not in PLUMBING and not name.startswith(CHOICE_PREFIX)
        ]

    def record_values(self, record: models.Model) -> dict[str, Any]:
        """The record's value for each field of this form that it stores."""
        values = {}
        for name in self.merge_names():
            try:
                record._meta.get_field(name)
            except FieldDoesNotExist:
                continue  # this user's own input (a reason, a note): never merged
            values[name] = getattr(record, name)
        return values

    def _sign(self, record: models.Model, choices: dict[str, dict]) -> str:
        values = {
            name: _plain(value) for name, value in self.record_values(record).items()
        }
        return signing.dumps(
            {"version": record.version, "values": values, "choices": choices},
            salt=SALT,
            compress=True,
        )

    def _base_for_page(self) -> str:
        if self.record is None:
            return ""
        return self._sign(self.record, {})

    def signed_base(self) -> dict | None:
        """The signed copy posted back, if it is genuine and for this version."""
        if not self.is_bound or "base" not in self.fields:
            return None
        try:
            token = signing.loads(self.data.get(self.add_prefix("base"), ""), salt=SALT)
            version = int(self.data.get(self.add_prefix("version"), ""))
        except (signing.BadSignature, ValueError, TypeError):
            return None
        if not isinstance(token, dict) or token.get("version") != version:
            return None
        return token

    # Choosing between two answers -------------------------------------------

    def _read_choices(self) -> dict[str, dict]:
        """Fields the user must choose for (from the signed copy), as fields."""
        token = self.signed_base()
        choices = {
            name: choice
            for name, choice in ((token or {}).get("choices") or {}).items()
            if name in self.fields
        }
        if not choices:
            return {}
        data = self.data.copy()
        for name, choice in choices.items():
            if data.get(self.add_prefix(CHOICE_PREFIX + name)) == THEIRS:
                key = self.add_prefix(name)
                if isinstance(choice["theirs"], list):
                    data.setlist(key, choice["theirs"])
                elif choice["theirs"] is None:
                    data.pop(key, None)
                else:
                    data[key] = choice["theirs"]
        self.data = data
        self._add_choice_fields(choices)
        return choices

    def _add_choice_fields(self, choices: dict[str, dict]) -> None:
        fields = {}
        for name, choice in choices.items():
            label = str(self.fields[name].label or name.replace("_", " "))
            fields[CHOICE_PREFIX + name] = forms.ChoiceField(
                label=f"You and {choice['who']} both changed ‘{label}’. "
                "Which answer should be saved?",
                choices=[
                    (MINE, f"Your answer: {choice['mine_shown']}"),
                    (THEIRS, f"Their answer: {choice['theirs_shown']}"),
                ],
                widget=forms.RadioSelect,
                error_messages={"required": CHOOSE_MESSAGE.format(label=label)},
            )
        # The choices come first, straight under the error summary.
        others = {k: v for k, v in self.fields.items() if k not in fields}
        self.fields = {**fields, **others}

    # Layout: every layout shows the choices and the hidden fields ------------

    @property
    def helper(self):
        try:
            helper = self.__dict__["_helper"]
        except KeyError:
            raise AttributeError("helper") from None
        helper.render_hidden_fields = True
        layout = getattr(helper, "layout", None)
        if layout is not None:
            # A form creating a record has no version: drop it from the layout.
            layout.fields[:] = [
                item for item in layout.fields if not self._missing_plumbing(item)
            ]
            present = {pointer.name for pointer in layout.get_field_names()}
            missing = [
                name
                for name in self.fields
                if name.startswith(CHOICE_PREFIX) and name not in present
            ]
            for name in reversed(missing):
                layout.fields.insert(0, Field.radios(name, legend_size=Size.SMALL))
        return helper

    def _missing_plumbing(self, item) -> bool:
        names = [item] if isinstance(item, str) else getattr(item, "fields", [])
        names = [name for name in names if isinstance(name, str)]
        return bool(names) and all(
            name in PLUMBING and name not in self.fields for name in names
        )

    @helper.setter
    def helper(self, value) -> None:
        self.__dict__["_helper"] = value

    def full_clean(self) -> None:
        super().full_clean()
        cleaned = getattr(self, "cleaned_data", None)
        if cleaned is not None:
            if (
                "version" in self.fields
                and cleaned.get("version") is None
                and "version" not in self._errors
            ):
                self.add_error(None, STALE_PAGE_MESSAGE)
            # The plumbing is not an answer: services never see it.
            cleaned.pop("base", None)
            for name in [n for n in cleaned if n.startswith(CHOICE_PREFIX)]:
                del cleaned[name]


def merge_conflict(form: forms.BaseForm, conflict: EditConflict) -> None:
    """Three-way merge of what this user sent, what they were shown and what
    is saved now; then one conflict message on the form."""
    current = conflict.current
    if not isinstance(form, VersionedForm):
        data = form.data.copy()
        data[form.add_prefix("version")] = str(current.version)
        form.data = data
        form.add_error(None, CONFLICT_MESSAGE)
        return
    token = form.signed_base()
    base = token["values"] if token else None
    theirs = form.record_values(current)
    cleaned = getattr(form, "cleaned_data", {})
    data: QueryDict = form.data.copy()
    who = str(getattr(current, "updated_by", None) or "someone else")
    choices: dict[str, dict] = {}
    for name, their_value in theirs.items():
        field = form.fields[name]
        key = form.add_prefix(name)
        theirs_plain = _plain(their_value)
        if name in cleaned:
            mine_plain = _plain(cleaned[name])
        else:
            mine_plain = _plain(field.widget.value_from_datadict(data, {}, key))
        they_changed = base is None or not _same(base.get(name), theirs_plain)
        i_changed = base is None or not _same(base.get(name), mine_plain)
        if not they_changed or _same(mine_plain, theirs_plain):
            continue
        their_data = _as_data(field, their_value)
        if not i_changed:
            # Only they changed it: the page now holds their answer.
            if isinstance(their_data, list):
                data.setlist(key, their_data)
            elif their_data is None:
                data.pop(key, None)
            else:
                data[key] = their_data
            continue
        mine_data = data.getlist(key) if isinstance(their_data, list) else data.get(key)
        choices[name] = {
            "who": who,
            "theirs": their_data,
            "mine_shown": _shown(field, mine_data),
            "theirs_shown": _shown(field, their_data),
        }
    for name in list(form.fields):
        if name.startswith(CHOICE_PREFIX):
            del form.fields[name]
            data.pop(form.add_prefix(name), None)
    data[form.add_prefix("version")] = str(current.version)
    data[form.add_prefix("base")] = form._sign(current, choices)
    form.data = data
    form._choices = choices
    form._add_choice_fields(choices)
    form.add_error(None, CONFLICT_MESSAGE)
