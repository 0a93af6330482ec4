// Which URI links may be re-added (links = https): plain http(s) only, normalised to printable ASCII.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mugaika::pdf {

// The link target to write, or nullopt when the URI is not an absolute http(s) URL we can carry
// safely. Bytes outside a conservative URL alphabet are percent-encoded, so the result needs no
// escaping inside a cairo tag attribute or a PDF string.
std::optional<std::string> safe_http_uri(std::string_view uri);

}  // namespace mugaika::pdf
