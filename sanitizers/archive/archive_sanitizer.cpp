#include "archive_sanitizer.hpp"

#include <algorithm>

#include "../zip/safe_zip.hpp"
#include "../zip/zip_writer.hpp"
#include "member_path.hpp"
#include "mugaika/names.hpp"
#include "mugaika/reasons.hpp"
#include "output_tree.hpp"
#include "passwords.hpp"

namespace mugaika {
namespace {

constexpr const char* kEncryptedJa =
    "パスワード付きZIP(PPAP)のため中身を検査できませんが、セキュリティ担当者がパスワードを入力すると無害化して取り出せます。";

// One archive being rebuilt: every file member through the engine, the clean outputs into a new zip.
class Rebuild {
public:
    Rebuild(const Input& in, Context& ctx)
        : ctx_(ctx),
          zip_(in.bytes, zip::ZipLimits::from(ctx.limits()), ctx,
               // Members go through sanitize_child, which charges what they expand to: the reader only
               // checks that it fits, so no byte is counted twice.
               zip::ZipOptions{.allow_encrypted = true, .decode_names = true, .charge_budget = false}) {}

    std::vector<Output> run() {
        std::size_t files = 0, encrypted = 0;
        for (const auto& e : zip_.entries()) {
            if (e.directory) continue;
            ++files;
            encrypted += e.encrypted;
        }
        keys_ = archive::candidate_passwords(ctx_.secrets());
        if (encrypted && keys_.empty()) {
            ctx_.add("zip.encrypted", Action::blocked,
                     std::to_string(encrypted) + " of " + std::to_string(files) +
                         " members are encrypted and no password was supplied",
                     kEncryptedJa);
            throw SanitizeError(reason::encrypted, "password-protected zip (PPAP): " + std::to_string(encrypted) +
                                                       " encrypted members, no password supplied");
        }

        for (std::size_t i = 0; i < zip_.entries().size(); ++i) {
            ctx_.check_time();
            const zip::Entry& e = zip_.entries()[i];
            if (!e.directory) member(e, i);   // folders come back only as paths of kept files
        }

        if (decrypted_)
            ctx_.add("zip.decrypted", Action::converted,
                     std::to_string(decrypted_) + " encrypted members decrypted with a supplied password; "
                                                  "the rebuilt archive is not encrypted",
                     "パスワード付きZIPを入力されたパスワードで復号して無害化しました(出力のZIPにはパスワードを付けていません)。");
        if (kept_ == 0) {
            if (held_ == 0) throw SanitizeError(reason::malformed, "the archive holds no files");
            // Every member that was held for want of a key: the officer may try another password.
            if (held_ == held_encrypted_)
                throw SanitizeError(reason::encrypted, "no supplied password opens any of the " +
                                                           std::to_string(held_) + " encrypted members");
            throw SanitizeError(reason::child_held, "none of the " + std::to_string(held_) +
                                                        " members could be disarmed");
        }
        ctx_.add("zip.rebuilt", Action::noted,
                 "rebuilt with " + std::to_string(kept_) + " of " + std::to_string(files) + " members, " +
                     std::to_string(held_) + " held",
                 "ZIP書庫を作り直しました(" + std::to_string(files) + "件中" + std::to_string(kept_) +
                     "件を無害化して格納し、" + std::to_string(held_) + "件を保留しました)。");
        return {Output{"", "zip", writer_.finish()}};
    }

private:
    void member(const zip::Entry& e, std::size_t i) {
        std::string index_where = "member[" + std::to_string(i + 1) + "]";
        if (e.unsafe_name)   // SafeZip has said why in a zip.name finding
            return hold(index_where, e, "unknown", reason::blocked_name, "unsafe member name",
                        "危険な名前(上位フォルダーの指定や絶対パスなど)のファイルを保留しました。");
        if (e.special)
            return hold(index_where, e, "symlink", reason::blocked_type, "symbolic link or special file",
                        "シンボリックリンクなど通常のファイルでないものを保留しました。");
        archive::MemberPath path = archive::member_path(e.path);
        if (!path.problem.empty())
            return hold(index_where, e, "unknown", reason::blocked_name, path.problem,
                        "危険な名前のフォルダーに入ったファイルを保留しました。");
        // Reports and the officer's screen show `where`: the safe spelling, no bidi or control characters.
        std::string where = archive::join_path(path.folders, check_name(path.base).safe_name);
        if (path.renamed)
            ctx_.add("zip.folder_name", Action::renamed, "folder names made safe",
                     "フォルダー名に使えない文字などがあったため、名前を変更しました。", where);

        std::string bytes;
        if (e.encrypted) {
            try {
                std::size_t used = 0;
                bytes = zip_.read_encrypted(e, keys_, ctx_, &used);
                // PPAP zips have one password for every member: try the one that worked first next time.
                std::rotate(keys_.begin(), keys_.begin() + static_cast<std::ptrdiff_t>(used),
                            keys_.begin() + static_cast<std::ptrdiff_t>(used) + 1);
                ++decrypted_;
            } catch (const SanitizeError& err) {
                if (err.code() != reason::encrypted) throw;
                ++held_encrypted_;
                return hold(where, e, "encrypted", reason::encrypted, err.what(),
                            "入力されたパスワードでは復号できない(またはデータが壊れている)ファイルを保留しました。");
            }
        } else {
            bytes = zip_.read(e, ctx_);
        }

        Outcome child = ctx_.sanitize_child(bytes, path.base, where);
        if (child.quarantined()) {
            ++held_;
            return;
        }
        ++kept_;
        std::time_t mtime = e.mtime >= zip::kFixedTime ? e.mtime : zip::kFixedTime;
        for (const auto& out : child.outputs) {
            std::string placed = tree_.place(path.folders, out.name);
            if (placed != archive::join_path(path.folders, out.name))
                ctx_.add("zip.name_clash", Action::renamed, "renamed to keep paths unique: " + placed,
                         "同じ名前のファイルまたはフォルダーがあったため、名前に番号を付けました。", where);
            writer_.add(placed, out.bytes, true, mtime);
        }
    }

    // A member we hold ourselves (no engine run can take it): recorded as a held child would be.
    void hold(const std::string& where, const zip::Entry& e, const std::string& type, std::string_view code,
              const std::string& detail, const std::string& ja) {
        ++held_;
        const std::string& shown = e.shown;
        ctx_.add("zip.held", Action::blocked, detail, ja, where);
        ctx_.held().push_back(HeldItem{where, shown, type, std::string(code), detail});
        ctx_.children().push_back(ChildSummary{where, shown, type, Verdict::quarantined, std::string(code)});
    }

    Context& ctx_;
    zip::SafeZip zip_;
    zip::ZipWriter writer_;
    archive::OutputTree tree_;
    std::vector<std::string> keys_;
    std::size_t kept_ = 0, held_ = 0, held_encrypted_ = 0, decrypted_ = 0;
};

class ArchiveSanitizer final : public Sanitizer {
public:
    std::string_view name() const override { return "archive"; }
    std::vector<std::string> types() const override { return {"zip"}; }
    TypeAction action() const override { return TypeAction::reconstruct; }

    std::vector<Output> sanitize(const Input& in, Context& ctx) const override { return Rebuild(in, ctx).run(); }
};

}  // namespace

std::shared_ptr<const Sanitizer> make_archive_sanitizer() { return std::make_shared<ArchiveSanitizer>(); }

}  // namespace mugaika
