// TOTP (RFC 6238): HMAC-SHA1, 30-second steps, 6 digits, as every authenticator app expects.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mugaika::quarantine::totp {

inline constexpr std::int64_t step_seconds = 30;
inline constexpr int digits = 6;

std::int64_t step_of(std::int64_t unix_seconds);
// The code for one time step (RFC 4226 HOTP with the step as counter), zero-padded.
std::string code_at(std::string_view secret, std::int64_t step, int n_digits = digits);
// The step whose code matches, looking one step back and one ahead (clock drift), or nothing.
// Constant-time per comparison. Replay protection is the caller's: it must remember the step.
std::optional<std::int64_t> match(std::string_view secret, std::string_view code, std::int64_t unix_seconds);

std::string base32_encode(std::string_view bytes);   // RFC 4648, no padding (what apps show and accept)
std::string base32_decode(std::string_view text);    // ignores spaces and case; throws std::invalid_argument
// otpauth://totp/mugaika:NAME?secret=...&issuer=mugaika&algorithm=SHA1&digits=6&period=30
std::string provisioning_uri(std::string_view account, std::string_view secret, std::string_view issuer = "mugaika");

}  // namespace mugaika::quarantine::totp
