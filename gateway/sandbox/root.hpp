// The parts of enter() that each touch one kernel facility (used by sandbox.cpp only).
#pragma once

#include <string>

#include "sandbox.hpp"

namespace mugaika::sandbox {

// Full isolation only (needs the mount namespace and its capabilities): pivot_root into an empty,
// read-only tmpfs holding read-only binds of the profile's paths. Throws SandboxError.
void build_root(const Profile& profile);

// Landlock: read-only access beneath the profile's paths, execute only the profile's programs, a
// writable private /tmp when the profile has one; no TCP, no signals or abstract sockets outside
// (where the kernel's Landlock knows them). Returns the layer as it ended up (off where the kernel
// has no Landlock). Throws SandboxError when Landlock exists but could not be applied.
Layer apply_landlock(const Profile& profile);

}  // namespace mugaika::sandbox
