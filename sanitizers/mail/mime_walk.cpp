#include "mime_walk.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "../detect/probes.hpp"
#include "../text/charset.hpp"
#include "../text/text_filter.hpp"
#include "embedded_blocks.hpp"
#include "header_text.hpp"
#include "mugaika/file_type.hpp"
#include "mugaika/reasons.hpp"
#include "part_info.hpp"

namespace mugaika::mail {
namespace {

// How a part is read: `discarded` marks the alternatives that are not used, whose body text (the
// other version of the same message) is removed by policy instead of shown. Everything else in them
// (a PDF inside Apple Mail's HTML alternative) is handled like any other part.
enum class Mode { shown, discarded };

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

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

bool is_signature(const MimeNode& k) {
    std::string t = k.type + "/" + k.subtype;
    return t == "application/pgp-signature" || t == "application/pkcs7-signature" ||
           t == "application/x-pkcs7-signature";
}

// A part whose text is (a version of) the message body rather than a file: text/plain or text/html
// without a file name, not marked as an attachment.
bool is_body_text(const MimeNode& n, const PartInfo& info) {
    return n.kind == MimeNode::Kind::leaf && n.type == "text" && (n.subtype == "plain" || n.subtype == "html") &&
           info.disposition != "attachment" && info.filename.empty();
}

bool has_html_body(const MimeNode& n) {
    if (n.kind == MimeNode::Kind::multipart)
        return std::any_of(n.children.begin(), n.children.end(), [](const MimeNode& k) { return has_html_body(k); });
    return n.kind == MimeNode::Kind::leaf && n.subtype == "html" && is_body_text(n, part_info(n));
}

std::string child_path(const std::string& parent, std::size_t i) {
    return (parent.empty() ? "" : parent + ".") + std::to_string(i + 1);
}

class Walker {
public:
    Walker(Context& ctx, const WalkOptions& opt, WalkResult& r) : ctx_(ctx), opt_(opt), r_(r) {}

    void visit(const MimeNode& n, const std::string& path, Mode mode) {
        ctx_.check_time();
        PartInfo info = part_info(n);
        if (info.conflicting_params)
            ctx_.add("mail.conflicting_parameter", Action::noted, n.type + "/" + n.subtype + " has a parameter twice",
                     "同名で内容の異なるパラメーターがありました(最初のものを使いました)。");
        if (n.kind == MimeNode::Kind::multipart) return multipart(n, info, path, mode);
        std::string where = path.empty() ? "1" : path;
        if (n.kind == MimeNode::Kind::message) return message(n, info, where);
        leaf(n, info, where, mode);
    }

private:
    void record(const std::string& part, const MimeNode& n, const std::string& name, Fate fate, std::string how) {
        r_.ledger.leaves.push_back(LedgerEntry{part, n.type + "/" + n.subtype, name, fate, std::move(how)});
    }

    void multipart(const MimeNode& n, const PartInfo& info, const std::string& path, Mode mode) {
        const auto& kids = n.children;
        if (kids.empty()) return empty_multipart(n, path, mode);
        preamble(n, path);
        if (n.subtype == "alternative") return alternative(n, path, mode);
        if (n.subtype == "encrypted") {
            std::string where = hold_self("", "", reason::encrypted, "multipart/encrypted (" + info.protocol + ")",
                                          "暗号化されたメール本文(S/MIME・PGP)のため、中身を検査できず保留しました。",
                                          "暗号化された本文(" + info.protocol + ")");
            return held_subtree(n, path, "encrypted, " + where);
        }
        if (n.subtype == "signed") {
            if (kids.size() != 2)
                ctx_.add("mail.signature.broken", Action::noted, "multipart/signed with " + std::to_string(kids.size()) + " parts",
                         "電子署名の構造が壊れていました。");
            for (std::size_t i = 0; i < kids.size(); ++i) visit(kids[i], child_path(path, i), mode);
            return;
        }
        if (n.subtype == "related") return related(n, info, path, mode);
        for (std::size_t i = 0; i < kids.size(); ++i) visit(kids[i], child_path(path, i), mode);
    }

