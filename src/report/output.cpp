#include "report/output.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "base/redact.hpp"
#include "base/text.hpp"
#include "report/progress.hpp"

namespace dbtool::report {

Output::Output(Format format, bool color, bool quiet, std::FILE* out)
    : format_(format), color_(color), quiet_(quiet), out_(out) {}

void Output::line(std::string_view text) {
    if (format_ != Format::Text) {
        return;
    }
    ProgressLine::eraseActive();  // stdout and stderr are often the same terminal
    const std::string safe = redact(text) + "\n";
    std::fwrite(safe.data(), 1, safe.size(), out_);
    std::fflush(out_);
}

void Output::raw(std::string_view text) {
    const std::string safe = redact(text);
    std::fwrite(safe.data(), 1, safe.size(), out_);
    std::fflush(out_);
}

void Output::document(const nlohmann::json& doc) {
    if (!json()) {
        return;
    }
    const std::string safe = redact(doc.dump(2)) + "\n";
    std::fwrite(safe.data(), 1, safe.size(), out_);
    std::fflush(out_);
}

std::string Output::paint(const char* code, std::string_view s) const {
    if (!color_) {
        return std::string(s);
    }
    return std::string("\x1b[") + code + "m" + std::string(s) + "\x1b[0m";
}

std::string renderTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows) {
    std::vector<size_t> widths(header.size(), 0);
    for (size_t i = 0; i < header.size(); ++i) {
        widths[i] = displayWidth(header[i]);
    }
    for (const auto& row : rows) {
        if (row.size() > widths.size()) {
            widths.resize(row.size(), 0);
        }
        for (size_t i = 0; i < row.size(); ++i) {
            widths[i] = std::max(widths[i], displayWidth(row[i]));
        }
    }
    std::string out;
    auto emit = [&](const std::vector<std::string>& cells) {
        std::string line;
        for (size_t i = 0; i < cells.size(); ++i) {
            line += cells[i];
            if (i + 1 < cells.size()) {
                line += std::string(widths[i] - displayWidth(cells[i]) + 2, ' ');
            }
        }
        while (!line.empty() && line.back() == ' ')
            line.pop_back();  // an empty last cell
        out += line + "\n";
    };
    if (!header.empty()) {
        emit(header);
    }
    for (const auto& row : rows) {
        emit(row);
    }
    return out;
}

SourceLocation shownLocation(SourceLocation where) {
    std::error_code ec;
    const std::string cwd = std::filesystem::current_path(ec).string() + "/";
    if (!ec && cwd.size() > 1 && where.file.starts_with(cwd) && where.file.size() > cwd.size())
        where.file = where.file.substr(cwd.size());
    return where;
}

std::string renderError(const Error& error, bool color) {
    auto paint = [&](const char* code, const std::string& s) {
        return color ? std::string("\x1b[") + code + "m" + s + "\x1b[0m" : s;
    };
    std::string out = paint("1;31", "error") + ": " + error.what() + "\n";
    if (!error.where().empty()) {
        out += "  --> " + shownLocation(error.where()).str() + "\n";
    }
    for (const auto& [name, value] : error.fields()) {
        out += "  " + name + ": " + value + "\n";
    }
    for (const auto& list : error.lists()) {
        if (list.linePerItem) {
            for (const auto& item : list.items)
                out += "  " + list.name + ": " + item.text + "\n";
            continue;
        }
        std::string items;
        for (const auto& item : list.items)
            items += (items.empty() ? "" : ", ") + item.text;
        out += "  " + list.name + ": " + (items.empty() ? "none" : items) + "\n";
    }
    if (!error.hint().empty()) {
        out += "  " + paint("36", "hint") + ": " + error.hint() + "\n";
    }
    return redact(out);
}

nlohmann::json errorToJson(const Error& error) {
    nlohmann::json e = {{"message", error.what()}, {"exit_code", static_cast<int>(error.code())}};
    if (!error.where().empty()) {
        e["file"] = shownLocation(error.where()).file;
        if (error.where().line > 0) {
            e["line"] = error.where().line;
        }
        if (error.where().column > 0) {
            e["column"] = error.where().column;
        }
    }
    // Keys a jq user can write: "target from" -> target_from.
    auto key = [](std::string name) {
        std::replace(name.begin(), name.end(), ' ', '_');
        return name;
    };
    for (const auto& [name, value] : error.fields()) {
        e[key(name)] = value;
    }
    for (const auto& list : error.lists()) {
        nlohmann::json items = nlohmann::json::array();
        for (const auto& item : list.items) {
            nlohmann::json object = nlohmann::json::object();
            for (const auto& [name, value] : item.facts)
                std::visit([&, &name = name](const auto& v) { object[key(name)] = v; }, value);
            items.push_back(std::move(object));
        }
        e[key(list.name)] = std::move(items);
    }
    if (!error.hint().empty()) {
        e["hint"] = error.hint();
    }
    return {{"error", e}};
}

namespace {
class RedactingStderrSink : public spdlog::sinks::base_sink<std::mutex> {
  public:
    explicit RedactingStderrSink(bool color) : color_(color) {}

  protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        ProgressLine::eraseActive();
        const auto level = msg.level;
        std::string name;
        switch (level) {
            case spdlog::level::trace:
            case spdlog::level::debug:
                name = color_ ? "\x1b[2mdebug\x1b[0m" : "debug";
                break;
            case spdlog::level::info:
                name = color_ ? "\x1b[32minfo\x1b[0m" : "info";
                break;
            case spdlog::level::warn:
                name = color_ ? "\x1b[33mwarning\x1b[0m" : "warning";
                break;
            default:
                name = color_ ? "\x1b[1;31merror\x1b[0m" : "error";
        }
        const std::string line =
            name + ": " + redact(std::string_view(msg.payload.data(), msg.payload.size())) + "\n";
        std::fwrite(line.data(), 1, line.size(), stderr);
    }
    void flush_() override { std::fflush(stderr); }

  private:
    bool color_;
};
}  // namespace

void setUpLogging(int verbosity, bool color) {
    auto logger =
        std::make_shared<spdlog::logger>("dbtool", std::make_shared<RedactingStderrSink>(color));
    logger->set_level(verbosity < 0   ? spdlog::level::err
                      : verbosity > 0 ? spdlog::level::debug
                                      : spdlog::level::info);
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(logger);
}

bool useColor(std::FILE* stream, bool noColorFlag) {
    if (noColorFlag) {
        return false;
    }
    if (const char* v = std::getenv("NO_COLOR"); v != nullptr && *v != '\0') {
        return false;
    }
    return isatty(fileno(stream)) != 0;
}

}  // namespace dbtool::report
