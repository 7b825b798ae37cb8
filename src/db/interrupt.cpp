#include "db/interrupt.hpp"

#include <atomic>
#include <csignal>
#include <string>

#include "base/errors.hpp"

namespace dbtool::db {

namespace {
std::atomic<bool> gInterrupted{false};
// The statements a signal cancels: one per open session of the run (a fleet run has one per
// worker). A fixed array of atomics, as the handler may only read lock-free memory.
constexpr size_t kCancelSlots = 128;
std::atomic<PGcancel*> gCancel[kCancelSlots];

extern "C" void onInterrupt(int sig) {
    if (gInterrupted.exchange(true)) {
        std::signal(sig, SIG_DFL);
        std::raise(sig);
        return;
    }
    for (auto& slot : gCancel) {
        if (PGcancel* cancel = slot.load()) {
            char errbuf[256];
            PQcancel(cancel, errbuf, sizeof errbuf);
        }
    }
}
}  // namespace

void installInterruptHandlers() {
    struct sigaction action {};
    action.sa_handler = onInterrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    // `dbtool ... | head` closing the pipe must not kill a run halfway (a migration between
    // statements, a scratch database never dropped): writes to it just fail from then on.
    signal(SIGPIPE, SIG_IGN);
}

bool interrupted() {
    return gInterrupted.load();
}

void throwIfInterrupted(const char* whatWasStopped) {
    if (interrupted()) {
        throw Error(ExitCode::Interrupted, std::string("interrupted: ") + whatWasStopped);
    }
}

void clearCancelTarget(PGcancel* cancel) {
    for (auto& slot : gCancel) {
        PGcancel* expected = cancel;
        if (slot.compare_exchange_strong(expected, nullptr))
            return;
    }
}

void addCancelTarget(PGcancel* cancel) {
    for (auto& slot : gCancel) {
        PGcancel* expected = nullptr;
        if (slot.compare_exchange_strong(expected, cancel))
            return;
    }
    // Every slot taken (more sessions than any run opens): this one is not cancelled, and its
    // run stops at the next unit's interrupted() check instead.
}

void resetInterrupted() {
    gInterrupted.store(false);
}

}  // namespace dbtool::db