    // A multipart GMime found no parts in (no boundary, or none that matches): its whole body is in
    // the preamble, and a client that reads it as text shows it. So do we; it is a leaf of its own.
    void empty_multipart(const MimeNode& n, const std::string& path, Mode mode) {
        std::string part = path.empty() ? "1" : path;
        if (mode == Mode::discarded) return remove_alternative(n, part);
        TextFlags flags;
        std::string text = to_utf8(n.prologue + n.epilogue, "", flags);
        note_flags(flags, "body", "本文");
        ctx_.add("mail.multipart_without_parts", Action::converted, n.type + "/" + n.subtype + " without parts shown as text",
                 "区切りが見つからないマルチパートの内容を、テキストとして表示しました。", "body");
        take_body(n, part, clean_text(std::move(text)), false);
    }

    // Text before the first and after the last boundary is not shown by mail clients, but a client
    // that reads the boundaries differently shows it: files hidden there are held like those in text.
    void preamble(const MimeNode& n, const std::string& path) {
        for (const std::string* s : {&n.prologue, &n.epilogue}) {
            if (s->empty()) continue;
            TextFlags flags;
            std::string text = to_utf8(*s, "", flags);
            cut_blocks(text, (path.empty() ? "" : path + "/") + (s == &n.prologue ? "preamble" : "epilogue"));
        }
    }

    void alternative(const MimeNode& n, const std::string& path, Mode mode) {
        const auto& kids = n.children;
        // The text alternative unless it is empty or a stub; else the HTML one (a part that holds the
        // HTML body: text/html, its multipart/related, Apple Mail's mixed{html, pdf, html}); else the last.
        std::size_t plain = kids.size(), html = kids.size();
        for (std::size_t i = 0; i < kids.size(); ++i) {
            PartInfo k = part_info(kids[i]);
            if (plain == kids.size() && kids[i].subtype == "plain" && is_body_text(kids[i], k)) plain = i;
            if (html == kids.size() && has_html_body(kids[i])) html = i;
        }
        std::size_t chosen = html < kids.size() ? html : kids.empty() ? 0 : kids.size() - 1;
        if (mode == Mode::shown && plain < kids.size()) {
            PartInfo info = part_info(kids[plain]);
            std::string where = child_path(path, plain);
            std::string text = leaf_text(kids[plain], info);
            if (!is_stub(text) || html == kids.size()) {
                chosen = plain;
                if (html < kids.size())
                    ctx_.add("mail.html", Action::removed, "HTML alternative dropped, text alternative used",
                             "HTML版の本文は破棄し、テキスト版の本文を使いました。", "body");
                take_body(kids[plain], where, std::move(text), false);
            } else {
                ctx_.add("mail.stub_text", Action::noted, "text alternative is empty or a stub; HTML used",
                         "テキスト版の本文が空(または案内文のみ)のため、HTML版をテキストに変換しました。", "body");
                remove_alternative(kids[plain], where);
            }
        }
        for (std::size_t i = 0; i < kids.size(); ++i) {
            if (mode == Mode::shown && i == plain) continue;   // handled above
            visit(kids[i], child_path(path, i), mode == Mode::shown && i == chosen ? Mode::shown : Mode::discarded);
        }
    }

