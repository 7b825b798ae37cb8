#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace dbtool::report {

// One self-redrawing line on stderr for long work: "migration 3 of 10: 2024... create_users
// (4 s)", "seed 010_big (6 s): public.events: 1,200,000 of 3,000,000 rows, 410,000 rows/s,
// about 4 s left". Shown only when enabled (stderr is a terminal, text output, not --quiet),
// and only once a unit has run for a second; erased when the unit ends and before anything
// else is logged, so it never mixes with results or logs and never reaches a file or a pipe.
class ProgressLine {
  public:
    explicit ProgressLine(bool enabled);
    ~ProgressLine();
    ProgressLine(const ProgressLine&) = delete;
    ProgressLine& operator=(const ProgressLine&) = delete;

    // Whether the line is drawn (stderr a terminal, text output, not --quiet).
    bool enabled() const { return enabled_; }
    // A unit starts ("migration 3 of 10: ..."); the clock restarts.
    void start(std::string unit);
    // Rows loaded into `table` so far; `fraction` of the table's work done (in [0, 1]), or < 0
    // when not known. Gives the rate, and the time left when the fraction is known.
    void rows(const std::string& table, int64_t rows, double fraction);
    // What the unit is at, in words ("412 of 1,000 targets done, 1 failed"); the clock runs on.
    void detail(std::string text);
    // The unit ended: the line is erased.
    void finish();

    // Erases the active line, if one is shown (the log sink calls it before writing).
    static void eraseActive();

  private:
    using Clock = std::chrono::steady_clock;
    void tick();
    void draw();   // with mutex_ held
    void erase();  // with mutex_ held

    bool enabled_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    bool active_ = false;
    bool shown_ = false;
    std::string unit_;
    std::string detail_;
    std::string table_;
    Clock::time_point unitStart_;
    Clock::time_point tableStart_;
    std::thread ticker_;
};

// "1,234,567"
std::string groupThousands(int64_t n);

}  // namespace dbtool::report
