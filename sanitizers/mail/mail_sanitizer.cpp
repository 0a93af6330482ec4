#include "mail_sanitizer.hpp"
#include "mugaika/utf8_prefix.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

#include "../text/charset.hpp"
#include "header_encode.hpp"
#include "header_text.hpp"
#include "html_text.hpp"
#include "message_writer.hpp"
#include "mime_tree.hpp"
#include "mime_walk.hpp"
#include "mugaika/file_type.hpp"
#include "mugaika/names.hpp"
#include "mugaika/reasons.hpp"
#include "mugaika/report.hpp"
#include "notice.hpp"

namespace mugaika {
namespace {

using namespace mail;

struct Options {
    LinkMode links = LinkMode::defang;
    bool sanitize_attachments = true;
    OutCharset charset = OutCharset::utf8;
    std::uint64_t max_message_bytes = 0;
    TreeLimits tree;
};

std::uint64_t number(const Context& ctx, std::string_view key) { return std::stoull(ctx.option(key)); }

Options read_options(const Context& ctx) {
    Options o;
    const auto& links = ctx.option("links");
    o.links = links == "plain" ? LinkMode::plain : links == "drop" ? LinkMode::drop : LinkMode::defang;
    o.sanitize_attachments = ctx.option("attachments") == "sanitize";
    o.charset = ctx.option("output_charset") == "iso-2022-jp" ? OutCharset::iso2022jp : OutCharset::utf8;
    o.max_message_bytes = number(ctx, "max_message_bytes");
    o.tree.max_headers = number(ctx, "max_headers");
    o.tree.max_header_bytes = number(ctx, "max_header_bytes");
    o.tree.max_depth = static_cast<int>(std::min<std::uint64_t>(number(ctx, "max_mime_depth"), 1000));
    o.tree.max_parts = number(ctx, "max_parts");
    return o;
}

// Message-ID, In-Reply-To, References: only well-formed <id> tokens survive.
std::string msg_ids(std::string_view unfolded, std::size_t max_ids) {
    std::string out;
    std::size_t n = 0;
    for (std::size_t p = unfolded.find('<'); p != std::string_view::npos && n < max_ids; p = unfolded.find('<', p + 1)) {
        auto e = unfolded.find('>', p);
        if (e == std::string_view::npos) break;
        std::string_view id = unfolded.substr(p, e - p + 1);
        if (id.size() < 3 || id.size() > 250 || !is_printable_ascii(id) || id.find_first_of(" \t<", 1) != std::string_view::npos)
            continue;
        out += (out.empty() ? "" : " ") + std::string(id);
        ++n;
    }
    return out;
}

// Unique enough for a boundary without a clock or random source (the writer also checks it against
// the content): the size and an FNV-1a hash of the first and last 4 KiB.
std::string boundary_seed(std::string_view bytes) {
    std::uint64_t h = 1469598103934665603ull ^ bytes.size();
    auto mix = [&](std::string_view part) {
        for (unsigned char c : part) h = (h ^ c) * 1099511628211ull;
    };
    mix(bytes.substr(0, 4096));
    if (bytes.size() > 4096) mix(bytes.substr(bytes.size() - std::min<std::size_t>(4096, bytes.size() - 4096)));
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

class MailSanitizer final : public Sanitizer {
public:
    std::string_view name() const override { return "mail"; }
    std::vector<std::string> types() const override { return {"eml"}; }
    TypeAction action() const override { return TypeAction::reconstruct; }
    std::vector<OptionSpec> options() const override {
        return {
            {"links", "defang", {"defang", "plain", "drop"}, "how link targets are shown in the text"},
            {"attachments", "sanitize", {"sanitize", "remove"}, "disarm attachments through the engine, or remove them"},
            {"output_charset", "utf-8", {"utf-8", "iso-2022-jp"}, "charset of the safe message's text"},
            {"max_message_bytes", "104857600", {}, "largest message accepted"},
            {"max_headers", "1000", {}, "most header fields in one header block"},
            {"max_header_bytes", "65536", {}, "longest header value"},
            {"max_mime_depth", "20", {}, "deepest MIME nesting"},
            {"max_parts", "1000", {}, "most MIME parts in one message"},
        };
    }

    std::vector<Output> sanitize(const Input& in, Context& ctx) const override {
        Options opt = read_options(ctx);
        if (in.bytes.size() > opt.max_message_bytes)
            throw SanitizeError(reason::limit_size, "message of " + std::to_string(in.bytes.size()) + " bytes exceeds " +
                                                        std::to_string(opt.max_message_bytes));
        ParsedMail pm = parse_mail(in.bytes, opt.tree);
        describe(pm, ctx);
        for (const auto& w : pm.warnings) {
            WarningText t = describe_warning(w.code);
            if (t.kind == "nesting_overflow") throw SanitizeError(reason::limit_depth, "GMime: MIME nesting overflow");
            ctx.add("mail.parser." + t.kind, Action::noted,
                    "GMime warning at offset " + std::to_string(w.offset) + (w.item.empty() ? "" : ": " + w.item), t.ja);
        }
        ctx.check_time();

        WalkOptions wopt;
        wopt.links = opt.links;
        wopt.sanitize_attachments = opt.sanitize_attachments;
        WalkResult walk = walk_mime(pm.root, ctx, wopt);

        SafeMessage msg;
        std::size_t dropped_headers = headers(pm, msg, ctx);

        std::string body;
        for (auto& b : walk.bodies) {
            // Each piece ends in exactly one line end; pieces are separated by an empty line.
            while (!b.empty() && (b.back() == '\n' || b.back() == '\r' || b.back() == ' ')) b.pop_back();
            if (b.empty()) continue;
            if (!body.empty()) body += "\n";
            body += b;
            body += "\n";
        }
        std::size_t text_urls = opt.links == LinkMode::defang ? defang_text_urls(body) : 0;
        findings(walk, text_urls, opt, ctx);
        ledger_finding(walk.ledger, ctx);

        walk.facts.links_defanged = opt.links == LinkMode::defang && (walk.html_totals.links + text_urls) > 0;
        walk.facts.links_dropped = opt.links == LinkMode::drop && walk.facts.html_converted;
        walk.facts.content_removed = walk.html_totals.scripts + walk.html_totals.forms + walk.html_totals.hidden +
                                         walk.html_totals.tracking + walk.html_totals.embedded_images + walk.inline_removed > 0;
        msg.body = notice_text(walk.facts) + body;
        if (!msg.body.ends_with("\n")) msg.body += "\n";
        msg.attachments = std::move(walk.attachments);
        msg.summary = summary(walk, opt, dropped_headers);

        bool iso = false;
        std::string out = write_message(msg, opt.charset, boundary_seed(in.bytes), iso);
        if (opt.charset == OutCharset::iso2022jp && !iso)
            ctx.add("mail.charset.output", Action::converted, "body has characters without ISO-2022-JP form; written as UTF-8",
                    "ISO-2022-JPで表せない文字があったため、本文をUTF-8で出力しました。");
        return {Output{"", "eml", std::move(out)}};
    }

private:
    // The subject and sender the officer recognises the mail by, read before anything can fail, so a
    // held mail shows them too. Decoded like the safe mail's headers; bounded.
    static void describe(const ParsedMail& pm, Context& ctx) {
        About a;
        if (const RawHeader* h = find_header(pm.headers, "Subject")) {
            TextFlags f;
            a.subject = std::string(utf8_prefix(decode_text(h->value, f), 500));
            a.subject.erase(0, std::min(a.subject.find_first_not_of(' '), a.subject.size()));
        }
        if (const RawHeader* h = find_header(pm.headers, "From")) {
            AddressParse p = parse_addresses(unfold(h->value));
            if (!p.list.empty()) {
                const Address& f = p.list.front();
                a.from = std::string(utf8_prefix(f.display.empty() ? f.addr : f.display + " <" + f.addr + ">", 500));
            }
        }
        ctx.about() = std::move(a);
    }

    static std::size_t headers(const ParsedMail& pm, SafeMessage& msg, Context& ctx) {
        static const std::array<std::string_view, 9> kAllowed{"From", "To", "Cc", "Reply-To", "Subject", "Date",
                                                              "Message-ID", "In-Reply-To", "References"};
        std::size_t allowed_seen = 0;
        for (auto name : kAllowed) {
            const RawHeader* h = find_header(pm.headers, name);
            if (!h) continue;
            allowed_seen += count_headers(pm.headers, name);
            std::string v = unfold(h->value);
            SafeHeader out;
            out.name = std::string(name);
            if (name == "From" || name == "To" || name == "Cc" || name == "Reply-To") {
                AddressParse a = parse_addresses(v);
                TextFlags f;
                f.unlabelled_8bit = a.unlabelled_8bit;
                f.damaged = a.damaged;
                f.guessed_charset = "";
                note_text_flags(ctx, f, "header:" + out.name, out.name + "欄");
                if (a.dropped)
                    ctx.add("mail.address", Action::removed, std::to_string(a.dropped) + " unusable addresses in " + out.name,
                            out.name + "欄の読み取れないアドレスを取り除きました。");
                out.kind = SafeHeader::Kind::addresses;
                out.addresses = std::move(a.list);
                if (out.addresses.empty()) continue;
            } else if (name == "Subject") {
                TextFlags f;
                out.text = decode_text(h->value, f);
                out.text.erase(0, std::min(out.text.find_first_not_of(' '), out.text.size()));
                while (!out.text.empty() && out.text.back() == ' ') out.text.pop_back();
                note_text_flags(ctx, f, "header:Subject", "件名");
            } else if (name == "Date") {
                std::string d = v;
                while (!d.empty() && (d.front() == ' ' || d.front() == '\t')) d.erase(0, 1);
                if (!is_printable_ascii(d) || d.size() > 200 || d.empty()) continue;
                out.kind = SafeHeader::Kind::verbatim;
                out.text = d;
            } else {
                out.kind = SafeHeader::Kind::verbatim;
                out.text = msg_ids(v, name == "References" ? 100 : 1);
                if (out.text.empty()) continue;
            }
            msg.headers.push_back(std::move(out));
        }
        std::size_t dropped = pm.headers.size() - std::min(pm.headers.size(), allowed_seen);
        if (dropped)
            ctx.add("mail.headers", Action::removed, std::to_string(dropped) + " header fields outside the allowlist dropped",
                    "配送経路などのヘッダーを取り除きました。");
        return dropped;
    }

    static void findings(const WalkResult& w, std::size_t text_urls, const Options& opt, Context& ctx) {
        const HtmlText& h = w.html_totals;
        if (w.html_parts)
            ctx.add("mail.html", Action::converted, std::to_string(w.html_parts) + " HTML parts converted to text",
                    "HTML形式の本文をテキストに変換しました。", "body");
        if (h.scripts)
            ctx.add("mail.html.script", Action::removed, std::to_string(h.scripts) + " script/style/embedded elements",
                    "HTML中のスクリプトや埋め込みコンテンツを取り除きました。", "body");
        if (h.forms)
            ctx.add("mail.html.form", Action::removed, std::to_string(h.forms) + " form elements",
                    "HTML中の入力フォームを取り除きました。", "body");
        if (h.hidden)
            ctx.add("mail.html.hidden", Action::removed, std::to_string(h.hidden) + " hidden elements",
                    "HTML中の見えない文字(隠しテキスト)を取り除きました。", "body");
        if (h.tracking)
            ctx.add("mail.html.tracking", Action::removed, std::to_string(h.tracking) + " tracking or remote images",
                    "開封確認などに使われる外部画像を取り除きました。", "body");
        if (h.dangerous_links)
            ctx.add("mail.link.script", Action::removed, std::to_string(h.dangerous_links) + " javascript:/data: links",
                    "スクリプトを実行するリンクを無効にしました。", "body");
        if (h.links + text_urls)
            ctx.add("mail.link", opt.links == LinkMode::plain ? Action::noted : Action::converted,
                    std::to_string(h.links + text_urls) + " link targets shown (" +
                        (opt.links == LinkMode::defang ? "defanged" : opt.links == LinkMode::plain ? "plain" : "dropped") + ")",
                    opt.links == LinkMode::defang ? "リンクのURLを、誤ってアクセスしない形に変えて表示しました。"
                                                   : "リンクのURLを本文に表示しました。",
                    "body");
        if (w.inline_removed + h.embedded_images)
            ctx.add("mail.inline", Action::removed,
                    std::to_string(w.inline_removed) + " inline (cid:) resources and " + std::to_string(h.embedded_images) +
                        " data: images of the HTML body dropped",
                    "本文に埋め込まれた画像を取り除きました。", "body");
    }

    // The ledger for the officer and for tests: how many parts, where each one went.
    static void ledger_finding(const Ledger& l, Context& ctx) {
        std::string detail = l.summary();
        std::size_t listed = 0;
        for (const auto* list : {&l.leaves, &l.embedded})
            for (const auto& e : *list) {
                if (++listed > 200) break;
                detail += listed == 1 ? " | " : "; ";
                std::string name = valid_utf8(e.name);
                for (char& c : name)
                    if (c == ';' || c == '|' || c == '"' || static_cast<unsigned char>(c) < 0x20) c = ' ';
                detail += e.part + " " + e.type + (name.empty() ? "" : " \"" + name + "\"") + ": " +
                          std::string(to_string(e.fate)) + " (" + e.how + ")";
            }
        auto n = [&](Fate f) { return std::to_string(l.count(f)); };
        ctx.add("mail.parts", Action::noted, detail,
                "メールの" + std::to_string(l.leaves.size() + l.embedded.size()) + "個の部分をすべて確認しました(本文" + n(Fate::text) +
                    "、添付" + n(Fate::released) + "、保留" + n(Fate::held) + "、方針により削除" + n(Fate::removed) + ")。");
    }

    static std::string summary(const WalkResult& w, const Options& opt, std::size_t dropped_headers) {
        std::string body = w.html_parts ? "html-to-text" : w.text_parts ? "text" : "none";
        std::string s = "mugaika; body=" + body;
        s += "; links=" + std::string(opt.links == LinkMode::defang ? "defang" : opt.links == LinkMode::plain ? "plain" : "drop");
        s += "; headers-removed=" + std::to_string(dropped_headers);
        // Attachments: leaves that are files, and files cut out of text (always held).
        const Ledger& l = w.ledger;
        std::size_t released = 0, held = 0, removed = 0;
        for (const auto& e : l.leaves) {
            if (e.fate == Fate::released) ++released;
            if (e.fate == Fate::held) ++held;
            if (e.fate == Fate::removed && e.how.starts_with("attachment[")) ++removed;
        }
        for (const auto& e : l.embedded)
            if (e.fate == Fate::held) ++held;
        s += "; attachments=" + std::to_string(released) + " released, " + std::to_string(held) + " held, " +
             std::to_string(removed) + " removed";
        auto leaves = [&](Fate f) {
            return std::to_string(std::count_if(l.leaves.begin(), l.leaves.end(), [&](const LedgerEntry& e) { return e.fate == f; }));
        };
        s += "; parts=" + std::to_string(l.leaves.size()) + " (" + leaves(Fate::text) + " text, " + leaves(Fate::released) +
             " released, " + leaves(Fate::held) + " held, " + leaves(Fate::removed) + " removed" +
             (l.embedded.empty() ? "" : "; " + std::to_string(l.embedded.size()) + " cut from text") + ")";
        return s;
    }
};

}  // namespace

std::shared_ptr<const Sanitizer> make_mail_sanitizer() { return std::make_shared<MailSanitizer>(); }

}  // namespace mugaika
