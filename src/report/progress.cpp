#include "report/progress.hpp"

#include <atomic>
#include <cstdio>

namespace dbtool::report {

namespace {
std::atomic<ProgressLine*> gActive{nullptr};

std::string seconds(double s) {
    return s < 60 ? std::to_string(static_cast<int64_t>(s + 0.5)) + " s"
                  : std::to_string(static_cast<int64_t>(s / 60)) + " min " +
                        std::to_string(static_cast<int64_t>(s) % 60) + " s";
}
}  // namespace

std::string groupThousands(int64_t n) {
    std::string digits = std::to_string(n < 0 ? -n : n);
    std::string out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0)
            out += ',';
        out += digits[i];
    }
    return (n < 0 ? "-" : "") + out;
}

ProgressLine::ProgressLine(bool enabled) : enabled_(enabled) {
    if (enabled_) {
        gActive.store(this);
        ticker_ = std::thread([this] { tick(); });
    }
}

ProgressLine::~ProgressLine() {
    if (!enabled_)
        return;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
        erase();
    }
    wake_.notify_all();
    ticker_.join();
    gActive.store(nullptr);
}

void ProgressLine::start(std::string unit) {
    if (!enabled_)
        return;
    std::lock_guard<std::mutex> lock(mutex_);
    erase();
    unit_ = std::move(unit);
    detail_.clear();
    table_.clear();
    active_ = true;
    unitStart_ = Clock::now();
}

void ProgressLine::rows(const std::string& table, int64_t rows, double fraction) {
    if (!enabled_)
        return;
    std::lock_guard<std::mutex> lock(mutex_);
    const auto now = Clock::now();
    if (table != table_) {
        table_ = table;
        tableStart_ = now;
    }
    const double elapsed = std::chrono::duration<double>(now - tableStart_).count();
    std::string text = table + ": ";
    if (rows >= 0) {
        text += groupThousands(rows) + " rows";
        if (elapsed >= 0.5)
            text += ", " + groupThousands(static_cast<int64_t>(rows / elapsed)) + " rows/s";
    }
    if (fraction >= 0) {
        text += (rows >= 0 ? ", " : "") + std::to_string(static_cast<int>(fraction * 100)) + "%";
        if (fraction > 0.01 && fraction < 1 && elapsed >= 0.5)
            text += ", about " + seconds(elapsed * (1 - fraction) / fraction) + " left";
    }
    detail_ = text;
}

void ProgressLine::detail(std::string text) {
    if (!enabled_)
        return;
    std::lock_guard<std::mutex> lock(mutex_);
    detail_ = std::move(text);
}

void ProgressLine::finish() {
    if (!enabled_)
        return;
    std::lock_guard<std::mutex> lock(mutex_);
    erase();
    active_ = false;
}

void ProgressLine::eraseActive() {
    if (ProgressLine* p = gActive.load()) {
        std::lock_guard<std::mutex> lock(p->mutex_);
        p->erase();
    }
}

void ProgressLine::tick() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
        wake_.wait_for(lock, std::chrono::milliseconds(250));
        if (!stopping_ && active_ && Clock::now() - unitStart_ >= std::chrono::seconds(1))
            draw();
    }
}

void ProgressLine::draw() {
    const double elapsed = std::chrono::duration<double>(Clock::now() - unitStart_).count();
    const std::string line = "\r\x1b[K" + unit_ + " (" + seconds(elapsed) + ")" +
                             (detail_.empty() ? "" : ": " + detail_);
    std::fputs(line.c_str(), stderr);
    std::fflush(stderr);
    shown_ = true;
}

void ProgressLine::erase() {
    if (shown_) {
        std::fputs("\r\x1b[K", stderr);
        std::fflush(stderr);
        shown_ = false;
    }
}

}  // namespace dbtool::report
