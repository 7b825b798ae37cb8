#pragma once

#include <gtest/gtest.h>

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

}  // namespace dbtool::test
