#!/usr/bin/env bash
# Benchmarks dbtool against psql doing the same work on the same throwaway server.
#
#   bench/run.sh             full run: 1,000 migrations, 1,000,000 rows, 5 runs a case;
#                            writes bench/RESULTS.md
#   bench/run.sh --smoke     small sizes, one run a case, checks every case works (CI runs it);
#                            writes bench/work/RESULTS-smoke.md
#   RUNS=N MIGRATIONS=N ROWS=N bench/run.sh   other sizes
#
# Every timed run gets a fresh database cloned from a template (CREATE DATABASE ... TEMPLATE);
# the clone's time is measured and reported apart. Times are wall-clock seconds of the whole
# command (process start included) from /usr/bin/time, which also gives peak RSS.
#
# Baselines: psql doing the same work; bench/protocol_limit.c (one round trip per migration);
# and, when npm is available, the peers dbmate 2.36 and sequelize-cli 6 installed into
# bench/work/peers (never needed to build or test dbtool; skipped with a note without npm).
# The server's data directory is on tmpfs (/dev/shm, BENCH_TMPDIR to change) as CI services
# often have it: on this VM's ext4, creating a database's thousands of files right after
# others were dropped stalled in the kernel's inode allocator for seconds (the same CREATE
# DATABASE took 5.5 s, then 0.22 s).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=full
if [[ ${1:-} == --smoke ]]; then
  mode=smoke
fi
if [[ ${1:-} != --inner ]]; then
  scripts/install-deps.sh
  # The full run measures a Release build; the smoke run (CI) reuses build/ to save time.
  build=build-bench
  [[ $mode == smoke ]] && build=build
  cmake -S . -B "$build" $([[ $mode == full ]] && echo -DCMAKE_BUILD_TYPE=Release) >/dev/null
  cmake --build "$build" -j "$(nproc)" --target dbtool >/dev/null
  # tmpfs only with room for the full run's databases (a container's /dev/shm is often 64 MB).
  tmp=${BENCH_TMPDIR:-/dev/shm}
  if [[ ! -d $tmp || ! -w $tmp || $(df --output=avail -k "$tmp" | tail -1) -lt 4194304 ]]; then
    tmp=${TMPDIR:-/tmp}
  fi
  exec env BENCH_MODE=$mode BENCH_BUILD=$build TMPDIR="$tmp" scripts/with-postgres.sh "$0" --inner
fi

mode=${BENCH_MODE:-full}
if [[ $mode == smoke ]]; then
  runs=${RUNS:-1} migrations=${MIGRATIONS:-20} rows=${ROWS:-2000} small=${SMALL_ROWS:-200}
  rows6=${W6_ROWS:-500} tenants=${W7_TENANTS:-20}
  results=bench/work/RESULTS-smoke.md
else
  runs=${RUNS:-5} migrations=${MIGRATIONS:-1000} rows=${ROWS:-1000000} small=${SMALL_ROWS:-10000}
  rows6=${W6_ROWS:-100000} tenants=${W7_TENANTS:-1000}
  results=bench/RESULTS.md