    void related(const MimeNode& n, const PartInfo& info, const std::string& path, Mode mode) {
        const auto& kids = n.children;
        std::size_t root = 0;
        if (!info.start.empty())
            for (std::size_t i = 0; i < kids.size(); ++i)
                if ("<" + part_info(kids[i]).content_id + ">" == info.start || part_info(kids[i]).content_id == info.start)
                    root = i;
        std::set<std::string> referenced;
        if (root < kids.size()) cid_references(kids[root], referenced);
        for (std::size_t i = 0; i < kids.size(); ++i) {
            std::string where = child_path(path, i);
            if (i != root && kids[i].kind == MimeNode::Kind::leaf) {
                // Resources of the HTML body (cid: images, style sheets) go with the HTML, by policy; a
                // part nothing refers to, or of another type, is a file like any other.
                PartInfo k = part_info(kids[i]);
                bool resource_type = kids[i].type == "image" || (kids[i].type == "text" && kids[i].subtype == "css");
                if (resource_type && !k.content_id.empty() && k.disposition != "attachment" &&
                    referenced.count(k.content_id)) {
                    ++r_.inline_removed;
                    record(where, kids[i], k.filename, Fate::removed, "inline image");
                    continue;
                }
            }
            visit(kids[i], where, mode);
        }
    }

    // The Content-IDs an HTML body refers to ("cid:..."), lower case, from every HTML body leaf below.
    void cid_references(const MimeNode& n, std::set<std::string>& out) {
        if (n.kind == MimeNode::Kind::multipart) {
            for (const auto& k : n.children) cid_references(k, out);
            return;
        }
        if (n.subtype != "html") return;
        std::string html = lower(decode_body(n, part_info(n)).bytes);
        for (std::size_t p = html.find("cid:"); p != std::string::npos; p = html.find("cid:", p + 4)) {
            std::size_t e = html.find_first_of("\"' >)\r\n\t", p + 4);
            std::string id = html.substr(p + 4, e == std::string::npos ? std::string::npos : e - p - 4);
            // Percent-encoded ids (RFC 2392) are compared decoded.
            std::string decoded;
            for (std::size_t i = 0; i < id.size(); ++i) {
                if (id[i] == '%' && i + 2 < id.size() && std::isxdigit(static_cast<unsigned char>(id[i + 1])) &&
                    std::isxdigit(static_cast<unsigned char>(id[i + 2]))) {
                    decoded.push_back(static_cast<char>(std::stoi(id.substr(i + 1, 2), nullptr, 16)));
                    i += 2;
                } else {
                    decoded.push_back(id[i]);
                }
            }
            out.insert(lower(decoded));
            if (out.size() > 10000) return;
        }
    }

    void message(const MimeNode& n, const PartInfo& info, const std::string& part) {
        std::string name = info.filename.empty() ? "message.eml" : info.filename;
        // A nested message without the headers of a mail would be read as plain text by detection
        // and pass whole, MIME parts and all: hold it instead.
        if (!detect::looks_like_mail(n.body)) {
            std::string where = hold_self(name, "eml", reason::malformed, "nested message/rfc822 without mail headers",
                                          "メールとして読めない転送メッセージ(message/rfc822)を保留しました。",
                                          "メールとして読めない転送メッセージのため保留しました。");
            return record(part, n, name, Fate::held, where);
        }
        attachment(n, n.body, name, info, part);
    }

