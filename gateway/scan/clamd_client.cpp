#include "clamd_client.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cerrno>

#include "../net/client_socket.hpp"

namespace mugaika {
namespace {

// One NUL-terminated reply (the "z" form of the commands), at most 4 KiB, complete by `deadline`.
bool read_reply(net::ClientSocket& c, std::string& out, net::Clock::time_point deadline) {
    out.clear();
    char buf[512];
    while (out.size() < 4096) {
        std::size_t n = 0;
        if (c.recv_some(buf, sizeof buf, n, deadline) != net::IoStatus::ok) return !out.empty();   // clamd closes after replying
        out.append(buf, n);
        if (auto z = out.find('\0'); z != std::string::npos) {
            out.resize(z);
            return true;
        }
    }
    return false;
}

std::string chunk_header(std::size_t n) {
    std::uint32_t be = htonl(static_cast<std::uint32_t>(n));
    return std::string(reinterpret_cast<const char*>(&be), 4);
}

}  // namespace

ClamdResult clamd_scan(const std::string& address, std::string_view bytes, std::chrono::seconds timeout) {
    ClamdResult r;
    net::ClientSocket c;
    if (std::string err = c.connect(address, timeout); !err.empty()) {
        r.detail = err;
        return r;
    }
    // INSTREAM: <4-byte big-endian length><data> chunks, then a zero length. clamd may answer early
    // (size limit) and close; a failed send is then read as that answer.
    // Each chunk, and then the reply, gets `timeout`: a stalled clamd is given up on, however it trickles.
    bool sent = c.send_all(std::string_view("zINSTREAM\0", 10), net::after(timeout));
    constexpr std::size_t chunk = 1 << 20;
    for (std::size_t at = 0; sent && at < bytes.size(); at += chunk) {
        std::string_view part = bytes.substr(at, chunk);
        auto deadline = net::after(timeout);
        sent = c.send_all(chunk_header(part.size()), deadline) && c.send_all(part, deadline);
    }
    if (sent) sent = c.send_all(chunk_header(0), net::after(timeout));
    std::string reply;
    if (!read_reply(c, reply, net::after(timeout))) {
        r.detail = sent ? "no reply from clamd at " + address : "clamd closed the connection while receiving";
        return r;
    }
    r.detail = reply;
    // "stream: OK", "stream: Eicar-Signature FOUND", "INSTREAM size limit exceeded. ERROR", "... ERROR".
    auto ends_with = [&](std::string_view s) { return reply.size() >= s.size() && reply.compare(reply.size() - s.size(), s.size(), s) == 0; };
    if (reply == "stream: OK") {
        r.kind = ClamdResult::clean;
    } else if (reply.rfind("stream: ", 0) == 0 && ends_with(" FOUND")) {
        r.kind = ClamdResult::infected;
        r.signature = reply.substr(8, reply.size() - 8 - 6);
    } else if (reply.find("size limit exceeded") != std::string::npos) {
        r.kind = ClamdResult::refused;
    } else {
        r.kind = ClamdResult::unavailable;   // any other ERROR: clamd's trouble (memory, reload), try later
    }
    return r;
}

bool clamd_ping(const std::string& address, std::chrono::seconds timeout) {
    net::ClientSocket c;
    if (!c.connect(address, timeout).empty()) return false;
    std::string reply;
    auto deadline = net::after(timeout);
    return c.send_all(std::string_view("zPING\0", 6), deadline) && read_reply(c, reply, deadline) && reply == "PONG";
}

}  // namespace mugaika
