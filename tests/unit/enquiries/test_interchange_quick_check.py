"""The compiled schema check passes exactly the lines the reference
validator passes (it only saves time on valid lines)."""

from __future__ import annotations

import copy
import random

import fastjsonschema
import pytest

from enquiries import interchange_schemas
from tests.integration.outcomes.test_sac_synthetic import synthetic_records
from tests.integration.test_interchange_v2 import CONCERN, ENQUIRY, LARGE, PERSON

ODD_VALUES = [None, 0, 1.5, True, "", "x" * 300, "2024-13-45", [], {}, ["x"], {"a": 1}]


def agree(kind: str, record: dict) -> bool:
    full = list(interchange_schemas.validators()[kind].iter_errors(record))
    try:
        interchange_schemas.quick_checks()[kind](record)
    except fastjsonschema.JsonSchemaException:
        quick_ok = False
    else:
        quick_ok = True
    return quick_ok == (not full)


def variants(record: dict, rng: random.Random):
    """The record with one field (or one field of a list item) removed or
    given an odd value."""
    for name, value in record.items():
        if name == "record":
            continue
        changed = copy.deepcopy(record)
        del changed[name]
        yield changed
        for odd in rng.sample(ODD_VALUES, 4):
            changed = copy.deepcopy(record)
            changed[name] = odd
            yield changed
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for inner in list(value[0]):
                for odd in rng.sample(ODD_VALUES, 3):
                    changed = copy.deepcopy(record)
                    changed[name][0][inner] = odd
                    yield changed


@pytest.mark.parametrize("seed", [1, 2])
def test_the_quick_check_and_the_reference_validator_agree(seed):
    rng = random.Random(seed)
    records = synthetic_records(people=8, seed=seed) + [PERSON, CONCERN, ENQUIRY, LARGE]
    checked = refused = 0
    for record in records:
        kind = record["record"]
        assert agree(kind, record), record
        for changed in variants(record, rng):
            checked += 1
            refused += bool(interchange_schemas.problems(kind, changed))
            assert agree(kind, changed), changed
    assert checked > 500 and 0 < refused < checked


def test_a_refused_line_is_still_reported_in_our_words():
    bad = {**PERSON, "given_name": "", "family_name": 7}
    assert interchange_schemas.problems("person", bad) == [
        ("given_name", "is required"),
        ("family_name", "must be a string"),
    ]
