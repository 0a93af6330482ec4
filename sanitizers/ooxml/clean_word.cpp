// WordprocessingML: fields (DDE, DDEAUTO, INCLUDETEXT, ...), altChunk, subdocuments, ActiveX and OLE
// elements, the attached template and mail-merge data sources.
#include <array>
#include <set>
#include <vector>

#include "clean.hpp"
#include "opc.hpp"
#include "xml_safe.hpp"

namespace mugaika::ooxml {
namespace {

// Fields that only format, number, cross-reference or show document properties. Everything else
// (DDE, DDEAUTO, INCLUDETEXT, INCLUDEPICTURE, IMPORT, LINK, DATABASE, MACROBUTTON, AUTOTEXT, ...)
// is turned into its last displayed result.
constexpr std::array<std::string_view, 44> kSafeFields{
    "PAGE", "NUMPAGES", "SECTIONPAGES", "SECTION", "DATE", "TIME", "CREATEDATE", "SAVEDATE", "PRINTDATE",
    "EDITTIME", "AUTHOR", "TITLE", "SUBJECT", "KEYWORDS", "COMMENTS", "LASTSAVEDBY", "REVNUM", "TEMPLATE",
    "FILENAME", "FILESIZE", "NUMWORDS", "NUMCHARS", "DOCPROPERTY", "TOC", "TOA", "TC", "TA", "XE", "INDEX",
    "REF", "PAGEREF", "NOTEREF", "STYLEREF", "SEQ", "LISTNUM", "SYMBOL", "EQ", "ADVANCE", "FORMTEXT",
    "FORMCHECKBOX", "FORMDROPDOWN", "BIBLIOGRAPHY", "CITATION", "HYPERLINK",
};

std::string first_token(std::string_view s) {
    std::size_t i = s.find_first_not_of(" \t\r\n\xA0");
    if (i == std::string_view::npos) return {};
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t' && s[j] != '\r' && s[j] != '\n' && s[j] != '"') ++j;
    std::string t(s.substr(i, j - i));
    for (char& c : t) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return t;
}

// The target of HYPERLINK "url" \l "anchor": the first quoted or bare argument that is not a switch.
bool hyperlink_field_ok(std::string_view instr, bool links_https) {
    std::size_t i = lower(instr).find("hyperlink") + 9;
    while (i < instr.size()) {
        while (i < instr.size() && (instr[i] == ' ' || instr[i] == '\t')) ++i;
        if (i >= instr.size()) break;
        if (instr[i] == '\\') {   // a switch; \l takes an in-document anchor, \o a tooltip, \t a frame
            char sw = i + 1 < instr.size() ? static_cast<char>(std::tolower(static_cast<unsigned char>(instr[i + 1]))) : 0;
            i += 2;
            while (i < instr.size() && instr[i] == ' ') ++i;
            if (sw == 'l' || sw == 'o' || sw == 't' || sw == 'm' || sw == 'n') {
                if (i < instr.size() && instr[i] == '"') i = instr.find('"', i + 1) == std::string_view::npos ? instr.size() : instr.find('"', i + 1) + 1;
                else while (i < instr.size() && instr[i] != ' ') ++i;
            }
            continue;
        }
        std::string target;
        if (instr[i] == '"') {
            auto end = instr.find('"', i + 1);
            target = std::string(instr.substr(i + 1, end == std::string_view::npos ? std::string_view::npos : end - i - 1));
        } else {
            auto end = instr.find_first_of(" \t", i);
            target = std::string(instr.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i));
        }
        return link_allowed(target, links_https);
    }
    return true;   // only an anchor inside the document
}

struct Field {
    std::vector<xmlNodePtr> code;   // runs that make the field: begin, instructions, separate, end
    std::string instr;
    bool in_result = false;
};

void neutralise(Field& f, const PartScope& s, const std::string& problem) {
    s.tally->add(s.part, "ooxml.field", Action::removed, problem,
                 "外部のデータやファイルを読み込むフィールド(DDEなど)を無効化しました(表示されていた文字は残しています)。");
    for (auto it = f.code.rbegin(); it != f.code.rend(); ++it) remove_node(*it);
    f.code.clear();
}

// Complex fields: runs between fldChar begin and separate hold the instruction, runs between
// separate and end the last result. A dangerous field loses its instruction runs and keeps its result
// as plain text. Nested fields inside an instruction go with it.
void clean_complex_fields(xmlNodePtr root, const std::vector<xmlNodePtr>& all, const PartScope& s) {
    std::vector<xmlNodePtr> runs;
    for (xmlNodePtr n : all)
        if (is(n, ns::w, "r")) runs.push_back(n);
    std::vector<Field> stack;
    std::set<xmlNodePtr> inside;   // instrText that belongs to a field (judged with its field)
    auto close = [&](Field f) {
        std::string problem = field_problem(f.instr, s.links_https);
        if (!problem.empty()) {
            neutralise(f, s, problem);
        } else if (!stack.empty() && !stack.back().in_result) {
            // Part of the parent's instruction: goes if the parent goes.
            stack.back().code.insert(stack.back().code.end(), f.code.begin(), f.code.end());
        }
    };
    for (xmlNodePtr r : runs) {
        bool handled = false;
        for (xmlNodePtr c = r->children; c; c = c->next) {
            if (is(c, ns::w, "fldChar")) {
                std::string t = attr(c, "fldCharType", ns::w);
                if (t == "begin") {
                    stack.push_back({});
                    stack.back().code.push_back(r);
                } else if (t == "separate" && !stack.empty()) {
                    stack.back().in_result = true;
                    stack.back().code.push_back(r);
                } else if (t == "end" && !stack.empty()) {
                    stack.back().code.push_back(r);
                    Field f = std::move(stack.back());
                    stack.pop_back();
                    close(std::move(f));
                }
                handled = true;
                break;
            }
            if (is(c, ns::w, "instrText") && !stack.empty()) {
                inside.insert(c);
                if (!stack.back().in_result) {
                    stack.back().instr += text_of(c);
                    stack.back().code.push_back(r);
                }
                handled = true;
                break;
            }
        }
        if (!handled && !stack.empty() && !stack.back().in_result) stack.back().code.push_back(r);
    }
    // Fields never closed: judge them on what they said.
    while (!stack.empty()) {
        Field f = std::move(stack.back());
        stack.pop_back();
        close(std::move(f));
    }
    // instrText outside any field still carries an instruction a reader may revive.
    for (xmlNodePtr n : elements(root)) {
        if (!is(n, ns::w, "instrText") || inside.contains(n)) continue;
        std::string problem = field_problem(text_of(n), s.links_https);
        if (!problem.empty()) {
            s.tally->add(s.part, "ooxml.field", Action::removed, problem,
                         "外部のデータやファイルを読み込むフィールド(DDEなど)を無効化しました(表示されていた文字は残しています)。");
            remove_node(n);
        }
    }
}

}  // namespace

