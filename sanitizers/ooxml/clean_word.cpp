// WordprocessingML: fields (DDE, DDEAUTO, INCLUDETEXT, nested fields, ...), altChunk, subdocuments,
// ActiveX and OLE elements, the attached template, mail-merge data sources and form-field macros.
//
// A field is judged on its effective instruction, after markup compatibility was resolved (one
// branch left): the text of every instruction run at its own level (w:instrText, w:delInstrText, and
// any w:t or w:delText that sits there), plus whether any other field begins inside it. A field with
// a nested field in its instruction (its instruction is computed: { {DOCPROPERTY x} }), or whose
// instruction is not one of a short list of harmless field types with literal arguments, is unlinked:
// its field characters and instruction go, its last displayed result stays as plain text.
#include <array>
#include "mugaika/utf8_prefix.hpp"
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include "clean.hpp"
#include "opc.hpp"
#include "xml_safe.hpp"

namespace mugaika::ooxml {
namespace {

// Fields that format, number, cross-reference inside the document or show its own properties.
// Everything else (DDE, DDEAUTO, INCLUDETEXT, INCLUDEPICTURE, IMPORT, LINK, DATABASE, MACROBUTTON,
// AUTOTEXT, DOCVARIABLE, IF, MERGEFIELD, PRINT, ...) is unlinked.
constexpr std::array<std::string_view, 35> kSafeFields{
    "=", "PAGE", "NUMPAGES", "SECTIONPAGES", "SECTION", "DATE", "TIME", "CREATEDATE", "SAVEDATE",
    "PRINTDATE", "EDITTIME", "AUTHOR", "TITLE", "SUBJECT", "KEYWORDS", "COMMENTS", "LASTSAVEDBY", "REVNUM",
    "NUMWORDS", "NUMCHARS", "DOCPROPERTY", "TOC", "TC", "XE", "INDEX", "REF", "PAGEREF", "NOTEREF",
    "STYLEREF", "SEQ", "LISTNUM", "SYMBOL", "EQ", "FORMTEXT", "HYPERLINK",
};
// Form check boxes and drop-downs show a state, nothing else.
constexpr std::array<std::string_view, 2> kFormFields{"FORMCHECKBOX", "FORMDROPDOWN"};

constexpr std::size_t kMaxInstruction = 64 * 1024;

constexpr const char* kFieldJa =
    "外部のデータやファイルを読み込むおそれのあるフィールド(DDEなど)を無効化しました(表示されていた文字は残しています)。";

bool space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// One argument of a field instruction: a quoted string (\ escapes the next character, as Word
// writes \" and \\), a switch (\l, \* MERGEFORMAT, ...), or a bare word.
struct Arg {
    std::string text;
    bool quoted = false, is_switch = false;
};

// Splits what follows the field type. Empty optional: an unterminated quote (ambiguous).
std::optional<std::vector<Arg>> field_args(std::string_view s) {
    std::vector<Arg> out;
    std::size_t i = 0;
    while (true) {
        while (i < s.size() && space(s[i])) ++i;
        if (i >= s.size()) return out;
        Arg a;
        if (s[i] == '"') {
            a.quoted = true;
            ++i;
            bool closed = false;
            while (i < s.size()) {
                if (s[i] == '\\' && i + 1 < s.size()) {
                    a.text += s[i + 1];
                    i += 2;
                } else if (s[i] == '"') {
                    ++i;
                    closed = true;
                    break;
                } else {
                    a.text += s[i++];
                }
            }
            if (!closed) return std::nullopt;
        } else if (s[i] == '\\' && i + 1 < s.size() && !space(s[i + 1])) {
            a.is_switch = true;
            a.text = std::string(1, static_cast<char>(std::tolower(static_cast<unsigned char>(s[i + 1]))));
            i += 2;
        } else {
            while (i < s.size() && !space(s[i]) && s[i] != '"') a.text += s[i++];
        }
        out.push_back(std::move(a));
    }
}

// HYPERLINK "target" \l "bookmark" \o "tooltip" \t "frame" \m \n: at most one target, a literal
// http(s) or mailto (links policy); without one, a jump to a bookmark of this document.
std::string hyperlink_problem(const std::vector<Arg>& args, bool links_https) {
    std::size_t targets = 0;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const Arg& a = args[i];
        if (a.is_switch) {
            if (a.text == "l" || a.text == "o" || a.text == "t") {
                if (i + 1 >= args.size() || args[i + 1].is_switch) return "HYPERLINK switch \\" + a.text + " without its argument";
                ++i;
                continue;
            }
            if (a.text == "m" || a.text == "n") continue;
            return "HYPERLINK with an unknown switch \\" + a.text;
        }
        if (++targets > 1) return "HYPERLINK with more than one target";
        if (!link_allowed(a.text, links_https)) return "HYPERLINK field to a disallowed target: " + std::string(utf8_prefix(a.text, 200));
    }
    return {};
}

}  // namespace

