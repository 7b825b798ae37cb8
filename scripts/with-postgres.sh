#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL cluster and removes the cluster afterwards.
#
#   scripts/with-postgres.sh COMMAND [ARGS...]
#
# The cluster lives in a temporary directory, listens on 127.0.0.1 on a free port, uses
# password (scram-sha-256) authentication over TCP, and is started as an unprivileged user when
# this script runs as root (the server refuses to run as root). The command sees:
#   DBTOOL_TEST_DATABASE_URL  superuser URL of the maintenance database (tests use it)
#   DBTOOL_PG_PORT, DBTOOL_PG_PASSWORD
# When DBTOOL_TEST_DATABASE_URL is already set, no cluster is started and the command just runs.
set -euo pipefail

if (($# == 0)); then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi

if [[ -n ${DBTOOL_TEST_DATABASE_URL:-} ]]; then
  exec "$@"
fi

pg_bin=""
for candidate in "$(pg_config --bindir 2>/dev/null || true)" /usr/lib/postgresql/*/bin; do
  if [[ -n $candidate && -x $candidate/initdb && -x $candidate/pg_ctl ]]; then
    pg_bin=$candidate
  fi
done
if [[ -z $pg_bin ]]; then
  echo "with-postgres: no PostgreSQL server binaries (initdb, pg_ctl) found; run scripts/install-deps.sh" >&2
  exit 1
fi

run_as=()
if [[ $(id -u) -eq 0 ]]; then
  if id postgres >/dev/null 2>&1; then
    run_as=(runuser -u postgres --)
  else
    run_as=(runuser -u nobody --)
  fi
fi

# The cluster's directory: DBTOOL_PG_TMPDIR, else TMPDIR, else tmpfs (/dev/shm) when it has 2 GiB
# free (a container's /dev/shm is often 64 MB), else /tmp. On tmpfs the thousands of files the
# tests create and drop cost no inode allocation on disk: on an ext4 that had seen a day of
# created and dropped databases, one CREATE DATABASE took seconds instead of 0.1 s.
base=${DBTOOL_PG_TMPDIR:-${TMPDIR:-}}
if [[ -z $base ]]; then
  base=/tmp
  if [[ -d /dev/shm && -w /dev/shm ]] && (($(df --output=avail -k /dev/shm | tail -1) >= 2097152)); then
    base=/dev/shm
  fi
fi
workdir=$(mktemp -d "$base/dbtool-pg.XXXXXX")
chmod 755 "$workdir"
password="pw-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
superuser="dbtool_test"

cleanup() {
  local rc=$?
  if [[ -f $workdir/data/postmaster.pid ]]; then
    "${run_as[@]}" "$pg_bin/pg_ctl" -D "$workdir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$workdir"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

printf '%s\n' "$password" >"$workdir/pwfile"
if ((${#run_as[@]})); then
  chown "${run_as[2]}" "$workdir" "$workdir/pwfile"
fi

"${run_as[@]}" "$pg_bin/initdb" -D "$workdir/data" -U "$superuser" --pwfile="$workdir/pwfile" \
  --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$workdir/initdb.log" 2>&1 || {
  cat "$workdir/initdb.log" >&2
  exit 1
}
rm -f "$workdir/pwfile"

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

started=""
for _ in 1 2 3 4 5 6 7 8; do
  port=$((20000 + RANDOM % 40000))
  port_in_use "$port" && continue
  if "${run_as[@]}" "$pg_bin/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w -t 60 \
    -o "-p $port -k $workdir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -c shared_buffers=128MB" \
    start >/dev/null 2>&1; then
    started=$port
    break
  fi
done
if [[ -z $started ]]; then
  echo "with-postgres: could not start PostgreSQL; server log:" >&2
  cat "$workdir/server.log" >&2 || true
  exit 1
fi

export DBTOOL_PG_PORT=$started
export DBTOOL_PG_PASSWORD=$password
export DBTOOL_TEST_DATABASE_URL="postgresql://$superuser:$password@127.0.0.1:$started/postgres"
# For tests that stop and restart this server: `$DBTOOL_PG_CTL -D "$DBTOOL_PG_DATA" ...`.
export DBTOOL_PG_DATA="$workdir/data"
export DBTOOL_PG_CTL="${run_as[*]} $pg_bin/pg_ctl"
echo "with-postgres: throwaway PostgreSQL on 127.0.0.1:$started (data in $workdir)" >&2

set +e
"$@"
rc=$?
set -e
exit $rc
