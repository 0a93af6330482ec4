// Helpers of the PDF tests: hand-made PDFs (so every hostile construct is written by the test itself)
// and independent checks of our output with qpdf, pdftotext and pdfinfo.
#pragma once

#include <cairo-pdf.h>
#include <cairo.h>

#include <map>
#include <regex>
#include <string>
#include <vector>

#include "fixtures.hpp"
#include "mugaika/engine.hpp"
#include "mugaika/registry.hpp"

namespace mugaika::test::pdf {

// A PDF whose objects are `objects[i]` (object number i + 1, the text between "obj" and "endobj"),
// with a correct cross-reference table. Object 1 is the catalog.
inline std::string build(const std::vector<std::string>& objects, const std::string& header = "%PDF-1.7") {
    std::string out = header + "\n%\xE2\xE3\xCF\xD3\n";
    std::vector<std::size_t> offsets;
    for (std::size_t i = 0; i < objects.size(); ++i) {
        offsets.push_back(out.size());
        out += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
    }
    std::size_t xref = out.size();
    out += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
    for (auto off : offsets) {
        char line[32];
        std::snprintf(line, sizeof line, "%010zu 00000 n \n", off);
        out += line;
    }
    out += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
           std::to_string(xref) + "\n%%EOF\n";
    return out;
}

// Appends an incremental update that replaces or adds the given objects (number -> body).
inline std::string append_update(std::string base, const std::map<int, std::string>& objects, int size) {
    auto prev = base.rfind("startxref");
    std::size_t prev_offset = std::stoul(base.substr(prev + 10));
    std::map<int, std::size_t> offsets;
    for (const auto& [num, body] : objects) {
        offsets[num] = base.size();
        base += std::to_string(num) + " 0 obj\n" + body + "\nendobj\n";
    }
    std::size_t xref = base.size();
    base += "xref\n";
    for (const auto& [num, off] : offsets) {
        char line[48];
        std::snprintf(line, sizeof line, "%d 1\n%010zu 00000 n \n", num, off);
        base += line;
    }
    base += "trailer\n<< /Size " + std::to_string(size) + " /Root 1 0 R /Prev " + std::to_string(prev_offset) +
            " >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
    return base;
}

// A content stream object body with its /Length.
inline std::string stream(const std::string& data, const std::string& extra = "") {
    return "<< /Length " + std::to_string(data.size()) + (extra.empty() ? "" : " " + extra) + " >>\nstream\n" + data +
           "\nendstream";
}

// Page content that shows `text` in Helvetica at (72, 700).
inline std::string text_content(const std::string& text) {
    return "BT /F1 18 Tf 72 700 Td (" + text + ") Tj ET";
}

// The usual first objects: 1 catalog (with `catalog_extra`), 2 pages, 3 page (with `page_extra`),
// 4 its content showing `text`, 5 the font. Callers append their own objects from number 6.
inline std::vector<std::string> one_page(const std::string& text, const std::string& catalog_extra = "",
                                         const std::string& page_extra = "") {
    return {
        "<< /Type /Catalog /Pages 2 0 R " + catalog_extra + " >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
        "/Contents 4 0 R " + page_extra + " >>",
        stream(text_content(text)),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    };
}

inline cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length) {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
}

struct PageSpec {
    double width, height;
    std::string text;
};

// A PDF drawn by cairo: one page per spec, text in `font` (a fontconfig family, e.g. IPAGothic).
inline std::string cairo_pdf(const std::vector<PageSpec>& pages, const std::string& font = "sans-serif",
                             const std::map<cairo_pdf_metadata_t, std::string>& metadata = {}) {
    std::string out;
    cairo_surface_t* s = cairo_pdf_surface_create_for_stream(append_bytes, &out, pages[0].width, pages[0].height);
    for (const auto& [key, value] : metadata) cairo_pdf_surface_set_metadata(s, key, value.c_str());
    cairo_t* cr = cairo_create(s);
    for (const auto& p : pages) {
        cairo_pdf_surface_set_size(s, p.width, p.height);
        cairo_select_font_face(cr, font.c_str(), CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
        cairo_set_font_size(cr, 16);
        cairo_move_to(cr, 50, 100);
        cairo_show_text(cr, p.text.c_str());
        cairo_show_page(cr);
    }
    cairo_destroy(cr);
    cairo_surface_finish(s);
    cairo_surface_destroy(s);
    return out;
}

// An engine with the built-in policy and the given [sanitizer.pdf] options.
inline Engine engine(const std::map<std::string, std::string>& options = {}) {
    Policy policy = Policy::defaults();
    for (const auto& [k, v] : options) policy.options["pdf"][k] = v;
    return Engine(builtin_registry(), policy);
}

// qpdf's fully expanded view of a PDF (no object streams, streams uncompressed, decrypted).
inline std::string qdf(const std::string& bytes) {
    TempDir dir;
    write_file(dir / "in.pdf", bytes);
    auto r = run("qpdf --qdf --object-streams=disable --decrypt " + shell_quote((dir / "in.pdf").string()) + " " +
                 shell_quote((dir / "out.pdf").string()) + " 2>/dev/null");
    if (r.status != 0 && r.status != 3) return {};   // 3: warnings only
    return read_whole(dir / "out.pdf");
}

// True when the name /`name` occurs as a whole PDF name (not the prefix of a longer one).
inline bool has_name(const std::string& text, const std::string& name) {
    std::string needle = "/" + name;
    for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) {
        auto end = pos + needle.size();
        if (end == text.size()) return true;
        char c = text[end];
        if (std::string_view(" \t\r\n\f/[]<>(){}%").find(c) != std::string_view::npos || c == '\0') return true;
    }
    return false;
}

