#include "mugaika/reasons.hpp"

#include <array>
#include <utility>

namespace mugaika::reason {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 25> kExplanations{{
    {unsupported, "この形式のファイルはまだ無害化に対応していないため、保留しました。"},
    {blocked_type, "この形式のファイルはポリシーにより取り込みが禁止されています。"},
    {blocked_name, "ファイル名に危険な拡張子または偽装が含まれているため、保留しました。"},
    {blocked_mismatch, "ファイルの拡張子と実際の形式が一致しないため、保留しました。"},
    {malformed, "ファイルの構造が壊れているか不正なため、安全に処理できませんでした。"},
    {encrypted, "暗号化(パスワード保護)されているため、中身を検査できませんでした。パスワード付きZIP(PPAP)は、セキュリティ担当者がパスワードを入力すると無害化できます。"},
    {charset, "文字コードを正しく判定できないため、テキストとして安全に処理できませんでした。"},
    {limit_size, "ファイルサイズが上限を超えたため、保留しました。"},
    {limit_depth, "入れ子(書庫や添付の階層)が深すぎるため、保留しました。"},
    {limit_expanded, "展開後のサイズが上限を超えたため、保留しました(圧縮爆弾の疑い)。"},
    {limit_members, "含まれるファイルの数が上限を超えたため、保留しました。"},
    {limit_ratio, "圧縮率が異常に高いため、保留しました(圧縮爆弾の疑い)。"},
    {limit_time, "処理時間が上限を超えたため、保留しました。"},
    {limit_memory, "処理に必要なメモリが上限を超えたため、保留しました。"},
    {limit_pages, "ページ数が上限を超えたため、保留しました。"},
    {limit_pixels, "画像やページの大きさが上限を超えたため、保留しました。"},
    {limit_operations, "描画に必要な処理の量が上限を超えたため、保留しました(処理を長時間占有させる細工の疑い)。"},
    {child_held, "含まれるファイルの一部を無害化できなかったため、全体を保留しました。"},
    {malware, "マルウェアが検出されたため、保留しました。"},
    {scan_failed, "マルウェア検査を完了できなかったため、保留しました。"},
    {worker_crash, "処理中に解析プロセスが異常終了したため、保留しました。"},
    {internal, "ゲートウェイ内部のエラーにより処理を完了できなかったため、安全のため保留しました。"},
    {"name.dangerous", "危険なファイル名のため、保留しました。"},
    {"archive.ambiguous", "書庫や圧縮ファイルの構造があいまい(同じ名前の重複、終端の後ろに隠れたデータ、複数の圧縮ストリーム、ヘッダーの食い違いなど)で、展開する製品によって中身が変わるおそれがあるため、保留しました。"},
    {"zip.ambiguous", "ZIPの構造があいまい(重複した名前、前後に隠れたデータ、ヘッダーの不一致など)で、読む製品によって中身が変わるおそれがあるため、保留しました。"},
}};

}  // namespace

std::string_view explain_ja(std::string_view code) {
    for (const auto& [c, text] : kExplanations)
        if (c == code) return text;
    if (code.starts_with("limit.")) return "処理の上限を超えたため、保留しました。";
    if (code.starts_with("blocked.")) return "ポリシーにより取り込みが禁止されています。";
    return "安全に無害化できなかったため、保留しました。";
}

}  // namespace mugaika::reason
