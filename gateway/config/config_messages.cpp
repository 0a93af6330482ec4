#include "config_messages.hpp"

#include <regex>
#include <vector>

namespace mugaika {
namespace {

struct Shape {
    std::regex english;
    const char* japanese;   // $1, $2, ... from the English
};

const std::vector<Shape>& shapes() {
    static const std::vector<Shape> all = [] {
        std::vector<std::pair<const char*, const char*>> table{
            {R"re(unknown key '(.+)' in \[(.+?)\] \(known: (.+)\))re", "[$2] に「$1」という項目はありません (使える項目: $3)"},
            {R"re(unknown key '(.+)' in \[(.+?)\])re", "[$2] に「$1」という項目はありません"},
            {R"re(unknown table \[(.+?)\] \(known: (.+)\))re", "[$1] という表はありません (使える表: $2)"},
            {R"re(unknown option '(.+)' in \[sanitizer\.(.+?)\].*)re", "[sanitizer.$2] に「$1」という項目はありません"},
            {R"re(unknown sanitizer \[sanitizer\.(.+?)\].*)re", "[sanitizer.$1] という無害化処理はありません"},
            {R"re(unknown file type '(.+?)' in \[types\].*)re", "[types] に形式「$1」はありません"},
            {R"re(unknown release kind '(.+)' \(known: (.+)\))re", "解放方法「$1」はありません (使えるもの: $2)"},
            {R"re((.+) must be a table)re", "$1 は表でなければなりません"},
            {R"re((.+) must be a non-empty path string)re", "$1 にはパスを空でない文字列で指定してください"},
            {R"re((.+) must be a non-empty string)re", "$1 には空でない文字列を指定してください"},
            {R"re((.+) must be a positive integer)re", "$1 には正の整数を指定してください"},
            {R"re((.+) must be an integer >= 0)re", "$1 には0以上の整数を指定してください"},
            {R"re((.+) must be an integer from (-?\d+) to (\d+))re", "$1 には$2から$3までの整数を指定してください"},
            {R"re((.+) must be an integer or a size string such as "100MiB")re", "$1 には整数か \"100MiB\" のような大きさを指定してください"},
            {R"re((.+) must be at most (\d+))re", "$1 は$2以下にしてください"},
            {R"re((.+) must be at least (\d+) \(LibreOffice does not start in less\))re", "$1 は$2以上にしてください (これより少ないと LibreOffice が起動しません)"},
            {R"re((.+) must be at least (\d+)(.*))re", "$1 は$2以上にしてください$3"},
            {R"re((.+) must be positive)re", "$1 には正の値を指定してください"},
            {R"re((.+) must be true or false)re", "$1 には true か false を指定してください"},
            {R"re((.+) must be a list of strings)re", "$1 には文字列のリストを指定してください"},
            {R"re((.+) must be an array of strings)re", "$1 には文字列のリストを指定してください"},
            {R"re((.+) must be a size such as "50MiB" or a number of bytes)re", "$1 には \"50MiB\" のような大きさかバイト数を指定してください"},
            {R"re((.+): '(.*)' is not a size \(use B, KiB, MiB or GiB\))re", "$1: 「$2」は大きさではありません (B, KiB, MiB, GiB を使ってください)"},
            {R"re((.+) = "(.*)": expected a size such as .*)re", "$1 = 「$2」は大きさではありません (100MiB, 1GiB, 512KiB のように指定してください)"},
            {R"re((.+) must be between (\S+) and (\S+))re", "$1 は$2から$3の間で指定してください"},
            {R"re((.+) must be one of (.+))re", "$1 には次のいずれかを指定してください: $2"},
            {R"re((.+) must not exceed (.+))re", "$1 は $2 を超えてはいけません"},
            {R"re((.+) must be (".+))re", "$1 には次のいずれかを指定してください: $2"},
            {R"re(type 'unknown' can only be blocked.*)re", "形式 unknown には block だけが指定できます (判別できないものは通さないため)"},
            {R"re(no converter exists for type '(.+)')re", "形式「$1」の変換処理はありません"},
            {R"re(section '(.+)' is listed twice)re", "区分「$1」が二度書かれています"},
            {R"re(section '(.+)' is not a plain folder name)re", "区分「$1」はフォルダ名として使えません (区切り文字、先頭の点、制御文字は使えません)"},
            {R"re(db must start with sqlite: or postgresql:)re", "db は sqlite: か postgresql: で始めてください"},
            {R"re(\[officer_ui\] tls_cert and tls_key must be given together)re", "[officer_ui] の tls_cert と tls_key は両方とも指定してください"},
            {R"re(cannot read the configuration file)re", "設定ファイルを読めません"},
        };
        std::vector<Shape> v;
        for (const auto& [en, ja] : table) v.push_back({std::regex(en), ja});
        return v;
    }();
    return all;
}

bool has_non_ascii(std::string_view s) {
    for (unsigned char c : s)
        if (c >= 0x80) return true;
    return false;
}

}  // namespace

std::string config_message_ja(std::string_view message) {
    // std::regex matches recursively, a level per character: a message is only matched while it is
    // short (ours are; one that quotes a very long line of the file gets the plain Japanese frame).
    if (message.size() > 2000) return "設定ファイルの誤りです";
    static const std::regex located(R"(^(.*?:\d+: |[^:]+: )?([\s\S]*)$)");
    std::string text(message);
    std::smatch m;
    if (!std::regex_match(text, m, located)) return {};
    const std::string where = m[1].str(), what = m[2].str();
    if (has_non_ascii(what)) return {};
    for (const auto& shape : shapes()) {
        std::smatch k;
        if (std::regex_match(what, k, shape.english)) return where + k.format(shape.japanese);
    }
    return where + "設定ファイルの誤りです";
}

}  // namespace mugaika
