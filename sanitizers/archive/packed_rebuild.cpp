#include "packed_rebuild.hpp"

#include "../zip/safe_zip.hpp"
#include "member_rebuild.hpp"
#include "mugaika/reasons.hpp"

namespace mugaika::archive {
namespace {

constexpr const char* kEncryptedJa =
    "パスワード付きの7z/RAR書庫です。このゲートウェイは7zとRARの暗号を復号できないため、パスワードを入力しても中身を検査できません。"
    "送信者にパスワードなしの書庫など別の方法で送り直してもらってください。";

std::string_view held_type(PackedEntry::Kind k) {
    switch (k) {
    case PackedEntry::Kind::symlink: return "symlink";
    case PackedEntry::Kind::hardlink: return "hardlink";
    case PackedEntry::Kind::special: return "device";
    default: return "unknown";
    }
}

class PackedRebuild {
public:
    PackedRebuild(const Input& in, Context& ctx, Packed format)
        : in_(in), ctx_(ctx), format_(format), rebuild_(ctx, "archive", std::string(label_ja(*in.type))) {}

    std::vector<Output> run() {
        try {
            PackedReader reader(in_.bytes, format_, ctx_);
            std::size_t index = 0;
            while (auto e = reader.next()) {
                ++index;
                if (e->kind == PackedEntry::Kind::directory) continue;   // folders come back as paths of kept files
                ++files_;
                member(reader, *e, "member[" + std::to_string(index) + "]");
            }
        } catch (const SanitizeError& e) {
            if (e.code() == reason::encrypted) encrypted_finding();
            throw;
        }
        if (encrypted_) encrypted_finding();
        if (encrypted_ && encrypted_ == files_)
            throw SanitizeError(reason::encrypted, "every member is encrypted (" + std::string(in_.type->id) +
                                                       " encryption is not supported by this build)");
        return {Output{"", "zip", rebuild_.finish(files_)}};
    }

private:
    void member(PackedReader& reader, const PackedEntry& e, const std::string& index_where) {
        if (e.path.empty()) {
            reader.skip(e);
            return rebuild_.hold(index_where, e.shown, "unknown", reason::blocked_name, "a name that cannot be read",
                                 "読み取れない名前のファイルを保留しました。");
        }
        if (auto problem = zip::name_problem(e.path, 1024); !problem.empty()) {
            reader.skip(e);
            ctx_.add("archive.name", Action::removed, problem + ": " + e.shown,
                     "書庫内に危険なファイル名(親ディレクトリ参照や絶対パスなど)があり、取り除きました。");
            return rebuild_.hold(index_where, e.shown, "unknown", reason::blocked_name, "unsafe member name",
                                 "危険な名前(上位フォルダーの指定や絶対パスなど)のファイルを保留しました。");
        }
        if (e.kind != PackedEntry::Kind::file) {
            reader.skip(e);
            return rebuild_.hold(index_where, e.shown, std::string(held_type(e.kind)), reason::blocked_type,
                                 "symbolic link, hard link or special file",
                                 "シンボリックリンク・ハードリンク・デバイスなど通常のファイルでないものを保留しました(リンク先はたどりません)。");
        }
        if (e.sparse) {
            reader.skip(e);
            return rebuild_.hold(index_where, e.shown, "sparse", reason::blocked_type, "sparse file",
                                 "スパースファイル(中身の一部が省略されたファイル)を保留しました。");
        }
        if (e.encrypted) {
            ++encrypted_;
            reader.skip(e);
            return rebuild_.hold(index_where, e.shown, "encrypted", reason::encrypted,
                                 "encrypted member: libarchive cannot decrypt " + std::string(in_.type->id), kEncryptedJa, true);
        }
        auto at = rebuild_.prepare(e.path, e.shown, index_where);
        if (!at) return reader.skip(e);
        std::string bytes = reader.read(e);
        rebuild_.add(*at, bytes, e.mtime);
    }

    void encrypted_finding() {
        if (reported_encrypted_) return;
        reported_encrypted_ = true;
        ctx_.add("archive.encrypted", Action::blocked,
                 std::string(in_.type->id) + " encryption cannot be decrypted by this build (libarchive 3.6.2 decrypts only zip)",
                 kEncryptedJa);
    }

    const Input& in_;
    Context& ctx_;
    Packed format_;
    MemberRebuild rebuild_;
    std::size_t files_ = 0, encrypted_ = 0;
    bool reported_encrypted_ = false;
};

}  // namespace

std::vector<Output> rebuild_packed(const Input& in, Context& ctx, Packed format) {
    return PackedRebuild(in, ctx, format).run();
}

}  // namespace mugaika::archive
