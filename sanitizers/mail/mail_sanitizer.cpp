#include "mail_sanitizer.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

#include "../detect/probes.hpp"
#include "../text/charset.hpp"
#include "../text/text_filter.hpp"
#include "embedded_blocks.hpp"
#include "header_encode.hpp"
#include "header_text.hpp"
#include "html_text.hpp"
#include "message_writer.hpp"
#include "mime_tree.hpp"
#include "mugaika/file_type.hpp"
#include "mugaika/reasons.hpp"
#include "mugaika/report.hpp"
#include "notice.hpp"
#include "part_info.hpp"

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

std::string charset_ja(const std::string& cs) { return cs.empty() ? "推定した文字コード" : cs; }

// The text of a body: leading BOM and control characters removed. Line ends may still be CRLF or
// bare CR; the writer makes every one CRLF.
std::string clean_text(std::string s) {
    if (s.starts_with("\xEF\xBB\xBF")) s.erase(0, 3);
    // Most text has no control characters at all: look before copying it (C0 but TAB/LF/CR, DEL, and
    // C1 as UTF-8 C2 80..C2 9F). Bytes >= 0x20 other than DEL and C2 take the first test only.
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != 0x7F && c != 0xC2) continue;
        if (c == '\t' || c == '\n' || c == '\r') continue;
        if (c == 0xC2 && (i + 1 >= s.size() || static_cast<unsigned char>(s[i + 1]) > 0x9F)) continue;
        text::strip_controls(s);
        break;
    }
    return s;
}

bool mentions_html(std::string_view s) {
    for (std::size_t i = 0; i + 4 <= s.size(); ++i)
        if (std::toupper(static_cast<unsigned char>(s[i])) == 'H' && std::toupper(static_cast<unsigned char>(s[i + 1])) == 'T' &&
            std::toupper(static_cast<unsigned char>(s[i + 2])) == 'M' && std::toupper(static_cast<unsigned char>(s[i + 3])) == 'L')
            return true;
    return false;
}

// A text alternative that only says "view the HTML version" (or nothing at all).
bool is_stub(std::string_view text) {
    std::string t;
    for (char c : text)
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') t.push_back(c);
    return t.empty() || (t.size() < 200 && mentions_html(t));
}

std::string extension_for_mime(std::string_view type, std::string_view subtype) {
    std::string mime = std::string(type) + "/" + std::string(subtype);
    for (const auto& t : file_types())
        if (t.mime == mime && !canonical_extension(t).empty()) return "." + std::string(canonical_extension(t));
    return "";
}

class Walker {
public:
    Walker(Context& ctx, const Options& opt) : ctx_(ctx), opt_(opt) {}

    void visit(const MimeNode& n) {
        ctx_.check_time();
        PartInfo info = part_info(n);
        if (info.conflicting_params)
            ctx_.add("mail.conflicting_parameter", Action::noted, n.type + "/" + n.subtype + " has a parameter twice",
                     "同名で内容の異なるパラメーターがありました(最初のものを使いました)。");
        if (n.kind == MimeNode::Kind::multipart) return multipart(n, info);
        if (n.kind == MimeNode::Kind::message) {
            // A nested message without the headers of a mail would be read as plain text by detection
            // and pass whole, MIME parts and all: hold it instead.
            if (!detect::looks_like_mail(n.body))
                return hold_self(info.filename.empty() ? "message.eml" : info.filename, "eml", reason::malformed,
                                 "nested message/rfc822 without mail headers",
                                 "メールとして読めない転送メッセージ(message/rfc822)を保留しました。",
                                 "メールとして読めない転送メッセージのため保留しました。");
            return attachment(n.body, info.filename.empty() ? "message.eml" : info.filename, info);
        }
        leaf(n, info);
    }

