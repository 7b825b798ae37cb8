#!/usr/bin/env bash
# Writes the benchmark workloads into a scratch folder (never committed).
#
#   bench/generate.sh OUTDIR MIGRATIONS ROWS
#
#   W1/W2  OUTDIR/w1/migrations: MIGRATIONS migrations, each a small table with an index and
#          a row; OUTDIR/w1/psql.sql: the same SQL as psql would run it, each migration in
#          BEGIN ... INSERT INTO schema_migrations ... COMMIT.
#   W3     OUTDIR/w3/schema.sql: a users table (serial id, name, email, age, active, created_at);
#          ROWS rows as OUTDIR/w3/users.csv and as three seed directories:
#          inline/ (YAML rows), generate/ (a generate: seed), csv/ (a csv: seed).
#   W5     OUTDIR/w5/seeds: a seed of 100 rows for the first table of W1 (a migrated and seeded
#          database for db clone).
#   W6     OUTDIR/w6/001_users.yaml: W6_ROWS (default 100,000) users as inline YAML rows, the
#          rows bench/peers/sequelize-seeders inserts with one bulkInsert.
set -euo pipefail
out=$1
migrations=$2
rows=$3
rm -rf "$out"
mkdir -p "$out/w1/migrations" "$out/w3/inline" "$out/w3/generate" "$out/w3/csv" "$out/w5/seeds" \
  "$out/w6"

# W1
{
  echo "CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY, name text, checksum text,"
  echo "  applied_at timestamptz DEFAULT clock_timestamp(), execution_ms bigint);"
} >"$out/w1/psql.sql"
for ((i = 1; i <= migrations; i++)); do
  version=$(printf '2024%010d' "$i")
  up="CREATE TABLE bench_t$i (id serial PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX bench_t${i}_name_idx ON bench_t$i (name);
INSERT INTO bench_t$i (name) VALUES ('row $i');"
  printf -- '-- migrate:up\n%s\n\n-- migrate:down\nDROP TABLE bench_t%d;\n' "$up" "$i" \
    >"$out/w1/migrations/${version}_create_t$i.sql"
  printf 'BEGIN;\n%s\nINSERT INTO schema_migrations (version, name) VALUES (%s, %s);\nCOMMIT;\n' \
    "$up" "'$version'" "'create_t$i'" >>"$out/w1/psql.sql"
done

# W3
cat >"$out/w3/schema.sql" <<'SQL'
CREATE TABLE users (
  id serial PRIMARY KEY,
  name text NOT NULL,
  email text NOT NULL,
  age integer,
  active boolean,
  created_at timestamptz NOT NULL
);
SQL
awk -v n="$rows" 'BEGIN {
  print "name,email,age,active,created_at"
  for (i = 1; i <= n; i++)
    printf "User %d,user%d@example.com,%d,%s,2024-01-%02d 10:00:00+00\n", i, i, 18 + i % 70, (i % 3 ? "true" : "false"), 1 + i % 28
}' >"$out/w3/users.csv"
awk -v n="$rows" 'BEGIN {
  print "users:"
  for (i = 1; i <= n; i++)
    printf "  - {name: User %d, email: user%d@example.com, age: %d, active: %s, created_at: 2024-01-%02d 10:00:00+00}\n", i, i, 18 + i % 70, (i % 3 ? "true" : "false"), 1 + i % 28
}' >"$out/w3/inline/001_users.yaml"
cat >"$out/w3/generate/001_users.yaml" <<YAML
users:
  generate:
    count: $rows
    row:
      name: "{{name}}"
      email: "{{email}}"
      age: "{{int 18 87}}"
      active: "{{bool 0.67}}"
      created_at: "{{datetime 2024-01-01 2024-01-28}}"
YAML
printf 'users:\n  csv: users.csv\n' >"$out/w3/csv/001_users.yaml"
ln -f "$out/w3/users.csv" "$out/w3/csv/users.csv"

# W5
awk 'BEGIN { print "bench_t1:"; for (i = 1; i <= 100; i++) printf "  - {name: seeded %d}\n", i }' \
  >"$out/w5/seeds/001_rows.yaml"

# W6: the same values as the sequelize seeder computes (created_at: day 1 + i % 28).
awk -v n="${W6_ROWS:-100000}" 'BEGIN {
  print "users:"
  for (i = 1; i <= n; i++)
    printf "  - {name: User %d, email: user%d@example.com, age: %d, active: %s, created_at: 2024-01-%02d 10:00:00+00}\n", i, i, 18 + i % 70, (i % 3 ? "true" : "false"), 1 + i % 28
}' >"$out/w6/001_users.yaml"
