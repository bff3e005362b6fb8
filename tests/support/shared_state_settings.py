"""Settings for the app servers that tests/integration/test_two_app_servers.py
starts: the test settings, but with the cache and sessions production uses
when ``REDIS_URL`` is set (the test settings keep a per-process cache)."""

import importlib

from tests.settings import *  # noqa: F403

# Imported by tests.settings above, with the environment it sets.
production = importlib.import_module("msp.settings")
CACHES = production.CACHES
SESSION_ENGINE = production.SESSION_ENGINE
