"""Reports read from a PostgreSQL streaming replica (decision 0018).

When ``DATABASE_REPLICA_URL`` is set, settings add a ``"replica"`` database,
install :class:`ReplicaRouter` and :class:`ReadYourWritesMiddleware`. Nothing
reads the replica unless it runs under :func:`reads_from_replica` (report
views, report downloads, the ``sac_return`` and ``export_cases`` commands);
everything else, and every write, uses the primary (``"default"``).

Entering :func:`reads_from_replica` decides once, for the whole view or
command, where its reads go:

- no replica configured: the primary (nothing changes);
- the replica cannot be reached (connection refused, or no answer within
  ``REPLICA_CONNECT_TIMEOUT`` seconds): the primary, and the replica is not
  tried again for ``REPLICA_RETRY_SECONDS``;
- the user changed something that the replica has not replayed yet
  (read-your-writes): the primary. After a request that wrote, the
  middleware keeps the primary's WAL position in the user's session; the
  replica is used for that user again once its replay position has passed
  it;
- the replica is replaying a backlog older than ``REPLICA_MAX_LAG_SECONDS``:
  the primary;
- otherwise the replica.

Some tables are always read from the primary, whatever the block: sessions,
the database cache, sign-in throttling, two-factor devices and background
tasks. They hold the state of a sign-in or a job, not case records.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DatabaseError, connections, transaction
from django.http import HttpRequest

logger = logging.getLogger(__name__)

PRIMARY = "default"
REPLICA = "replica"
# Session key: the primary's WAL position after this user's last write.
SESSION_WRITE_LSN = "msp_primary_lsn"
# Case data may be read from the replica; any other app's tables (sessions,
# cache, axes, django_otp, tasks, admin log) are always read from the primary.
REPLICA_APPS = frozenset({"msp", *settings.MSP_CASE_APPS, "auth", "contenttypes"})

F = TypeVar("F", bound=Callable[..., Any])

# Where reads of the current view or command go: None means the primary.
_read_from: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "msp_read_from", default=None
)
# time.monotonic() until which the replica is not tried again.
_replica_down_until = 0.0


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def current_read_alias() -> str:
    """The database that reads of case data go to just now."""
    return _read_from.get() or PRIMARY


# ---------------------------------------------------------------------------
# The router
# ---------------------------------------------------------------------------


class ReplicaRouter:
    """Reads of case data go where :func:`reads_from_replica` decided;
    every write goes to the primary; only the primary is migrated."""

    def db_for_read(self, model, **hints) -> str | None:
        alias = _read_from.get()
        if alias is None or model._meta.app_label not in REPLICA_APPS:
            return PRIMARY
        return alias

    def db_for_write(self, model, **hints) -> str:
        # Explicit, so that saving an object read from the replica writes
        # to the primary (Django would otherwise use the object's database).
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # The replica is a copy of the primary: their rows may be related.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        return False if db == REPLICA else None


# ---------------------------------------------------------------------------
# Deciding where a report reads
# ---------------------------------------------------------------------------


def lsn_value(lsn: str) -> int:
    """A PostgreSQL WAL position such as ``"0/3000148"`` as a number."""
    high, low = lsn.split("/")
    return (int(high, 16) << 32) | int(low, 16)


@dataclass(frozen=True)
class ReplicaState:
    """What the replica says about itself (one query)."""

    replay_lsn: str | None
    # Seconds since the last replayed commit, when WAL received is still
    # waiting to be replayed; 0 when the replica has replayed all it has.
    backlog_seconds: float


def choose_read_alias(
    *,
    configured: bool,
    state: ReplicaState | None,
    user_write_lsn: str | None,
    max_lag_seconds: float,
) -> str:
    """Where a report reads. ``state`` is None when the replica could not be
    reached. Pure: the rules of decision 0018 in one place."""
    if not configured or state is None or state.replay_lsn is None:
        return PRIMARY
    if user_write_lsn and lsn_value(state.replay_lsn) < lsn_value(user_write_lsn):
        return PRIMARY
    if state.backlog_seconds > max_lag_seconds:
        return PRIMARY
    return REPLICA


_STATE_SQL = """
SELECT pg_last_wal_replay_lsn()::text,
       CASE WHEN pg_last_wal_receive_lsn() IS NULL
                 OR pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn()
            THEN 0
            ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
       END
