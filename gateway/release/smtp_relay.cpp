#include "smtp_relay.hpp"

#include "../lmtp/line_reader.hpp"
#include "../net/client_socket.hpp"

namespace mugaika {
namespace {

// Reads one (possibly multi-line) reply; its code, or 0 when the connection failed.
int read_reply(lmtp::LineReader& in, std::string& text) {
    std::string line;
    text.clear();
    for (int lines = 0; lines < 100; ++lines) {
        if (in.read_line(line, 4096) != lmtp::LineReader::Status::ok || line.size() < 3) return 0;
        text += (text.empty() ? "" : " / ") + line;
        if (line.size() == 3 || line[3] == ' ') {
            int code = std::atoi(line.substr(0, 3).c_str());
            return code >= 200 && code < 600 ? code : 0;
        }
    }
    return 0;
}

SmtpResult classify(int code, const std::string& text, const std::string& stage) {
    SmtpResult r;
    r.reply = stage + ": " + (code == 0 ? "connection lost or garbled reply" : text);
    r.kind = code >= 500 ? SmtpResult::permanent : SmtpResult::temporary;
    return r;
}

std::string wire_format(std::string_view message) {
    std::string out;
    out.reserve(message.size() + message.size() / 40 + 8);
    bool line_start = true;
    for (std::size_t i = 0; i < message.size(); ++i) {
        char c = message[i];
        if (line_start && c == '.') out.push_back('.');   // dot-stuffing (RFC 5321 4.5.2)
        if (c == '\n') {
            if (out.empty() || out.back() != '\r') out.push_back('\r');
            out.push_back('\n');
            line_start = true;
            continue;
        }
        out.push_back(c);
        line_start = false;
    }
    if (!line_start) out += "\r\n";
    return out + ".\r\n";
}

}  // namespace

SmtpResult smtp_send(const std::string& host_port, const std::string& helo, const std::string& sender,
                     const std::vector<std::string>& recipients, std::string_view message, std::chrono::seconds timeout) {
    net::ClientSocket c;
    if (std::string err = c.connect(host_port, timeout); !err.empty()) return {SmtpResult::temporary, err};

    lmtp::LineReader in(c.fd());
    std::string text;
    int code = read_reply(in, text);
    if (code != 220) return classify(code, text, "greeting");
    auto command = [&](const std::string& cmd) {
        if (!c.send_all(cmd + "\r\n")) return 0;
        return read_reply(in, text);
    };
    if ((code = command("EHLO " + helo)) != 250 && (code = command("HELO " + helo)) != 250) return classify(code, text, "EHLO");
    if ((code = command("MAIL FROM:<" + sender + ">")) != 250) return classify(code, text, "MAIL FROM");
    for (const auto& r : recipients) {
        code = command("RCPT TO:<" + r + ">");
        // Any refusal keeps the whole message back: it is released to every recipient or to none.
        if (code != 250 && code != 251) {
            command("QUIT");
            return classify(code, text, "RCPT TO:<" + r + ">");
        }
    }
    if ((code = command("DATA")) != 354) return classify(code, text, "DATA");
    if (!c.send_all(wire_format(message))) return classify(0, "", "message");
    code = read_reply(in, text);
    if (code != 250) return classify(code, text, "end of data");
    SmtpResult ok{SmtpResult::sent, text};
    command("QUIT");
    return ok;
}

}  // namespace mugaika
