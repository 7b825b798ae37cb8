#include "db/interrupt.hpp"

#include <atomic>
#include <csignal>
#include <string>

#include "base/errors.hpp"

namespace dbtool::db {

namespace {
std::atomic<bool> gInterrupted{false};
std::atomic<PGcancel*> gCancel{nullptr};

extern "C" void onInterrupt(int sig) {
    if (gInterrupted.exchange(true)) {
        std::signal(sig, SIG_DFL);
        std::raise(sig);
        return;
    }
    if (PGcancel* cancel = gCancel.load()) {
        char errbuf[256];
        PQcancel(cancel, errbuf, sizeof errbuf);
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
    gCancel.compare_exchange_strong(cancel, nullptr);
}

void setCancelTarget(PGcancel* cancel) {
    gCancel.store(cancel);
}

void resetInterrupted() {
    gInterrupted.store(false);
}

}  // namespace dbtool::db