    void leaf(const MimeNode& n, const PartInfo& info, const std::string& part, Mode mode) {
        std::string t = n.type + "/" + n.subtype;
        std::string lname = lower(info.filename);
        auto held = [&](const std::string& where) { record(part, n, info.filename, Fate::held, where); };
        if (t == "application/ms-tnef" || t == "application/vnd.ms-tnef" || lname == "winmail.dat")
            return held(hold_self(info.filename.empty() ? "winmail.dat" : info.filename, "tnef", reason::unsupported,
                                  "TNEF (winmail.dat) cannot be rebuilt", "Outlook独自形式(winmail.dat)の添付は無害化できないため保留しました。",
                                  "Outlook独自形式(TNEF)のため保留しました。"));
        if (t == "application/pkcs7-mime" || t == "application/x-pkcs7-mime") {
            if (info.smime_type == "signed-data")
                return held(hold_self(info.filename, "smime", reason::unsupported, "S/MIME signed-data (opaque signed message)",
                                      "S/MIME署名で包まれた本文は取り出せないため保留しました。", "S/MIMEの署名データのため保留しました。"));
            return held(hold_self(info.filename, "smime", reason::encrypted, "S/MIME enveloped-data",
                                  "S/MIMEで暗号化された部分は検査できないため保留しました。", "暗号化(S/MIME)されているため保留しました。"));
        }
        if (t == "application/pgp-encrypted")
            return held(hold_self(info.filename, "pgp", reason::encrypted, "PGP encrypted part",
                                  "PGPで暗号化された部分は検査できないため保留しました。", "暗号化(PGP)されているため保留しました。"));
        if (is_signature(n)) {
            signature_removed();
            return record(part, n, info.filename, Fate::removed, "signature");
        }
        if (t == "message/partial")
            return held(hold_self(info.filename, "eml", reason::unsupported, "message/partial fragment",
                                  "分割されたメールの断片は組み立てずに保留しました。", "分割メールの断片のため保留しました。"));
        if (t == "message/external-body") {
            ctx_.add("mail.external_body", Action::removed, "message/external-body reference dropped",
                     "外部にある本文への参照を取り除きました。");
            return record(part, n, info.filename, Fate::removed, "external-body reference");
        }
        if (info.encoding == "x-uuencode" || info.encoding == "uuencode" || info.encoding == "x-uue")
            return held(hold_self(info.filename, "uuencode", reason::unsupported, "uuencoded part",
                                  "uuencode形式の添付は保留しました。", "uuencode形式のため保留しました。"));
        if (is_body_text(n, info)) {
            if (mode == Mode::discarded) return remove_alternative(n, part);
            return take_body(n, part, leaf_text(n, info), n.subtype == "html");
        }
        DecodedBody body = decode_body(n, info);
        note_decode(body, "attachment[" + std::to_string(next_index_ + 1) + "]");
        std::string name = info.filename;
        if (name.empty()) name = "attachment-" + std::to_string(next_index_ + 1) + extension_for_mime(n.type, n.subtype);
        attachment(n, body.bytes, name, info, part);
    }

    // Every leaf below an entity we hold whole (multipart/encrypted) is held with it.
    void held_subtree(const MimeNode& n, const std::string& path, const std::string& how) {
        if (n.kind != MimeNode::Kind::multipart || n.children.empty()) return record(path.empty() ? "1" : path, n, part_info(n).filename, Fate::held, how);
        for (std::size_t i = 0; i < n.children.size(); ++i) held_subtree(n.children[i], child_path(path, i), how);
    }

    void remove_alternative(const MimeNode& n, const std::string& part) {
        ++r_.alternatives_removed;
        record(part, n, "", Fate::removed, "alternative not used");
    }

    void take_body(const MimeNode& n, const std::string& part, std::string text, bool html) {
        if (!html) ++r_.text_parts;
        cut_blocks(text, part);
        r_.bodies.push_back(std::move(text));
        record(part, n, "", Fate::text, html ? "body (HTML converted)" : "body");
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
        ++r_.html_parts;
        HtmlText h = html_to_text(utf8, opt_.links, 200000);
        auto& t = r_.html_totals;
        t.scripts += h.scripts;
        t.forms += h.forms;
        t.hidden += h.hidden;
        t.images += h.images;
        t.embedded_images += h.embedded_images;
        t.tracking += h.tracking;
        t.links += h.links;
        t.dangerous_links += h.dangerous_links;
        r_.facts.html_converted = true;
        return clean_text(std::move(h.text));
    }