// The qdf text without the bodies of its streams: with object streams disabled every dictionary is
// outside a stream, and a page that shows the words "/RichMedia" (a page about PDF features) is no
// RichMedia annotation. Whether those words reach the content as a literal string depends on the font
// the text is redrawn with, so searching stream bodies would make the check depend on installed fonts.
inline std::string without_stream_bodies(const std::string& q) {
    std::string out;
    size_t pos = 0;
    while (true) {
        auto start = q.find("\nstream\n", pos);
        if (start == std::string::npos) break;
        auto end = q.find("\nendstream", start + 8);
        if (end == std::string::npos) break;
        out.append(q, pos, start + 8 - pos);
        pos = end;
    }
    out.append(q, pos, std::string::npos);
    return out;
}

// Active or dangerous constructs left in a PDF, as qpdf sees it. "unreadable" when qpdf cannot read it.
inline std::vector<std::string> residuals(const std::string& bytes, bool allow_uri = false) {
    std::string q = without_stream_bodies(qdf(bytes));
    if (q.empty()) return {"unreadable"};
    std::vector<std::string> found;
    for (const char* n : {"JavaScript", "JS", "Launch", "EmbeddedFile", "EmbeddedFiles", "OpenAction", "AA", "XFA",
                          "RichMedia", "SubmitForm", "ImportData", "GoToR", "GoToE", "AcroForm",
                          "Widget", "FileAttachment", "Movie", "Sound", "Rendition"})
        if (has_name(q, n)) found.push_back(n);
    if (!allow_uri && has_name(q, "URI")) found.push_back("URI");
    return found;
}

inline std::string pdftotext(const std::string& bytes) {
    TempDir dir;
    write_file(dir / "in.pdf", bytes);
    return run("pdftotext -enc UTF-8 " + shell_quote((dir / "in.pdf").string()) + " - 2>/dev/null").out;
}

// "Page    N size: W x H pts" of every page, as pdfinfo reports them, and the page count.
struct Info {
    int pages = 0;
    std::vector<std::pair<double, double>> sizes;
    std::string title, producer, author;
};

inline Info pdfinfo(const std::string& bytes) {
    TempDir dir;
    write_file(dir / "in.pdf", bytes);
    auto out = run("pdfinfo -enc UTF-8 -f 1 -l 9999 " + shell_quote((dir / "in.pdf").string()) + " 2>/dev/null").out;
    Info info;
    std::smatch m;
    static const std::regex pages(R"(Pages:\s+(\d+))"), size(R"(Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts)"),
        title(R"(Title:\s+([^\n]*))"), producer(R"(Producer:\s+([^\n]*))"), author(R"(Author:\s+([^\n]*))");
    if (std::regex_search(out, m, pages)) info.pages = std::stoi(m[1]);
    for (std::sregex_iterator it(out.begin(), out.end(), size), end; it != end; ++it)
        info.sizes.emplace_back(std::stod((*it)[1]), std::stod((*it)[2]));
    if (std::regex_search(out, m, title)) info.title = m[1];
    if (std::regex_search(out, m, producer)) info.producer = m[1];
    if (std::regex_search(out, m, author)) info.author = m[1];
    return info;
}

inline bool has_finding(const Outcome& o, const std::string& kind) {
    for (const auto& f : o.findings)
        if (f.kind == kind) return true;
    return false;
}

inline const Output* pdf_output(const Outcome& o) {
    for (const auto& out : o.outputs)
        if (out.type == "pdf") return &out;
    return nullptr;
}

}  // namespace mugaika::test::pdf
