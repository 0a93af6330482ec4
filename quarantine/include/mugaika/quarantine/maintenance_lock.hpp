// Keeps maintenance that rewrites the whole quarantine (a key rotation, a restore) apart from everything
// that uses it. Every QuarantineRuntime (the service, the officer UI, each CLI command) holds the lock
// shared for its lifetime; `mugaika quarantine rekey` and `mugaika restore` take it exclusively and
// refuse, with the reason, while anyone else holds it. An flock on STORE_DIR/.maintenance.lock: it is
// released by the kernel when a process dies, so a crash never leaves the quarantine locked.
#pragma once

#include <filesystem>
#include <stdexcept>

namespace mugaika::quarantine {

struct MaintenanceBusy : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class MaintenanceLock {
public:
    enum class Mode { shared, exclusive };
    // Never waits: throws MaintenanceBusy (with a message for the operator) when the other mode is held.
    MaintenanceLock(const std::filesystem::path& store_dir, Mode mode);
    ~MaintenanceLock();
    MaintenanceLock(const MaintenanceLock&) = delete;
    MaintenanceLock& operator=(const MaintenanceLock&) = delete;

private:
    int fd_ = -1;
};

}  // namespace mugaika::quarantine
