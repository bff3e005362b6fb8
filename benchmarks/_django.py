"""Set up Django for a benchmark script against DATABASE_URL (PostgreSQL)."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "msp.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "b3nch" * 10)
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
    os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    # Benchmarks sign in directly; two-factor verification is not measured.
    os.environ.setdefault("REQUIRE_2FA", "false")
    import warnings

    warnings.filterwarnings("ignore", message="No directory at")
    if "DATABASE_URL" not in os.environ:
        sys.exit("Set DATABASE_URL to the benchmark database (PostgreSQL).")
    import django

    django.setup()
    from django.conf import settings

    # Start as the server does (msp/wsgi.py), including its gc.freeze().
    import msp.wsgi  # noqa: F401

    # Benchmarks read pages without collectstatic: plain static storage.
    settings.STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]