std::string field_problem(std::string_view instr, bool links_https) {
    if (instr.size() > kMaxInstruction) return "field instruction longer than 64 KiB";
    std::size_t i = 0;
    while (i < instr.size() && space(instr[i])) ++i;
    if (i >= instr.size()) return {};   // an empty instruction does nothing
    std::size_t j = i;
    if (instr[j] == '=') {
        ++j;
    } else {
        while (j < instr.size() && std::isalpha(static_cast<unsigned char>(instr[j]))) ++j;
        if (j < instr.size() && !space(instr[j]) && instr[j] != '\\' && instr[j] != '"') j = i;   // "PAGE1": a bookmark
    }
    std::string excerpt(utf8_prefix(instr, 200));
    if (j == i) return "field instruction that is not a field type: " + excerpt;
    std::string type(instr.substr(i, j - i));
    for (char& c : type) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    bool known = false;
    for (auto f : kSafeFields) known = known || f == type;
    for (auto f : kFormFields) known = known || f == type;
    if (!known) return "field " + type + ": " + excerpt;
    if (type == "=") return {};   // arithmetic on bookmarks and table cells of this document
    auto args = field_args(instr.substr(j));
    if (!args) return "field instruction with an unterminated quote: " + excerpt;
    if (type == "HYPERLINK") return hyperlink_problem(*args, links_https);
    return {};
}

namespace {

enum class Op : unsigned char { keep, remove, unwrap };

struct OpenField {
    std::size_t begin = 0;         // index of its fldChar begin in the token list
    std::size_t separate = 0;      // index of its fldChar separate, when seen
    bool has_separate = false;
    bool nested = false;           // another field begins inside its instruction
    std::string instr;
};

bool is_w(xmlNodePtr n, const char* local) { return is(n, ns::w, local); }

std::string field_char_type(xmlNodePtr n) {
    std::string t = attr(n, "fldCharType", ns::w);
    if (t.empty()) t = attr(n, "fldCharType");
    return t;
}

// Complex fields (w:fldChar begin/separate/end) and simple ones (w:fldSimple), in one pass over the
// part in document order, linear in its size: tokens are every element inside a run (w:r, m:r) plus
// every w:fldChar, w:instrText, w:delInstrText and w:fldSimple wherever it is. Unlinking a field marks
// the range of tokens that made its instruction with a difference array; one backward pass applies
// it, so nested fields cost no more than flat ones.
void clean_fields(const std::vector<xmlNodePtr>& all, const PartScope& s) {
    std::vector<xmlNodePtr> tokens;
    tokens.reserve(all.size());
    for (xmlNodePtr n : all) {
        bool in_run = n->parent && n->parent->type == XML_ELEMENT_NODE &&
                      (is_w(n->parent, "r") ||
                       (n->parent->ns && xmlStrEqual(n->parent->name, BAD_CAST "r") &&
                        xmlStrEqual(n->parent->ns->href, BAD_CAST "http://schemas.openxmlformats.org/officeDocument/2006/math")));
        if (in_run || is_w(n, "fldChar") || is_w(n, "instrText") || is_w(n, "delInstrText") || is_w(n, "fldSimple"))
            tokens.push_back(n);
    }
    std::vector<Op> op(tokens.size(), Op::keep);
    std::vector<long> cover(tokens.size() + 1, 0);   // ranges to remove whole: +1 at start, -1 after end
    std::vector<long> machinery(tokens.size() + 1, 0);   // ranges whose field characters and instructions go
    std::vector<OpenField> stack;
    std::size_t stray = 0;

    auto judge = [&](OpenField& f, std::size_t last, bool closed) {
        std::string problem = f.nested ? "field whose instruction holds another field: " + std::string(utf8_prefix(f.instr, 200))
                                       : field_problem(f.instr, s.links_https);
        if (problem.empty()) return;
        s.tally->add(s.part, "ooxml.field", Action::removed, problem, kFieldJa);
        if (f.has_separate || closed) {
            // begin .. separate (or .. end without a result) goes whole; the end character too.
            std::size_t stop = f.has_separate ? f.separate : last;
            ++cover[f.begin];
            --cover[stop + 1];
            if (closed) op[last] = Op::remove;
        } else {
            // Never separated nor closed: all the rest is its instruction. Its field characters and
            // instructions go; text stays where it is.
            ++machinery[f.begin];
            --machinery[last + 1];
        }
    };

    for (std::size_t i = 0; i < tokens.size(); ++i) {
        tick(s, i);
        xmlNodePtr n = tokens[i];
        OpenField* top = stack.empty() ? nullptr : &stack.back();
        bool in_instruction = top && !top->has_separate;
        if (is_w(n, "fldChar")) {
            std::string type = field_char_type(n);
            if (type == "begin") {
                if (in_instruction) top->nested = true;
                OpenField f;
                f.begin = i;
                stack.push_back(std::move(f));
            } else if (type == "separate" && top && !top->has_separate) {
                top->has_separate = true;
                top->separate = i;
            } else if (type == "end" && top) {
                OpenField f = std::move(stack.back());
                stack.pop_back();
                judge(f, i, true);
            } else {   // unknown type, or a separate/end that belongs to no field
                op[i] = Op::remove;
                ++stray;
            }
        } else if (is_w(n, "instrText") || is_w(n, "delInstrText")) {
            if (in_instruction) {
                top->instr += text_of(n);
            } else {   // an instruction outside any field's instruction: nothing should read it
                op[i] = Op::remove;
                ++stray;
            }
        } else if (is_w(n, "fldSimple")) {
            if (in_instruction) top->nested = true;
            std::string instr = attr(n, "instr", ns::w);
            if (instr.empty()) instr = attr(n, "instr");
            std::string problem = field_problem(instr, s.links_https);
            if (!problem.empty()) {
                s.tally->add(s.part, "ooxml.field", Action::removed, problem, kFieldJa);
                op[i] = Op::unwrap;
            }
        } else if (in_instruction && (is_w(n, "t") || is_w(n, "delText"))) {
            top->instr += text_of(n);   // text a reader may take as part of the instruction
        }
        // An instruction that long is no formatting field: stop collecting, unlink it.
        if (!stack.empty() && stack.back().instr.size() > kMaxInstruction) {
            stack.back().nested = true;
            stack.back().instr.resize(200);
        }
    }
    while (!stack.empty()) {   // fields never closed: judged on what they said
        OpenField f = std::move(stack.back());
        stack.pop_back();
        judge(f, tokens.size() - 1, false);
    }

    long whole = 0, mach = 0;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        whole += cover[i];
        mach += machinery[i];
        xmlNodePtr n = tokens[i];
        if (whole > 0) op[i] = Op::remove;
        else if (mach > 0 && (is_w(n, "fldChar") || is_w(n, "instrText") || is_w(n, "delInstrText") || is_w(n, "fldSimple")))
            op[i] = Op::remove;
    }
    // Backwards: a token is always handled before the tokens that contain it.
    for (std::size_t k = tokens.size(); k-- > 0;) {
        if (op[k] == Op::remove) remove_node(tokens[k]);
        else if (op[k] == Op::unwrap) unwrap(tokens[k]);
    }
    if (stray)
        s.tally->add(s.part, "ooxml.field", Action::removed,
                     std::to_string(stray) + " field characters or instructions outside any field", kFieldJa);
}

}  // namespace

