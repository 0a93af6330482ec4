#include "legacy_sanitizer.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "mugaika/names.hpp"
#include "mugaika/reasons.hpp"
#include "scan.hpp"

namespace mugaika {
namespace {

// What each source becomes with target = "ooxml", and the types the engine may detect in what the
// converter returns (anything else means the converter did not do what it was asked: held).
struct Route {
    std::string_view source;
    ConvertTarget ooxml;
    std::string_view label_ja;   // 「旧形式のWord文書」
};

constexpr std::array<Route, 9> kRoutes{{
    {"doc", ConvertTarget::docx, "Word文書(.doc)"},
    {"rtf", ConvertTarget::docx, "RTF文書"},
    {"odt", ConvertTarget::docx, "ODFテキスト"},
    {"xls", ConvertTarget::xlsx, "Excelブック(.xls)"},
    {"xlsb", ConvertTarget::xlsx, "Excelバイナリブック(.xlsb)"},
    {"ods", ConvertTarget::xlsx, "ODFスプレッドシート"},
    {"ppt", ConvertTarget::pptx, "PowerPoint(.ppt)"},
    {"odp", ConvertTarget::pptx, "ODFプレゼンテーション"},
    {"ichitaro", ConvertTarget::docx, "一太郎文書"},
}};

const Route& route_of(std::string_view type) {
    for (const auto& r : kRoutes)
        if (r.source == type) return r;
    throw SanitizeError(reason::internal, "no conversion route for " + std::string(type));
}

// The converted file may legitimately be detected as the macro-enabled sibling (the OOXML sanitizer
// then rebuilds it macro-free); never as anything else.
bool expected(ConvertTarget target, std::string_view detected) {
    switch (target) {
    case ConvertTarget::docx: return detected == "docx" || detected == "docm";
    case ConvertTarget::xlsx: return detected == "xlsx" || detected == "xlsm";
    case ConvertTarget::pptx: return detected == "pptx" || detected == "pptm";
    case ConvertTarget::pdf: return detected == "pdf";
    }
    return false;
}

std::string_view target_ja(ConvertTarget t) {
    switch (t) {
    case ConvertTarget::docx: return "Word形式(.docx)";
    case ConvertTarget::xlsx: return "Excel形式(.xlsx)";
    case ConvertTarget::pptx: return "PowerPoint形式(.pptx)";
    case ConvertTarget::pdf: return "PDF";
    }
    return "";
}

class LegacySanitizer final : public Sanitizer {
public:
    std::string_view name() const override { return "legacy"; }
    std::vector<std::string> types() const override {
        return {"doc", "xls", "xlsb", "ppt", "rtf", "odt", "ods", "odp", "ichitaro"};
    }
    std::vector<OptionSpec> options() const override {
        return {{"target", "ooxml", {"ooxml", "pdf"},
                 "ooxml: doc/rtf/odt become docx, xls/xlsb/ods xlsx, ppt/odp pptx (editable); pdf: every one becomes a PDF"}};
    }

    std::vector<Output> sanitize(const Input& in, Context& ctx) const override {
        std::string_view type = in.type->id;
        if (type == "ichitaro")
            throw SanitizeError(reason::unsupported_ichitaro, "一太郎 (Ichitaro) cannot be converted: no reader for it in this build");
        const Route& route = route_of(type);
        ConvertTarget target = ctx.option("target") == "pdf" ? ConvertTarget::pdf : route.ooxml;

        // What the sender's file carries, before anything else reads it.
        legacy::Tally tally;
        if (type == "doc" || type == "xls" || type == "ppt") legacy::scan_cfb(in.bytes, type, ctx, tally);
        else if (type == "rtf") legacy::scan_rtf(in.bytes, ctx, tally);
        else if (type == "odt" || type == "ods" || type == "odp") {
            if (in.bytes.starts_with("PK")) legacy::scan_odf(in.bytes, ctx, tally);
            else legacy::scan_flat_odf(in.bytes, ctx, tally);
        }
        ctx.check_time();

        const Converter* converter = ctx.converter();
        if (!converter)
            throw SanitizeError(reason::unsupported, "no document converter in this process (LibreOffice, docs/legacy.md)");
        ConversionRequest request;
        request.bytes = in.bytes;
        request.source_type = type;
        request.target = target;
        request.deadline = ctx.budget().deadline();
        request.max_output_bytes = std::min<std::uint64_t>(ctx.budget().expanded_left(), ctx.limits().max_input_bytes);
        std::string converted = converter->convert(request);
        ctx.check_time();

        // Conversion is not disarming: the result is new, untrusted input for the engine.
        std::string out_name = with_extension(in.name, to_string(target));
        std::size_t children_before = ctx.children().size();
        std::size_t held_before = ctx.held().size();
        Outcome child = ctx.sanitize_child(converted, out_name, "converted");
        // The converted copy is this item in another form, not a part of it: its findings stay (under
        // "converted/..."), its summary does not.
        ctx.children().resize(children_before);
        if (child.quarantined()) {
            ctx.held().resize(held_before);
            throw SanitizeError(child.reason, "the converted " + std::string(to_string(target)) + " was held: " + child.reason_detail);
        }
        if (!expected(target, child.detected_type))
            throw SanitizeError(reason::internal, "the converter returned " + child.detected_type + " for " +
                                                      std::string(to_string(target)));
        tally.report(ctx);
        ctx.add("legacy.converted", Action::converted,
                std::string(type) + " converted to " + std::string(to_string(target)) +
                    " by LibreOffice (macros disabled), then rebuilt by the " +
                    (target == ConvertTarget::pdf ? "PDF" : "OOXML") + " sanitizer",
                std::string(route.label_ja) + "を" + std::string(target_ja(target)) + "に変換し、安全な要素だけで作り直しました。");
        std::vector<Output> outputs;
        for (auto& o : child.outputs) outputs.push_back(std::move(o));
        return outputs;
    }
};

}  // namespace

std::shared_ptr<const Sanitizer> make_legacy_sanitizer() { return std::make_shared<LegacySanitizer>(); }

}  // namespace mugaika
