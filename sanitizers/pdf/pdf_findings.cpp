#include "pdf_findings.hpp"

#include <algorithm>

namespace mugaika::pdf {
namespace {

std::string n(int count) { return std::to_string(count); }

}  // namespace

void report_active_content(const ObjectReport& r, Context& ctx) {
    int scripts = 0;
    std::string places;
    for (const auto& [where, count] : r.javascript) {
        scripts += count;
        places += (places.empty() ? "" : ", ") + where + ": " + n(count);
    }
    if (scripts)
        ctx.add("pdf.javascript", Action::removed, n(scripts) + " JavaScript actions (" + places + ")",
                "PDFに含まれていたJavaScript(" + n(scripts) + "件)を取り除きました。");
    if (r.launch)
        ctx.add("pdf.launch", Action::removed, n(r.launch) + " Launch actions",
                "外部のプログラムやファイルを起動する動作(Launch)を取り除きました。");
    if (r.goto_remote || r.goto_embedded)
        ctx.add("pdf.goto_remote", Action::removed,
                n(r.goto_remote) + " GoToR and " + n(r.goto_embedded) + " GoToE actions",
                "別の文書や埋め込み文書を開く動作を取り除きました。");
    if (r.submit_form || r.import_data)
        ctx.add("pdf.submit_form", Action::removed,
                n(r.submit_form) + " SubmitForm and " + n(r.import_data) + " ImportData actions",
                "フォームの内容を外部へ送信する動作、または外部からデータを取り込む動作を取り除きました。");
    if (r.richmedia)
        ctx.add("pdf.richmedia", Action::removed, n(r.richmedia) + " RichMedia annotations or actions",
                "埋め込みのマルチメディア(Flashなど)を取り除きました。");
    if (r.additional_actions)
        ctx.add("pdf.additional_actions", Action::removed, n(r.additional_actions) + " /AA dictionaries",
                "ページを開いたときなどに自動で実行される動作を取り除きました。");
    if (r.open_action)
        ctx.add("pdf.open_action", Action::removed, "the document had an /OpenAction",
                "文書を開いたときに実行される動作の指定を取り除きました。");
    if (r.other_actions)
        ctx.add("pdf.other_actions", Action::removed,
                n(r.other_actions) + " other actions (Named, Movie, Sound, Hide, Rendition, ...)",
                "その他の動作(再生・表示切替など)を取り除きました。");
    if (r.xfa)
        ctx.add("pdf.xfa", Action::removed, "XFA form",
                "XFAフォーム(動的なフォーム)を取り除きました。");
    if (r.acroform)
        ctx.add("pdf.acroform", Action::converted, "AcroForm fields flattened into the page",
                "入力フォームは入力済みの見た目のまま通常の表示内容に変換しました。");
}

void report_links(const ObjectReport& r, bool https, int kept, int refused, Context& ctx) {
    if (https) {
        if (kept)
            ctx.add("pdf.uri", Action::noted, n(kept) + " http(s) links re-added as plain links",
                    "http(s)のリンク" + n(kept) + "件を通常のリンクとして残しました。");
        int removed = std::max(refused, r.uri - kept);
        if (removed > 0)
            ctx.add("pdf.uri", Action::removed, n(removed) + " URI actions that are not plain http(s) links",
                    "http(s)以外のリンク" + n(removed) + "件を取り除きました。");
    } else if (r.uri) {
        ctx.add("pdf.uri", Action::removed, n(r.uri) + " URI links",
                "リンク(" + n(r.uri) + "件)を取り除きました。");
    }
}

}  // namespace mugaika::pdf