void clean_word(xmlDocPtr doc, const PartScope& s) {
    xmlNodePtr root = xmlDocGetRootElement(doc);
    std::vector<xmlNodePtr> all = elements(root);
    bool fields = false;
    for (xmlNodePtr n : all)
        if (is_w(n, "fldChar") || is_w(n, "instrText") || is_w(n, "delInstrText") || is_w(n, "fldSimple")) {
            fields = true;
            break;
        }
    if (fields) {   // removes runs: the snapshot is stale afterwards
        clean_fields(all, s);
        all = elements(root);
    }

    std::size_t step = 0;
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
        tick(s, ++step);
        xmlNodePtr n = *it;
        if (is_w(n, "altChunk")) {
            s.tally->add(s.part, "ooxml.altchunk", Action::removed, "w:altChunk",
                         "埋め込まれた別形式の文書(altChunk)を削除しました。");
            remove_node(n);
        } else if (is_w(n, "subDoc")) {
            s.tally->add(s.part, "ooxml.subdocument", Action::removed, "w:subDoc", "外部のサブ文書への参照を削除しました。");
            remove_node(n);
        } else if (is_w(n, "control")) {
            s.tally->add(s.part, "ooxml.activex", Action::removed, "w:control", "ActiveXコントロールを削除しました。");
            remove_node(n);
        } else if (is(n, ns::o, "OLEObject")) {
            // The VML shape beside it (the preview picture) stays in the w:object.
            s.tally->add(s.part, "ooxml.ole", Action::removed, "o:OLEObject " + attr(n, "ProgID"),
                         "埋め込みオブジェクト(OLE)を削除しました(表示用の画像は残しています)。");
            remove_node(n);
        } else if (is_w(n, "attachedTemplate")) {
            s.tally->add(s.part, "ooxml.remote_template", Action::removed, "w:attachedTemplate",
                         "外部テンプレートへの参照を削除しました。");
            remove_node(n);
        } else if (is_w(n, "mailMerge")) {
            s.tally->add(s.part, "ooxml.mailmerge", Action::removed, "w:mailMerge data source",
                         "差し込み印刷の外部データソースへの参照を削除しました。");
            remove_node(n);
        } else if (is_w(n, "fldData")) {
            // Binary data a field's application keeps for itself (links, OLE): nothing we can judge.
            s.tally->add(s.part, "ooxml.field", Action::removed, "w:fldData", kFieldJa);
            remove_node(n);
        } else if (is_w(n, "entryMacro") || is_w(n, "exitMacro")) {
            s.tally->add(s.part, "ooxml.macro", Action::removed, std::string("form field ") + reinterpret_cast<const char*>(n->name),
                         "フォームの入力時に実行されるマクロの指定を削除しました。");
            remove_node(n);
        }
    }
}

}  // namespace mugaika::ooxml
