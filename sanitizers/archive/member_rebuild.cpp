#include "member_rebuild.hpp"

#include "mugaika/names.hpp"
#include "mugaika/reasons.hpp"

namespace mugaika::archive {

MemberRebuild::MemberRebuild(Context& ctx, std::string kind, std::string label_ja)
    : ctx_(ctx), kind_(std::move(kind)), label_ja_(std::move(label_ja)) {}

std::optional<MemberRebuild::Placement> MemberRebuild::prepare(const std::string& path, const std::string& shown,
                                                               const std::string& index_where) {
    MemberPath p = member_path(path);
    if (!p.problem.empty()) {
        hold(index_where, shown, "unknown", reason::blocked_name, p.problem,
             "危険な名前のフォルダーに入ったファイルを保留しました。");
        return std::nullopt;
    }
    // Reports and the officer's screen show `where`: the safe spelling, no bidi or control characters.
    std::string where = join_path(p.folders, check_name(p.base).safe_name);
    if (p.renamed)
        ctx_.add(kind_ + ".folder_name", Action::renamed, "folder names made safe",
                 "フォルダー名に使えない文字などがあったため、名前を変更しました。", where);
    return Placement{std::move(p), std::move(where)};
}

void MemberRebuild::add(const Placement& at, const std::string& bytes, std::time_t mtime) {
    Outcome child = ctx_.sanitize_child(bytes, at.path.base, at.where);
    if (child.quarantined()) {
        ++held_;
        return;
    }
    ++kept_;
    if (mtime < zip::kFixedTime) mtime = zip::kFixedTime;
    for (const auto& out : child.outputs) {
        std::string placed = tree_.place(at.path.folders, out.name);
        if (placed != join_path(at.path.folders, out.name))
            ctx_.add(kind_ + ".name_clash", Action::renamed, "renamed to keep paths unique: " + placed,
                     "同じ名前のファイルまたはフォルダーがあったため、名前に番号を付けました。", at.where);
        writer_.add(placed, out.bytes, true, mtime);
    }
}

void MemberRebuild::hold(const std::string& where, const std::string& shown, const std::string& type,
                         std::string_view code, const std::string& detail, const std::string& ja, bool encrypted) {
    ++held_;
    held_encrypted_ += encrypted;
    ctx_.add(kind_ + ".held", Action::blocked, detail, ja, where);
    ctx_.held().push_back(HeldItem{where, shown, type, std::string(code), detail});
    ctx_.children().push_back(ChildSummary{where, shown, type, Verdict::quarantined, std::string(code)});
}

std::string MemberRebuild::finish(std::size_t files) {
    if (kept_ == 0) {
        if (held_ == 0) throw SanitizeError(reason::malformed, "the archive holds no files");
        // Every member that was held for want of a key: the officer may try another password.
        if (held_ == held_encrypted_)
            throw SanitizeError(reason::encrypted, "no supplied password opens any of the " +
                                                       std::to_string(held_) + " encrypted members");
        throw SanitizeError(reason::child_held, "none of the " + std::to_string(held_) + " members could be disarmed");
    }
    std::string counts = "(";
    counts += std::to_string(files) + "件中" + std::to_string(kept_) + "件を無害化して格納し、" +
                         std::to_string(held_) + "件を保留しました)。";
    std::string detail = "rebuilt with " + std::to_string(kept_) + " of " + std::to_string(files) + " members, " +
                         std::to_string(held_) + " held";
    if (kind_ == "zip")
        ctx_.add("zip.rebuilt", Action::noted, detail, "ZIP書庫を作り直しました" + counts);
    else   // nothing of the original format is carried: the LGWAN side gets a zip
        ctx_.add(kind_ + ".converted", Action::converted, detail + " as a zip",
                 label_ja_ + "をZIP書庫に作り直しました" + counts);
    return writer_.finish();
}

}  // namespace mugaika::archive
