// What the service and a converter process say to each other over their socketpair: length-framed
// messages, each with its SHA-256 (the converter reads hostile documents: its answers are checked
// like a disarm worker's).
//
//   frame   = "MGKO" kind:u8 length:u64le payload sha256(payload):32
//   ready   = 'R'  payload: ""                           converter -> service, once LibreOffice is up
//   convert = 'C'  payload: source_type \0 target \0 document bytes
//   done    = 'D'  payload: converted bytes
//   failed  = 'F'  payload: reason code \0 detail
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mugaika::office {

enum class Kind : char { ready = 'R', convert = 'C', done = 'D', failed = 'F' };

struct Frame {
    Kind kind;
    std::string payload;
};

class ProtocolError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

std::string encode(Kind kind, std::string_view payload);

// Blocking, for the converter process: false when the peer is gone.
bool send_frame(int fd, Kind kind, std::string_view payload);
// nullopt at a clean end of stream; throws ProtocolError on bad framing, digest or size.
std::optional<Frame> receive_frame(int fd, std::uint64_t max_payload);

// The service's side: every wait bounded. Returns nullopt on timeout; throws ProtocolError on bad
// framing and on the peer closing (a converter that died).
std::optional<Frame> receive_frame_until(int fd, std::uint64_t max_payload, std::chrono::steady_clock::time_point deadline);
bool send_frame_until(int fd, Kind kind, std::string_view payload, std::chrono::steady_clock::time_point deadline);

struct ConvertJob {
    std::string source_type;
    std::string target;
    std::string bytes;
};
std::string encode_job(const ConvertJob& job);
ConvertJob decode_job(std::string_view payload);   // throws ProtocolError

}  // namespace mugaika::office
