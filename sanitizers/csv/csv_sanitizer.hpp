#pragma once

#include <memory>

#include "mugaika/sanitizer.hpp"

namespace mugaika {

// CSV/TSV: neutralises formula injection by inserting ' before every cell that starts with = + - @,
// tab or CR (or their full-width forms), plain numbers such as -1,234 aside. Cells are found as the
// application of the output's extension splits the file (.csv on commas, .tsv/.txt on tabs; a sep=
// line is removed), and, for anything that could call a function or reach outside, as the other
// common splits would find them. Nothing else changes; the file keeps its own encoding, so a
// Shift_JIS CSV still opens in Excel.
std::shared_ptr<const Sanitizer> make_csv_sanitizer();

}  // namespace mugaika
