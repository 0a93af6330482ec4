// The configuration's address parser (common/endpoint.hpp) on arbitrary text, in every mode. It may
// only accept or throw EndpointError (anything else escaping, e.g. from a number conversion, ends the
// process); what it accepts must be what the listeners and clients can use as they are.
#include <cstdint>
#include <string>
#include <string_view>

#include "mugaika/endpoint.hpp"

namespace {

void check(const mugaika::Endpoint& e, bool allow_unix, mugaika::HostKind kind, mugaika::Use use) {
    if (e.is_unix()) {
        if (!allow_unix || e.unix_path.front() != '/' || !e.host.empty()) __builtin_trap();
        return;
    }
    if (e.host.empty()) __builtin_trap();
    if (e.port == 0 && use != mugaika::Use::listen) __builtin_trap();
    for (unsigned char c : e.host)
        if (c <= ' ' || c >= 0x7f || c == '[' || c == ']' || c == '/') __builtin_trap();
    auto ip = mugaika::canonical_ip(e.host);
    if (kind == mugaika::HostKind::numeric && !ip) __builtin_trap();
    if (ip && mugaika::canonical_ip(*ip) != ip) __builtin_trap();   // canonical text is a fixed point
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    for (bool allow_unix : {false, true})
        for (auto kind : {mugaika::HostKind::any, mugaika::HostKind::numeric})
            for (auto use : {mugaika::Use::connect, mugaika::Use::listen}) {
                try {
                    check(mugaika::parse_endpoint(text, allow_unix, kind, use), allow_unix, kind, use);
                } catch (const mugaika::EndpointError&) {
                }
            }
    if (auto ip = mugaika::canonical_ip(text))
        if (mugaika::canonical_ip(*ip) != ip) __builtin_trap();
    return 0;
}
