"""Two app servers behind one address share sign-ins (decision 0011, 0018).

Two gunicorn processes, each with its own memory, serve the same PostgreSQL
database and Redis cache (``REDIS_URL``, cached sessions), as production runs
them behind a load balancer. Someone signs in on one and carries on on the
other; signing out on the second ends the session on the first.
"""

from __future__ import annotations

import html
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from django.db import connection

from msp import roles
from msp.factories import UserFactory

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
PASSWORD = "two servers share one sign-in"
ROOT = Path(__file__).resolve().parents[2]


def _redis():
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        client.ping()
    except Exception as exc:  # noqa: BLE001 - any failure: no Redis to use
        pytest.skip(f"needs Redis at {REDIS_URL} ({exc})")
    return client


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One browser: one cookie jar for 127.0.0.1, whichever port answers
    (cookies do not depend on the port, as behind one address)."""

    def __init__(self):
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect
        )

    def open(self, url: str, data: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body)  # noqa: S310 - http only
        if body is not None:
            request.add_header("Referer", url)
        try:
            response = self.opener.open(request, timeout=20)
        except urllib.error.HTTPError as error:  # 3xx/4xx are answers too
            response = error
        return response.status, response.headers, response.read().decode()

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.cookies if c.name == name), None)


def _csrf(page: str) -> str:
    return html.unescape(
        re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    )


@pytest.fixture
def two_servers(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL (DATABASE_URL): both servers open the test database"
        )
    _redis()
    db = connection.settings_dict
    database_url = (
        f"postgres://{urllib.parse.quote(db['USER'] or '')}"
        f"{':' + urllib.parse.quote(db['PASSWORD']) if db['PASSWORD'] else ''}"
        f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.support.shared_state_settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "CONN_MAX_AGE": "0",
    }
    env.pop("DATABASE_REPLICA_URL", None)
    servers, urls = [], []
    for _ in range(2):
        port = _free_port()
        servers.append(
            subprocess.Popen(  # noqa: S603 - our own interpreter and app
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "msp.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "1",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        )
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for url, server in zip(urls, servers, strict=True):
            for _ in range(300):
                try:
                    urllib.request.urlopen(f"{url}/healthz", timeout=1)  # noqa: S310
                    break
                except OSError:
                    if server.poll() is not None:
                        pytest.fail(server.stderr.read().decode()[-2000:])
                    time.sleep(0.1)
        yield urls
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=10)


def test_sign_in_on_one_server_and_carry_on_on_the_other(two_servers):
    first, second = two_servers
    user = UserFactory(username="shared", role=roles.SAFEGUARDING_LEAD)
    user.set_password(PASSWORD)
    user.save()
    browser = Browser()

    status, _headers, page = browser.open(f"{first}/sign-in/")
    assert status == 200
    status, headers, _page = browser.open(
        f"{first}/sign-in/",
        {
            "username": "shared",
            "password": PASSWORD,
            "csrfmiddlewaretoken": _csrf(page),
        },
    )
    assert status == 302, "signing in on the first server"
    session_key = browser.cookie("sessionid")
    assert session_key
    # The session is in the shared cache, not in the first server's memory.
    redis = _redis()
    assert redis.exists(f":1:django.contrib.sessions.cached_db{session_key}")

    # The second server knows who this is.
    status, _headers, page = browser.open(f"{second}/outcomes/")
    assert status == 200
    assert html.escape(user.get_full_name()) in page or user.get_full_name() in page

    # Carry on with a form on the second server (its CSRF check passes with
    # the token from the shared session's cookie), then sign out there.
    status, _headers, _page = browser.open(
        f"{second}/sign-out/", {"csrfmiddlewaretoken": _csrf(page)}
    )
    assert status == 302
    assert not redis.exists(f":1:django.contrib.sessions.cached_db{session_key}")
    # The first server has forgotten the session too.
    status, headers, _page = browser.open(f"{first}/outcomes/")
    assert status == 302
    assert "/sign-in/" in headers["Location"]
