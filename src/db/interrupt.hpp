#pragma once

#include <libpq-fe.h>

namespace dbtool::db {

// Ctrl-C / SIGTERM handling. The first signal sets a flag and asks the server to cancel the
// running statement (PQcancel is async-signal-safe), so the open transaction fails and rolls
// back; the code that catches the failure sees interrupted() and reports it. A second signal
// ends the process at once (the server rolls back the open transaction when the connection
// drops). SIGPIPE is ignored: a closed output pipe does not stop the work.
void installInterruptHandlers();
bool interrupted();
// Throws Error(ExitCode::Interrupted) when a signal has arrived; for checkpoints between units.
void throwIfInterrupted(const char* whatWasStopped);

// The statements a signal cancels: every open session of the run registers itself (a fleet
// run's workers each have one) and unregisters when it closes.
void addCancelTarget(PGcancel* cancel);
// Clears it when it is still `cancel` (a session that was not the target leaves it alone).
void clearCancelTarget(PGcancel* cancel);

// For tests: clear the flag.
void resetInterrupted();

}  // namespace dbtool::db
