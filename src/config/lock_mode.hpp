#pragma once

namespace dbtool {

// How a run that changes the database keeps other runs out (db/run_lock): a session advisory
// lock (PostgreSQL), or a row in a table with a heartbeat and an expiry, for engines and
// connection poolers without session advisory locks (CockroachDB, PgBouncer in transaction
// mode). Setting: lock_mode / DBTOOL_LOCK_MODE / --lock-mode.
enum class LockMode { Advisory, Table };

}  // namespace dbtool
