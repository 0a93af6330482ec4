#include "smtp_relay.hpp"

#include "../lmtp/line_reader.hpp"
#include "../net/client_socket.hpp"

namespace mugaika {
namespace {

// Reads one (possibly multi-line) reply, complete by `deadline`; its code, or 0 when the connection
// failed or the deadline passed.
int read_reply(lmtp::LineReader& in, std::string& text, net::Clock::time_point deadline) {
    std::string line;
    text.clear();
    in.set_deadline(deadline);
    for (int lines = 0; lines < 100; ++lines) {
        auto st = in.read_line(line, 4096);
        if (st == lmtp::LineReader::Status::timeout) {
            text = "no complete reply within the timeout";
            return 0;
        }
        if (st != lmtp::LineReader::Status::ok || line.size() < 3) return 0;
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
    r.reply = stage + ": " + (code == 0 ? (text.empty() ? "connection lost or garbled reply" : text) : text);
    r.kind = code >= 500 ? SmtpResult::permanent : SmtpResult::temporary;
    return r;
}

}  // namespace

std::string smtp_wire_format(std::string_view message) {
    std::string out;
    out.reserve(message.size() + message.size() / 40 + 8);
    bool line_start = true;
    for (std::size_t i = 0; i < message.size(); ++i) {
        char c = message[i];
        if (c == '\r' || c == '\n') {
            // CRLF, a bare LF and a bare CR all end the line the same way, with CRLF (RFC 5321 2.3.8).
            if (c == '\r' && i + 1 < message.size() && message[i + 1] == '\n') ++i;
            out += "\r\n";
            line_start = true;
            continue;
        }
        if (line_start && c == '.') out.push_back('.');   // dot-stuffing (RFC 5321 4.5.2)
        out.push_back(c);
        line_start = false;
    }
    if (!line_start) out += "\r\n";
    return out + ".\r\n";
}

SmtpResult smtp_send(const std::string& host_port, const std::string& helo, const std::string& sender,
                     const std::vector<std::string>& recipients, std::string_view message, const SmtpLimits& limits,
                     const std::function<void(const SmtpResult&)>& on_accepted) {
    net::ClientSocket c;
    if (std::string err = c.connect(host_port, limits.timeout); !err.empty()) return {SmtpResult::temporary, err};

    lmtp::LineReader in(c.fd());
    std::string text;
    int code = read_reply(in, text, net::after(limits.timeout));
    if (code != 220) return classify(code, text, "greeting");
    // One deadline per command: sending it and reading the whole reply.
    auto command = [&](const std::string& cmd) {
        auto deadline = net::after(limits.timeout);
        if (!c.send_all(cmd + "\r\n", deadline)) {
            text = "cannot send the command";
            return 0;
        }
        return read_reply(in, text, deadline);
    };
    if ((code = command("EHLO " + helo)) != 250 && (code = command("HELO " + helo)) != 250) return classify(code, text, "EHLO");
    if ((code = command("MAIL FROM:<" + sender + ">")) != 250) return classify(code, text, "MAIL FROM");
    for (const auto& r : recipients) {
        code = command("RCPT TO:<" + r + ">");
        // Any refusal keeps the whole message back: it is released to every recipient or to none.
        if (code != 250 && code != 251) {
            SmtpResult refused = classify(code, text, "RCPT TO:<" + r + ">");
            command("QUIT");
            return refused;
        }
    }
    if ((code = command("DATA")) != 354) return classify(code, text, "DATA");
    std::string wire = smtp_wire_format(message);
    auto transfer = std::chrono::milliseconds(wire.size() * 1000 / std::max<std::uint32_t>(limits.min_data_rate, 1));
    if (!c.send_all(wire, net::after(limits.timeout) + transfer)) return classify(0, "the message could not be sent in time", "message");
    code = read_reply(in, text, net::after(limits.timeout));
    if (code != 250) return classify(code, text, "end of data");
    SmtpResult ok{SmtpResult::sent, text};
    if (on_accepted) on_accepted(ok);   // recorded before anything else can go wrong
    command("QUIT");
    return ok;
}

}  // namespace mugaika
