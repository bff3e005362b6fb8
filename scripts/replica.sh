#!/usr/bin/env bash
# A local PostgreSQL streaming replica for reports (decision 0018): a second
# Debian cluster, "replica", on port 5433, streaming from the main cluster on
# 127.0.0.1:5432. Run as root on a Debian machine with postgresql installed.
#
#   scripts/replica.sh [setup]   create it, or start it if it exists (idempotent)
#   scripts/replica.sh status    say what is there
#   scripts/replica.sh teardown  remove the replica, its slot and pg_hba line
#
# Then: DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:5433/<database>
#
# The main cluster is only reloaded, never restarted: the script checks that
# wal_level and max_wal_senders already allow a standby (Debian's defaults
# do), adds one pg_hba.conf line for replication connections from 127.0.0.1
# (trust, like this development machine's other local lines) and creates a
# replication slot, so the primary keeps the WAL the replica still needs.
# A slot whose replica is gone keeps WAL for ever: `teardown` drops it.
set -euo pipefail

PRIMARY_PORT="${PRIMARY_PORT:-5432}"
REPLICA_PORT="${REPLICA_PORT:-5433}"
CLUSTER="${REPLICA_CLUSTER:-replica}"
SLOT="${REPLICA_SLOT:-msp_replica}"
HBA_MARK="# msp read replica (scripts/replica.sh)"

say() { echo "replica: $*"; }
die() { echo "replica: $*" >&2; exit 1; }
psql_primary() { psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -XAtq -v ON_ERROR_STOP=1 "$@"; }
psql_replica() { psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -XAtq -v ON_ERROR_STOP=1 "$@"; }

[ "$(id -u)" -eq 0 ] || die "run as root (it creates a PostgreSQL cluster)"
command -v pg_lsclusters >/dev/null || die "postgresql-common is not installed"

# The version of the cluster listening on the primary's port.
VERSION="$(pg_lsclusters --no-header | awk -v p="$PRIMARY_PORT" '$3 == p {print $1; exit}')"
[ -n "$VERSION" ] || die "no local cluster listens on port $PRIMARY_PORT"
PRIMARY_CLUSTER="$(pg_lsclusters --no-header | awk -v p="$PRIMARY_PORT" '$3 == p {print $2; exit}')"
DATA="/var/lib/postgresql/$VERSION/$CLUSTER"
HBA="$(psql_primary -c 'SHOW hba_file')"

replica_exists() { pg_lsclusters --no-header | awk -v c="$CLUSTER" -v v="$VERSION" '$1 == v && $2 == c {f=1} END {exit !f}'; }
replica_online() { pg_lsclusters --no-header | awk -v c="$CLUSTER" -v v="$VERSION" '$1 == v && $2 == c && $4 ~ /online/ {f=1} END {exit !f}'; }

status() {
  if ! replica_exists; then say "no cluster $VERSION/$CLUSTER"; return 0; fi
  pg_lsclusters --no-header | awk -v c="$CLUSTER" -v v="$VERSION" '$1 == v && $2 == c'
  if replica_online; then
    say "in recovery (a standby): $(psql_replica -c 'SELECT pg_is_in_recovery()')"
    say "replayed up to: $(psql_replica -c 'SELECT pg_last_wal_replay_lsn()')"
  fi
  say "primary sees: $(psql_primary -c "SELECT coalesce(string_agg(application_name || ' ' || state || ' replay_lag=' || coalesce(replay_lag::text, '0'), '; '), 'no standby') FROM pg_stat_replication")"
}

check_primary() {
  local wal_level senders
  wal_level="$(psql_primary -c 'SHOW wal_level')"
  senders="$(psql_primary -c 'SHOW max_wal_senders')"
  case "$wal_level" in
    replica|logical) say "primary: wal_level=$wal_level, max_wal_senders=$senders (enough)";;
    *) die "primary has wal_level=$wal_level: set wal_level=replica and restart it (not done here, a restart ends every connection)";;
  esac
  [ "$senders" -gt 0 ] || die "primary has max_wal_senders=0: raise it and restart it"
}