    std::vector<std::string> bodies;        // body texts in order
    std::vector<SafeAttachment> attachments;
    NoticeFacts facts;
    HtmlText html_totals;
    std::size_t html_parts = 0, text_parts = 0, inline_dropped = 0, released = 0, held = 0, removed = 0;

private:
    void multipart(const MimeNode& n, const PartInfo& info) {
        const auto& kids = n.children;
        if (n.subtype == "alternative") return alternative(n);
        if (n.subtype == "encrypted")
            return hold_self("", "", reason::encrypted, "multipart/encrypted (" + info.protocol + ")",
                             "暗号化されたメール本文(S/MIME・PGP)のため、中身を検査できず保留しました。",
                             "暗号化された本文(" + info.protocol + ")");
        if (n.subtype == "signed") {
            if (kids.size() != 2)
                ctx_.add("mail.signature.broken", Action::noted, "multipart/signed with " + std::to_string(kids.size()) + " parts",
                         "電子署名の構造が壊れていました。");
            if (!kids.empty()) visit(kids[0]);
            for (std::size_t i = 1; i < kids.size(); ++i) {
                if (is_signature(kids[i])) signature_removed();
                else visit(kids[i]);
            }
            return;
        }
        if (n.subtype == "related") {
            std::size_t root = 0;
            if (!info.start.empty())
                for (std::size_t i = 0; i < kids.size(); ++i)
                    if ("<" + part_info(kids[i]).content_id + ">" == info.start ||
                        part_info(kids[i]).content_id == info.start)
                        root = i;
            for (std::size_t i = 0; i < kids.size(); ++i) {
                if (i == root) { visit(kids[i]); continue; }
                PartInfo k = part_info(kids[i]);
                // Resources of the HTML (cid: images, style sheets) go with the HTML.
                if (!k.content_id.empty() && k.disposition != "attachment") { ++inline_dropped; continue; }
                visit(kids[i]);
            }
            return;
        }
        for (const auto& k : kids) visit(k);
    }

    void alternative(const MimeNode& n) {
        // The text alternative unless it is empty or a stub; else the HTML one; else the last one.
        const MimeNode* plain = nullptr;
        const MimeNode* html = nullptr;
        for (const auto& k : n.children) {
            if (!plain && k.kind == MimeNode::Kind::leaf && k.type == "text" && k.subtype == "plain") plain = &k;
            if (!html && k.type == "text" && k.subtype == "html") html = &k;
            if (!html && k.kind == MimeNode::Kind::multipart && k.subtype == "related") html = &k;
        }
        if (plain) {
            PartInfo info = part_info(*plain);
            std::string text = leaf_text(*plain, info);
            if (!is_stub(text) || !html) {
                if (html) ctx_.add("mail.html", Action::removed, "HTML alternative dropped, text alternative used",
                                   "HTML版の本文は破棄し、テキスト版の本文を使いました。", "body");
                ++text_parts;
                bodies.push_back(std::move(text));
                return;
            }
            ctx_.add("mail.stub_text", Action::noted, "text alternative is empty or a stub; HTML used",
                     "テキスト版の本文が空(または案内文のみ)のため、HTML版をテキストに変換しました。", "body");
        }
        if (html) return visit(*html);
        if (!n.children.empty()) visit(n.children.back());
    }

    static bool is_signature(const MimeNode& k) {
        std::string t = k.type + "/" + k.subtype;
        return t == "application/pgp-signature" || t == "application/pkcs7-signature" ||
               t == "application/x-pkcs7-signature";
    }

    void signature_removed() {
        if (signature_noted_) return;
        signature_noted_ = true;
        ctx_.add("mail.signature", Action::removed, "signature removed (not verified; it cannot survive the rebuild)",
                 "電子署名は無害化で内容が変わるため取り除きました(署名の検証はしていません)。");
    }

    std::string leaf_text(const MimeNode& n, const PartInfo& info) {
        DecodedBody body = decode_body(n, info);
        note_decode(body, "body");
        std::string charset = info.charset;
        if (charset.empty() && info.subtype == "html") charset = html_declared_charset(body.bytes);
        TextFlags flags;
        std::string utf8 = to_utf8(body.bytes, charset, flags);
        note_flags(flags, "body", "本文");
        if (info.subtype == "html") return html_body(utf8);
        return clean_text(std::move(utf8));
    }

    std::string html_body(const std::string& utf8) {
        ++html_parts;
        HtmlText h = html_to_text(utf8, opt_.links, 200000);
        html_totals.scripts += h.scripts;
        html_totals.forms += h.forms;
        html_totals.hidden += h.hidden;
        html_totals.images += h.images;
        html_totals.tracking += h.tracking;
        html_totals.links += h.links;
        html_totals.dangerous_links += h.dangerous_links;
        facts.html_converted = true;
        return clean_text(std::move(h.text));
    }

