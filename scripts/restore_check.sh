#!/usr/bin/env bash
# Proves a backup can be restored: dumps the database in DATABASE_URL with
# pg_dump (custom format), restores it into a scratch database, and compares
# row counts of the case tables. Exits non-zero if anything differs.
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/msp bash scripts/restore_check.sh
set -euo pipefail
: "${DATABASE_URL:?Set DATABASE_URL to the PostgreSQL database to back up}"
server=${DATABASE_URL%/*}
scratch=msp_restore_check_$$
dump=$(mktemp --suffix=.dump)
trap 'rm -f "$dump"; psql "$server/postgres" -q -c "DROP DATABASE IF EXISTS $scratch" >/dev/null 2>&1 || true' EXIT

pg_dump --format=custom --no-owner --file="$dump" "$DATABASE_URL"
psql "$server/postgres" -q -c "CREATE DATABASE $scratch"
pg_restore --no-owner --exit-on-error --dbname="$server/$scratch" "$dump"

tables="enquiries_person enquiries_concern enquiries_enquiry enquiries_risk enquiries_personview enquiries_desiredoutcome msp_auditevent"
status=0
for table in $tables; do
  a=$(psql "$DATABASE_URL" -tA -c "select count(*) from $table")
  b=$(psql "$server/$scratch" -tA -c "select count(*) from $table")
  if [ "$a" != "$b" ]; then echo "MISMATCH $table: $a vs $b"; status=1; else echo "ok $table: $a rows"; fi
done
echo "backup size: $(du -h "$dump" | cut -f1)"
exit $status
