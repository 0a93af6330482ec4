// The officer UI's words. Japanese is the default; English is for staff who prefer it.
#include <unordered_map>

#include "web_internal.hpp"

namespace mugaika::quarantine::web {
namespace {

struct Words {
    const char* ja;
    const char* en;
};

const std::unordered_map<std::string_view, Words>& table() {
    static const std::unordered_map<std::string_view, Words> t{
        {"app", {"無害化ゲートウェイ 隔離管理", "Sanitization gateway: quarantine"}},
        {"login", {"ログイン", "Sign in"}},
        {"logout", {"ログアウト", "Sign out"}},
        {"user", {"ユーザー名", "User name"}},
        {"password", {"パスワード", "Password"}},
        {"totp", {"確認コード(認証アプリの6桁)", "Code from the authenticator app (6 digits)"}},
        {"items", {"隔離一覧", "Held items"}},
        {"audit", {"監査ログ", "Audit log"}},
        {"users", {"アカウント管理", "Accounts"}},
        {"filter", {"絞り込み", "Filter"}},
        {"from", {"開始日", "From"}},
        {"to", {"終了日", "To"}},
        {"section", {"所属", "Section"}},
        {"party", {"送信者・宛先", "Sender or recipient"}},
        {"type", {"種類", "Type"}},
        {"reason", {"理由", "Reason"}},
        {"state", {"状態", "State"}},
        {"all", {"すべて", "All"}},
        {"held_at", {"隔離日時", "Held at"}},
        {"name", {"ファイル名", "File name"}},
        {"sender", {"送信者", "Sender"}},
        {"recipients", {"宛先", "Recipients"}},
        {"size", {"サイズ", "Size"}},
        {"no_items", {"該当する項目はありません。", "No items match."}},
        {"detail", {"詳細", "Details"}},
        {"summary", {"概要", "Summary"}},
        {"findings", {"検出内容", "Findings"}},
        {"where", {"場所", "Where"}},
        {"action", {"処置", "Action"}},
        {"requests", {"解放依頼の履歴", "Release requests"}},
        {"requested_by", {"依頼者", "Requested by"}},
        {"decided_by", {"判断者", "Decided by"}},
        {"note", {"コメント", "Note"}},
        {"request_release", {"解放を依頼する", "Request release"}},
        {"request_hint",
         {"解放方法と理由を選んでください。別の承認者が承認すると、選んだ方法で宛先(課の受け取りフォルダまたはメールの宛先)に届けられます。",
          "Choose how to release it and give a reason. Once another person approves, it is delivered that way to its "
          "destination (the section's drop folder or the mail's recipients)."}},
        {"release_kind", {"解放方法", "Release kind"}},
        {"zip_password", {"ZIPのパスワード(パスワード付きZIPのときだけ)", "Zip password (password-protected zip only)"}},
        {"approve", {"承認して解放する", "Approve and release"}},
        {"reject", {"却下する", "Reject"}},
        {"delete", {"削除する", "Delete"}},
        {"delete_hint", {"削除すると原本は復元できません。理由が必要です。", "Deletion cannot be undone. A reason is required."}},
        {"download", {"原本をダウンロード", "Download the original"}},
        {"download_hint",
         {"原本は危険な内容を含む可能性があります。理由を記録します。",
          "The original may be dangerous. The reason is recorded."}},
        {"reason_input", {"理由", "Reason"}},
        {"back", {"一覧へ戻る", "Back to the list"}},
        {"pending_by", {"解放依頼中(依頼者: ", "Release requested (by "}},
        {"verify_ok", {"ハッシュチェーンは正常です(改ざんは検出されませんでした)。", "The hash chain is intact (no tampering found)."}},
        {"verify_bad", {"改ざんまたは破損を検出しました:", "Tampering or damage found:"}},
        {"disposals", {"廃棄記録", "Disposal register"}},
        {"time", {"日時", "Time"}},
        {"actor", {"実行者", "Actor"}},
        {"outcome", {"結果", "Outcome"}},
        {"item", {"項目", "Item"}},
        {"kind", {"種別", "Kind"}},
        {"rule", {"規則", "Rule"}},
        {"add_user", {"アカウントを追加", "Add an account"}},
        {"role", {"役割", "Role"}},
        {"status", {"状態", "Status"}},
        {"disable", {"無効にする", "Disable"}},
        {"enable", {"有効にする", "Enable"}},
        {"totp_reset", {"確認コードを再発行", "Reset TOTP"}},
        {"active", {"有効", "Active"}},
        {"disabled", {"無効", "Disabled"}},
        {"locked", {"ロック中", "Locked"}},
        {"secret_once",
         {"この秘密鍵を認証アプリに登録してください。再表示はできません。",
          "Add this secret to the authenticator app now. It will not be shown again."}},
        {"lang_switch", {"English", "日本語"}},
        {"session_expired", {"一定時間操作がなかったため、ログアウトしました。再度ログインしてください。",
                             "You were signed out after a period of inactivity. Please sign in again."}},
        {"csrf_missing", {"不正なリクエストです(確認用トークンがないか、一致しません)。画面を開き直して操作してください。",
                          "Invalid request (missing or wrong form token). Reload the page and try again."}},
        {"too_large", {"送信された内容が大きすぎます。", "The submitted form is too large."}},
        {"not_found", {"ページが見つかりません。", "Page not found."}},
        {"need_login", {"ログインしてください。", "Please sign in."}},
        {"done_request", {"解放を依頼しました。別の承認者の承認を待っています。", "Release requested; waiting for another person's approval."}},
        {"done_release", {"承認し、解放しました。", "Approved and released."}},
        {"done_reject", {"解放依頼を却下しました。", "Request rejected."}},
        {"done_delete", {"削除しました。廃棄を記録しました。", "Deleted; the disposal was recorded."}},
        {"done_user", {"アカウントを更新しました。", "Account updated."}},
        {"signed_in_as", {"ログイン中: ", "Signed in as "}},
        {"disposed", {"(廃棄済み: 原本は残っていません)", "(disposed of: the original is gone)"}},
    };
    return t;
}

}  // namespace

std::string tr(Lang lang, std::string_view key) {
    auto it = table().find(key);
    if (it == table().end()) return std::string(key);
    return lang == Lang::ja ? it->second.ja : it->second.en;
}

std::string state_label(Lang lang, const std::string& s) {
    bool ja = lang == Lang::ja;
    if (s == state::held) return ja ? "隔離中" : "Held";
    if (s == state::release_requested) return ja ? "解放依頼中" : "Release requested";
    if (s == state::released) return ja ? "解放済み" : "Released";
    if (s == state::deleted) return ja ? "削除済み" : "Deleted";
    if (s == state::expired) return ja ? "保存期間満了" : "Expired";
    return s;
}

std::string request_state_label(Lang lang, const std::string& s) {
    bool ja = lang == Lang::ja;
    if (s == "pending") return ja ? "承認待ち" : "Pending";
    if (s == "approved") return ja ? "承認済み" : "Approved";
    if (s == "rejected") return ja ? "却下" : "Rejected";
    if (s == "cancelled") return ja ? "取消(項目を削除)" : "Cancelled (item deleted)";
    if (s == "expired") return ja ? "保存期間満了" : "Expired";
    return s;
}

std::string release_kind_label(Lang lang, const std::string& k) {
    bool ja = lang == Lang::ja;
    if (k == release_kind::resanitize) return ja ? "現在のポリシーで再度無害化して解放" : "Disarm again with the current policy";
    if (k == release_kind::pixels) return ja ? "画像化(PDFをピクセルモード)で再度無害化して解放" : "Disarm again, PDFs as images (pixel mode)";
    if (k == release_kind::ppap) return ja ? "パスワード付きZIPを復号し、中身を無害化して解放" : "Decrypt the password-protected zip, disarm its members";
    if (k == release_kind::original) return ja ? "原本をそのまま解放(危険)" : "The original as it is (dangerous)";
    return k;
}

std::string role_label(Lang lang, Role r) {
    bool ja = lang == Lang::ja;
    switch (r) {
        case Role::officer: return ja ? "担当者" : "Officer";
        case Role::approver: return ja ? "承認者" : "Approver";
        case Role::auditor: return ja ? "監査者" : "Auditor";
        case Role::admin: return ja ? "管理者" : "Administrator";
    }
    return "";
}

}  // namespace mugaika::quarantine::web
