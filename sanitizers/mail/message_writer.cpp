#include "message_writer.hpp"

#include "../text/charset.hpp"
#include "transfer_decode.hpp"

namespace mugaika::mail {
namespace {

// Every line end (LF, CRLF, or a bare CR) becomes CRLF, as RFC 5322 requires. A plain loop: it runs
// over every body (find_first_of with two characters costs a memchr per byte).
std::string crlf(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 32 + 2);
    std::size_t run = 0;   // start of the pending run of ordinary bytes
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c != '\r' && c != '\n') continue;
        out.append(text.data() + run, i - run);
        out += "\r\n";
        if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
        run = i + 1;
    }
    out.append(text.data() + run, text.size() - run);
    return out;
}

// ISO-2022-JP is 7-bit text without transfer encoding, so lines must stay under RFC 5322's 998 bytes.
bool fits_7bit_lines(std::string_view s) {
    std::size_t col = 0;
    for (char c : s) {
        if (c == '\n') col = 0;
        else if (++col > 900) return false;
    }
    return true;
}

bool seven_bit(std::string_view s) {
    std::size_t col = 0;
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (u == 0 || u >= 0x80) return false;
        col = c == '\n' ? 0 : col + 1;
        if (col > 998) return false;
    }
    return true;
}

std::string body_part(const std::string& body, OutCharset cs, bool& used_iso2022jp) {
    used_iso2022jp = false;
    if (cs == OutCharset::iso2022jp) {
        if (auto enc = charset::encode(body, "ISO-2022-JP"); enc && fits_7bit_lines(*enc)) {
            used_iso2022jp = true;
            return "Content-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n" +
                   crlf(*enc) + (enc->ends_with("\n") ? "" : "\r\n");
        }
    }
    return "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
           encode_base64(crlf(body));
}

}  // namespace

std::string write_message(const SafeMessage& m, OutCharset cs, const std::string& boundary_seed, bool& used_iso2022jp) {
    std::string out;
    for (const auto& h : m.headers) {
        switch (h.kind) {
        case SafeHeader::Kind::text: out += unstructured_header(h.name, h.text, cs); break;
        case SafeHeader::Kind::addresses:
            if (!h.addresses.empty()) out += address_header(h.name, h.addresses, cs);
            break;
        case SafeHeader::Kind::verbatim: out += ascii_header(h.name, h.text); break;
        }
    }
    out += "MIME-Version: 1.0\r\n";
    out += ascii_header("X-Mugaika-Sanitized", m.summary);
    std::string body = body_part(m.body, cs, used_iso2022jp);
    if (m.attachments.empty()) return out + body;

    // A boundary that occurs nowhere in the parts. Base64 cannot contain "=_"; a nested message can
    // (it may be our own output with a boundary of the same form), so those are checked.
    std::string boundary;
    for (int n = 0;; ++n) {
        boundary = "=_mugaika_" + boundary_seed + "_" + std::to_string(n);
        bool clash = false;
        for (const auto& a : m.attachments) clash = clash || a.bytes.find(boundary) != std::string::npos;
        if (!clash) break;
    }
    out += "Content-Type: multipart/mixed;\r\n boundary=\"" + boundary + "\"\r\n\r\n";
    out += "This is a multi-part message in MIME format.\r\n";
    // The whole message is built in one buffer of about its final size: attachments are most of it,
    // and growing (and copying) a buffer of megabytes step by step costs more than encoding them.
    std::size_t estimate = out.size() + body.size() + 1024;
    for (const auto& a : m.attachments) estimate += (a.bytes.size() + 2) / 3 * 4 * 78 / 76 + 1024 + 3 * a.name.size();
    out.reserve(estimate);
    out += "--" + boundary + "\r\n";
    out += body;
    for (const auto& a : m.attachments) {
        out += "--" + boundary + "\r\n";
        bool message = a.mime == "message/rfc822" && seven_bit(a.bytes);
        out += "Content-Type: " + (a.mime == "message/rfc822" && !message ? std::string("application/octet-stream") : a.mime);
        if (!message) {
            // name= for older clients (encoded words in a parameter are wrong but widely read), and the
            // RFC 2231 filename*= that standards-following readers prefer.
            std::string encoded;
            for (const auto& w : encoded_words(a.name, OutCharset::utf8)) encoded += (encoded.empty() ? "" : " ") + w;
            bool plain = is_printable_ascii(a.name) && a.name.find_first_of("\"\\") == std::string::npos;
            out += ";\r\n name=\"" + (plain ? a.name : encoded) + "\"";
        }
        out += "\r\nContent-Disposition: attachment" + rfc2231_param("filename", a.name) + "\r\n";
        if (message) {
            // message/rfc822 may only be 7bit/8bit/binary (RFC 2046 5.2.1); our own output is 7-bit.
            out += "Content-Transfer-Encoding: 7bit\r\n\r\n";
            out += crlf(a.bytes);
            if (!out.ends_with("\r\n")) out += "\r\n";
        } else {
            out += "Content-Transfer-Encoding: base64\r\n\r\n";
            out += encode_base64(a.bytes);
        }
    }
    out += "--" + boundary + "--\r\n";
    return out;
}

}  // namespace mugaika::mail
