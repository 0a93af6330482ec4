#include "pdf_sanitizer.hpp"

#include <charconv>

#include "mugaika/reasons.hpp"
#include "pdf_attachments.hpp"
#include "pdf_document.hpp"
#include "pdf_draw_budget.hpp"
#include "pdf_findings.hpp"
#include "pdf_invisible_text.hpp"
#include "pdf_objects.hpp"
#include "pdf_render.hpp"
#include "pdf_text.hpp"

namespace mugaika {
namespace {

// An OCR layer holds a few thousand characters per page; more is not text anyone searches.
constexpr std::size_t kMaxInvisibleCharsPerPage = 100000;

std::uint64_t number_option(const Context& ctx, std::string_view key) {
    const std::string& v = ctx.option(key);
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || end != v.data() + v.size())
        throw SanitizeError(reason::internal, "option " + std::string(key) + " is not a number: " + v);
    return n;
}

class PdfSanitizer final : public Sanitizer {
public:
    std::string_view name() const override { return "pdf"; }
    std::vector<std::string> types() const override { return {"pdf"}; }

    std::vector<OptionSpec> options() const override {
        return {
            {"mode", "reconstruct", {"reconstruct", "pixels"},
             "reconstruct: redraw pages as a new PDF, text stays text; pixels: image-only pages"},
            {"dpi", "150", {}, "resolution of pixel mode (72-600); also the scale of max_page_pixels", 72, 600},
            {"links", "drop", {"drop", "https"}, "https: keep plain http(s) links as link annotations"},
            {"attachments", "drop", {"drop", "extract"},
             "extract: embedded files are disarmed as children and released beside the PDF"},
            {"max_pages", "2000", {}, "more pages quarantines with limit.pages"},
            {"max_page_pixels", "100000000", {}, "page area in pixels at dpi; more quarantines with limit.pixels"},
            {"max_image_pixels", "268435456", {},
             "declared width x height of one image; more quarantines with limit.pixels (pixel bombs)"},
            {"max_draw_operations", "20000000", {},
             "drawing operations of the whole document, counted before drawing; more quarantines with limit.operations"},
        };
    }

    std::vector<Output> sanitize(const Input& in, Context& ctx) const override {
        bool pixels = ctx.option("mode") == "pixels";
        auto dpi = number_option(ctx, "dpi");
        if (dpi < 72 || dpi > 600)
            throw SanitizeError(reason::internal, "pdf.dpi must be between 72 and 600, not " + std::to_string(dpi));
        auto max_pages = number_option(ctx, "max_pages");
        auto max_image_pixels = number_option(ctx, "max_image_pixels");

        // poppler-glib first: it tells a PDF that needs a user password from a damaged one.
        pdf::RenderDocument doc(in.bytes);
        int pages = doc.pages();
        if (pages <= 0) throw SanitizeError(reason::malformed, "the PDF has no pages");
        if (static_cast<std::uint64_t>(pages) > max_pages)
            throw SanitizeError(reason::limit_pages,
                                std::to_string(pages) + " pages, over the limit of " + std::to_string(max_pages));

        pdf::ObjectWalk walk(in.bytes);
        pdf::ObjectReport report = walk.scan([&] { ctx.check_time(); });
        // Findings first: a quarantined PDF still tells the officer what it carried.
        pdf::report_active_content(report, ctx);
        if (report.largest_image_pixels > max_image_pixels)
            throw SanitizeError(reason::limit_pixels, "an image (or a JBIG2 stream) declares " +
                                                          std::to_string(report.largest_image_pixels) +
                                                          " pixels, over the limit of " + std::to_string(max_image_pixels));
        if (report.largest_function_samples > max_image_pixels)
            throw SanitizeError(reason::limit_pixels, "a sampled function declares " +
                                                          std::to_string(report.largest_function_samples) +
                                                          " samples, over the limit of " + std::to_string(max_image_pixels));
        if (report.encrypted)
            ctx.add("pdf.encryption", Action::removed, "encrypted with an owner password only; rebuilt unencrypted",
                    "パスワードなしで開ける暗号化(編集制限など)を解除して再構成しました。");
        std::vector<Output> attachments =
            pdf::handle_attachments(report, walk, ctx.option("attachments") == "extract", in.name, ctx);

        // The drawing cannot be interrupted once it runs: measure it first, under the same deadline.
        pdf::DrawLimits draw_limits;
        draw_limits.max_operations = number_option(ctx, "max_draw_operations");
        draw_limits.max_image_pixels = max_image_pixels;
        draw_limits.deadline = ctx.budget().deadline();
        pdf::DrawCount drawing = pdf::check_draw_budget(walk.document(), draw_limits);
        ctx.check_time();

        pdf::RenderOptions options;
        options.pixels = pixels;
        options.dpi = static_cast<int>(dpi);
        options.https_links = ctx.option("links") == "https";
        options.max_page_pixels = number_option(ctx, "max_page_pixels");
        options.title = pdf::clean_text(doc.title(), 200);
        if (!pixels && report.invisible_text)
            options.invisible_text = [&](int page) {
                return pdf::invisible_text(walk, page, kMaxInvisibleCharsPerPage, ctx.budget().deadline());
            };
        pdf::RenderResult rendered = pdf::render_document(doc, options, [&] { ctx.check_time(); });
        pdf::report_links(report, options.https_links, rendered.links_kept, rendered.links_refused, ctx);
        if (rendered.invisible_chars)
            ctx.add("pdf.invisible_text", Action::noted,
                    std::to_string(rendered.invisible_chars) + " characters of invisible text (OCR layer) kept",
                    "画面に表示されない文字(スキャン文書の検索用テキストなど)も検索できるように残しました。");

        if (rendered.images_jpeg || rendered.images_lossless)
            ctx.add("pdf.images", Action::converted,
                    std::to_string(rendered.images_jpeg) + " JPEG images re-encoded from pixels, " +
                        std::to_string(rendered.images_lossless) + " JPEG 2000/JBIG2/CCITT images written from pixels (lossless)",
                    "PDF内の画像は、元のデータを使わず画素から作り直しました。");
        ctx.add("pdf.rebuilt", Action::converted,
                pixels ? std::to_string(pages) + " pages rasterised at " + std::to_string(dpi) + " dpi into a new PDF"
                       : std::to_string(pages) + " pages redrawn into a new PDF (" + std::to_string(drawing.operations) +
                             " drawing operations)",
                pixels ? "各ページを画像にしてPDFを作り直しました(文字の選択・検索はできません)。"
                       : "各ページの表示内容だけを描き直してPDFを作り直しました。");

        std::vector<Output> outputs;
        outputs.push_back(Output{"", "pdf", std::move(rendered.pdf)});
        for (auto& a : attachments) outputs.push_back(std::move(a));
        return outputs;
    }
};

}  // namespace

std::shared_ptr<const Sanitizer> make_pdf_sanitizer() { return std::make_shared<PdfSanitizer>(); }

}  // namespace mugaika
