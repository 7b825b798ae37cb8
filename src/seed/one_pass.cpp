#include "seed/one_pass.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <string_view>

#include "seed/loader.hpp"
#include "seed/row_syntax.hpp"

namespace dbtool {

namespace fs = std::filesystem;

namespace {

// A row whose columns differ from the last one's starts another COPY; a file that does that
// more often than this goes through the two passes, which insert such rows in batches.
constexpr int kMaxCopyRestarts = 1000;

// The plan's checks and the loader, fed the same events: each row is checked, then copied.
class OnePassLoader : public SeedStreamVisitor {
  public:
    explicit OnePassLoader(LoadContext& context)
        // The loader reads the plan as the planner builds it: the entry's TablePlan holds
        // what the loader needs (table, options, the first row's columns) by its first row.
        : planner_(context.file(), &context.catalog()), loader_(context, planner_.plan()) {}

    void reportProgressByPosition(uintmax_t fileSize) {
        loader_.reportProgressByPosition(fileSize);
    }

    void beginTable(const std::string& name, int line, int column, bool longForm) override {
        planner_.beginTable(name, line, column, longForm);
        // A second entry: the two passes decide the order the entries load in.
        if (planner_.plan().tables.size() > 1)
            throw OnePassDeclined{};
    }

    void option(const std::string& key, const YamlValue& value, int line, int column) override {
        planner_.option(key, value, line, column);
        if (key == "generate" || key == "csv" ||
            (key == "on_conflict" && current().onConflict != OnConflict::Error)) {
            throw OnePassDeclined{};
        }
    }

    void beginRows(int line, int column, bool labelled) override {
        planner_.beginRows(line, column, labelled);
        if (labelled)
            throw OnePassDeclined{};
    }

    void row(YamlValue&& row, const std::string& label) override {
        if (!label.empty() || !planner_.checkRow(row, label).empty() || holdsRef(row))
            throw OnePassDeclined{};  // labels and references are inserted in batches
        if (!started_) {
            start();
            if (!loader_.copying())
                throw OnePassDeclined{};  // COPY cannot set a GENERATED ALWAYS identity
        } else if (!sameColumns(row, loader_.copyColumns())) {
            std::vector<std::string> columns;
            columns.reserve(row.fields.size());
            for (const auto& field : row.fields)
                columns.push_back(field.first);
            // Rows giving a serial or identity column mixed with rows leaving it to its
            // sequence: the two passes move the sequence past the given values first.
            if (++restarts_ > kMaxCopyRestarts ||
                sequenceColumnsDiffer(loader_.copyColumns(), columns) ||
                !loader_.restartCopy(columns))
                throw OnePassDeclined{};
        }
        loader_.row(std::move(row), "");
    }

    void endTable() override {
        planner_.endTable();
        if (!started_)
            start();  // an entry without rows, as the two passes load it
        loader_.endTable();
    }

    OnePassResult finish() {
        OnePassResult result;
        result.plan = planner_.finish({});  // no references: those decline
        result.counts = std::move(loader_.counts());
        return result;
    }

  private:
    const TablePlan& current() const { return planner_.plan().tables.back(); }

    static bool sameColumns(const YamlValue& row, const std::vector<std::string>& columns) {
        if (row.fields.size() != columns.size())
            return false;
        for (size_t i = 0; i < columns.size(); ++i) {
            if (row.fields[i].first != columns[i] &&
                std::find(columns.begin(), columns.end(), row.fields[i].first) == columns.end())
                return false;
        }
        return true;
    }

    bool sequenceColumnsDiffer(const std::vector<std::string>& a,
                               const std::vector<std::string>& b) const {
        for (const auto& c : current().info.columns) {
            if (!c.sequence.empty() && (std::find(a.begin(), a.end(), c.name) == a.end()) !=
                                           (std::find(b.begin(), b.end(), c.name) == b.end()))
                return true;
        }
        return false;
    }

    void start() {
        const TablePlan& t = current();
        loader_.beginTable(t.written, t.line, t.column, true);
        started_ = true;
    }

    SeedPlanner planner_;
    SeedLoader loader_;
    bool started_ = false;
    int restarts_ = 0;
};

// What a line starting at column 0 is, in the block-style YAML seed files are written in.
enum class TopLine { Other, Key, Unusual };

TopLine classify(std::string_view line) {
    if (line.empty() || line[0] == ' ' || line[0] == '\r' || line[0] == '#')
        return TopLine::Other;  // indented, blank or a comment
    if (line.substr(0, 3) == "---" || line.substr(0, 3) == "...")
        return line.size() == 3 || line[3] == ' ' || line[3] == '\r' ? TopLine::Other
                                                                     : TopLine::Unusual;
    if (line[0] == '-' && (line.size() == 1 || line[1] == ' ' || line[1] == '\r'))
        return TopLine::Other;  // a row of the entry above, not indented
    const unsigned char c = static_cast<unsigned char>(line[0]);
    const bool plainStart = std::isalnum(c) != 0 || c == '_' || c == '"' || c >= 0x80;
    if (plainStart && line.find(':') != std::string_view::npos)
        return TopLine::Key;
    return TopLine::Unusual;  // a tab, flow collections, tags, anchors, directives...
}

}  // namespace

bool mayLoadInOnePass(const fs::path& path) {
    static constexpr std::array<std::string_view, 5> otherShapes = {"_label", "!ref", "generate",
                                                                    "csv", "on_conflict"};
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;  // the two passes say why it cannot be read
    std::string buffer(1u << 20, '\0');
    size_t kept = 0;  // the unfinished last line of the previous read
    int keys = 0;
    bool other = false;
    bool atEnd = false;
    while (!other && !atEnd) {
        if (kept == buffer.size())
            buffer.resize(buffer.size() * 2);  // a line longer than the buffer
        const ssize_t n = ::read(fd, buffer.data() + kept, buffer.size() - kept);
        atEnd = n <= 0;
        const size_t filled = kept + (n > 0 ? static_cast<size_t>(n) : 0);
        // Whole lines only (all of it at the end): a word is never split across reads.
        size_t end = atEnd ? filled : std::string_view(buffer.data(), filled).rfind('\n') + 1;
        if (end == 0 || end > filled)
            end = 0;  // no line ends yet
        const std::string_view lines(buffer.data(), end);
        for (const std::string_view word : otherShapes) {
            if (::memmem(lines.data(), lines.size(), word.data(), word.size()) != nullptr)
                other = true;
        }
        for (size_t at = 0; at < lines.size() && !other;) {
            size_t next = lines.find('\n', at);
            next = next == std::string_view::npos ? lines.size() : next;
            switch (classify(lines.substr(at, next - at))) {
                case TopLine::Key:
                    other = ++keys > 1;
                    break;
                case TopLine::Unusual:
                    other = true;
                    break;
                case TopLine::Other:
                    break;
            }
            at = next + 1;
        }
        kept = filled - end;
        std::memmove(buffer.data(), buffer.data() + end, kept);
    }
    ::close(fd);
    return !other && keys == 1;
}

OnePassResult loadInOnePass(LoadContext& context) {
    OnePassLoader loader(context);
    std::error_code ec;
    const uintmax_t size = fs::file_size(context.file().path, ec);
    if (!ec)
        loader.reportProgressByPosition(size);
    streamSeedFile(context.file().path, loader);
    return loader.finish();
}

}  // namespace dbtool