std::string field_problem(std::string_view instr, bool links_https) {
    std::string token = first_token(instr);
    if (token.empty()) return {};   // an empty instruction does nothing
    bool known = false;
    for (auto f : kSafeFields) known = known || f == token;
    if (!known) return "field " + token + ": " + std::string(instr.substr(0, 200));
    if (token == "HYPERLINK" && !hyperlink_field_ok(instr, links_https))
        return "HYPERLINK field to a disallowed target: " + std::string(instr.substr(0, 200));
    return {};
}

void clean_word(xmlDocPtr doc, const PartScope& s) {
    xmlNodePtr root = xmlDocGetRootElement(doc);
    std::vector<xmlNodePtr> all = elements(root);
    bool fields = false;
    for (xmlNodePtr n : all)
        if (is(n, ns::w, "instrText")) {
            fields = true;
            break;
        }
    if (fields) {   // removes runs: the snapshot is stale afterwards
        clean_complex_fields(root, all, s);
        all = elements(root);
    }

    for (auto it = all.rbegin(); it != all.rend(); ++it) {
        xmlNodePtr n = *it;
        if (is(n, ns::w, "fldSimple")) {
            std::string problem = field_problem(attr(n, "instr", ns::w), s.links_https);
            if (!problem.empty()) {
                s.tally->add(s.part, "ooxml.field", Action::removed, problem,
                             "外部のデータやファイルを読み込むフィールド(DDEなど)を無効化しました(表示されていた文字は残しています)。");
                unwrap(n);
            }
        } else if (is(n, ns::w, "altChunk")) {
            s.tally->add(s.part, "ooxml.altchunk", Action::removed, "w:altChunk",
                         "埋め込まれた別形式の文書(altChunk)を削除しました。");
            remove_node(n);
        } else if (is(n, ns::w, "subDoc")) {
            s.tally->add(s.part, "ooxml.subdocument", Action::removed, "w:subDoc", "外部のサブ文書への参照を削除しました。");
            remove_node(n);
        } else if (is(n, ns::w, "control")) {
            s.tally->add(s.part, "ooxml.activex", Action::removed, "w:control", "ActiveXコントロールを削除しました。");
            remove_node(n);
        } else if (is(n, ns::o, "OLEObject")) {
            // The VML shape beside it (the preview picture) stays in the w:object.
            s.tally->add(s.part, "ooxml.ole", Action::removed, "o:OLEObject " + attr(n, "ProgID"),
                         "埋め込みオブジェクト(OLE)を削除しました(表示用の画像は残しています)。");
            remove_node(n);
        } else if (is(n, ns::w, "attachedTemplate")) {
            s.tally->add(s.part, "ooxml.remote_template", Action::removed, "w:attachedTemplate",
                         "外部テンプレートへの参照を削除しました。");
            remove_node(n);
        } else if (is(n, ns::w, "mailMerge")) {
            s.tally->add(s.part, "ooxml.mailmerge", Action::removed, "w:mailMerge data source",
                         "差し込み印刷の外部データソースへの参照を削除しました。");
            remove_node(n);
        }
    }
}

}  // namespace mugaika::ooxml
