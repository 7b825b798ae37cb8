#!/usr/bin/env bash
# The PostgreSQL server stops (pg_ctl stop -m immediate: a crash, a failover) while dbtool runs
# a migration, then while it COPYs a seed file. dbtool must exit 3 with a clear message; after
# the restart every migration and seed is whole or absent, no lock is held, and a re-run
# completes. Runs its own throwaway server (scripts/with-postgres.sh), since it stops it: the
# shared server of the suite (DBTOOL_TEST_DATABASE_URL) is not inherited, or the tests running
# beside this one (ctest -j) would lose their server.
#
#   tests/cli/server_stop_test.sh PATH/TO/dbtool
set -euo pipefail
dbtool=$(realpath "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
if [[ -z ${DBTOOL_SERVER_STOP_INNER:-} ]]; then
  exec env -u DBTOOL_TEST_DATABASE_URL -u DBTOOL_PG_DATA -u DBTOOL_PG_CTL DBTOOL_SERVER_STOP_INNER=1 \
    "$root/scripts/with-postgres.sh" bash "$0" "$@"
fi

fail() { echo "server_stop_test: FAIL: $*" >&2; exit 1; }
[[ -n ${DBTOOL_PG_DATA:-} ]] || fail "not running on a server of its own (DBTOOL_PG_DATA is unset)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export PGOPTIONS="-c client_min_messages=warning"
base=${DBTOOL_TEST_DATABASE_URL%/*}
url=$base/stop_test
psql -qX "$DBTOOL_TEST_DATABASE_URL" -c "CREATE DATABASE stop_test"
# The throwaway server runs with synchronous_commit=off for speed, which lets an immediate stop
# lose the last commits; a real server's commits are durable, so this database's are too.
psql -qX "$DBTOOL_TEST_DATABASE_URL" -c "ALTER DATABASE stop_test SET synchronous_commit = on"
q() { psql -qXAt "$url" -c "$1"; }

# Waits until a session of stop_test runs a query LIKE $1, then stops the server at once.
stop_during() {
  for _ in $(seq 1 300); do
    if [[ $(q "SELECT count(*) FROM pg_stat_activity WHERE datname = 'stop_test' AND query LIKE '$1' AND pid <> pg_backend_pid()") != 0 ]]; then
      (cd / && $DBTOOL_PG_CTL -D "$DBTOOL_PG_DATA" -m immediate -w stop >/dev/null)
      return 0
    fi
    sleep 0.1
  done
  fail "no session ran '$1'"
}
restart() {
  # restart reuses the previous instance's options (port, socket directory) from postmaster.opts.
  (cd / && $DBTOOL_PG_CTL -D "$DBTOOL_PG_DATA" -l "$DBTOOL_PG_DATA/restart.log" -w restart >/dev/null 2>&1) ||
    fail "the server did not restart"
}
expect_exit_3() {  # $1 = exit code, $2 = what must be named in stderr
  [[ $1 == 3 ]] || { cat err >&2; fail "exit $1, expected 3 (connection lost)"; }
  grep -q "$2" err || { cat err >&2; fail "the error does not name $2"; }
  ! grep -q "$DBTOOL_PG_PASSWORD" out err || fail "the password was printed"
}

# Runs dbtool with the remaining arguments, stops the server once a session runs a query LIKE
# $1, expects exit 3 naming $2, and restarts the server.
stopped_run() {
  local pattern=$1 names=$2 rc=0
  shift 2
  DATABASE_URL=$url "$dbtool" "$@" >out 2>err &
  local pid=$!
  stop_during "$pattern"
  wait $pid || rc=$?
  expect_exit_3 "$rc" "$names"
  restart
}

# --- a migration
mkdir migrations seeds
for i in 1 2 3; do
  printf -- '-- migrate:up\nCREATE TABLE t%s (id int);\n-- migrate:down\nDROP TABLE t%s;\n' "$i" "$i" \
    >"migrations/${i}_t$i.sql"
done
printf -- '-- migrate:up\nCREATE TABLE t4 (id int);\nSELECT pg_sleep(60);\n' >migrations/4_slow.sql
stopped_run '%pg_sleep(60)%' "4 slow" migrate up
[[ $(q "SELECT string_agg(version, ',' ORDER BY version) FROM schema_migrations") == "1,2,3" ]] ||
  fail "schema_migrations is not 1,2,3 after the stop"
[[ $(q "SELECT to_regclass('t4') IS NULL") == t ]] || fail "the interrupted migration left t4"
[[ $(q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'") == 0 ]] || fail "a lock is held"
printf -- '-- migrate:up\nCREATE TABLE t4 (id int);\n' >migrations/4_slow.sql
DATABASE_URL=$url "$dbtool" migrate up -q >/dev/null || fail "the re-run of migrate up failed"
[[ $(q "SELECT count(*) FROM schema_migrations") == 4 ]] || fail "the re-run did not apply 4"

# --- a seed file, during its COPY
q "CREATE TABLE items (id serial PRIMARY KEY, seed text NOT NULL, n int NOT NULL)"
printf 'items:\n  - {seed: first, n: 1}\n' >seeds/001_first.yaml
printf 'items:\n  generate:\n    count: 5000000\n    row: {seed: big, n: "{{int 1 9}}"}\n' >seeds/002_big.yaml
stopped_run 'COPY%' "002_big" seed run
[[ $(q "SELECT count(*) FROM items WHERE seed = 'big'") == 0 ]] || fail "the interrupted seed left rows"
seeds=$(q "SELECT string_agg(name, ',') FROM schema_seeds" 2>/dev/null || true)
[[ -z $seeds || $seeds == 001_first ]] || fail "schema_seeds holds '$seeds'"
printf 'items:\n  generate:\n    count: 1000\n    row: {seed: big, n: "{{int 1 9}}"}\n' >seeds/002_big.yaml
DATABASE_URL=$url "$dbtool" seed run -q >/dev/null || fail "the re-run of seed run failed"
[[ $(q "SELECT count(*) FROM items") == 1001 ]] || fail "the re-run did not load both seeds"
echo "server_stop_test: ok"
