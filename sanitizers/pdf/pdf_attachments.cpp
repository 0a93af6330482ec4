#include "pdf_attachments.hpp"

#include <algorithm>
#include <set>

#include "mugaika/reasons.hpp"
#include "pdf_text.hpp"

namespace mugaika::pdf {
namespace {

std::string describe(const std::string& name, std::int64_t size, bool declared = true) {
    return "\"" + name + "\"" +
           (size >= 0 ? " (" + std::to_string(size) + (declared ? " bytes declared)" : " bytes)") : "");
}

// Two attachments may carry the same name; the released files must not overwrite each other.
std::string unique_name(const std::string& name, std::set<std::string>& taken) {
    if (taken.insert(name).second) return name;
    auto dot = name.rfind('.');
    std::string stem = dot == std::string::npos || dot == 0 ? name : name.substr(0, dot);
    std::string ext = dot == std::string::npos || dot == 0 ? "" : name.substr(dot);
    for (int i = 2;; ++i) {
        std::string candidate = stem + "-" + std::to_string(i) + ext;
        if (taken.insert(candidate).second) return candidate;
    }
}

}  // namespace

std::vector<Output> handle_attachments(const ObjectReport& report, ObjectWalk& walk, bool extract,
                                       const std::string& pdf_name, Context& ctx) {
    std::vector<Output> outputs;
    std::set<std::string> taken{pdf_name};
    for (std::size_t i = 0; i < report.embedded_files.size(); ++i) {
        const auto& file = report.embedded_files[i];
        std::string where = "attachment[" + std::to_string(i) + "]";
        std::string name = clean_text(file.name, 200);
        if (name.empty()) name = "attachment-" + std::to_string(i + 1);
        if (!extract) {
            ctx.add("pdf.embedded_file", Action::removed, "embedded file " + describe(name, file.declared_size),
                    "PDFに埋め込まれたファイル「" + name + "」を取り除きました。", where);
            continue;
        }
        ctx.check_time();
        std::uint64_t room = std::min<std::uint64_t>(ctx.budget().expanded_left(), ctx.limits().max_input_bytes);
        auto bytes = walk.read_stream(file.object, file.generation, room);
        if (!bytes) {
            // Too big for what is left of the budget, or unreadable: the PDF itself can still go out.
            ctx.held().push_back(HeldItem{where, name, "unknown", std::string(reason::limit_expanded),
                                          "embedded file larger than the " + std::to_string(room) +
                                              " bytes left in the budget, or unreadable"});
            ctx.add("pdf.embedded_file", Action::blocked, "embedded file " + describe(name, file.declared_size) +
                                                              " too large or unreadable",
                    "PDFに埋め込まれたファイル「" + name + "」は大きすぎるか読み取れないため、取り出さずに隔離しました。",
                    where);
            continue;
        }
        Outcome child = ctx.sanitize_child(*bytes, name, where);
        if (child.quarantined()) {
            ctx.add("pdf.embedded_file", Action::blocked,
                    "embedded file " + describe(name, static_cast<std::int64_t>(bytes->size()), false) + " held: " + child.reason,
                    "PDFに埋め込まれたファイル「" + name + "」は安全にできなかったため、取り出さずに隔離しました。", where);
            continue;
        }
        ctx.add("pdf.embedded_file", Action::converted,
                "embedded file " + describe(name, static_cast<std::int64_t>(bytes->size()), false) + " extracted (" +
                    std::string(to_string(child.verdict)) + ")",
                "PDFに埋め込まれたファイル「" + name + "」を取り出し、別のファイルとして無害化しました。", where);
        for (auto& out : child.outputs) {
            out.name = unique_name(out.name, taken);
            outputs.push_back(std::move(out));
        }
    }
    return outputs;
}

}  // namespace mugaika::pdf
