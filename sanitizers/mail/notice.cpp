#include "notice.hpp"

namespace mugaika::mail {

std::string notice_text(const NoticeFacts& f) {
    const std::string rule = "━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━\n";
    std::string s = rule + "【無害化のお知らせ】\n";
    s += "このメールはインターネットから届いたため、本文のテキストだけを取り出して無害化しました。\n";
    if (f.html_converted) s += "HTML形式の本文はテキストに変換しました。";
    if (f.content_removed) s += "スクリプトや隠し文字、追跡用の画像などは取り除いています。";
    if (f.html_converted || f.content_removed) s += "\n";
    if (f.links_defanged)
        s += "URLは誤ってアクセスしないよう「hxxps://example[.]jp」の形に変えて表示しています。\n";
    if (f.links_dropped) s += "リンク先のURLは表示していません。\n";
    if (!f.items.empty()) {
        s += "添付ファイル:\n";
        bool any_held = false;
        for (const auto& item : f.items) {
            s += "・" + (item.name.empty() ? std::string("(名前なし)") : item.name) + " … " + item.outcome + "\n";
            any_held = any_held || item.held;
        }
        if (any_held) s += "保留した添付ファイルが必要な場合は、システム管理者にお問い合わせください。\n";
    }
    return s + rule + "\n";
}

}  // namespace mugaika::mail