allow_replication() {
  if grep -qF "$HBA_MARK" "$HBA"; then
    say "pg_hba.conf already allows replication from 127.0.0.1"
  else
    printf '%s\nhost replication postgres 127.0.0.1/32 trust\n' "$HBA_MARK" >>"$HBA"
    psql_primary -c 'SELECT pg_reload_conf()' >/dev/null
    say "added a replication line to $HBA and reloaded the primary"
  fi
}

setup() {
  check_primary
  allow_replication
  if replica_exists && [ -f "$DATA/standby.signal" ]; then
    if replica_online; then
      say "cluster $VERSION/$CLUSTER already streams on port $REPLICA_PORT"
    else
      pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$CLUSTER" start
      say "started the existing cluster $VERSION/$CLUSTER"
    fi
  else
    if replica_exists; then
      say "cluster $VERSION/$CLUSTER is not a standby: recreating it"
      pg_dropcluster --stop "$VERSION" "$CLUSTER"
    fi
    if [ "$(psql_primary -c "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '$SLOT'")" = 1 ]; then
      psql_primary -c "SELECT pg_drop_replication_slot('$SLOT')" >/dev/null
      say "dropped the old replication slot $SLOT"
    fi
    # A Debian cluster (configuration in /etc/postgresql) whose data
    # directory is then replaced by a copy of the primary.
    pg_createcluster "$VERSION" "$CLUSTER" -p "$REPLICA_PORT" >/dev/null
    find "$DATA" -mindepth 1 -delete  # keep the directory, owned by postgres
    su postgres -c "pg_basebackup -h 127.0.0.1 -p $PRIMARY_PORT -U postgres -D '$DATA' -R -X stream -C -S '$SLOT' -c fast"
    say "copied the primary with pg_basebackup into $DATA (slot $SLOT, standby.signal written)"
    # Configuration lives in /etc/postgresql/$VERSION/$CLUSTER (port
    # $REPLICA_PORT); clients are let in as on the primary.
    cp "$HBA" "/etc/postgresql/$VERSION/$CLUSTER/pg_hba.conf"
    chown postgres:postgres "/etc/postgresql/$VERSION/$CLUSTER/pg_hba.conf"
    pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$CLUSTER" start
    say "started cluster $VERSION/$CLUSTER on port $REPLICA_PORT"
  fi
  for _ in $(seq 1 30); do
    pg_isready -h 127.0.0.1 -p "$REPLICA_PORT" -q && break
    sleep 1
  done
  [ "$(psql_replica -c 'SELECT pg_is_in_recovery()')" = t ] || die "port $REPLICA_PORT is not a standby"
  # Wait until it streams, so that a test run straight after sees new data.
  for _ in $(seq 1 30); do
    [ "$(psql_primary -c "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")" -gt 0 ] && break
    sleep 1
  done
  status
  say "use DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:$REPLICA_PORT/<database>"
}

teardown() {
  if replica_exists; then
    pg_dropcluster --stop "$VERSION" "$CLUSTER"
    say "removed cluster $VERSION/$CLUSTER"
  else
    say "no cluster $VERSION/$CLUSTER to remove"
  fi
  if [ "$(psql_primary -c "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '$SLOT'")" = 1 ]; then
    psql_primary -c "SELECT pg_drop_replication_slot('$SLOT')" >/dev/null
    say "dropped replication slot $SLOT on the primary"
  fi
  if grep -qF "$HBA_MARK" "$HBA"; then
    # The marker line and the line after it; the file keeps its owner.
    awk -v m="$HBA_MARK" '$0 == m {skip = 1; next} skip {skip = 0; next} {print}' "$HBA" >"$HBA.msp-tmp"
    cat "$HBA.msp-tmp" >"$HBA" && rm -f "$HBA.msp-tmp"
    psql_primary -c 'SELECT pg_reload_conf()' >/dev/null
    say "removed the replication line from $HBA and reloaded the primary"
  fi
}

say "primary cluster $VERSION/$PRIMARY_CLUSTER on port $PRIMARY_PORT"
case "${1:-setup}" in
  setup) setup ;;
  status) status ;;
  teardown) teardown ;;
  *) die "usage: $0 [setup|status|teardown]" ;;
esac
