#include "mugaika/labels.hpp"

#include <array>

namespace mugaika::labels {
namespace {

constexpr std::array kReasons{
    Reason{"unsupported", "未対応の形式", "Unsupported type",
           "この形式のファイルはまだ無害化に対応していないため、保留しました。"},
    Reason{"unsupported.ichitaro", "一太郎文書(変換不可)", "Ichitaro document (no converter)",
           "一太郎文書は安全に変換できる仕組みがないため、保留しました。送信者に、PDFまたはWord形式(.docx)で保存し直して送るよう依頼してください。"},
    Reason{"blocked.type", "禁止された形式", "Blocked type", "この形式のファイルはポリシーにより取り込みが禁止されています。"},
    Reason{"blocked.name", "危険なファイル名", "Dangerous file name",
           "ファイル名に危険な拡張子または偽装が含まれているため、保留しました。"},
    Reason{"blocked.mismatch", "拡張子と形式の不一致", "Extension does not match the content",
           "ファイルの拡張子と実際の形式が一致しないため、保留しました。"},
    Reason{"malformed", "壊れた・不正な構造", "Malformed",
           "ファイルの構造が壊れているか不正なため、安全に処理できませんでした。"},
    Reason{"encrypted", "暗号化(パスワード付き)", "Encrypted (password)",
           "暗号化(パスワード保護)されているため、中身を検査できませんでした。パスワード付きZIP(PPAP)は、セキュリティ担当者がパス"
           "ワードを入力すると無害化できます。"},
    Reason{"charset", "文字コードを判定できない", "Unknown character encoding",
           "文字コードを正しく判定できないため、テキストとして安全に処理できませんでした。"},
    Reason{"limit.size", "サイズの上限超過", "Size limit", "ファイルサイズが上限を超えたため、保留しました。"},
    Reason{"limit.depth", "入れ子の上限超過", "Nesting limit", "入れ子(書庫や添付の階層)が深すぎるため、保留しました。"},
    Reason{"limit.expanded", "展開サイズの上限超過", "Expanded size limit",
           "展開後のサイズが上限を超えたため、保留しました(圧縮爆弾の疑い)。"},
    Reason{"limit.members", "ファイル数の上限超過", "Member count limit",
           "含まれるファイルの数が上限を超えたため、保留しました。"},
    Reason{"limit.ratio", "異常な圧縮率", "Compression ratio limit",
           "圧縮率が異常に高いため、保留しました(圧縮爆弾の疑い)。"},
    Reason{"limit.time", "処理時間の上限超過", "Time limit", "処理時間が上限を超えたため、保留しました。"},
    Reason{"limit.memory", "メモリの上限超過", "Memory limit", "処理に必要なメモリが上限を超えたため、保留しました。"},
    Reason{"limit.pages", "ページ数の上限超過", "Page limit", "ページ数が上限を超えたため、保留しました。"},
    Reason{"limit.pixels", "画像の大きさの上限超過", "Pixel limit", "画像やページの大きさが上限を超えたため、保留しました。"},
    Reason{"limit.frames", "コマ数・ページ数の上限超過", "Frame limit",
           "画像のコマ数(アニメーション)やページ数が上限を超えたため、保留しました。"},
    Reason{"limit.operations", "描画処理量の上限超過", "Drawing operations limit",
           "描画に必要な処理の量が上限を超えたため、保留しました(処理を長時間占有させる細工の疑い)。"},
    Reason{"child.held", "含まれるファイルを保留", "A part was held",
           "含まれるファイルの一部を無害化できなかったため、全体を保留しました。"},
    Reason{"malware", "マルウェア検出", "Malware", "マルウェアが検出されたため、保留しました。"},
    Reason{"scan.failed", "マルウェア検査が未完了", "Malware scan failed", "マルウェア検査を完了できなかったため、保留しました。"},
    Reason{"worker.crash", "解析プロセスの異常終了", "Worker crashed",
           "処理中に解析プロセスが異常終了したため、保留しました。"},
    Reason{"internal", "内部エラー", "Internal error",
           "ゲートウェイ内部のエラーにより処理を完了できなかったため、安全のため保留しました。"},
    Reason{"name.dangerous", "危険なファイル名", "Dangerous file name", "危険なファイル名のため、保留しました。"},
    Reason{"zip.ambiguous", "あいまいなZIP構造", "Ambiguous zip",
           "ZIPの構造があいまい(重複した名前、前後に隠れたデータ、ヘッダーの不一致など)で、読む製品によって中身が変わるおそれがあるた"
           "め、保留しました。"},
    Reason{"archive.ambiguous", "あいまいな書庫構造", "Ambiguous archive",
           "書庫や圧縮ファイルの構造があいまい(同じ名前の重複、終端の後ろに隠れたデータ、複数の圧縮ストリーム、ヘッダーの食い違いなど)で、展"
           "開する製品によって中身が変わるおそれがあるため、保留しました。"},
    Reason{"relay.rejected", "LGWAN側で受信拒否", "Refused by the LGWAN side",
           "LGWAN側のメールサーバが受け取りを拒否したため、保留しました。"},
};

constexpr std::array kFileTypes{
    Term{"text", "テキスト", "Text"},
    Term{"csv", "CSV", "CSV"},
    Term{"pdf", "PDF文書", "PDF"},
    Term{"rtf", "RTF文書", "RTF"},
    Term{"eml", "メール", "Mail"},
    Term{"docx", "Word文書", "Word document"},
    Term{"docm", "Word文書(マクロ有効)", "Word document (macro-enabled)"},
    Term{"dotx", "Wordテンプレート", "Word template"},
    Term{"dotm", "Wordテンプレート(マクロ有効)", "Word template (macro-enabled)"},
    Term{"xlsx", "Excelブック", "Excel workbook"},
    Term{"xlsm", "Excelブック(マクロ有効)", "Excel workbook (macro-enabled)"},
    Term{"xltx", "Excelテンプレート", "Excel template"},
    Term{"xltm", "Excelテンプレート(マクロ有効)", "Excel template (macro-enabled)"},
    Term{"xlsb", "Excelバイナリブック", "Excel binary workbook"},
    Term{"pptx", "PowerPointプレゼンテーション", "PowerPoint presentation"},
    Term{"pptm", "PowerPointプレゼンテーション(マクロ有効)", "PowerPoint presentation (macro-enabled)"},
    Term{"potx", "PowerPointテンプレート", "PowerPoint template"},
    Term{"potm", "PowerPointテンプレート(マクロ有効)", "PowerPoint template (macro-enabled)"},
    Term{"ppsx", "PowerPointスライドショー", "PowerPoint slide show"},
    Term{"ppsm", "PowerPointスライドショー(マクロ有効)", "PowerPoint slide show (macro-enabled)"},
    Term{"office-encrypted", "暗号化されたOffice文書", "Encrypted Office document"},
    Term{"doc", "Word文書(旧形式)", "Word document (legacy)"},
    Term{"xls", "Excelブック(旧形式)", "Excel workbook (legacy)"},
    Term{"ppt", "PowerPoint(旧形式)", "PowerPoint (legacy)"},
    Term{"outlook-msg", "Outlookメッセージ", "Outlook message"},
    Term{"cfb", "複合ドキュメント(不明)", "Compound document (unknown)"},
    Term{"odt", "ODFテキスト", "OpenDocument text"},
    Term{"ods", "ODFスプレッドシート", "OpenDocument spreadsheet"},
    Term{"odp", "ODFプレゼンテーション", "OpenDocument presentation"},
    Term{"ichitaro", "一太郎文書", "Ichitaro document"},
    Term{"zip", "ZIP書庫", "Zip archive"},
    Term{"7z", "7z書庫", "7z archive"},
    Term{"rar", "RAR書庫", "RAR archive"},
    Term{"lzh", "LZH書庫", "LZH archive"},
    Term{"tar", "TAR書庫", "tar archive"},
    Term{"gzip", "gzip圧縮", "gzip compressed"},
    Term{"bzip2", "bzip2圧縮", "bzip2 compressed"},
    Term{"xz", "xz圧縮", "xz compressed"},
    Term{"lzma", "LZMA圧縮", "LZMA compressed"},
    Term{"cab", "CAB書庫", "CAB archive"},
    Term{"png", "PNG画像", "PNG image"},
    Term{"jpeg", "JPEG画像", "JPEG image"},
    Term{"gif", "GIF画像", "GIF image"},
    Term{"bmp", "BMP画像", "BMP image"},
    Term{"tiff", "TIFF画像", "TIFF image"},
    Term{"webp", "WebP画像", "WebP image"},
    Term{"heic", "HEIC画像", "HEIC image"},
    Term{"svg", "SVG画像", "SVG image"},
    Term{"html", "HTML", "HTML"},
    Term{"xml", "XML", "XML"},
    Term{"exe", "実行ファイル(Windows)", "Windows executable"},
    Term{"elf", "実行ファイル(Linux)", "Linux executable"},
    Term{"macho", "実行ファイル(macOS)", "macOS executable"},
    Term{"java", "Javaプログラム", "Java program"},
    Term{"apk", "Androidアプリ", "Android app"},
    Term{"script", "スクリプト", "Script"},
    Term{"lnk", "ショートカット", "Shortcut"},
    Term{"msi", "インストーラー", "Installer"},
    Term{"iso", "ディスクイメージ", "Disk image"},
    Term{"disk-image", "ディスクイメージ", "Disk image"},
    Term{"unknown", "不明な形式", "Unknown type"},
    // Parts the mail sanitizer holds without a type of the catalogue.
    Term{"uuencode", "uuencode形式の添付", "uuencoded file"},
    Term{"binhex", "BinHex形式の添付", "BinHex file"},
    Term{"pgp", "PGPで暗号化された部分", "PGP-encrypted part"},
};

constexpr std::array kItemStates{
    Term{"held", "隔離中", "Held"},
    Term{"release_requested", "解放依頼中", "Release requested"},
    Term{"released", "解放済み", "Released"},
    Term{"deleted", "削除済み", "Deleted"},
    Term{"expired", "保存期間満了", "Expired"},
};

constexpr std::array kRequestStates{
    Term{"pending", "承認待ち", "Pending"},
    Term{"approved", "承認済み", "Approved"},
    Term{"rejected", "却下", "Rejected"},
    Term{"cancelled", "取消(項目を削除)", "Cancelled (item deleted)"},
    Term{"expired", "保存期間満了", "Expired"},
};

constexpr std::array kReleaseKinds{
    Term{"resanitize", "現在のポリシーで再度無害化して解放", "Disarm again with the current policy"},
    Term{"pixels", "画像化(PDFをピクセルモード)で再度無害化して解放", "Disarm again, PDFs as images (pixel mode)"},
    Term{"ppap", "パスワード付きZIPを復号し、中身を無害化して解放", "Decrypt the password-protected zip, disarm its members"},
    Term{"original", "原本をそのまま解放(危険)", "The original as it is (dangerous)"},
};

constexpr std::array kRoles{
    Term{"officer", "担当者", "Officer"},
    Term{"approver", "承認者", "Approver"},
    Term{"auditor", "監査者", "Auditor"},
    Term{"admin", "管理者", "Administrator"},
    Term{"none", "役割なし", "No role"},
};

constexpr std::array kAuditActions{
    Term{"item.verdict", "ゲートウェイの判定", "Gateway verdict"},
    Term{"item.hold", "隔離", "Held"},
    Term{"item.import", "取り込み", "Imported"},
    Term{"item.list", "一覧の表示", "List viewed"},
    Term{"item.view", "詳細の表示", "Item viewed"},
    Term{"item.download", "原本のダウンロード", "Original downloaded"},
    Term{"item.delete", "削除", "Deleted"},
    Term{"item.purge", "保存期間満了による廃棄", "Disposed of (retention)"},
    Term{"release.request", "解放の依頼", "Release requested"},
    Term{"release.approve", "解放の承認", "Release approved"},
    Term{"release.deliver", "解放したものの配送", "Release delivered"},
    Term{"release.reject", "解放依頼の却下", "Release rejected"},
    Term{"login", "ログイン", "Signed in"},
    Term{"login.failed", "ログイン失敗", "Sign-in failed"},
    Term{"login.csrf", "ログイン(確認用トークン不一致)", "Sign-in form token wrong"},
    Term{"logout", "ログアウト", "Signed out"},
    Term{"session.expired", "セッションの期限切れ", "Session expired"},
    Term{"session.ended", "セッションの終了(認証情報・役割の変更)", "Session ended (credentials or role changed)"},
    Term{"http.csrf", "確認用トークン不一致", "Form token wrong"},
    Term{"http.too_large", "大きすぎる送信", "Form too large"},
    Term{"http.too_slow", "時間切れの送信", "Form too slow"},
    Term{"http.unauthenticated", "ログインしていない操作", "Request without a session"},
    Term{"http.error", "内部エラー", "Internal error"},
    Term{"http.suppressed", "匿名の拒否(まとめて記録)", "Anonymous refusals (summarised)"},
    Term{"audit.view", "監査ログの閲覧", "Audit log viewed"},
    Term{"disposal.view", "廃棄記録の閲覧", "Disposal register viewed"},
    Term{"user.add", "アカウントの追加", "Account added"},
    Term{"user.enrol", "本人による登録", "Enrolled by the person"},
    Term{"user.passwd", "パスワードの変更", "Password changed"},
    Term{"user.reset", "認証情報の再発行", "Credentials reset"},
    Term{"user.disable", "アカウントの無効化", "Account disabled"},
    Term{"user.enable", "アカウントの有効化", "Account enabled"},
    Term{"user.role", "役割の変更", "Role changed"},
    Term{"user.role_confirm", "役割付与の確認(二人目の管理者)", "Role grant confirmed"},
    Term{"user.role_cancel", "役割付与の取消", "Role grant withdrawn"},
    Term{"user.list", "アカウント一覧の表示", "Accounts listed"},
    // Written by versions before enrolment codes.
    Term{"user.totp_reset", "確認コードの再発行", "TOTP reset"},
};

constexpr std::array kAuditOutcomes{
    Term{"ok", "成功", "OK"},
    Term{"denied", "拒否", "Denied"},
    Term{"error", "エラー", "Error"},
};

constexpr std::array kDetailKeys{
    Term{"channel", "経路", "Channel"},
    Term{"reason", "理由", "Reason"},
    Term{"note", "コメント", "Note"},
    Term{"why", "内容", "Why"},
    Term{"request", "依頼番号", "Request"},
    Term{"requested_by", "依頼者", "Requested by"},
    Term{"kind", "解放方法", "Release kind"},
    Term{"released_to", "解放先", "Released to"},
    Term{"sha256", "SHA-256", "SHA-256"},
    Term{"size", "サイズ", "Size"},
    Term{"name", "ファイル名", "File name"},
    Term{"type", "種類", "Type"},
    Term{"section", "所属", "Section"},
    Term{"sender", "送信者", "Sender"},
    Term{"recipients", "宛先", "Recipients"},
    Term{"source", "受付経路", "Source"},
    Term{"user", "対象アカウント", "Account"},
    Term{"role", "役割", "Role"},
    Term{"count", "件数", "Count"},
    Term{"job", "受付番号", "Job"},
    Term{"verdict", "判定", "Verdict"},
    Term{"held_parts", "保留した部分", "Held parts"},
    Term{"released", "解放先", "Released"},
    Term{"rule", "規則", "Rule"},
    Term{"state", "状態", "State"},
    Term{"held_at", "隔離日時", "Held at"},
    Term{"from", "取り込み元", "From"},
    Term{"password", "パスワード", "Password"},
    Term{"four_eyes", "二者承認", "Four-eyes"},
    Term{"locked", "ロック", "Locked"},
    Term{"pending_role", "確認待ちの役割", "Role awaiting confirmation"},
    Term{"granted_by", "付与した管理者", "Granted by"},
    Term{"expires", "有効期限", "Expires"},
    Term{"step", "段階", "Step"},
    Term{"page", "ページ", "Page"},
    Term{"window_start", "集計開始", "Window start"},
    Term{"suppressed", "まとめた件数", "Summarised"},
    Term{"window_seconds", "集計期間(秒)", "Window (s)"},
    Term{"actions", "内訳", "Actions"},
};

template <class Table>
const auto* find(const Table& t, std::string_view code) {
    for (const auto& e : t)
        if (e.code == code) return &e;
    return static_cast<decltype(&t[0])>(nullptr);
}

template <class Table>
std::string_view label(const Table& t, std::string_view code, Lang lang) {
    const auto* e = find(t, code);
    if (!e) return code;
    return lang == Lang::ja ? e->ja : e->en;
}

}  // namespace

std::span<const Reason> reasons() { return kReasons; }

std::string_view reason_label(std::string_view code, Lang lang) {
    if (const auto* r = find(kReasons, code)) return lang == Lang::ja ? r->ja : r->en;
    if (code.starts_with("limit.")) return lang == Lang::ja ? "処理の上限超過" : "A limit";
    if (code.starts_with("blocked.")) return lang == Lang::ja ? "ポリシーで禁止" : "Blocked by policy";
    return code;
}

std::string_view reason_message_ja(std::string_view code) {
    if (const auto* r = find(kReasons, code)) return r->message_ja;
    if (code.starts_with("limit.")) return "処理の上限を超えたため、保留しました。";
    if (code.starts_with("blocked.")) return "ポリシーにより取り込みが禁止されています。";
    return "安全に無害化できなかったため、保留しました。";
}

std::span<const Term> file_types() { return kFileTypes; }
std::string_view file_type_label(std::string_view id, Lang lang) { return label(kFileTypes, id, lang); }
std::span<const Term> item_states() { return kItemStates; }
std::string_view item_state_label(std::string_view s, Lang lang) { return label(kItemStates, s, lang); }
std::span<const Term> request_states() { return kRequestStates; }
std::string_view request_state_label(std::string_view s, Lang lang) { return label(kRequestStates, s, lang); }
std::span<const Term> release_kinds() { return kReleaseKinds; }
std::string_view release_kind_label(std::string_view k, Lang lang) { return label(kReleaseKinds, k, lang); }
std::span<const Term> roles() { return kRoles; }
std::string_view role_label(std::string_view r, Lang lang) { return label(kRoles, r, lang); }
std::span<const Term> audit_actions() { return kAuditActions; }
std::string_view audit_action_label(std::string_view a, Lang lang) { return label(kAuditActions, a, lang); }
std::span<const Term> audit_outcomes() { return kAuditOutcomes; }
std::string_view audit_outcome_label(std::string_view o, Lang lang) { return label(kAuditOutcomes, o, lang); }
std::string_view audit_detail_label(std::string_view key, Lang lang) { return label(kDetailKeys, key, lang); }

}  // namespace mugaika::labels
