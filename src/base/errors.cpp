#include "base/errors.hpp"

#include <algorithm>
#include <cctype>

namespace dbtool {

std::string SourceLocation::str() const {
    std::string out = file;
    if (line > 0) {
        out += ":" + std::to_string(line);
        if (column > 0) {
            out += ":" + std::to_string(column);
        }
    }
    return out;
}

const std::string& Error::field(const std::string& name) const {
    static const std::string kEmpty;
    for (const auto& [key, value] : fields_) {
        if (key == name) {
            return value;
        }
    }
    return kEmpty;
}

Error& Error::withList(std::string name, std::vector<ListItem> items, bool linePerItem) {
    for (auto& list : lists_) {
        if (list.name == name) {
            list.items = std::move(items);
            list.linePerItem = linePerItem;
            return *this;
        }
    }
    lists_.push_back({std::move(name), std::move(items), linePerItem});
    return *this;
}

bool Error::hasList(const std::string& name) const {
    for (const auto& list : lists_) {
        if (list.name == name)
            return true;
    }
    return false;
}

namespace {
size_t editDistance(const std::string& a, const std::string& b) {
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) {
        prev[j] = j;
    }
    for (size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                              std::tolower(static_cast<unsigned char>(b[j - 1]));
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (same ? 0 : 1)});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}
}  // namespace

std::string closestMatch(const std::string& word, const std::vector<std::string>& candidates) {
    std::string best;
    size_t bestDistance = std::max<size_t>(2, word.size() / 3) + 1;
    for (const auto& candidate : candidates) {
        const size_t d = editDistance(word, candidate);
        if (d < bestDistance) {
            bestDistance = d;
            best = candidate;
        }
    }
    return best;
}

std::string didYouMean(const std::string& word, const std::vector<std::string>& candidates) {
    const std::string best = closestMatch(word, candidates);
    return best.empty() ? std::string{} : ", did you mean '" + best + "'?";
}

}  // namespace dbtool
