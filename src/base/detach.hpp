#pragma once

#include <functional>

namespace dbtool {

// Runs `work` in a process of its own that outlives this one, as `git gc --auto` does: a
// grandchild in a new session (no terminal, so no Ctrl-C of the caller's), its standard
// input, output and error on /dev/null and every other descriptor closed (a shell reading this
// process's output through a pipe is not kept waiting for it), ending with _exit when `work`
// returns or throws. Returns once
// the grandchild exists; false when it could not be started. Call it when this process has
// no other thread running (fork copies only the calling thread) and its output is flushed.
bool runDetached(const std::function<void()>& work);

}  // namespace dbtool