"""


def replica_state() -> ReplicaState | None:
    """Ask the replica where it is; None (and not asked again for a while)
    when it cannot be reached."""
    global _replica_down_until
    if time.monotonic() < _replica_down_until:
        return None
    connection = connections[REPLICA]
    try:
        with connection.cursor() as cursor:
            cursor.execute(_STATE_SQL)
            replay_lsn, backlog = cursor.fetchone()
    except DatabaseError as exc:
        _replica_down_until = time.monotonic() + settings.REPLICA_RETRY_SECONDS
        logger.warning(
            "Replica database unavailable, reports read the primary for %s s: %s",
            settings.REPLICA_RETRY_SECONDS,
            str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc),
        )
        connection.close()
        return None
    return ReplicaState(replay_lsn=replay_lsn, backlog_seconds=float(backlog or 0))


def replica_marked_down() -> bool:
    """True while a failed connection keeps reports on the primary."""
    return time.monotonic() < _replica_down_until


def forget_replica_down() -> None:
    """Try the replica again at the next report (tests, and after repair)."""
    global _replica_down_until
    _replica_down_until = 0.0


def _user_write_lsn(request: HttpRequest | None) -> str | None:
    session = getattr(request, "session", None) if request is not None else None
    return session.get(SESSION_WRITE_LSN) if session is not None else None


def decide(request: HttpRequest | None = None) -> str:
    """Where the reads of a report for ``request`` (None: a command) go."""
    if not replica_configured():
        return PRIMARY
    write_lsn = _user_write_lsn(request)
    state = replica_state()
    alias = choose_read_alias(
        configured=True,
        state=state,
        user_write_lsn=write_lsn,
        max_lag_seconds=settings.REPLICA_MAX_LAG_SECONDS,
    )
    if write_lsn and state is not None and alias == REPLICA:
        # The replica has this user's changes: stop checking for them.
        del request.session[SESSION_WRITE_LSN]
    return alias


@contextmanager
def replica_reads(request: HttpRequest | None = None) -> Iterator[str]:
    """Read case data from the replica inside the block when :func:`decide`
    allows; yields the alias chosen."""
    alias = decide(request)
    token = _read_from.set(alias)
    try:
        yield alias
    finally:
        _read_from.reset(token)


@contextmanager
def primary_reads() -> Iterator[None]:
    """Read case data from the primary inside the block, even within a
    report's :func:`replica_reads` (for work that writes what it read)."""
    token = _read_from.set(None)
    try:
        yield
    finally:
        _read_from.reset(token)


def reads_from_replica(func: F) -> F:
    """Decorate a report view (request first) or a command's ``handle``:
    its reads go to the replica when one is configured and allowed."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        request = next((a for a in args if isinstance(a, HttpRequest)), None)
        with replica_reads(request):
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


# ---------------------------------------------------------------------------
# Read-your-writes
# ---------------------------------------------------------------------------

_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "MERGE", "TRUNCATE")


class ReadYourWritesMiddleware:
    """After a request that wrote to the primary, keep the primary's WAL
    position in the user's session, so that their reports read the primary
    until the replica has replayed it. Placed after SessionMiddleware."""

    def __init__(self, get_response):
        if not replica_configured():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
            return self.get_response(request)
        wrote = []

        def spot_writes(execute, sql, params, many, context):
            if not wrote and sql.lstrip()[:8].upper().startswith(_WRITE_VERBS):
                wrote.append(True)
            return execute(sql, params, many, context)

        with connections[PRIMARY].execute_wrapper(spot_writes):
            response = self.get_response(request)
        if wrote and hasattr(request, "session"):
            request.session[SESSION_WRITE_LSN] = primary_lsn()
        return response


def primary_lsn() -> str:
    """The primary's current WAL position: every commit so far is before it."""
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return cursor.fetchone()[0]


# ---------------------------------------------------------------------------
# Planner settings for report queries
# ---------------------------------------------------------------------------

# What report queries change, and to what (see :func:`report_queries`).
REPORT_WORK_MEM = "32MB"
REPORT_SETTINGS = {
    "work_mem": REPORT_WORK_MEM,
    "parallel_setup_cost": "0",
    "parallel_tuple_cost": "0",
}


@contextmanager
def report_queries(*, group_by_sorting: bool = False) -> Iterator[None]:
    """Run the block's queries on the database reports read
    (:func:`current_read_alias`) in one transaction with settings fit for
    counting a year of case records (PostgreSQL; elsewhere, nothing changes).

    - ``work_mem`` 32 MB: a lead's year (30,000 enquiries in about 5,000
      groups) or the year's risks do not fit the default 4 MB, and
      PostgreSQL then sorts on disk (173 ms against 81 ms).
    - No cost for starting parallel workers or passing rows back from them
      (``parallel_setup_cost``, ``parallel_tuple_cost``): priced as for an
      interactive page, a report's hash of the year's people is built again
      in each worker instead of once in a shared parallel hash (the SAC
      return's concerns column at 1M: 109 against 62 ms). A report runs one
      query at a time, and the workers come from the server's own limit
      (``max_parallel_workers``).

    ``group_by_sorting``: also group by sorting rather than in a hash
    (``enable_hashagg`` off), for a query that must sort the groups anyway
    (a window over them): with 32 MB PostgreSQL otherwise hashes the groups
    and then sorts them again (the lead's repeat concerns at 1M: 224 against
    157 ms).

    The settings are local to the transaction and put back as they were when
    the block ends, also when it runs inside a longer transaction (a test, or
    a command in ``atomic``). JIT is already off for every connection
    (settings).
    """
    alias = current_read_alias()
    connection = connections[alias]
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=alias):
        values = dict(REPORT_SETTINGS)
        if group_by_sorting:
            values["enable_hashagg"] = "off"
        before = _set_locally(connection, values)
        yield
        # Within a longer transaction the settings would last until it ends.
        # (Should the block fail, rolling back its savepoint undoes them.)
        _set_locally(connection, before)


def _set_locally(connection, values: dict[str, str]) -> dict[str, str]:
    """Set ``values`` for the current transaction; return the ones before."""
    names = list(values)
    reads = ", ".join(["current_setting(%s)"] * len(names))
    writes = ", ".join(["set_config(%s, %s, true)"] * len(names))
    params = [*names, *(part for name in names for part in (name, values[name]))]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {reads}, {writes}", params)
        return dict(zip(names, cursor.fetchone(), strict=False))