    // Files a client would decode out of this text are cut out; each is held (the original mail is
    // kept) or, for a signature, removed by policy.
    void cut_blocks(std::string& text, const std::string& part) {
        auto blocks = cut_embedded_blocks(text);
        std::size_t k = 0;
        for (const auto& b : blocks) {
            ++k;
            std::string where = "body";
            LedgerEntry e{part + "/block[" + std::to_string(k) + "]", "", b.name, Fate::held, where};
            std::string extent = b.terminated ? "" : " (no end line: cut to the end of the text)";
            auto hold = [&](std::string_view finding, std::string type, std::string_view code, const std::string& detail,
                            const std::string& ja, const std::string& notice_name, const std::string& notice) {
                ctx_.add(finding, Action::blocked, detail + extent, ja, where);
                ctx_.held().push_back(HeldItem{where, b.name, type, std::string(code), detail + " in a text body"});
                r_.facts.items.push_back({notice_name, notice, true});
                e.type = std::move(type);
            };
            switch (b.kind) {
            case EmbeddedBlock::Kind::uuencode:
                hold("mail.uuencode", "uuencode", reason::unsupported, "uuencoded file in the text: " + b.name,
                     "本文中にuuencodeされたファイルがあったため、取り除いて保留しました。", b.name,
                     "本文中のuuencode形式のファイルのため保留しました。");
                break;
            case EmbeddedBlock::Kind::base64_file:
                hold("mail.uuencode", "base64", reason::unsupported, "begin-base64 file in the text: " + b.name,
                     "本文中にbase64で埋め込まれたファイルがあったため、取り除いて保留しました。", b.name,
                     "本文中にbase64で埋め込まれたファイルのため保留しました。");
                break;
            case EmbeddedBlock::Kind::binhex:
                hold("mail.binhex", "binhex", reason::unsupported, "BinHex block in the text",
                     "本文中にBinHex形式のファイルがあったため、取り除いて保留しました。", "BinHex形式のファイル",
                     "本文中のBinHex形式のファイルのため保留しました。");
                break;
            case EmbeddedBlock::Kind::yenc:
                hold("mail.yenc", "yenc", reason::unsupported, "yEnc block in the text: " + b.name,
                     "本文中にyEnc形式のファイルがあったため、取り除いて保留しました。", b.name.empty() ? "yEnc形式のファイル" : b.name,
                     "本文中のyEnc形式のファイルのため保留しました。");
                break;
            case EmbeddedBlock::Kind::mime_part:
                hold("mail.mime_in_text", "mime", reason::malformed, "MIME part inside a text body: " + b.name,
                     "本文の中に添付ファイルの形式(MIMEパート)が埋め込まれていたため、取り除いて保留しました。",
                     b.name.empty() ? "本文中の埋め込みパート" : b.name, "本文中に埋め込まれた添付ファイルのため保留しました。");
                break;
            case EmbeddedBlock::Kind::pgp_message:
                hold("mail.pgp", "pgp", reason::encrypted, "PGP message block in the text",
                     "本文中にPGPで暗号化された部分があったため、取り除いて保留しました。", "PGPで暗号化された部分",
                     "暗号化されているため保留しました。");
                break;
            case EmbeddedBlock::Kind::pgp_key:
                hold("mail.pgp", "pgp", reason::unsupported, "PGP armoured data (key or file) in the text",
                     "本文中にPGPの鍵などのデータがあったため、取り除いて保留しました。", "PGPのデータ",
                     "PGPの鍵などのデータのため保留しました。");
                break;
            case EmbeddedBlock::Kind::pgp_signature:
                ctx_.add("mail.signature", Action::removed, "inline PGP signature removed (not verified)",
                         "本文中のPGP署名を取り除きました(署名の検証はしていません)。", where);
                e.type = "pgp-signature";
                e.fate = Fate::removed;
                e.how = "signature";
                break;
            }
            if (e.fate == Fate::held) ++held_;
            r_.ledger.embedded.push_back(std::move(e));
        }
    }

