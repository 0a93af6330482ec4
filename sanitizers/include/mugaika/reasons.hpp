// Reason codes for quarantine verdicts, and their Japanese explanations.
#pragma once

#include <string_view>

namespace mugaika::reason {

inline constexpr std::string_view unsupported = "unsupported";        // no sanitizer for this type yet
inline constexpr std::string_view unsupported_ichitaro = "unsupported.ichitaro";  // no converter reads 一太郎
inline constexpr std::string_view blocked_type = "blocked.type";      // policy blocks this type
inline constexpr std::string_view blocked_name = "blocked.name";      // a dangerous file name
inline constexpr std::string_view blocked_mismatch = "blocked.mismatch";  // extension disagrees with content
inline constexpr std::string_view malformed = "malformed";            // cannot be parsed safely
inline constexpr std::string_view encrypted = "encrypted";            // cannot be inspected without a password
inline constexpr std::string_view charset = "charset";                // text not valid in any supported encoding
inline constexpr std::string_view limit_size = "limit.size";
inline constexpr std::string_view limit_depth = "limit.depth";
inline constexpr std::string_view limit_expanded = "limit.expanded";
inline constexpr std::string_view limit_members = "limit.members";
inline constexpr std::string_view limit_ratio = "limit.ratio";
inline constexpr std::string_view limit_time = "limit.time";
inline constexpr std::string_view limit_memory = "limit.memory";
inline constexpr std::string_view limit_pages = "limit.pages";
inline constexpr std::string_view limit_pixels = "limit.pixels";
inline constexpr std::string_view limit_operations = "limit.operations";   // drawing work (PDF pages)
inline constexpr std::string_view limit_frames = "limit.frames";   // frames of an animation, pages of a TIFF
inline constexpr std::string_view child_held = "child.held";          // a part was held and policy holds the whole
inline constexpr std::string_view malware = "malware";
inline constexpr std::string_view scan_failed = "scan.failed";        // the malware scanner could not judge it
inline constexpr std::string_view worker_crash = "worker.crash";
inline constexpr std::string_view internal = "internal";              // our own fault: fail closed

// Japanese explanation for the officer and the sender-facing notice (from common/labels.cpp, shared with
// the officer UI). Unknown codes get a generic text
// built from their prefix (limit.* is a limit, and so on), never an empty string.
std::string_view explain_ja(std::string_view code);

}  // namespace mugaika::reason
