#include "mugaika/reasons.hpp"

#include "mugaika/labels.hpp"

namespace mugaika::reason {

// The explanations live in the one table of labels (common/labels.cpp) that the officer UI reads too.
std::string_view explain_ja(std::string_view code) { return labels::reason_message_ja(code); }

}  // namespace mugaika::reason
