#include "session.hpp"

#include <algorithm>
#include <cctype>

namespace mugaika::lmtp {
namespace {

std::string upper(std::string_view s) {
    std::string u(s);
    std::transform(u.begin(), u.end(), u.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return u;
}

bool iequals_prefix(std::string_view line, std::string_view prefix) {
    return line.size() >= prefix.size() && upper(line.substr(0, prefix.size())) == prefix;
}

// "FROM:<a@b> SIZE=10" after the verb: the address and the parameters. False on bad syntax.
bool parse_path(std::string_view rest, std::string& address, std::vector<std::string>& params) {
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (rest.empty() || rest.front() != '<') return false;
    auto close = rest.find('>');
    if (close == std::string_view::npos) return false;
    address = std::string(rest.substr(1, close - 1));
    rest.remove_prefix(close + 1);
    while (!rest.empty()) {
        while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
        if (rest.empty()) break;
        auto sp = rest.find(' ');
        params.emplace_back(rest.substr(0, sp));
        rest.remove_prefix(sp == std::string_view::npos ? rest.size() : sp);
    }
    return true;
}

}  // namespace

bool valid_address(std::string_view a, bool allow_empty) {
    if (a.empty()) return allow_empty;
    if (a.size() > 320) return false;
    for (unsigned char c : a)
        if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == ',' || c == '"' || c == '\\') return false;
    auto at = a.rfind('@');
    if (at == std::string_view::npos) return upper(a) == "POSTMASTER";
    return at > 0 && at + 1 < a.size();
}

namespace {

// Commands that change nothing (NOOP, RSET, VRFY): a client that sends only these is keeping a slot
// busy, not delivering mail (Postfix's smtpd_junk_command_limit).
constexpr unsigned max_junk_commands = 100;

const char* bare_reply(const LineReader::Ending& e) {
    return e.bare_lf ? "550 5.5.2 Error: bare <LF> received" : "550 5.5.2 Error: bare <CR> received";
}

std::string run_conversation(LineReader& in, const LmtpConfig& cfg, const SessionHooks& h, const std::string& hostname) {
    using S = LineReader::Status;
    using Ending = LineReader::Ending;
    h.send("220 " + hostname + " LMTP mugaika ready");
    bool greeted = false;
    bool in_mail = false;
    Envelope env;
    unsigned errors = 0, junk = 0;
    std::string line;
    auto error = [&](const std::string& reply) -> bool {
        h.send(reply);
        if (++errors >= cfg.max_errors) {
            h.send("421 4.7.0 too many errors, closing connection");
            return false;
        }
        return true;
    };
    auto reset = [&] {
        in_mail = false;
        env = Envelope{};
    };
    // What ends a read other than a line: the reply (if any) and why the conversation ends.
    auto ended = [&](S s, const char* where) -> std::string {
        if (s == S::timeout) {
            h.send(std::string("421 4.4.2 timeout") + where + ", closing connection");
            return std::string("deadline passed") + where;
        }
        if (s == S::stopped) {
            h.send("421 4.3.2 shutting down, try again later");
            return std::string("service stopping") + where;
        }
        return std::string("client closed") + where;
    };

    while (true) {
        // One request: the whole command line must arrive by the deadline, however it trickles in.
        in.set_min_rate(0, cfg.timeout);
        in.set_deadline(net::after(cfg.timeout));
        Ending ending;
        S s = in.read_line(line, cfg.max_line_bytes, &ending);
        if (s == S::too_long) {
            h.send("500 5.5.2 line too long, closing connection");
            return "command line too long";
        }
        if (s != S::ok) return ended(s, "");
        if (!ending.crlf || ending.bare_cr) {
            // The stream is out of step with what the client believes it sent: stop listening.
            h.send(bare_reply(ending));
            return "bare line end in a command";
        }
        std::string verb = upper(line.substr(0, line.find(' ')));

        if (verb == "LHLO") {
            if (line.size() <= 5) { if (!error("501 5.5.4 LHLO needs a domain")) return "too many errors"; continue; }
            reset();
            greeted = true;
            h.send("250-" + hostname);
            h.send("250-PIPELINING");
            h.send("250-ENHANCEDSTATUSCODES");
            h.send("250-8BITMIME");
            h.send("250 SIZE " + std::to_string(cfg.max_message_bytes));
        } else if (verb == "HELO" || verb == "EHLO") {
            if (!error("500 5.5.1 this is LMTP: use LHLO")) return "too many errors";
        } else if (verb == "MAIL") {
            std::string addr;
            std::vector<std::string> params;
            if (!greeted) { if (!error("503 5.5.1 send LHLO first")) return "too many errors"; continue; }
            if (in_mail) { if (!error("503 5.5.1 nested MAIL command")) return "too many errors"; continue; }
            if (!iequals_prefix(line, "MAIL FROM:") || !parse_path(std::string_view(line).substr(10), addr, params) ||
                !valid_address(addr, true)) {
                if (!error("501 5.5.4 syntax: MAIL FROM:<address>")) return "too many errors";
                continue;
            }
            bool bad_param = false, too_big = false;
            for (const auto& p : params) {
                std::string up = upper(p);
                if (up.starts_with("SIZE=")) {
                    std::string v = p.substr(5);
                    if (v.empty() || v.size() > 15 || !std::all_of(v.begin(), v.end(), ::isdigit)) bad_param = true;
                    else if (std::stoull(v) > cfg.max_message_bytes) too_big = true;
                } else if (up != "BODY=7BIT" && up != "BODY=8BITMIME") {
                    bad_param = true;
                }
            }
            if (bad_param) { if (!error("555 5.5.4 unsupported MAIL parameter")) return "too many errors"; continue; }
            if (too_big) {
                h.send("552 5.3.4 message size exceeds the limit of " + std::to_string(cfg.max_message_bytes));
                if (h.rejected) h.rejected();
                continue;
            }
            if (std::string problem = h.intake_problem(); !problem.empty()) { h.send(problem); continue; }
            in_mail = true;
            env.sender = addr;
            h.send("250 2.1.0 sender ok");
        } else if (verb == "RCPT") {
            std::string addr;
            std::vector<std::string> params;
            if (!in_mail) { if (!error("503 5.5.1 need MAIL first")) return "too many errors"; continue; }
            if (!iequals_prefix(line, "RCPT TO:") || !parse_path(std::string_view(line).substr(8), addr, params) ||
                !valid_address(addr, false) || !params.empty()) {
                if (!error("501 5.5.4 syntax: RCPT TO:<address>")) return "too many errors";
                continue;
            }
            if (env.recipients.size() >= cfg.max_recipients) { h.send("452 4.5.3 too many recipients"); continue; }
            env.recipients.push_back(addr);
            h.send("250 2.1.5 recipient ok");
        } else if (verb == "DATA") {
            if (line.size() != 4) { if (!error("501 5.5.4 syntax: DATA")) return "too many errors"; continue; }
            if (!in_mail || env.recipients.empty()) { if (!error("503 5.5.1 need RCPT first")) return "too many errors"; continue; }
            h.send("354 3.0.0 end data with <CR><LF>.<CR><LF>");
            std::string message;
            bool too_big = false, long_line = false;
            Ending bare;               // the first bare line end seen in the message, if any
            bool tainted = false;
            bool after_crlf = true;    // the bytes so far end in <CR><LF> (the DATA line did)
            std::uint64_t consumed = 0;
            // Beyond this the client is not sending a mail any more: stop listening.
            const std::uint64_t cut_off = cfg.max_message_bytes + (cfg.max_message_bytes / 4) + (1 << 20);
            // The whole message by one deadline, moved later by what arrives at the minimum rate.
            in.set_deadline(net::after(cfg.timeout));
            in.set_min_rate(cfg.min_data_rate, cfg.timeout);
            while (true) {
                Ending e;
                S ds = in.read_line(line, cfg.max_line_bytes, &e);
                if (ds == S::too_long) {
                    long_line = true;
                    std::size_t skipped = 0;
                    if (!in.skip_line(cut_off - std::min<std::uint64_t>(consumed, cut_off), skipped, &e)) {
                        for (std::size_t i = 0; i < env.recipients.size(); ++i) h.send("552 5.3.4 line or message too long");
                        return "endless data line";
                    }
                    consumed += skipped;
                    if (!e.crlf || e.bare_cr) { tainted = true; bare = e; }
                    after_crlf = e.crlf;
                    continue;
                }
                if (ds != S::ok) return ended(ds, " in data");
                // Only <CR><LF>.<CR><LF> ends the message: a "." after a bare <LF>, or ended by one, is
                // content (and the message is refused below), never the start of another transaction.
                if (line == "." && e.crlf && !e.bare_cr && after_crlf) break;
                if (!e.crlf || e.bare_cr) {
                    if (!tainted) bare = e;
                    tainted = true;
                }
                after_crlf = e.crlf;
                consumed += line.size() + 2;
                if (consumed > cut_off) {
                    for (std::size_t i = 0; i < env.recipients.size(); ++i) h.send("552 5.3.4 message size exceeds the limit");
                    return "message far too large";
                }
                if (too_big || long_line || tainted) continue;
                std::string_view v(line);
                if (v.starts_with(".")) v.remove_prefix(1);   // dot-unstuffing (RFC 5321 4.5.2)
                if (message.size() + v.size() + 1 > cfg.max_message_bytes) { too_big = true; message.clear(); continue; }
                message.append(v);
                message.push_back('\n');
            }
            if (tainted) {
                for (std::size_t i = 0; i < env.recipients.size(); ++i) h.send(bare_reply(bare));
                if (h.rejected) h.rejected();
                return "bare line end in data";
            }
            if (too_big || long_line) {
                std::string reply = too_big ? "552 5.3.4 message size exceeds the limit of " + std::to_string(cfg.max_message_bytes)
                                            : "552 5.3.4 line longer than " + std::to_string(cfg.max_line_bytes) + " bytes";
                for (std::size_t i = 0; i < env.recipients.size(); ++i) h.send(reply);
                if (h.rejected) h.rejected();
            } else {
                std::string reply = h.deliver(env, std::move(message));
                for (std::size_t i = 0; i < env.recipients.size(); ++i) h.send(reply);
            }
            reset();
        } else if (verb == "RSET" || verb == "NOOP" || verb == "VRFY") {
            if (++junk > max_junk_commands) {
                h.send("421 4.7.0 too many commands without mail, closing connection");
                return "too many junk commands";
            }
            if (verb == "RSET") reset();
            h.send(verb == "VRFY" ? "252 2.5.2 cannot verify, but will accept" : "250 2.0.0 ok");
        } else if (verb == "QUIT") {
            h.send("221 2.0.0 bye");
            return "quit";
        } else {
            if (!error("500 5.5.1 command not recognized")) return "too many errors";
        }
    }
}

}  // namespace

std::string run_session(LineReader& in, const LmtpConfig& cfg, const SessionHooks& h, const std::string& hostname) {
    try {
        return run_conversation(in, cfg, h, hostname);
    } catch (const PeerGone& e) {
        return std::string("cannot reply: ") + e.what();
    }
}

}  // namespace mugaika::lmtp
