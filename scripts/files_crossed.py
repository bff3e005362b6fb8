"""Files crossed by one flow (docs/decisions/0019): a pytest plugin.

Which project .py files run while the test client serves one request: a
file counts when a function in it is called (module-level import code does
not), work run on commit included; tests/, migrations/ and the virtualenv
are left out. The last matching request of the test is the one counted.

    FLOW_ROOT=$PWD FLOW_PATH='/concerns/[^/]+/decision/$' FLOW_METHOD=POST \
    FLOW_OUT=/tmp/decision.txt PYTHONPATH=scripts \
    .venv/bin/python -m pytest -q -p no:randomly -p files_crossed \
    tests/integration/enquiries/test_concerns.py::test_section_42_decision_opens_enquiry_with_copied_risks

writes the files to FLOW_OUT and the functions to FLOW_OUT.funcs.
"""

import os
import re
import sys

import pytest


@pytest.fixture(autouse=True)
def _flowtrace(settings):
    from django.test import TestCase
    from django.test.client import ClientHandler

    root = os.path.realpath(os.environ["FLOW_ROOT"]) + os.sep
    pattern = re.compile(os.environ["FLOW_PATH"])
    method = os.environ.get("FLOW_METHOD", "POST")
    out = os.environ["FLOW_OUT"]
    original = ClientHandler.__call__
    seen: set[str] = set()
    funcs: set[str] = set()

    def keep(filename: str) -> bool:
        if not filename.startswith(root):
            return False
        rel = filename[len(root) :]
        return not (
            rel.startswith(("tests/", ".venv/"))
            or "/migrations/" in rel
            or not rel.endswith(".py")
        )

    def tracer(frame, event, arg):
        if event == "call" and frame.f_code.co_name != "<module>":
            name = frame.f_code.co_filename
            if keep(name):
                seen.add(name[len(root) :])
                funcs.add(f"{name[len(root) :]}:{frame.f_code.co_name}")
        return None

    def traced(self, environ):
        if environ.get("REQUEST_METHOD") == method and pattern.search(
            environ.get("PATH_INFO", "")
        ):
            seen.clear()
            funcs.clear()
            old = sys.gettrace()
            sys.settrace(tracer)
            try:
                with TestCase.captureOnCommitCallbacks(execute=True):
                    return original(self, environ)
            finally:
                sys.settrace(old)
                with open(out, "w") as fh:
                    fh.write("\n".join(sorted(seen)) + "\n")
                with open(out + ".funcs", "w") as fh:
                    fh.write("\n".join(sorted(funcs)) + "\n")
        return original(self, environ)

    ClientHandler.__call__ = traced
    yield
    ClientHandler.__call__ = original
