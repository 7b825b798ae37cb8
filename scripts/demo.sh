#!/usr/bin/env bash
# The main job on the examples: installs dependencies, builds dbtool, starts a throwaway
# PostgreSQL unless DATABASE_URL is set, then migrates and seeds the example project and shows
# its status, then does the same over a fleet of two tenant schemas.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ${1:-} != --inner ]]; then
  scripts/install-deps.sh
  # A build folder configured already (e.g. with the tests, by scripts/test.sh) keeps its
  # options; a fresh one builds dbtool alone.
  if [[ ! -f build/CMakeCache.txt ]]; then
    cmake -S . -B build -DDBTOOL_BUILD_TESTS=OFF >/dev/null
  fi
  cmake --build build -j "$(nproc)" --target dbtool
  if [[ -z ${DATABASE_URL:-} ]]; then
    exec scripts/with-postgres.sh "$0" --inner
  fi
fi

if [[ -z ${DATABASE_URL:-} ]]; then
  # Inside the throwaway cluster: a database of its own for the demo.
  export DATABASE_URL="${DBTOOL_TEST_DATABASE_URL%/*}/dbtool_demo"
fi
export DBTOOL_MIGRATIONS_DIR=${DBTOOL_MIGRATIONS_DIR:-migrations-example}
export DBTOOL_SEEDS_DIR=${DBTOOL_SEEDS_DIR:-seeds-example}

dbtool=build/dbtool
set -x
"$dbtool" db create --wait 30
"$dbtool" migrate up
"$dbtool" seed run
"$dbtool" migrate status --exit-code
"$dbtool" seed status --exit-code

# A fleet (README "Fleets"): the same migrations and seeds in two tenant schemas of the demo
# database, named by a pattern in a dbtool.yaml of its own.
set +x
fleet_config=$(mktemp)
trap 'rm -f "$fleet_config"' EXIT
printf 'development:\n  targets:\n    tenants:\n      - schemas: "tenant_%%"\n' >"$fleet_config"
psql -q -X -v ON_ERROR_STOP=1 "$DATABASE_URL" \
  -c "CREATE SCHEMA IF NOT EXISTS tenant_a; CREATE SCHEMA IF NOT EXISTS tenant_b"
set -x
"$dbtool" --config "$fleet_config" migrate up --targets tenants --parallel 2
"$dbtool" --config "$fleet_config" seed run --targets tenants --parallel 2
"$dbtool" --config "$fleet_config" migrate status --targets tenants --exit-code
"$dbtool" --config "$fleet_config" seed status --targets tenants --exit-code
