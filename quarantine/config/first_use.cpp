#include "mugaika/quarantine/first_use.hpp"

#include <filesystem>
#include <system_error>

namespace mugaika::quarantine {
namespace fs = std::filesystem;

namespace {

bool present(const fs::path& p) {
    std::error_code ec;
    return fs::symlink_status(p, ec).type() != fs::file_type::not_found && !ec;
}

// Any entry below the store: sealed objects (or at least their folders) were written there.
bool store_in_use(const fs::path& store) {
    std::error_code ec;
    fs::directory_iterator it(store, ec);
    return !ec && it != fs::directory_iterator();
}

}  // namespace

void check_first_use(const QuarantineConfig& c, bool init) {
    const bool sqlite = c.db.rfind("sqlite:", 0) == 0;
    const fs::path db_file = sqlite ? fs::path(c.db.substr(7)) : fs::path();
    fs::path key_new = c.key_file;
    key_new += ".new";   // a key rotation in progress holds the new key here
    const bool key = present(c.key_file) || present(key_new);
    const bool db = !sqlite || present(db_file);   // PostgreSQL: its server says whether the schema exists
    const bool objects = store_in_use(c.store_dir);
    const std::string where = " (" + c.source + ")";

    if (!key && ((sqlite && db) || objects)) {
        throw FirstUseRefused(
            "隔離庫の鍵 " + c.key_file.string() + " がありませんが、データベースまたは保管済みの項目があります。"
            "新しい鍵ではそれらを開けません。バックアップから鍵を戻してください (mugaika backup restore)。\n"
            "  (the quarantine key " + c.key_file.string() + " is missing while " +
            (sqlite && db ? "the database " + db_file.string() : "held objects in " + c.store_dir.string()) +
            " exist" + where + ": a new key could open none of it; restore the key from the backup, --init does not help)");
    }
    if (key && db) return;
    if (init) return;
    // The key alone, where the configuration says, with nothing else yet: a new installation the package
    // prepared (its postinst makes the key, the service makes the rest). The key found at the configured
    // place shows the configuration points at the site's state, which a wrong path would not.
    if (key && !objects && !present(c.audit_file)) return;
    std::string missing_ja, missing_en;
    if (!key) {
        missing_ja += "鍵 " + c.key_file.string();
        missing_en += "the key " + c.key_file.string();
    }
    if (!db) {
        missing_ja += std::string(missing_ja.empty() ? "" : " と ") + "データベース " + db_file.string();
        missing_en += std::string(missing_en.empty() ? "" : " and ") + "the database " + db_file.string();
    }
    throw FirstUseRefused(
        "隔離庫の" + missing_ja + " がありません。新しく作成はしません。設定ファイル " + c.source +
        " を確認してください (相対パスは設定ファイルのあるフォルダからです)。新規の設置なら --init を付けて実行してください。\n"
        "  (" + missing_en + " does not exist" + where + "; nothing new is created without --init. Check the "
        "configuration (relative paths are taken from its folder), or run with --init on a new installation)");
}

}  // namespace mugaika::quarantine
