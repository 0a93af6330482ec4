#include "text_sanitizer.hpp"

#include "text_filter.hpp"

namespace mugaika {
namespace {

class TextSanitizer final : public Sanitizer {
public:
    std::string_view name() const override { return "text"; }
    std::vector<std::string> types() const override { return {"text"}; }

    std::vector<Output> sanitize(const Input& in, Context& ctx) const override {
        auto decoded = text::decode_or_quarantine(in.bytes);
        std::size_t removed = text::strip_controls(decoded.utf8);
        if (removed == 0) return {Output{"", "text", std::string(in.bytes)}};   // already clean as it is
        ctx.add("text.control", Action::removed,
                std::to_string(removed) + " control characters removed (" + decoded.charset + ")",
                "テキスト中の制御文字を取り除きました。");
        return {Output{"", "text", text::encode_like(decoded, decoded.utf8, ctx)}};
    }
};

}  // namespace

std::shared_ptr<const Sanitizer> make_text_sanitizer() { return std::make_shared<TextSanitizer>(); }

}  // namespace mugaika
