// Addresses in the configuration ("127.0.0.1:10025", "[::1]:9925", "unix:/run/x.sock"), read strictly
// once, when the file is loaded, by the same code that the listeners and clients use later: a port is
// 1 to 65535 in decimal digits and nothing else ("127.0.0.1:80x" is an error, not port 80), an IPv6
// host is bracketed, a host name is letters, digits, '-' and '.' in labels of at most 63.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mugaika {

struct EndpointError : std::invalid_argument {
    EndpointError(std::string en, std::string ja) : std::invalid_argument(en), ja(std::move(ja)) {}
    std::string ja;   // the same in Japanese, for the configuration's messages
};

struct Endpoint {
    std::string host;        // without brackets; empty for a unix socket
    std::uint16_t port = 0;
    std::string unix_path;   // "unix:/path" -> "/path"
    bool is_unix() const { return !unix_path.empty(); }
};

enum class HostKind { any, numeric };   // numeric: an IP literal only (no name to resolve)

enum class Use { connect, listen };   // listen: port 0 is allowed (the kernel picks one; tests use it)

// Throws EndpointError. `allow_unix`: "unix:/absolute/path" is accepted too.
Endpoint parse_endpoint(std::string_view text, bool allow_unix = false, HostKind kind = HostKind::any,
                        Use use = Use::connect);

// The canonical text of an IP literal ("0:0::1" -> "::1"), or nullopt when `text` is not one.
std::optional<std::string> canonical_ip(std::string_view text);

}  // namespace mugaika