    void attachment(const MimeNode& n, const std::string& bytes, const std::string& name, const PartInfo& info,
                    const std::string& part) {
        std::string where = "attachment[" + std::to_string(++next_index_) + "]";
        note_flags(info.name_flags, where, "添付ファイル名");
        if (!opt_.sanitize_attachments) {
            ctx_.add("mail.attachment", Action::removed, "attachment removed by policy: " + name,
                     "添付ファイルを設定により削除しました。", where);
            r_.facts.items.push_back({name, "設定により削除しました。", false});
            return record(part, n, name, Fate::removed, where + " (attachments = remove)");
        }
        Outcome child = ctx_.sanitize_child(bytes, name, where);
        if (child.quarantined()) {
            ++held_;
            r_.facts.items.push_back({name, "保留しました。" + std::string(reason::explain_ja(child.reason)), true});
            return record(part, n, name, Fate::held, where);
        }
        if (auto hidden = hidden_file(child)) {
            // A text attachment is shown inline by mail clients and read like a body: a file hidden
            // in it would be decoded out of it. It is held instead of released.
            ++held_;
            ctx_.add("mail.attachment.hidden_file", Action::blocked, "text attachment " + name + " carries " + *hidden,
                     "テキストの添付ファイルの中にファイル(uuencodeなど)が埋め込まれていたため、保留しました。", where);
            ctx_.held().push_back(HeldItem{where, name, child.detected_type, std::string(reason::unsupported),
                                           "text attachment carries " + *hidden});
            for (auto& c : ctx_.children())
                if (c.where == where) c.verdict = Verdict::quarantined, c.reason = std::string(reason::unsupported);
            r_.facts.items.push_back({name, "保留しました。本文中にファイルが埋め込まれていたためです。", true});
            return record(part, n, name, Fate::held, where);
        }
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
            r_.attachments.push_back(SafeAttachment{out.name, mime, out.bytes});
        }
        r_.facts.items.push_back({name, what, !child.held.empty()});
        record(part, n, name, Fate::released, where);
    }

    // What a clean child's text outputs hide that a client would decode ("a uuencode block"), if anything.
    static std::optional<std::string> hidden_file(const Outcome& child) {
        for (const auto& out : child.outputs) {
            const FileType* ft = find_file_type(out.type);
            if (!ft || !std::string_view(ft->mime).starts_with("text/")) continue;
            auto d = charset::detect_and_decode(out.bytes);
            if (!d) continue;
            for (const auto& b : cut_embedded_blocks(d->utf8))
                if (holds_original(b.kind)) return "a hidden file block (" + std::string(block_name(b.kind)) + ")";
        }
        return std::nullopt;
    }

    static std::string_view block_name(EmbeddedBlock::Kind k) {
        switch (k) {
        case EmbeddedBlock::Kind::uuencode: return "uuencode";
        case EmbeddedBlock::Kind::base64_file: return "begin-base64";
        case EmbeddedBlock::Kind::binhex: return "BinHex";
        case EmbeddedBlock::Kind::yenc: return "yEnc";
        case EmbeddedBlock::Kind::mime_part: return "MIME part";
        case EmbeddedBlock::Kind::pgp_message: return "PGP message";
        case EmbeddedBlock::Kind::pgp_key: return "PGP data";
        case EmbeddedBlock::Kind::pgp_signature: return "PGP signature";
        }
        return "block";
    }

    // Something we hold ourselves (no sanitizer can take it apart): recorded like a held child.
    // Returns its `where`.
    std::string hold_self(const std::string& name, const std::string& type, std::string_view code, const std::string& detail,
                          const std::string& ja, const std::string& notice) {
        std::string where = "attachment[" + std::to_string(++next_index_) + "]";
        ++held_;
        ctx_.add("mail.held", Action::blocked, detail, ja, where);
        ctx_.held().push_back(HeldItem{where, name, type, std::string(code), detail});
        ctx_.children().push_back(ChildSummary{where, name, type, Verdict::quarantined, std::string(code)});
        r_.facts.items.push_back({name.empty() ? detail_name(type) : name, "保留しました。" + notice, true});
        return where;
    }

    static std::string detail_name(const std::string& type) {
        if (type == "smime") return "S/MIMEパート";
        if (type == "pgp") return "PGPパート";
        if (type == "eml") return "メールの断片";
        return "暗号化された本文";
    }

