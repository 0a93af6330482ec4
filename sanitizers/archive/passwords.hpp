// The keys to try for one item's encrypted members, from the passwords a person supplied.
#pragma once

#include <string>
#include <vector>

#include "mugaika/secrets.hpp"

namespace mugaika::archive {

inline constexpr std::size_t kMaxSuppliedPasswords = 16;
inline constexpr std::size_t kMaxPasswordBytes = 1024;

// Each supplied password as typed, then without the spaces and line ends a copy from a mail brings
// along, then each of those in CP932: a ZipCrypto key is the bytes of the sender's code page, and
// Japanese Windows tools use CP932 (WinZip AES keys are UTF-8). Deduplicated, in that order; empty and
// over-long passwords are skipped. Bounded: at most 4 keys per password, 16 passwords.
std::vector<std::string> candidate_passwords(const ItemSecrets& secrets);

}  // namespace mugaika::archive
