// Text from outside that a person reads (a file name, a mail subject, a sender, an archive member) must
// show what it is, not steer how it is shown: a right-to-left override makes "請求書[RLO]fdp.exe" read as
// "請求書exe.pdf", zero-width characters hide a dot, C0/C1 controls drive a terminal. The whole class is
// closed by Unicode's general categories: every control (Cc), format character (Cf: bidi controls,
// zero-width joiners, tags, the BOM), line/paragraph separator (Zl, Zp), surrogate and unassigned code
// point, plus the blank-looking Hangul fillers, is replaced by a visible marker "[U+202E]"; invalid
// UTF-8 bytes become "[0xNN]". Everything else, Japanese included, is kept as it is.
#pragma once

#include <string>
#include <string_view>

namespace mugaika {

// Markers for everything above; line feeds (and tabs) are kept when `keep_newlines`.
std::string visible_text(std::string_view text, bool keep_newlines = false);

// True when visible_text would change something (the UI adds a warning next to such a name).
bool has_hidden_characters(std::string_view text);

// The same characters replaced by `replacement` instead of a marker: for a file name a browser or a
// file system gets (a download), where "[U+202E]" would be a strange but harmless name as well.
std::string without_hidden_characters(std::string_view text, char replacement = '_');

}  // namespace mugaika
