"""Production configuration must be safe, and insecure configuration refused."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "a-real-production-secret-" + "x7Q9pL2m" * 6,
    "ALLOWED_HOSTS": "safeguarding.example.org",
    "DATABASE_URL": "sqlite:////tmp/msp-settings-test.sqlite3",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECRET_KEY", "DEBUG", "SECURE_", "DEMO_"))
        and key not in {"SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "DATABASE_URL"}
    }
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "msp.settings"
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_refuses_to_start_without_secret_key_when_debug_off():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_refuses_django_insecure_placeholder_key():
    env = {**PRODUCTION_ENV, "SECRET_KEY": "django-insecure-" + "a1b2c3" * 10}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_deploy_check_passes_with_production_settings():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_fails_when_someone_turns_off_secure_cookies():
    env = {**PRODUCTION_ENV, "SESSION_COOKIE_SECURE": "false"}
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "SESSION_COOKIE_SECURE" in result.stdout + result.stderr


def test_seed_demo_refused_outside_demo_mode():
    result = run_manage("seed_demo", env=PRODUCTION_ENV)
    assert result.returncode != 0
    assert "demo" in (result.stdout + result.stderr).lower()


def test_collectstatic_works_with_production_storage(tmp_path):
    """Hashed static files: every file the CSS refers to must exist."""
    env = {**PRODUCTION_ENV, "STATIC_ROOT": str(tmp_path / "static")}
    result = run_manage("collectstatic", "--noinput", "-v0", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert any((tmp_path / "static" / "build" / "css").glob("app.*.css"))


def test_the_server_hides_what_start_up_loaded_from_the_garbage_collector():
    """A worker started through msp.wsgi (as gunicorn starts it) has frozen
    what start-up loaded, so a full garbage collection no longer walks every
    module, model and setting: those pauses showed as one slow request in
    about forty (benchmarks/README.md, "Pauses")."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECRET_KEY", "DEBUG", "DATABASE_URL"))
    }
    env.update(PRODUCTION_ENV)
    script = "import gc, msp.wsgi; print(gc.get_freeze_count())"
    result = subprocess.run(  # noqa: S603 - our own module
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(result.stdout.split()[-1]) > 10_000
