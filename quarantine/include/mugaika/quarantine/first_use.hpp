// Before anything opens the quarantine (QuarantineRuntime creates a missing key file, SQLite database,
// store folder and audit log): is this the first use of these paths, and was that intended?
//
// A command run against the wrong configuration (a typo, another folder, a volume not mounted) would
// otherwise make a new key and an empty database beside the real ones: logins fail, the bootstrap
// succeeds on the empty database, held items seem gone. So a missing key or SQLite database is an
// error naming what is missing and where it was expected, unless the command is told --init (a new
// installation). The one exception is the state the Debian package leaves: the key alone (made by its
// postinst), no objects, no audit log; the key at the configured place shows the paths are the site's. A key that is missing while a database or held objects exist is refused even with
// --init: a new key could open none of them (restore the key from the backup instead).
#pragma once

#include <stdexcept>
#include <string>

#include "mugaika/quarantine/quarantine_config.hpp"

namespace mugaika::quarantine {

// A configuration problem (exit 2 in the CLI): the paths point where nothing is.
struct FirstUseRefused : QuarantineConfigError {
    using QuarantineConfigError::QuarantineConfigError;   // Japanese first, then English
};

// Throws FirstUseRefused. `init`: creating what is missing was asked for.
void check_first_use(const QuarantineConfig& config, bool init);

}  // namespace mugaika::quarantine
