// How a link target is shown in the safe text: defanged so that no client turns it into a live link
// ("hxxps://example[.]jp/..."), shown as it is, or left out.
#pragma once

#include <string>
#include <string_view>

namespace mugaika::mail {

enum class LinkMode { defang, plain, drop };

// Schemes that run code or carry content where a link should be: never shown as targets.
bool is_dangerous_scheme(std::string_view url);

// The target as shown for `mode` ("" for drop). Only http, https and ftp are rewritten by defang;
// mailto keeps the address without the scheme.
std::string show_target(std::string_view url, LinkMode mode);

// Defangs every http(s)/ftp URL in plain text (for text bodies under LinkMode::defang); returns how
// many were rewritten.
std::size_t defang_text_urls(std::string& text);

}  // namespace mugaika::mail
