// File name checks: what makes a name dangerous, and the safe name an output gets.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mugaika/file_type.hpp"
#include "mugaika/outcome.hpp"

namespace mugaika {

struct NameCheck {
    std::string safe_name;            // no path, controls, bidi marks, reserved words; bounded length
    std::string extension;            // lowercase extension of the safe name, without the dot ("" if none)
    std::vector<Finding> findings;    // name.* findings
    bool dangerous = false;           // an executable/script extension, visible or hidden
};

inline constexpr std::size_t max_name_bytes = 200;

NameCheck check_name(std::string_view name);

// True for extensions Windows runs or opens with an interpreter (exe, js, lnk, iso, ...).
bool is_dangerous_extension(std::string_view ext_lowercase);

// `s` as valid UTF-8: every invalid sequence becomes U+FFFD. For text that came from outside (a file
// name from a share, an envelope address) on its way into a report, a log or a JSON document.
std::string valid_utf8(std::string_view s);

// A name for people (reports, logs, the officer UI): as it is when UTF-8, else decoded as CP932 when
// it is CP932, else valid_utf8(). The bytes themselves are what check_name() judges.
std::string display_name(std::string_view raw);

// `name` with its extension replaced by `ext` (without the dot), or added when it has none.
std::string with_extension(std::string_view name, std::string_view ext);

// The name a plain-text output may carry (see plain_text_naming): `safe_name` itself when its last
// extension (case-insensitive) is allowed, otherwise `safe_name` + "." + naming.append, kept within
// max_name_bytes. Positive selection: whatever Windows might do with another extension, it cannot
// happen under one of these.
std::string plain_text_name(std::string_view safe_name, const PlainTextNaming& naming);

}  // namespace mugaika
