"""WSGI entry point for gunicorn: ``gunicorn msp.wsgi``."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "msp.settings")

application = get_wsgi_application()

# What start-up loaded (settings, apps, models) lives as long as the worker.
# Moved out of the garbage collector's sight, a full collection walks only
# what requests create: without this, one request in a few dozen paid a
# pause of 100 ms or more for it (benchmarks/README.md, "Pauses").
gc.freeze()
