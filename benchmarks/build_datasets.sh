#!/usr/bin/env bash
# Builds the three benchmark databases on the local PostgreSQL:
#   msp_bench_small     ~10,000 concerns over 10 years
#   msp_bench_one_year  ~100,000 concerns in 1 year (a large council's year)
#   msp_bench_large     ~1,000,000 concerns over 10 years (200,000+ people)
# Usage: bash benchmarks/build_datasets.sh [small|one_year|large ...]
set -euo pipefail
cd "$(dirname "$0")/.."
PG=${PG:-postgres://postgres@127.0.0.1:5432}
export DEBUG=true DEMO_MODE=true DEMO_PASSWORD=${DEMO_PASSWORD:-bench-password-2024}
declare -A PEOPLE=([small]=2130 [one_year]=21300 [large]=213000)
declare -A YEARS=([small]=10 [one_year]=1 [large]=10)
for name in "${@:-small one_year large}"; do
  for size in $name; do
    db=msp_bench_$size
    psql "$PG/postgres" -q -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
    export DATABASE_URL=$PG/$db
    .venv/bin/python manage.py migrate -v0
    # The database cache table (production settings; DEBUG uses process memory).
    DEBUG=false SECRET_KEY=benchmark-only-cache-table-setup-0123456789abcdef-0123456789abcdef \
      .venv/bin/python manage.py createcachetable
    start=$(date +%s)
    .venv/bin/python manage.py seed_demo --bulk-only --people "${PEOPLE[$size]}" --years "${YEARS[$size]}" >/dev/null
    # Pattern flags, as the nightly send_reminders would make them (issue 19).
    .venv/bin/python manage.py check_patterns >/dev/null
    # seed_demo filled the SAC return's kept counts (decision 0037; with a
    # lead's board counts, 0039) and the dashboard's monthly figures (0038).
    psql "$PG/$db" -q -c "VACUUM ANALYZE"
    echo "$db: built in $(( $(date +%s) - start )) s; $(psql "$PG/$db" -tA -c 'select count(*) from enquiries_concern') concerns"
  done
done
