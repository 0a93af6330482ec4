#include "archive_sanitizer.hpp"

#include <algorithm>

#include "../zip/safe_zip.hpp"
#include "member_rebuild.hpp"
#include "packed_rebuild.hpp"
#include "single_file.hpp"
#include "mugaika/reasons.hpp"
#include "passwords.hpp"

namespace mugaika {
namespace {

constexpr const char* kEncryptedJa =
    "パスワード付きZIP(PPAP)のため中身を検査できませんが、セキュリティ担当者がパスワードを入力すると無害化して取り出せます。";

// One zip being rebuilt: every file member through the engine, the clean outputs into a new zip.
class ZipRebuild {
public:
    ZipRebuild(const Input& in, Context& ctx)
        : ctx_(ctx),
          zip_(in.bytes, zip::ZipLimits::from(ctx.limits()), ctx,
               // Members go through sanitize_child, which charges what they expand to: the reader only
               // checks that it fits, so no byte is counted twice.
               zip::ZipOptions{.allow_encrypted = true, .decode_names = true, .charge_budget = false}),
          rebuild_(ctx, "zip", "ZIP書庫") {}

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
        return {Output{"", "zip", rebuild_.finish(files)}};
    }

private:
    void member(const zip::Entry& e, std::size_t i) {
        std::string index_where = "member[" + std::to_string(i + 1) + "]";
        if (e.unsafe_name)   // SafeZip has said why in a zip.name finding
            return rebuild_.hold(index_where, e.shown, "unknown", reason::blocked_name, "unsafe member name",
                                 "危険な名前(上位フォルダーの指定や絶対パスなど)のファイルを保留しました。");
        if (e.special)
            return rebuild_.hold(index_where, e.shown, "symlink", reason::blocked_type, "symbolic link or special file",
                                 "シンボリックリンクなど通常のファイルでないものを保留しました。");
        auto at = rebuild_.prepare(e.path, e.shown, index_where);
        if (!at) return;

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
                return rebuild_.hold(at->where, e.shown, "encrypted", reason::encrypted, err.what(),
                                     "入力されたパスワードでは復号できない(またはデータが壊れている)ファイルを保留しました。",
                                     true);
            }
        } else {
            bytes = zip_.read(e, ctx_);
        }
        rebuild_.add(*at, bytes, e.mtime);
    }

    Context& ctx_;
    zip::SafeZip zip_;
    archive::MemberRebuild rebuild_;
    std::vector<std::string> keys_;
    std::size_t decrypted_ = 0;
};

class ArchiveSanitizer final : public Sanitizer {
public:
    std::string_view name() const override { return "archive"; }
    std::vector<std::string> types() const override { return {"zip", "7z", "rar", "lzh", "tar"}; }
    TypeAction action() const override { return TypeAction::reconstruct; }

    std::vector<Output> sanitize(const Input& in, Context& ctx) const override {
        if (auto format = archive::packed_format(in.type->id)) return archive::rebuild_packed(in, ctx, *format);
        if (in.type->id != "zip") throw SanitizeError(reason::internal, "archive sanitizer given " + std::string(in.type->id));
        return ZipRebuild(in, ctx).run();
    }
};

class CompressedSanitizer final : public Sanitizer {
public:
    std::string_view name() const override { return "compressed"; }
    std::vector<std::string> types() const override { return {"gzip", "bzip2", "xz", "lzma"}; }
    TypeAction action() const override { return TypeAction::reconstruct; }

    std::vector<Output> sanitize(const Input& in, Context& ctx) const override {
        auto format = archive::stream_format(in.type->id);
        if (!format) throw SanitizeError(reason::internal, "compressed sanitizer given " + std::string(in.type->id));
        return archive::open_single_file(in, ctx, *format);
    }
};

}  // namespace

std::shared_ptr<const Sanitizer> make_archive_sanitizer() { return std::make_shared<ArchiveSanitizer>(); }
std::shared_ptr<const Sanitizer> make_compressed_sanitizer() { return std::make_shared<CompressedSanitizer>(); }

}  // namespace mugaika
