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
#   W7     OUTDIR/w7: a fleet of W7_TENANTS (default 1,000) tenant schemas, 10 migrations each
#          (tables, an index, a few rows; the last records the tenant in public.fleet_done):
#          migrations/, dbtool.yaml (group `tenants`), template.sql (the schemas, for the
#          template database), small.sql (a tenth of them), psql.sql (the same SQL for every
#          tenant in one psql session) and loop.sh DBTOOL DATABASE_URL (dbtool migrate up once
#          per schema, as a shell loop around a one-database tool would).
set -euo pipefail
out=$1
migrations=$2
rows=$3
tenants=${W7_TENANTS:-1000}
rm -rf "$out"
mkdir -p "$out/w1/migrations" "$out/w3/inline" "$out/w3/generate" "$out/w3/csv" "$out/w5/seeds" \
  "$out/w6" "$out/w7/migrations"

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

# W7
w7() {  # NAME UP DOWN
  printf -- '-- migrate:up\n%s\n\n-- migrate:down\n%s\n' "$2" "$3" >"$out/w7/migrations/$1.sql"
}
w7 001_customers "CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL, email text);" \
  "DROP TABLE customers;"
w7 002_orders "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers, total numeric(12, 2) NOT NULL);" \
  "DROP TABLE orders;"
w7 003_orders_customer_index "CREATE INDEX orders_customer_id_idx ON orders (customer_id);" \
  "DROP INDEX orders_customer_id_idx;"
w7 004_first_customers "INSERT INTO customers VALUES (1, 'Ada', 'ada@example.com'), (2, 'Grace', NULL), (3, 'Edsger', NULL);" \
  "DELETE FROM customers;"
w7 005_first_orders "INSERT INTO orders VALUES (1, 1, 9.50), (2, 1, 19.00), (3, 2, 4.25);" \
  "DELETE FROM orders;"
w7 006_settings "CREATE TABLE settings (key text PRIMARY KEY, value text NOT NULL);" \
  "DROP TABLE settings;"
w7 007_default_settings "INSERT INTO settings VALUES ('currency', 'EUR'), ('locale', 'en');" \
  "DELETE FROM settings;"
w7 008_customer_status "ALTER TABLE customers ADD COLUMN status text NOT NULL DEFAULT 'active';" \
  "ALTER TABLE customers DROP COLUMN status;"
w7 009_fill_emails "UPDATE customers SET email = lower(name) || '@example.com' WHERE email IS NULL;" \
  "SELECT 1;"
w7 010_done "INSERT INTO public.fleet_done (tenant) VALUES (current_schema());" \
  "DELETE FROM public.fleet_done WHERE tenant = current_schema();"
printf 'development:\n  targets:\n    tenants:\n      - schemas: "tenant_%%"\n' >"$out/w7/dbtool.yaml"
w7_template() {  # SCHEMAS
  printf 'CREATE TABLE fleet_done (tenant text PRIMARY KEY);\n'
  printf 'DO $$ BEGIN FOR i IN 1..%d LOOP EXECUTE format(%s, i); END LOOP; END $$;\n' \
    "$1" "'CREATE SCHEMA tenant_%s'"
}
w7_template "$tenants" >"$out/w7/template.sql"
w7_template $((tenants / 10)) >"$out/w7/small.sql"
for ((t = 1; t <= tenants; t++)); do
  echo "SET search_path TO tenant_$t;"
  echo "CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY, name text, checksum text,"
  echo "  applied_at timestamptz DEFAULT clock_timestamp(), execution_ms bigint);"
  for f in "$out"/w7/migrations/*.sql; do
    name=$(basename "$f" .sql)
    echo "BEGIN;"
    sed -n '/^-- migrate:up$/,/^-- migrate:down$/p' "$f" | grep -v '^-- migrate:' | grep -v '^$'
    echo "INSERT INTO schema_migrations (version, name) VALUES ('${name%%_*}', '${name#*_}');"
    echo "COMMIT;"
  done
done >"$out/w7/psql.sql"
{
  echo '#!/bin/sh'
  echo '# dbtool migrate up once per tenant schema, as a shell loop around a one-database tool.'
  echo '#   loop.sh DBTOOL DATABASE_URL'
  echo 'set -e'
  echo 'i=1'
  echo "while [ \$i -le $tenants ]; do"
  echo "  PGOPTIONS=\"-c search_path=tenant_\$i\" \"\$1\" migrate up -q --database-url \"\$2\" \\"
  echo "    --migrations-dir '$out/w7/migrations' --tracking-schema tenant_\$i >/dev/null"
  echo '  i=$((i + 1))'
  echo 'done'
} >"$out/w7/loop.sh"
chmod +x "$out/w7/loop.sh"