    void leaf(const MimeNode& n, const PartInfo& info) {
        std::string t = n.type + "/" + n.subtype;
        std::string lname = info.filename;
        for (char& c : lname) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (t == "application/ms-tnef" || t == "application/vnd.ms-tnef" || lname == "winmail.dat")
            return hold_self(info.filename.empty() ? "winmail.dat" : info.filename, "tnef", reason::unsupported,
                             "TNEF (winmail.dat) cannot be rebuilt", "Outlook独自形式(winmail.dat)の添付は無害化できないため保留しました。",
                             "Outlook独自形式(TNEF)のため保留しました。");
        if (t == "application/pkcs7-mime" || t == "application/x-pkcs7-mime") {
            if (info.smime_type == "signed-data")
                return hold_self(info.filename, "smime", reason::unsupported, "S/MIME signed-data (opaque signed message)",
                                 "S/MIME署名で包まれた本文は取り出せないため保留しました。", "S/MIMEの署名データのため保留しました。");
            return hold_self(info.filename, "smime", reason::encrypted, "S/MIME enveloped-data",
                             "S/MIMEで暗号化された部分は検査できないため保留しました。", "暗号化(S/MIME)されているため保留しました。");
        }
        if (t == "application/pgp-encrypted")
            return hold_self(info.filename, "pgp", reason::encrypted, "PGP encrypted part",
                             "PGPで暗号化された部分は検査できないため保留しました。", "暗号化(PGP)されているため保留しました。");
        if (is_signature(n)) return signature_removed();
        if (t == "message/partial")
            return hold_self(info.filename, "eml", reason::unsupported, "message/partial fragment",
                             "分割されたメールの断片は組み立てずに保留しました。", "分割メールの断片のため保留しました。");
        if (t == "message/external-body") {
            ctx_.add("mail.external_body", Action::removed, "message/external-body reference dropped",
                     "外部にある本文への参照を取り除きました。");
            return;
        }
        if (info.encoding == "x-uuencode" || info.encoding == "uuencode" || info.encoding == "x-uue")
            return hold_self(info.filename, "uuencode", reason::unsupported, "uuencoded part",
                             "uuencode形式の添付は保留しました。", "uuencode形式のため保留しました。");
        bool body_text = (t == "text/plain" || t == "text/html") && info.disposition != "attachment" && info.filename.empty();
        if (body_text) {
            std::string text = leaf_text(n, info);
            if (n.subtype == "plain") ++text_parts;
            bodies.push_back(std::move(text));
            return;
        }
        // Inline images referenced by cid: belong to an HTML body that is converted to text.
        if (n.type == "image" && !info.content_id.empty() && info.disposition != "attachment") {
            ++inline_dropped;
            return;
        }
        DecodedBody body = decode_body(n, info);
        note_decode(body, "attachment[" + std::to_string(next_index_ + 1) + "]");
        std::string name = info.filename;
        if (name.empty()) name = "attachment-" + std::to_string(next_index_ + 1) + extension_for_mime(n.type, n.subtype);
        attachment(body.bytes, name, info);
    }

    void attachment(const std::string& bytes, const std::string& name, const PartInfo& info) {
        std::string where = "attachment[" + std::to_string(++next_index_) + "]";
        note_flags(info.name_flags, where, "添付ファイル名");
        if (!opt_.sanitize_attachments) {
            ++removed;
            ctx_.add("mail.attachment", Action::removed, "attachment removed by policy: " + name,
                     "添付ファイルを設定により削除しました。", where);
            facts.items.push_back({name, "設定により削除しました。", false});
            return;
        }
        Outcome child = ctx_.sanitize_child(bytes, name, where);
        if (child.quarantined()) {
            ++held;
            facts.items.push_back({name, "保留しました。" + std::string(reason::explain_ja(child.reason)), true});
            return;
        }
        ++released;
        std::string what = child.verdict == Verdict::released ? "問題がなかったため、そのまま添付しました。"
                                                              : "無害化して添付しました。";
        for (const auto& out : child.outputs) {
            const FileType* ft = find_file_type(out.type);
            std::string mime = ft && !ft->mime.empty() ? std::string(ft->mime) : "application/octet-stream";
            // Text outputs keep their encoding (the text and CSV sanitizers write back what came in):
            // label it, or readers guess and show mojibake.
            if (mime.starts_with("text/"))
                if (auto d = charset::detect_and_decode(out.bytes); d && d->charset != "US-ASCII")
                    mime += "; charset=" + d->charset;
            if (out.name != name) what += "(ファイル名: " + out.name + ")";
            attachments.push_back(SafeAttachment{out.name, mime, out.bytes});
        }
        facts.items.push_back({name, what, !child.held.empty()});
    }