    void signature_removed() {
        if (signature_noted_) return;
        signature_noted_ = true;
        ctx_.add("mail.signature", Action::removed, "signature removed (not verified; it cannot survive the rebuild)",
                 "電子署名は無害化で内容が変わるため取り除きました(署名の検証はしていません)。");
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

    void note_flags(const TextFlags& f, const std::string& where, const std::string& what) {
        note_text_flags(ctx_, f, where, what);
    }

    Context& ctx_;
    const WalkOptions& opt_;
    WalkResult& r_;
    std::size_t next_index_ = 0;
    std::size_t held_ = 0;
    bool signature_noted_ = false;
};

}  // namespace

void note_text_flags(Context& ctx, const TextFlags& f, const std::string& where, const std::string& what) {
    auto charset_ja = [](const std::string& cs) { return cs.empty() ? std::string("推定した文字コード") : cs; };
    if (f.unlabelled_8bit)
        ctx.add("mail.charset.unlabelled", Action::converted, "unlabelled 8-bit text read as " + f.guessed_charset,
                what + "に文字コードの指定がなかったため、" + charset_ja(f.guessed_charset) + "として読み取りました。", where);
    if (f.mislabelled)
        ctx.add("mail.charset.mislabelled", Action::converted, "text not valid in its declared charset, read as " + f.guessed_charset,
                what + "の文字コード指定が誤っていたため、" + charset_ja(f.guessed_charset) + "として読み取りました。", where);
    if (f.damaged)
        ctx.add("mail.charset.damaged", Action::converted, "invalid byte sequences replaced with U+FFFD",
                what + "に読み取れない文字があったため、「�」に置き換えました。", where);
}

std::string_view to_string(Fate f) {
    switch (f) {
    case Fate::text: return "text";
    case Fate::released: return "released";
    case Fate::held: return "held";
    case Fate::removed: return "removed";
    }
    return "?";
}

std::size_t Ledger::count(Fate f) const {
    auto n = std::count_if(leaves.begin(), leaves.end(), [&](const LedgerEntry& e) { return e.fate == f; }) +
             std::count_if(embedded.begin(), embedded.end(), [&](const LedgerEntry& e) { return e.fate == f; });
    return static_cast<std::size_t>(n);
}

std::string Ledger::summary() const {
    auto leaf_count = [&](Fate f) {
        return std::to_string(std::count_if(leaves.begin(), leaves.end(), [&](const LedgerEntry& e) { return e.fate == f; }));
    };
    std::string s = std::to_string(leaves.size()) + " parts: " + leaf_count(Fate::text) + " text, " +
                    leaf_count(Fate::released) + " released, " + leaf_count(Fate::held) + " held, " +
                    leaf_count(Fate::removed) + " removed";
    if (!embedded.empty()) {
        auto held = std::count_if(embedded.begin(), embedded.end(), [](const LedgerEntry& e) { return e.fate == Fate::held; });
        s += "; " + std::to_string(embedded.size()) + " cut from text: " + std::to_string(held) + " held, " +
             std::to_string(static_cast<long>(embedded.size()) - held) + " removed";
    }
    return s;
}

std::size_t count_leaves(const MimeNode& root) {
    if (root.kind != MimeNode::Kind::multipart || root.children.empty()) return 1;
    std::size_t n = 0;
    for (const auto& k : root.children) n += count_leaves(k);
    return n;
}

WalkResult walk_mime(const MimeNode& root, Context& ctx, const WalkOptions& options) {
    WalkResult r;
    Walker w(ctx, options, r);
    w.visit(root, "", Mode::shown);
    // The invariant the walk exists for: every leaf in the ledger exactly once.
    std::size_t leaves = count_leaves(root);
    std::set<std::string> parts;
    for (const auto& e : r.ledger.leaves) parts.insert(e.part);
    if (r.ledger.leaves.size() != leaves || parts.size() != leaves)
        throw SanitizeError(reason::internal, "MIME ledger accounts for " + std::to_string(r.ledger.leaves.size()) +
                                                  " of " + std::to_string(leaves) + " leaves");
    return r;
}

}  // namespace mugaika::mail
