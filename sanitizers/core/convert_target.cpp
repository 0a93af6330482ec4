#include "mugaika/converter.hpp"

namespace mugaika {

std::string_view to_string(ConvertTarget t) {
    switch (t) {
    case ConvertTarget::docx: return "docx";
    case ConvertTarget::xlsx: return "xlsx";
    case ConvertTarget::pptx: return "pptx";
    case ConvertTarget::pdf: return "pdf";
    }
    return "pdf";
}

std::optional<ConvertTarget> parse_convert_target(std::string_view s) {
    for (auto t : {ConvertTarget::docx, ConvertTarget::xlsx, ConvertTarget::pptx, ConvertTarget::pdf})
        if (to_string(t) == s) return t;
    return std::nullopt;
}

}  // namespace mugaika
