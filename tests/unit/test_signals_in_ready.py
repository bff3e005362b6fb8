"""Signals are connected in ``AppConfig.ready()``, never at import time
(issue 14): a module that connects receivers when imported connects them
only if something happens to import it, and twice if it is loaded under two
names."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("msp", "enquiries", "outcomes", "budgets")


def _module_level_calls(tree: ast.Module):
    """Calls made by a module's own top-level statements (not inside a
    function or class body)."""
    for statement in tree.body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            # A decorator runs at import: @receiver(...) connects then.
            for decorator in statement.decorator_list:
                yield from (n for n in ast.walk(decorator) if isinstance(n, ast.Call))
            continue
        if isinstance(statement, ast.ClassDef):
            continue
        for node in ast.walk(statement):
            if isinstance(node, ast.Call):
                yield node


def _name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            yield path


def test_no_module_connects_a_signal_when_imported():
    found = []
    for path in _sources():
        tree = ast.parse(path.read_text(), filename=str(path))
        for call in _module_level_calls(tree):
            name = _name(call)
            if name in ("connect", "receiver") or name.startswith("_connect"):
                found.append(f"{path.relative_to(ROOT)}:{call.lineno} {name}()")
    assert found == []


def test_the_check_finds_a_connection_at_import_time():
    tree = ast.parse(
        "from django.db.models.signals import post_save\n"
        "def receiver(**kwargs): pass\n"
        "post_save.connect(receiver)\n"
        "def later():\n    post_save.connect(receiver)\n"
        "@receiver(post_save)\ndef decorated(**kwargs): pass\n"
    )
    names = [_name(call) for call in _module_level_calls(tree)]
    assert names == ["connect", "receiver"]


@pytest.mark.django_db
def test_saving_a_concern_still_drops_the_kept_sac_return():
    """The SAC return's receivers, now connected in ready(), still run."""
    from enquiries.factories import ConcernFactory
    from outcomes import sac

    concern = ConcernFactory()
    before = sac._token()
    concern.summary = "Changed"
    concern.save()
    assert sac._token() != before
