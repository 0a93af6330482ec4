// The zygote's side (inside mugaika-worker --zygote): a worker executable that has loaded its
// libraries, libmagic's database and its settings once, and forks one confined copy of itself per
// worker the service asks for. Each copy is made in fresh namespaces and then confines itself exactly
// as an exec'd worker does (worker_main.cpp); the zygote never reads an item, holds no descriptor but
// its control socket, and runs with an empty environment, so a copy inherits nothing but the loaded
// code and constant data. What the copies do share is the address-space layout (ASLR is per exec):
// the service replaces its zygote after a bounded number of copies (zygote.hpp).
#pragma once

#include "sandbox/sandbox.hpp"

namespace mugaika::worker {

// Serves fork requests on `control` until the service closes it, then exits; returns only in a
// forked worker, whose one descriptor is its job channel on sandbox::channel_fd. Refuses (a message,
// then exit) where the process cannot fork confined copies (sandbox::fork_confined_possible).
void run_zygote(int control, sandbox::Isolation isolation);

}  // namespace mugaika::worker
