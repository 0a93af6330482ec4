// Word field instructions, judged on their own (clean_word.cpp walks the fields of a part).
#pragma once

#include <string>
#include <string_view>

namespace mugaika::ooxml {

// Why a field with this effective instruction ("DDEAUTO c:\\...", "HYPERLINK \"http://...\"") may not
// stay, "" when it may: its type must be on a short allowlist of fields that format, number,
// cross-reference inside the document or show its properties, its quotes must close, and a HYPERLINK
// must have at most one target, a literal http(s) or mailto (links policy), or only a \l bookmark.
std::string field_problem(std::string_view instr, bool links_https);

}  // namespace mugaika::ooxml
