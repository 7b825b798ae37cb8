#pragma once

#include <gtest/gtest.h>

#include <string>

#include "base/errors.hpp"

namespace dbtool::test {

// The Error that `action` throws; a test failure (and an empty Error) when it throws none.
template <typename Action>
Error errorFrom(Action&& action) {
    try {
        action();
    } catch (const Error& e) {
        return e;
    }
    ADD_FAILURE() << "expected a dbtool::Error";
    return Error(ExitCode::Ok, "");
}

// A list field as the text output shows it: "a, b", "none"; "<absent>" when not set.
inline std::string listText(const Error& e, const std::string& name) {
    for (const auto& list : e.lists()) {
        if (list.name != name)
            continue;
        std::string text;
        for (const auto& item : list.items)
            text += (text.empty() ? "" : ", ") + item.text;
        return text.empty() ? "none" : text;
    }
    return "<absent>";
}

}  // namespace dbtool::test
