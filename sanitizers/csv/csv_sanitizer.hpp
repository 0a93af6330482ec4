#pragma once

#include <memory>

#include "mugaika/sanitizer.hpp"

namespace mugaika {

// CSV/TSV: neutralises formula injection (a cell starting with = + - @, tab or CR, or their full-width
// forms, is prefixed with ') and writes the file back in its own encoding, so a Shift_JIS CSV still
// opens in Excel.
std::shared_ptr<const Sanitizer> make_csv_sanitizer();

}  // namespace mugaika
