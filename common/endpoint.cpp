#include "mugaika/endpoint.hpp"

#include <arpa/inet.h>

namespace mugaika {
namespace {

bool valid_hostname(std::string_view h) {
    if (h.empty() || h.size() > 253) return false;
    std::size_t label = 0;
    for (std::size_t i = 0; i < h.size(); ++i) {
        char c = h[i];
        if (c == '.') {
            if (label == 0 || h[i - 1] == '-') return false;
            label = 0;
            continue;
        }
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && !(c == '-' && label > 0)) return false;
        if (++label > 63) return false;
    }
    return h.back() != '-';
}

[[noreturn]] void fail(std::string_view text, const std::string& en, const std::string& ja) {
    throw EndpointError("'" + std::string(text) + "': " + en, "「" + std::string(text) + "」: " + ja);
}

}  // namespace

std::optional<std::string> canonical_ip(std::string_view text) {
    std::string s(text);
    char buf[INET6_ADDRSTRLEN];
    in_addr a4{};
    if (::inet_pton(AF_INET, s.c_str(), &a4) == 1 && ::inet_ntop(AF_INET, &a4, buf, sizeof buf)) return std::string(buf);
    in6_addr a6{};
    if (::inet_pton(AF_INET6, s.c_str(), &a6) == 1 && ::inet_ntop(AF_INET6, &a6, buf, sizeof buf)) return std::string(buf);
    return std::nullopt;
}

Endpoint parse_endpoint(std::string_view text, bool allow_unix, HostKind kind, Use use) {
    Endpoint e;
    if (text.starts_with("unix:")) {
        if (!allow_unix) fail(text, "a unix socket is not possible here (use host:port)", "ここではUNIXソケットは使えません (host:port で指定してください)");
        std::string_view path = text.substr(5);
        if (path.empty() || path.front() != '/')
            fail(text, "a unix socket needs an absolute path (unix:/run/...)", "UNIXソケットは絶対パスで指定してください (unix:/run/...)");
        if (path.size() > 107) fail(text, "the socket path is longer than 107 bytes", "ソケットのパスが107バイトを超えています");
        for (unsigned char c : path)
            if (c < 0x20 || c == 0x7f) fail(text, "the socket path has a control character", "ソケットのパスに制御文字があります");
        e.unix_path = std::string(path);
        return e;
    }
    std::string_view host, port;
    if (text.starts_with("[")) {
        auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            fail(text, "an IPv6 address is written [address]:port", "IPv6アドレスは [アドレス]:ポート の形で指定してください");
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
        auto ip = canonical_ip(host);
        if (!ip || host.find(':') == std::string_view::npos)
            fail(text, "'" + std::string(host) + "' is not an IPv6 address", "「" + std::string(host) + "」はIPv6アドレスではありません");
        e.host = *ip;
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string_view::npos)
            fail(text, std::string("expected host:port") + (allow_unix ? " or unix:/path" : ""),
                 std::string("host:port") + (allow_unix ? " または unix:/パス" : "") + " の形で指定してください");
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (host.find(':') != std::string_view::npos)
            fail(text, "an IPv6 address needs brackets: [" + std::string(host) + "]:port",
                 "IPv6アドレスは角括弧で囲んでください: [" + std::string(host) + "]:ポート");
        if (host.empty()) fail(text, "the host is missing", "ホストがありません");
        if (auto ip = canonical_ip(host)) e.host = *ip;
        else if (kind == HostKind::numeric)
            fail(text, "'" + std::string(host) + "' is not an IP address (a name is not possible here)",
                 "「" + std::string(host) + "」はIPアドレスではありません (ここでは名前は使えません)");
        else if (!valid_hostname(host))
            fail(text, "'" + std::string(host) + "' is neither an IP address nor a host name",
                 "「" + std::string(host) + "」はIPアドレスでもホスト名でもありません");
        else e.host = std::string(host);
    }
    if (port.empty() || port.size() > 5)
        fail(text, "the port must be a number from 1 to 65535", "ポートは1から65535までの数字で指定してください");
    unsigned value = 0;
    for (char c : port) {
        if (c < '0' || c > '9')
            fail(text, "the port '" + std::string(port) + "' is not a number from 1 to 65535",
                 "ポート「" + std::string(port) + "」は1から65535までの数字ではありません");
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if ((value < 1 && use == Use::connect) || value > 65535)
        fail(text, "the port must be a number from 1 to 65535", "ポートは1から65535までの数字で指定してください");
    e.port = static_cast<std::uint16_t>(value);
    return e;
}

}  // namespace mugaika
