"""Settings for the test suite: production settings with test-only relaxations.

Tests run with DEBUG off (as production does); only what a test run needs is
changed here: fast password hashing, plain static storage (no collectstatic
step), plain HTTP for the live server, and a local "Exit this page" target.
"""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-" + "k3y-" * 15)
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
os.environ.setdefault("EXIT_THIS_PAGE_URL", "/exit-landing-for-tests/")
os.environ.setdefault("EMAIL_URL", "consolemail://")
# Documents uploaded by tests go to a throwaway folder, never the work tree.
# Removed when the test run ends.
if "DOCUMENTS_FOLDER" not in os.environ:
    os.environ["DOCUMENTS_FOLDER"] = tempfile.mkdtemp(prefix="msp-test-documents-")
    atexit.register(shutil.rmtree, os.environ["DOCUMENTS_FOLDER"], True)

from msp.settings import *  # noqa: E402,F403

# Test-only commands: a ``flush`` that lifts the audit trail's database guard
# while transactional tests empty the test database.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.support"]  # noqa: F405

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["*"]
# Serve static files from the source folders, as runserver does (no collectstatic).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Two-factor sign-in is tested on its own (tests that turn this on); every
# other test signs in with force_login and no second factor.
REQUIRE_2FA = False

# One process: memory cache (production shares a database or Redis cache).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SMS_BACKEND = "enquiries.sms.MemoryBackend"
