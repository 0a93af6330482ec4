// The service's log: one line per event on stderr (journald picks it up under systemd) and, when
// enabled, syslog (mail facility, like Postfix). Thread-safe; never throws.
#pragma once

#include <string>
#include <string_view>

namespace mugaika::log {

enum class Level { debug, info, warning, error };

void open_syslog(bool enabled);
void write(Level level, std::string_view message);

inline void info(std::string_view m) { write(Level::info, m); }
inline void warn(std::string_view m) { write(Level::warning, m); }
inline void error(std::string_view m) { write(Level::error, m); }

}  // namespace mugaika::log
