#include "allowlist.hpp"

#include <array>
#include <initializer_list>

#include "opc.hpp"

namespace mugaika::ooxml {
namespace {

constexpr std::string_view T = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/";
constexpr std::string_view MS = "http://schemas.microsoft.com/office/";
constexpr std::string_view PKG = "http://schemas.openxmlformats.org/package/2006/relationships/";
constexpr std::string_view CT = "application/vnd.openxmlformats-officedocument.";

constexpr std::array kMainTypes{
    MainType{"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", Family::word, "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", false},
    MainType{"application/vnd.ms-word.document.macroEnabled.main+xml", Family::word, "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", true},
    MainType{"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml", Family::word, "dotx", "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml", false},
    MainType{"application/vnd.ms-word.template.macroEnabledTemplate.main+xml", Family::word, "dotx", "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml", true},
    MainType{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", Family::sheet, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", false},
    MainType{"application/vnd.ms-excel.sheet.macroEnabled.main+xml", Family::sheet, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", true},
    MainType{"application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml", Family::sheet, "xltx", "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml", false},
    MainType{"application/vnd.ms-excel.template.macroEnabled.main+xml", Family::sheet, "xltx", "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml", true},
    MainType{"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml", Family::slides, "pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml", false},
    MainType{"application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml", Family::slides, "pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml", true},
    MainType{"application/vnd.openxmlformats-officedocument.presentationml.template.main+xml", Family::slides, "potx", "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml", false},
    MainType{"application/vnd.ms-powerpoint.template.macroEnabled.main+xml", Family::slides, "potx", "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml", true},
    MainType{"application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml", Family::slides, "ppsx", "application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml", false},
    MainType{"application/vnd.ms-powerpoint.slideshow.macroEnabled.main+xml", Family::slides, "ppsx", "application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml", true},
};

enum Fam : unsigned { W = 1, X = 2, P = 4, ALL = 7 };

struct Rule {
    std::string_view prefix, name;   // relationship type = prefix + name
    unsigned families;
    std::string_view content_type;   // "image" for any allowed image type
};

// Everything a document needs to look and read the same; nothing that runs, fetches or embeds
// another program's data.
constexpr std::array kRules{
    // Word
    Rule{T, "styles", W, "application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"},
    Rule{MS, "2007/relationships/stylesWithEffects", W, "application/vnd.ms-word.stylesWithEffects+xml"},
    Rule{T, "settings", W, "application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"},
    Rule{T, "webSettings", W, "application/vnd.openxmlformats-officedocument.wordprocessingml.webSettings+xml"},
    Rule{T, "fontTable", W, "application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"},
    Rule{T, "numbering", W, "application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"},
    Rule{T, "header", W, "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"},
    Rule{T, "footer", W, "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"},
    Rule{T, "footnotes", W, "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"},
    Rule{T, "endnotes", W, "application/vnd.openxmlformats-officedocument.wordprocessingml.endnotes+xml"},
    Rule{T, "comments", W, "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"},
    Rule{MS, "2011/relationships/commentsExtended", W, "application/vnd.openxmlformats-officedocument.wordprocessingml.commentsExtended+xml"},
    Rule{MS, "2016/09/relationships/commentsIds", W, "application/vnd.openxmlformats-officedocument.wordprocessingml.commentsIds+xml"},
    Rule{MS, "2018/08/relationships/commentsExtensible", W, "application/vnd.openxmlformats-officedocument.wordprocessingml.commentsExtensible+xml"},
    Rule{MS, "2011/relationships/people", W, "application/vnd.openxmlformats-officedocument.wordprocessingml.people+xml"},
    Rule{T, "glossaryDocument", W, "application/vnd.openxmlformats-officedocument.wordprocessingml.document.glossary+xml"},
    // Excel
    Rule{T, "worksheet", X, "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"},
    Rule{T, "chartsheet", X, "application/vnd.openxmlformats-officedocument.spreadsheetml.chartsheet+xml"},
    Rule{T, "styles", X, "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"},
    Rule{T, "sharedStrings", X, "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"},
    Rule{T, "calcChain", X, "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"},
    Rule{T, "table", X, "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"},
    Rule{T, "comments", X, "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"},
    Rule{MS, "2017/10/relationships/threadedComment", X, "application/vnd.ms-excel.threadedcomments+xml"},
    Rule{MS, "2017/10/relationships/person", X, "application/vnd.ms-excel.person+xml"},
    // PowerPoint
    Rule{T, "slide", P, "application/vnd.openxmlformats-officedocument.presentationml.slide+xml"},
    Rule{T, "slideLayout", P, "application/vnd.openxmlformats-officedocument.presentationml.slideLayout+xml"},
    Rule{T, "slideMaster", P, "application/vnd.openxmlformats-officedocument.presentationml.slideMaster+xml"},
    Rule{T, "notesSlide", P, "application/vnd.openxmlformats-officedocument.presentationml.notesSlide+xml"},
    Rule{T, "notesMaster", P, "application/vnd.openxmlformats-officedocument.presentationml.notesMaster+xml"},
    Rule{T, "handoutMaster", P, "application/vnd.openxmlformats-officedocument.presentationml.handoutMaster+xml"},
    Rule{T, "presProps", P, "application/vnd.openxmlformats-officedocument.presentationml.presProps+xml"},
    Rule{T, "viewProps", P, "application/vnd.openxmlformats-officedocument.presentationml.viewProps+xml"},
    Rule{T, "tableStyles", P, "application/vnd.openxmlformats-officedocument.presentationml.tableStyles+xml"},
    Rule{T, "commentAuthors", P, "application/vnd.openxmlformats-officedocument.presentationml.commentAuthors+xml"},
    Rule{T, "comments", P, "application/vnd.openxmlformats-officedocument.presentationml.comments+xml"},
    // DrawingML, shared by all three
    Rule{T, "theme", ALL, "application/vnd.openxmlformats-officedocument.theme+xml"},
    Rule{T, "themeOverride", ALL, "application/vnd.openxmlformats-officedocument.themeOverride+xml"},
    Rule{T, "image", ALL, "image"},
    Rule{T, "drawing", X, "application/vnd.openxmlformats-officedocument.drawing+xml"},
    Rule{T, "chart", ALL, "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"},
    Rule{T, "chartUserShapes", ALL, "application/vnd.openxmlformats-officedocument.drawingml.chartshapes+xml"},
    Rule{MS, "2011/relationships/chartStyle", ALL, "application/vnd.ms-office.chartstyle+xml"},
    Rule{MS, "2011/relationships/chartColorStyle", ALL, "application/vnd.ms-office.chartcolorstyle+xml"},
    Rule{T, "diagramData", ALL, "application/vnd.openxmlformats-officedocument.drawingml.diagramData+xml"},
    Rule{T, "diagramLayout", ALL, "application/vnd.openxmlformats-officedocument.drawingml.diagramLayout+xml"},
    Rule{T, "diagramQuickStyle", ALL, "application/vnd.openxmlformats-officedocument.drawingml.diagramStyle+xml"},
    Rule{T, "diagramColors", ALL, "application/vnd.openxmlformats-officedocument.drawingml.diagramColors+xml"},
    Rule{MS, "2007/relationships/diagramDrawing", ALL, "application/vnd.ms-office.drawingml.diagramDrawing+xml"},
};

constexpr std::array<std::string_view, 8> kImageTypes{
    "image/png", "image/jpeg", "image/gif", "image/bmp", "image/tiff", "image/x-emf", "image/x-wmf", "image/jpg",
};

bool rel_is(std::string_view type, std::string_view prefix, std::string_view name) {
    return type.size() == prefix.size() + name.size() && type.starts_with(prefix) && type.ends_with(name);
}

unsigned bit(Family f) { return f == Family::word ? W : f == Family::sheet ? X : P; }

}  // namespace

const MainType* find_main_type(std::string_view content_type) {
    for (const auto& m : kMainTypes)
        if (m.content_type == content_type) return &m;
    return nullptr;
}

Metadata metadata_kind(std::string_view t) {
    if (rel_is(t, PKG, "metadata/core-properties")) return Metadata::core;
    if (rel_is(t, T, "extended-properties")) return Metadata::extended;
    if (rel_is(t, T, "custom-properties")) return Metadata::custom;
    if (rel_is(t, PKG, "metadata/thumbnail")) return Metadata::thumbnail;
    return Metadata::none;
}

bool is_image_type(std::string_view ct) {
    for (auto t : kImageTypes)
        if (t == ct) return true;
    return false;
}

bool is_xml_type(std::string_view ct) { return ct.ends_with("+xml") || ct == "application/xml"; }

bool allowed(Family family, std::string_view rel_type, std::string_view ct) {
    switch (metadata_kind(rel_type)) {
    case Metadata::core: return ct == "application/vnd.openxmlformats-package.core-properties+xml";
    case Metadata::extended: return ct == std::string(CT) + "extended-properties+xml";
    case Metadata::custom: return ct == std::string(CT) + "custom-properties+xml";
    case Metadata::thumbnail: return is_image_type(ct);
    case Metadata::none: break;
    }
    for (const auto& r : kRules) {
        if (!(r.families & bit(family)) || !rel_is(rel_type, r.prefix, r.name)) continue;
        if (r.content_type == "image" ? is_image_type(ct) : r.content_type == ct) return true;
    }
    return false;
}

bool image_magic_matches(std::string_view ct, std::string_view b) {
    auto starts = [&](std::string_view m) { return b.starts_with(m); };
    if (ct == "image/png") return starts("\x89PNG\r\n\x1a\n");
    if (ct == "image/jpeg" || ct == "image/jpg") return starts("\xFF\xD8\xFF");
    if (ct == "image/gif") return starts("GIF87a") || starts("GIF89a");
    if (ct == "image/bmp") return starts("BM");
    if (ct == "image/tiff") return starts(std::string_view("II*\0", 4)) || starts(std::string_view("MM\0*", 4));
    if (ct == "image/x-emf") return b.size() > 44 && b.substr(0, 4) == std::string_view("\x01\0\0\0", 4) && b.substr(40, 4) == " EMF";
    if (ct == "image/x-wmf")
        return starts("\xD7\xCD\xC6\x9A") || starts(std::string_view("\x01\0\x09\0", 4)) ||
               starts(std::string_view("\x02\0\x09\0", 4));
    return false;
}

DropInfo classify_relationship(std::string_view t, bool external) {
    auto has = [&](std::string_view s) { return t.find(s) != std::string_view::npos; };
    if (has("vbaProject") || has("wordVbaData") || has("keyMapCustomizations"))
        return {"ooxml.vba", "マクロ(VBA)を削除しました。"};
    if (has("xlMacrosheet") || has("xlIntlMacrosheet") || rel_is(t, T, "dialogsheet"))
        return {"ooxml.xlm", "Excel 4.0マクロシート(XLM)を削除しました。"};
    if (rel_is(t, T, "control") || has("activeXControlBinary"))
        return {"ooxml.activex", "ActiveXコントロールを削除しました。"};
    if (rel_is(t, T, "oleObject") || rel_is(t, T, "package"))
        return {"ooxml.ole", "埋め込みオブジェクト(OLE)を削除しました(表示用の画像は残しています)。"};
    if (rel_is(t, T, "attachedTemplate")) return {"ooxml.remote_template", "外部テンプレートへの参照を削除しました。"};
    if (rel_is(t, T, "externalLink") || has("externalLinkPath"))
        return {"ooxml.external_link", "外部ブックへのリンクを削除しました。"};
    if (rel_is(t, T, "connections")) return {"ooxml.connection", "外部データ接続を削除しました。"};
    if (rel_is(t, T, "queryTable")) return {"ooxml.query_table", "外部データのクエリを削除しました。"};
    if (rel_is(t, T, "aFChunk")) return {"ooxml.altchunk", "埋め込まれた別形式の文書(altChunk)を削除しました。"};
    if (has("ui/extensibility")) return {"ooxml.customui", "リボンのカスタマイズ(customUI)を削除しました。"};
    if (has("webextension")) return {"ooxml.webextension", "Webアドインを削除しました。"};
    if (has("digital-signature")) return {"ooxml.signature", "デジタル署名を削除しました(再構成により署名は無効になるためです)。"};
    if (rel_is(t, T, "subDocument")) return {"ooxml.subdocument", "外部のサブ文書への参照を削除しました。"};
    if (rel_is(t, T, "frame")) return {"ooxml.frame", "外部フレームへの参照を削除しました。"};
    if (rel_is(t, T, "font")) return {"ooxml.font", "埋め込みフォントを削除しました。"};
    if (rel_is(t, T, "hyperlink")) return {"ooxml.link", "安全でないリンクを削除しました(文字は残しています)。"};
    if (rel_is(t, T, "image") && external) return {"ooxml.linked_image", "外部の画像へのリンクを削除しました。"};
    if (has("pivot")) return {"ooxml.pivot", "ピボットテーブルの定義を削除しました(表示されている値は残しています)。"};
    if (external) return {"ooxml.external", "外部への参照を削除しました。"};
    return {"ooxml.part", "許可されていない部品を削除しました。"};
}

DropInfo classify_part_name(std::string_view part) {
    std::string p = lower(part);
    auto has = [&](std::string_view s) { return p.find(s) != std::string::npos; };
    if (has("vbaproject") || has("vbadata")) return {"ooxml.vba", "マクロ(VBA)を削除しました。"};
    if (has("macrosheets/") || has("dialogsheets/")) return {"ooxml.xlm", "Excel 4.0マクロシート(XLM)を削除しました。"};
    if (has("activex")) return {"ooxml.activex", "ActiveXコントロールを削除しました。"};
    if (has("embeddings/")) return {"ooxml.ole", "埋め込みオブジェクト(OLE)を削除しました(表示用の画像は残しています)。"};
    if (has("customui")) return {"ooxml.customui", "リボンのカスタマイズ(customUI)を削除しました。"};
    if (has("signature")) return {"ooxml.signature", "デジタル署名を削除しました(再構成により署名は無効になるためです)。"};
    if (has("externallink")) return {"ooxml.external_link", "外部ブックへのリンクを削除しました。"};
    if (has("connections")) return {"ooxml.connection", "外部データ接続を削除しました。"};
    return {"ooxml.part", "どこからも参照されていない部品を削除しました。"};
}

}  // namespace mugaika::ooxml
