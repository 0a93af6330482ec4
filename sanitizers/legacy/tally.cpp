#include "tally.hpp"

#include <array>
#include <utility>

namespace mugaika::legacy {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 10> kJapanese{{
    {"legacy.vba", "マクロ(VBA)を削除しました。"},
    {"legacy.xlm", "Excel 4.0マクロ(XLMマクロシート、自動実行の名前)を、実行できない形にしました(マクロシートは通常のシートの値として残ります)。"},
    {"legacy.odf_script", "マクロ(LibreOffice Basic、スクリプト)を削除しました。"},
    {"legacy.event", "文書を開いたときなどに動くイベント設定を削除しました。"},
    {"legacy.ole", "埋め込みオブジェクト(OLE)を削除しました(プレビュー画像は残る場合があります)。"},
    {"legacy.activex", "ActiveXコントロールを削除しました。"},
    {"legacy.dde", "DDE(他のプログラムとの自動連携)を削除しました。"},
    {"legacy.external_link", "外部ファイルやURLへの自動参照(リンクされた画像・文書・ブック)を削除しました。"},
    {"legacy.objupdate", "開くと自動更新される埋め込みオブジェクトの指定(\\objupdate)を削除しました。"},
    {"legacy.template", "外部テンプレートへの参照を削除しました。"},
}};

std::string_view japanese(const std::string& kind) {
    for (const auto& [k, ja] : kJapanese)
        if (k == kind) return ja;
    return "安全でない要素を削除しました。";
}

// Names from the file (CFB storages, field codes) as something a JSON report can hold: printable
// ASCII only, at most 80 bytes.
std::string printable(std::string_view s) {
    std::string out;
    for (char c : s.substr(0, 80)) {
        auto u = static_cast<unsigned char>(c);
        out.push_back(u >= 0x20 && u < 0x7F ? c : '?');
    }
    return out;
}

}  // namespace

void Tally::add(const std::string& kind, const std::string& what, std::size_t n) {
    auto& e = entries_[kind];
    e.count += n;
    if (e.example.empty()) e.example = printable(what);
}

std::size_t Tally::count(const std::string& kind) const {
    auto it = entries_.find(kind);
    return it == entries_.end() ? 0 : it->second.count;
}

void Tally::report(Context& ctx) const {
    for (const auto& [kind, e] : entries_) {
        std::string detail = std::to_string(e.count) + "x before conversion";
        if (!e.example.empty()) detail += " (e.g. " + e.example + ")";
        detail += kind == "legacy.xlm"
                      ? "; macro sheets arrive as plain worksheets, their Auto_ names and program-calling formulas are "
                        "removed by the OOXML rebuild, so nothing of them can run"
                      : "; not carried into the rebuilt document";
        ctx.add(kind, Action::removed, detail, std::string(japanese(kind)));
    }
}

}  // namespace mugaika::legacy
