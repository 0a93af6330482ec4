#include "html_sanitizer.hpp"

#include <algorithm>
#include <string>

#include "../mail/html_text.hpp"
#include "../text/charset.hpp"
#include "mugaika/names.hpp"
#include "mugaika/reasons.hpp"

namespace mugaika {
namespace {

using mail::LinkMode;

constexpr std::size_t kMaxNodes = 2'000'000;

// The document as UTF-8: its BOM or declared charset when that decodes strictly, else what the
// detector finds. Never guessed leniently: text that decodes in no supported charset is held.
std::string to_utf8(std::string_view bytes) {
    if (!bytes.starts_with("\xEF\xBB\xBF") && !bytes.starts_with("\xFF\xFE") && !bytes.starts_with("\xFE\xFF")) {
        std::string declared = mail::html_declared_charset(bytes);
        if (!declared.empty() && !charset::canonical(declared).empty())
            if (auto d = charset::decode(bytes, declared)) return std::move(*d);
    }
    auto d = charset::detect_and_decode(bytes);
    if (!d) throw SanitizeError(reason::charset, "the HTML does not decode in any supported charset");
    return std::move(d->utf8);
}

std::string crlf(const std::string& s) {
    std::string out;
    out.reserve(s.size() + s.size() / 16);
    for (char c : s) {
        if (c == '\n') out += "\r\n";
        else if (c != '\r') out.push_back(c);
    }
    return out;
}

class HtmlSanitizer final : public Sanitizer {
public:
    std::string_view name() const override { return "html"; }
    std::vector<std::string> types() const override { return {"html"}; }
    std::vector<OptionSpec> options() const override {
        return {{"target", "text", {"text", "pdf"},
                 "text: plain text (UTF-8) with link targets shown; pdf: drawn by LibreOffice without scripts or network, then rebuilt"},
                {"links", "defang", {"defang", "plain", "drop"},
                 "text target: how link targets are shown (hxxps://example[.]jp, as they are, or not at all)"}};
    }

    std::vector<Output> sanitize(const Input& in, Context& ctx) const override {
        if (ctx.option("target") == "pdf") return to_pdf(in, ctx);
        const auto& links = ctx.option("links");
        LinkMode mode = links == "plain" ? LinkMode::plain : links == "drop" ? LinkMode::drop : LinkMode::defang;
        std::string utf8 = to_utf8(in.bytes);
        ctx.check_time();
        mail::HtmlText h = mail::html_to_text(utf8, mode, kMaxNodes);
        ctx.check_time();
        auto note = [&](std::size_t n, const char* kind, Action a, const char* what, const char* ja) {
            if (n) ctx.add(kind, a, std::to_string(n) + " " + what, ja);
        };
        note(h.scripts, "html.script", Action::removed, "script, style, iframe, object or embed elements",
             "スクリプト、iframe、埋め込みオブジェクトなどの動的な要素を削除しました。");
        note(h.forms, "html.form", Action::removed, "form controls", "入力フォームを削除しました。");
        note(h.hidden, "html.hidden", Action::removed, "hidden elements", "表示されない(隠された)要素を削除しました。");
        note(h.tracking, "html.tracking", Action::removed, "tracking or remote images",
             "外部から読み込まれる画像(追跡用の可能性があるもの)を削除しました。");
        note(h.images, "html.image", Action::converted, "images shown by their alt text", "画像は代替テキストで示しました。");
        note(h.dangerous_links, "html.dangerous_link", Action::removed, "javascript:, data: and other unsafe link targets",
             "javascript: などの危険なリンク先を削除しました。");
        if (h.links)
            ctx.add("html.link", mode == LinkMode::plain ? Action::noted : Action::converted,
                    std::to_string(h.links) + " link targets shown as text (" + links + ")",
                    mode == LinkMode::defang ? "リンクのURLを、誤ってアクセスしない形に変えて本文中に示しました。"
                                             : "リンクはURLを本文中に示す形にしました。");
        ctx.add("html.converted", Action::converted, "HTML converted to plain text (UTF-8)",
                "HTMLファイルを、スクリプトやリンクの動作しないテキストファイルに変換しました。");
        Output out;
        out.type = "text";
        out.bytes = "\xEF\xBB\xBF" + crlf(h.text);   // Notepad and older Japanese Windows tools read UTF-8 by its BOM
        return {std::move(out)};
    }

private:
    static std::vector<Output> to_pdf(const Input& in, Context& ctx) {
        const Converter* converter = ctx.converter();
        if (!converter)
            throw SanitizeError(reason::unsupported, "no document converter in this process for HTML to PDF (docs/legacy.md)");
        ConversionRequest request;
        request.bytes = in.bytes;
        request.source_type = "html";
        request.target = ConvertTarget::pdf;
        request.deadline = ctx.budget().deadline();
        request.max_output_bytes = std::min<std::uint64_t>(ctx.budget().expanded_left(), ctx.limits().max_input_bytes);
        std::string pdf = converter->convert(request);
        std::size_t children_before = ctx.children().size(), held_before = ctx.held().size();
        Outcome child = ctx.sanitize_child(pdf, with_extension(in.name, "pdf"), "converted");
        ctx.children().resize(children_before);
        if (child.quarantined()) {
            ctx.held().resize(held_before);
            throw SanitizeError(child.reason, "the PDF drawn from the HTML was held: " + child.reason_detail);
        }
        if (child.detected_type != "pdf") throw SanitizeError(reason::internal, "the converter returned " + child.detected_type);
        ctx.add("html.converted", Action::converted, "HTML drawn as PDF by LibreOffice (no scripts, no network), then rebuilt",
                "HTMLファイルを、スクリプトの動作しないPDFに変換しました。");
        return std::move(child.outputs);
    }
};

}  // namespace

std::shared_ptr<const Sanitizer> make_html_sanitizer() { return std::make_shared<HtmlSanitizer>(); }

}  // namespace mugaika
