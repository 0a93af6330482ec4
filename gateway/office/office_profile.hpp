// The private LibreOffice profile a converter process starts with (its own, on its own tmpfs, thrown
// away with the process): what LibreOffice must never do with a hostile document, as configuration.
#pragma once

#include <filesystem>
#include <string>

namespace mugaika::office {

// The registrymodifications.xcu that carries every setting below (exposed for tests and docs).
std::string profile_settings_xcu();

// Writes `dir`/user/registrymodifications.xcu (creating the folders). Throws std::runtime_error.
void write_profile(const std::filesystem::path& dir);

}  // namespace mugaika::office
