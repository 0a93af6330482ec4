// A single compressed file (x.csv.gz, y.txt.bz2, z.xz, data.tar.gz): decompressed, its content run
// through the engine under its inner name, and what comes out released as it is, not wrapped in a
// zip (a tar inside is rebuilt as a zip by its own sanitizer: data.tar.gz -> data.zip).
#pragma once

#include <vector>

#include "mugaika/sanitizer.hpp"
#include "stream.hpp"

namespace mugaika::archive {

std::vector<Output> open_single_file(const Input& in, Context& ctx, Stream format);

}  // namespace mugaika::archive
