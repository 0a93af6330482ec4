// 7z, RAR, LZH and tar rebuilt as a zip: the same members-through-the-engine rebuild as zip's, fed
// by PackedReader instead of SafeZip.
#pragma once

#include <vector>

#include "mugaika/sanitizer.hpp"
#include "packed_reader.hpp"

namespace mugaika::archive {

std::vector<Output> rebuild_packed(const Input& in, Context& ctx, Packed format);

}  // namespace mugaika::archive
