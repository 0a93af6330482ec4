// Document conversion as a capability the host injects: a sanitizer never starts a program, it asks
// its Context. The service's converter is LibreOffice in a separately sandboxed process of its own
// (docs/legacy.md); with none injected, what needs one is held as "unsupported" (fail closed).
// Conversion alone is not disarming: what comes back is hostile input again and goes through the
// engine (detection, the OOXML or PDF sanitizer) before anything of it is released.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mugaika {

// What a document is converted into.
enum class ConvertTarget { docx, xlsx, pptx, pdf };

std::string_view to_string(ConvertTarget t);   // "docx", "xlsx", "pptx", "pdf" (also the output type id)
std::optional<ConvertTarget> parse_convert_target(std::string_view s);

struct ConversionRequest {
    std::string_view bytes;
    std::string_view source_type;   // the detected type id: "doc", "xls", "rtf", "odt", "html", ...
    ConvertTarget target = ConvertTarget::pdf;
    // The item's own budget: a converter still working at this point is killed and replaced.
    std::chrono::steady_clock::time_point deadline;
    std::uint64_t max_output_bytes = 0;   // 0: the converter's own bound
};

class Converter {
public:
    virtual ~Converter() = default;
    // The converted bytes. Throws SanitizeError with a reason code:
    //   limit.time    the converter was still working at the deadline (it is killed and replaced)
    //   worker.crash  the converter died on the document (it is replaced)
    //   malformed     the converter could not read the document
    //   limit.size    the result is larger than allowed
    //   internal      no converter could be started or spoken to
    virtual std::string convert(const ConversionRequest& request) const = 0;
};

}  // namespace mugaika
