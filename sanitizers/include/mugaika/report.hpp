// The report of an outcome: JSON for machines (schema in README.md), a short Japanese summary for people.
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "mugaika/outcome.hpp"

namespace mugaika {

inline constexpr std::string_view report_schema = "mugaika.report/1";

// The report without output bytes (sizes and hashes instead).
nlohmann::ordered_json to_report_json(const Outcome& outcome);
// 「無害化しました: マクロ(VBA)を除去 ほか2件」 and the like; one to three lines.
std::string summary_ja(const Outcome& outcome);

// Lossless encoding of an outcome, output bytes included, for the pipe from a worker process.
std::string encode_outcome(const Outcome& outcome);
// Throws std::runtime_error on anything that is not exactly what encode_outcome wrote.
Outcome decode_outcome(std::string_view bytes);

std::string sha256_hex(std::string_view bytes);

}  // namespace mugaika