fi
work=bench/work
dbtool=$PWD/${BENCH_BUILD:-build-bench}/dbtool
server=$DBTOOL_TEST_DATABASE_URL
base=${server%/*}
export PGOPTIONS="-c client_min_messages=warning"

echo "bench: generating workloads ($migrations migrations, $rows rows) in $work" >&2
W6_ROWS=$rows6 W7_TENANTS=$tenants bench/generate.sh "$work" "$migrations" "$rows"
cc -O2 -o "$work/protocol_limit" bench/protocol_limit.c $(pkg-config --cflags --libs libpq)
rawpsql=$(ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | tail -1)
rawpsql=${rawpsql:-psql}
peers=$PWD/bench/work/peers
peers_note=""
if [[ $mode == smoke ]]; then
  peers_note="Smoke run: the peers (dbmate, sequelize-cli) are compared in the full run only."
elif [[ ! -x $peers/node_modules/.bin/dbmate || ! -x $peers/node_modules/.bin/sequelize ]]; then
  if command -v npm >/dev/null && npm install --prefix "$peers" --no-audit --no-fund --silent \
    dbmate@2.36.0 sequelize-cli@6.6.3 sequelize@6.37.7 pg@8.16.3 >&2; then
    :
  else
    peers_note="npm is not available here: the dbmate and sequelize-cli columns were skipped."
  fi
fi
have_peers() { [[ -z $peers_note ]]; }
mkdir -p "$work/small/generate"
sed "s/count: $rows/count: $small/" "$work/w3/generate/001_users.yaml" >"$work/small/generate/001_users.yaml"

sql() { psql -q -X -v ON_ERROR_STOP=1 "$server" -c "$1" >/dev/null; }
count() { psql -X -Atc "SELECT count(*) FROM $2" "$base/$1"; }

# Templates: empty; with the users table; with W1 applied (for W2).
sql "CREATE DATABASE tmpl_empty"
sql "CREATE DATABASE tmpl_users"
psql -q -X -v ON_ERROR_STOP=1 -f "$work/w3/schema.sql" "$base/tmpl_users" >/dev/null
sql "CREATE DATABASE tmpl_applied"
"$dbtool" migrate up -q --database-url "$base/tmpl_applied" --migrations-dir "$work/w1/migrations" >/dev/null
# The generated rows as CSV: the reference for the generate: case is \copy of the same rows.
sql "CREATE DATABASE tmpl_gen TEMPLATE tmpl_users"
"$dbtool" seed run -q --database-url "$base/tmpl_gen" --seeds-dir "$work/w3/generate" >/dev/null
psql -X -q -c "\\copy users (name, email, age, active, created_at) to '$work/w3/generated.csv' csv header" "$base/tmpl_gen"
sql "DROP DATABASE tmpl_gen"

# W7: the tenant schemas, all of them and a tenth (memory flat in the number of targets).
sql "CREATE DATABASE tmpl_fleet"
psql -q -X -v ON_ERROR_STOP=1 -f "$work/w7/template.sql" "$base/tmpl_fleet" >/dev/null
sql "CREATE DATABASE tmpl_fleet_small"
psql -q -X -v ON_ERROR_STOP=1 -f "$work/w7/small.sql" "$base/tmpl_fleet_small" >/dev/null
fleet=("$dbtool" migrate up -q --database-url @DB@ --config "$work/w7/dbtool.yaml"
  --migrations-dir "$work/w7/migrations" --targets tenants)
# The shell loop takes the longest (a process and a connection per tenant): its first runs only.
loop_runs=${W7_LOOP_RUNS:-2}

# W5: dbtool's template of the W1 migrations and the W5 seed, built once (db clone reuses it).
app="$base/bench_app"
w5=(--database-url "$app" --migrations-dir "$work/w1/migrations" --seeds-dir "$work/w5/seeds")
"$dbtool" db template -q "${w5[@]}" >/dev/null
app_template=$("$dbtool" --format json db template "${w5[@]}" | sed -n 's/.*"name": "\(.*\)".*/\1/p')
app_spare=${app_template/_tpl_/_spr_}
# Waits until the template's spare exists (db clone leaves it being copied as it exits).
wait_for_spare() {
  local i
  for ((i = 0; i < 600; i++)); do
    [[ $(psql -X -Atc "SELECT count(*) FROM pg_database WHERE datname = '$app_spare'" "$server") == 1 ]] && return
    sleep 0.05
  done
  echo "bench: the spare $app_spare did not appear" >&2
  exit 1
}
# A first clone leaves the spare the first timed one takes.
"$dbtool" db clone -q bench_warm "${w5[@]}" >/dev/null
"$dbtool" db clone -q --drop bench_warm "${w5[@]}" >/dev/null
wait_for_spare

declare -A times rss setups
# measure CASE TEMPLATE CHECK COMMAND...: one timed run in a fresh database; CHECK is
# "table=count" verified afterwards (or "-").
measure() {
  local name=$1 template=$2 check=$3
  shift 3
  local db="b_$RANDOM$RANDOM"
  local t0 t1
  if [[ $template != - ]]; then  # "-": the command makes the database (@NAME@) itself
    t0=$(date +%s.%N)
    sql "CREATE DATABASE $db TEMPLATE $template"
    t1=$(date +%s.%N)
    setups[$name]+="$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}') "
  fi
  # Every run starts from a clean buffer pool: the copy's dirty pages (and the last case's)
  # written now, not by a checkpoint falling inside the next timed run.
  sql "CHECKPOINT"
  local cmd=("${@//@DB@/$base/$db}")
  cmd=("${cmd[@]//@NAME@/$db}")
  # Wall time from the clock in milliseconds (/usr/bin/time's %e has 10 ms steps, too coarse
  # for commands of 20-40 ms); /usr/bin/time gives the peak RSS.
  local w0 w1
  w0=$(date +%s%N)
  if ! /usr/bin/time -f "%M" -o "$work/time.txt" "${cmd[@]}" >"$work/out.txt" 2>"$work/err.txt"; then
    echo "bench: case $name failed:" >&2
    cat "$work/err.txt" >&2
    exit 1
  fi
  w1=$(date +%s%N)
  local seconds kb
  seconds=$(awk -v a="$w0" -v b="$w1" 'BEGIN {printf "%.4f", (b - a) / 1e9}')
  read -r kb <"$work/time.txt"
  times[$name]+="$seconds "
  rss[$name]+="$kb "
  if [[ $check != - ]]; then
    local table=${check%%=*} want=${check#*=} got
    got=$(count "$db" "$table")
    if [[ $got != "$want" ]]; then
      echo "bench: case $name: $table has $got rows, expected $want" >&2
      exit 1
    fi
  fi
  sql "DROP DATABASE IF EXISTS $db"
}

for ((run = 1; run <= runs; run++)); do
  echo "bench: run $run of $runs" >&2
  measure w1_dbtool tmpl_empty "schema_migrations=$migrations" \
    "$dbtool" migrate up -q --database-url @DB@ --migrations-dir "$work/w1/migrations"
  # The protocol limit right after dbtool, so the pair sees the same machine.
  measure w1_limit tmpl_empty "schema_migrations=$migrations" \
    "$work/protocol_limit" @DB@ "$work/w1/migrations"
  measure w1_psql tmpl_empty "schema_migrations=$migrations" \
    psql -q -X -v ON_ERROR_STOP=1 -f "$work/w1/psql.sql" @DB@
  measure w2_dbtool tmpl_applied - \
    "$dbtool" migrate status --exit-code --database-url @DB@ --migrations-dir "$work/w1/migrations"
  measure w2_psql tmpl_applied - \
    psql -X -Atc "SELECT version FROM schema_migrations" @DB@
  measure w3_csv_dbtool tmpl_users "users=$rows" \
    "$dbtool" seed run -q --database-url @DB@ --seeds-dir "$work/w3/csv"
  measure w3_copy_psql tmpl_users "users=$rows" \
    psql -q -X -c "\\copy users (name, email, age, active, created_at) from '$work/w3/users.csv' csv header" @DB@
  measure w3_gen_dbtool tmpl_users "users=$rows" \
    "$dbtool" seed run -q --database-url @DB@ --seeds-dir "$work/w3/generate"
  measure w3_gencopy_psql tmpl_users "users=$rows" \
    psql -q -X -c "\\copy users (name, email, age, active, created_at) from '$work/w3/generated.csv' csv header" @DB@
  measure w3_inline_dbtool tmpl_users "users=$rows" \
    "$dbtool" seed run -q --database-url @DB@ --seeds-dir "$work/w3/inline"
  measure w3_small_dbtool tmpl_users "users=$small" \
    "$dbtool" seed run -q --database-url @DB@ --seeds-dir "$work/small/generate"
  # migrate verify builds, checks and drops its own scratch database on the same server.
  measure w4_verify_dbtool tmpl_empty - \
    "$dbtool" migrate verify -q --database-url @DB@ --migrations-dir "$work/w1/migrations"
  measure w2_rawpsql tmpl_applied - \
    "$rawpsql" -X -Atc "SELECT version FROM schema_migrations" @DB@
  # W5: a fresh migrated and seeded database, copied from the template or built from scratch.
  # --no-spare: a copy of the template made while dbtool waits (CREATE DATABASE ... TEMPLATE).
  measure w5_clone_copy - "schema_migrations=$migrations" \
    "$dbtool" db clone -q --no-spare @NAME@ "${w5[@]}"
  # The default: the spare the last clone left is taken, and the next one left being copied;
  # that copy is waited for (untimed) before the next case, so it slows none of them.
  measure w5_clone - "schema_migrations=$migrations" \
    "$dbtool" db clone -q @NAME@ "${w5[@]}"
  wait_for_spare
  measure w5_build tmpl_empty "schema_migrations=$migrations" \
    sh -c "'$dbtool' migrate up -q --database-url @DB@ --migrations-dir '$work/w1/migrations' >/dev/null && '$dbtool' seed run -q --database-url @DB@ --seeds-dir '$work/w5/seeds'"
  measure w6_dbtool tmpl_users "users=$rows6" \
    "$dbtool" seed run -q --database-url @DB@ --seeds-dir "$work/w6"
  measure w7_p4 tmpl_fleet "fleet_done=$tenants" "${fleet[@]}" --parallel 4
  measure w7_p1 tmpl_fleet "fleet_done=$tenants" "${fleet[@]}" --parallel 1
  measure w7_psql tmpl_fleet "fleet_done=$tenants" \
    psql -q -X -v ON_ERROR_STOP=1 -f "$work/w7/psql.sql" @DB@
  measure w7_small tmpl_fleet_small "fleet_done=$((tenants / 10))" "${fleet[@]}" --parallel 4
  if ((run <= loop_runs)); then
    measure w7_loop tmpl_fleet "fleet_done=$tenants" "$work/w7/loop.sh" "$dbtool" @DB@
  fi
  if have_peers; then
    measure w1_dbmate tmpl_empty "schema_migrations=$migrations" \
      "$peers/node_modules/.bin/dbmate" --url "@DB@?sslmode=disable" \
      --migrations-dir "$work/w1/migrations" --no-dump-schema up
    measure w2_dbmate tmpl_applied - \
      "$peers/node_modules/.bin/dbmate" --url "@DB@?sslmode=disable" \
      --migrations-dir "$work/w1/migrations" status
    measure w6_sequelize tmpl_users "users=$rows6" \
      env BENCH_ROWS="$rows6" "$peers/node_modules/.bin/sequelize" db:seed:all --url @DB@ \
      --seeders-path "$PWD/bench/peers/sequelize-seeders"
  fi
done

# CREATE DATABASE ... TEMPLATE by strategy, server-side time (psql's \timing), for the small
# users template and dbtool's W5 template: what db clone's automatic choice rests on.
declare -A strategy_ms
for ((run = 1; run <= runs; run++)); do
  for strategy in wal_log file_copy; do
    for tmpl in tmpl_users "$app_template"; do
      ms=$(psql -X -q "$server" -c '\timing on' \
        -c "CREATE DATABASE s_probe TEMPLATE \"$tmpl\" STRATEGY $strategy" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')
      sql "DROP DATABASE s_probe"
      strategy_ms[$tmpl.$strategy]+="$(awk -v m="$ms" 'BEGIN {printf "%.3f", m / 1000}') "
    done
  done
done
template_mb=$(psql -X -Atc "SELECT round(pg_database_size('$app_template') / 1048576.0)" "$server")
users_mb=$(psql -X -Atc "SELECT round(pg_database_size('tmpl_users') / 1048576.0)" "$server")
fsync=$(psql -X -Atc "SHOW fsync" "$server")
"$dbtool" db clone --drop-all -q --database-url "$app" >/dev/null
"$dbtool" db template --drop-all -q --database-url "$app" >/dev/null

median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f", m}'; }
spread() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -g | awk 'NR==1{lo=$1} {hi=$1} END {printf "%.3f–%.3f", lo, hi}'; }
maxkb() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -g | tail -1; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

peer_row() {  # case label, dbtool key, peer name, peer key, target
  local d p
  d=$(median "${times[$2]}")
  p=$(median "${times[$4]}")
  printf '| %s | %s (%s) | %s | %s (%s) | %s× | %s |\n' "$1" "$d" "$(spread "${times[$2]}")" "$3" "$p" \
    "$(spread "${times[$4]}")" "$(ratio "$p" "$d")" "$5"
}

row() {  # case label, dbtool key, psql key, target
  local d p
  d=$(median "${times[$2]}")
  p=$(median "${times[$3]}")
  printf '| %s | %s (%s) | %s (%s) | %s× | %s | %s MiB |\n' "$1" "$d" "$(spread "${times[$2]}")" "$p" \
    "$(spread "${times[$3]}")" "$(ratio "$d" "$p")" "$4" "$(mib "$(maxkb "${rss[$2]}")")"
}

{
  echo "# Benchmark results"
  echo
  echo "Mode: $mode; $runs run(s) a case; $migrations migrations; $rows rows. Median seconds (min–max) of"
  echo "the whole command, process start included; each run in a fresh database cloned from a template"
  echo "(clone time not included: median $(median "${setups[w3_csv_dbtool]}") s)."
  echo
  echo "| case | dbtool s | psql s | ratio | target | dbtool peak RSS |"
  echo "|---|---|---|---|---|---|"
  row "W1 migrate up, $migrations migrations (psql: each in BEGIN … INSERT schema_migrations … COMMIT)" w1_dbtool w1_psql "≤ 1.3×"
  row "W1 migrate up against the protocol limit (bench/protocol_limit.c: one simple query per migration, BEGIN … INSERT … COMMIT)" w1_dbtool w1_limit "≤ 1.15×"
  row "W2 migrate status, $migrations applied (psql: one SELECT)" w2_dbtool w2_psql "≤ 1×"
  row "W2 migrate status, $migrations applied (the psql binary itself, $rawpsql, without Debian's Perl wrapper)" w2_dbtool w2_rawpsql "—"
  row "W3 seed run, CSV via COPY (psql: \\copy)" w3_csv_dbtool w3_copy_psql "≤ 1.2×"
  row "W3 seed run, generate: (psql: \\copy of the same rows)" w3_gen_dbtool w3_gencopy_psql "≤ 1.5×"
  row "W3 seed run, inline YAML rows (psql: \\copy)" w3_inline_dbtool w3_copy_psql "≤ 3×"
  echo
  echo "| case | dbtool s | baseline s | ratio | target | dbtool peak RSS |"
  echo "|---|---|---|---|---|---|"
  row "W4 migrate verify, $migrations migrations, every down checked (baseline: dbtool migrate up of the same set, W1)" w4_verify_dbtool w1_dbtool "well under 3×"
  row "W5 db clone: a migrated and seeded database of the $migrations migrations, the spare the last clone left taken (baseline: migrate up + seed run into an empty database)" w5_clone w5_build "≤ 0.10×"
  row "W5 db clone --no-spare: the template copied while dbtool waits (same baseline)" w5_clone_copy w5_build "—"
  row "W7 migrate up --targets: $tenants tenant schemas × 10 migrations, --parallel 4 (baseline: a shell loop running dbtool migrate up once per schema; $(wc -w <<<"${times[w7_loop]}") runs)" w7_p4 w7_loop "≤ 0.10×"
  row "W7 the same, --parallel 4 (baseline: --parallel 1)" w7_p4 w7_p1 "≤ 0.5×"
  row "W7 the same, --parallel 1 (baseline: psql running the same SQL for every tenant in one session)" w7_p1 w7_psql "—"
  echo
  echo "Fleet memory: migrate up --targets --parallel 4 over $((tenants / 10)) tenants peaks at $(mib "$(maxkb "${rss[w7_small]}")") MiB,"
  echo "over $tenants at $(mib "$(maxkb "${rss[w7_p4]}")") MiB (target: flat in the number of targets)."
  echo
  if have_peers; then
    echo "Peers, same work, same server (dbmate 2.36.0, sequelize-cli 6.6.3 with sequelize 6.37.7 and pg 8.16.3, from npm):"
    echo
    echo "| case | dbtool s | peer | peer s | peer ÷ dbtool | target |"
    echo "|---|---|---|---|---|---|"
    peer_row "W1 migrate up, $migrations migrations" w1_dbtool "dbmate up" w1_dbmate "—"
    peer_row "W2 migrate status, $migrations applied" w2_dbtool "dbmate status" w2_dbmate "> 1×"
    peer_row "W5 a fresh migrated database: dbtool db clone vs dbmate up from empty" w5_clone "dbmate up" w1_dbmate "≥ 10×"
    peer_row "W6 seed $rows6 rows (dbtool: inline YAML rows; sequelize: db:seed:all, one bulkInsert)" w6_dbtool "sequelize-cli db:seed:all" w6_sequelize "—"
  else
    echo "$peers_note"
  fi
  echo
  echo "CREATE DATABASE … TEMPLATE by strategy (server-side time, median of $runs; fsync=$fsync):"
  echo
  echo "| template | size | WAL_LOG s | FILE_COPY s |"
  echo "|---|---|---|---|"
  echo "| tmpl_users (one empty table) | $users_mb MB | $(median "${strategy_ms[tmpl_users.wal_log]}") | $(median "${strategy_ms[tmpl_users.file_copy]}") |"
  echo "| dbtool's W5 template ($migrations tables, seeded) | $template_mb MB | $(median "${strategy_ms[$app_template.wal_log]}") | $(median "${strategy_ms[$app_template.file_copy]}") |"
  echo
  echo "Memory: seed run of $small generated rows peaks at $(mib "$(maxkb "${rss[w3_small_dbtool]}")") MiB;"
  echo "of $rows generated rows at $(mib "$(maxkb "${rss[w3_gen_dbtool]}")") MiB (target: ≤ 64 MiB, and within 16 MiB of each other)."
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo),"
  echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); $(uname -sr)."
  echo "Versions: $("$dbtool" --version), $(psql -X -Atc 'SELECT version()' "$server" | cut -d, -f1),"
  echo "$(psql --version); server settings fsync=off, synchronous_commit=off (scripts/with-postgres.sh);"
  echo "data directory on $(df --output=fstype "$TMPDIR" | tail -1) ($TMPDIR)."
  if [[ $mode == full && -f bench/HISTORY.md ]]; then
    echo
    cat bench/HISTORY.md
  fi
} >"$results"
cat "$results"
