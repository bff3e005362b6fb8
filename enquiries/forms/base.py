"""The GOV.UK form plumbing now lives once in ``msp.forms``; this module
re-exports it for the forms that still import it from here."""

from msp.forms import (  # noqa: F401
    CHOICE_WIDGETS,
    YES_NO,
    YES_NO_UNKNOWN,
    DateInput,
    GdsForm,
    GdsFormMixin,
    GdsModelForm,
    _to_bool,
    bool_initial,
    date_field,
    make_helper,
    require,
    yes_no_field,
)