    // Something we hold ourselves (no sanitizer can take it apart): recorded like a held child.
    void hold_self(const std::string& name, const std::string& type, std::string_view code, const std::string& detail,
                   const std::string& ja, const std::string& notice) {
        std::string where = "attachment[" + std::to_string(++next_index_) + "]";
        ++held;
        ctx_.add("mail.held", Action::blocked, detail, ja, where);
        ctx_.held().push_back(HeldItem{where, name, type, std::string(code), detail});
        ctx_.children().push_back(ChildSummary{where, name, type, Verdict::quarantined, std::string(code)});
        facts.items.push_back({name.empty() ? detail_name(type) : name, "保留しました。" + notice, true});
    }

    static std::string detail_name(const std::string& type) {
        if (type == "smime") return "S/MIMEパート";
        if (type == "pgp") return "PGPパート";
        if (type == "eml") return "メールの断片";
        return "暗号化された本文";
    }

    void note_decode(const DecodedBody& d, const std::string& where) {
        if (d.stats.restarts)
            ctx_.add("mail.base64.chunked", Action::noted, std::to_string(d.stats.restarts) + " base64 blocks joined",
                     "区切られたbase64データを最後まで復号しました。", where);
        if (d.stats.skipped || d.stats.truncated)
            ctx_.add("mail.encoding.damaged", Action::noted,
                     std::to_string(d.stats.skipped) + " stray characters skipped" + (d.stats.truncated ? ", truncated" : ""),
                     "転送エンコーディングに誤りがありましたが、読み取れる範囲で復号しました。", where);
        if (d.unknown_encoding)
            ctx_.add("mail.encoding.unknown", Action::noted, "unknown Content-Transfer-Encoding, read as binary",
                     "不明な転送エンコーディングのため、そのままのデータとして扱いました。", where);
    }

public:
    void note_flags(const TextFlags& f, const std::string& where, const std::string& what) {
        if (f.unlabelled_8bit)
            ctx_.add("mail.charset.unlabelled", Action::converted, "unlabelled 8-bit text read as " + f.guessed_charset,
                     what + "に文字コードの指定がなかったため、" + charset_ja(f.guessed_charset) + "として読み取りました。", where);
        if (f.mislabelled)
            ctx_.add("mail.charset.mislabelled", Action::converted, "text not valid in its declared charset, read as " + f.guessed_charset,
                     what + "の文字コード指定が誤っていたため、" + charset_ja(f.guessed_charset) + "として読み取りました。", where);
        if (f.damaged)
            ctx_.add("mail.charset.damaged", Action::converted, "invalid byte sequences replaced with U+FFFD",
                     what + "に読み取れない文字があったため、「�」に置き換えました。", where);
    }

private:
    Context& ctx_;
    const Options& opt_;
    std::size_t next_index_ = 0;
    bool signature_noted_ = false;
};

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

        Walker walker(ctx, opt);
        walker.visit(pm.root);

        SafeMessage msg;
        std::size_t dropped_headers = headers(pm, msg, walker, ctx);

        std::string body;
        for (auto& b : walker.bodies) {
            auto blocks = cut_embedded_blocks(b);
            for (const auto& blk : blocks) embedded(blk, walker, ctx);
            // Each piece ends in exactly one line end; pieces are separated by an empty line.
            while (!b.empty() && (b.back() == '\n' || b.back() == '\r' || b.back() == ' ')) b.pop_back();
            if (b.empty()) continue;
            if (!body.empty()) body += "\n";
            body += b;
            body += "\n";
        }
        std::size_t text_urls = opt.links == LinkMode::defang ? defang_text_urls(body) : 0;
        findings(walker, text_urls, opt, ctx);

        walker.facts.links_defanged = opt.links == LinkMode::defang && (walker.html_totals.links + text_urls) > 0;
        walker.facts.links_dropped = opt.links == LinkMode::drop && walker.facts.html_converted;
        walker.facts.content_removed = walker.html_totals.scripts + walker.html_totals.forms + walker.html_totals.hidden +
                                           walker.html_totals.tracking + walker.inline_dropped > 0;
        msg.body = notice_text(walker.facts) + body;
        if (!msg.body.ends_with("\n")) msg.body += "\n";
        msg.attachments = std::move(walker.attachments);
        msg.summary = summary(walker, opt, dropped_headers);

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
            a.subject = decode_text(h->value, f).substr(0, 500);
            a.subject.erase(0, std::min(a.subject.find_first_not_of(' '), a.subject.size()));
        }
        if (const RawHeader* h = find_header(pm.headers, "From")) {
            AddressParse p = parse_addresses(unfold(h->value));
            if (!p.list.empty()) {
                const Address& f = p.list.front();
                a.from = (f.display.empty() ? f.addr : f.display + " <" + f.addr + ">").substr(0, 500);
            }
        }
        ctx.about() = std::move(a);
    }

    static std::size_t headers(const ParsedMail& pm, SafeMessage& msg, Walker& walker, Context& ctx) {
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
                walker.note_flags(f, "header:" + out.name, out.name + "欄");
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
                walker.note_flags(f, "header:Subject", "件名");
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

    static void embedded(const EmbeddedBlock& b, Walker& w, Context& ctx) {
        std::string where = "body";
        switch (b.kind) {
        case EmbeddedBlock::Kind::uuencode:
            ++w.held;
            ctx.add("mail.uuencode", Action::blocked, "uuencoded file in the text: " + b.name,
                    "本文中にuuencodeされたファイルがあったため、取り除いて保留しました。", where);
            ctx.held().push_back(HeldItem{where, b.name, "uuencode", std::string(reason::unsupported), "uuencoded file in text body"});
            w.facts.items.push_back({b.name, "本文中のuuencode形式のファイルのため保留しました。", true});
            break;
        case EmbeddedBlock::Kind::binhex:
            ++w.held;
            ctx.add("mail.binhex", Action::blocked, "BinHex block in the text",
                    "本文中にBinHex形式のファイルがあったため、取り除いて保留しました。", where);
            ctx.held().push_back(HeldItem{where, "", "binhex", std::string(reason::unsupported), "BinHex block in text body"});
            w.facts.items.push_back({"BinHex形式のファイル", "本文中のBinHex形式のファイルのため保留しました。", true});
            break;
        case EmbeddedBlock::Kind::pgp_message:
            ++w.held;
            ctx.add("mail.pgp", Action::blocked, "PGP message block in the text",
                    "本文中にPGPで暗号化された部分があったため、取り除いて保留しました。", where);
            ctx.held().push_back(HeldItem{where, "", "pgp", std::string(reason::encrypted), "PGP armoured message in text body"});
            w.facts.items.push_back({"PGPで暗号化された部分", "暗号化されているため保留しました。", true});
            break;
        case EmbeddedBlock::Kind::pgp_signature:
            ctx.add("mail.signature", Action::removed, "inline PGP signature removed (not verified)",
                    "本文中のPGP署名を取り除きました(署名の検証はしていません)。", where);
            break;
        }
    }

    static void findings(const Walker& w, std::size_t text_urls, const Options& opt, Context& ctx) {
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
        if (w.inline_dropped)
            ctx.add("mail.inline", Action::removed, std::to_string(w.inline_dropped) + " inline (cid:) resources dropped",
                    "本文に埋め込まれた画像を取り除きました。", "body");
    }

    static std::string summary(const Walker& w, const Options& opt, std::size_t dropped_headers) {
        std::string body = w.html_parts ? "html-to-text" : w.text_parts ? "text" : "none";
        std::string s = "mugaika; body=" + body;
        s += "; links=" + std::string(opt.links == LinkMode::defang ? "defang" : opt.links == LinkMode::plain ? "plain" : "drop");
        s += "; headers-removed=" + std::to_string(dropped_headers);
        s += "; attachments=" + std::to_string(w.released) + " released, " + std::to_string(w.held) + " held, " +
             std::to_string(w.removed) + " removed";
        return s;
    }
};

}  // namespace

std::shared_ptr<const Sanitizer> make_mail_sanitizer() { return std::make_shared<MailSanitizer>(); }

}  // namespace mugaika
