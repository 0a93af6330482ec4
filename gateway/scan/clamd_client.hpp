// Malware scanning with ClamAV's clamd (the scanner Japanese municipal sites run on the Internet
// segment), over its INSTREAM command: the bytes go to clamd in chunks, one line comes back. The
// signatures are clamd's business (freshclam keeps them current); mugaika never releases what clamd
// has not called clean.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace mugaika {

struct ClamdResult {
    enum Kind {
        clean,        // "stream: OK"
        infected,     // "stream: <signature> FOUND"
        refused,      // clamd could not scan this stream (e.g. over its StreamMaxLength): the item's own trouble
        unavailable,  // no connection, a timeout or a garbled reply: the scanner's trouble, try again later
    } kind = unavailable;
    std::string signature;   // infected: the signature's name
    std::string detail;      // what clamd said, or what went wrong
};

// `address` is "unix:/run/clamav/clamd.ctl" or "host:port". Never throws.
ClamdResult clamd_scan(const std::string& address, std::string_view bytes, std::chrono::seconds timeout);

// "PONG" from clamd's PING: for the health check.
bool clamd_ping(const std::string& address, std::chrono::seconds timeout);

}  // namespace mugaika
