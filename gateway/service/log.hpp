// The service's log: one line per event on stderr (journald picks it up under systemd) and, when
// enabled, syslog (facility mail, ident "mugaika", like Postfix) through its own SyslogStream
// (common/syslog_stream.hpp), never the audit log's (authpriv, "mugaika-audit"). Thread-safe; never throws.
//
// Every message goes through escape(): names, addresses and replies come from outside, and a file
// name with a newline must not forge a second log line (nor a bidi override turn one around).
#pragma once

#include <string>
#include <string_view>

namespace mugaika::log {

enum class Level { debug, info, warning, error };

void open_syslog(bool enabled);
// GLib's messages (libgsf's CRITICALs, poppler-glib, GMime) become our debug lines instead of stderr.
void route_library_messages();
// `s` as one line of valid UTF-8: control characters (C0, DEL, C1), line and paragraph separators and
// bidirectional controls become \n, \r, \t, \xNN or \u{NNNN}; bytes that are not UTF-8 become
// \xNN; a backslash is doubled, so an escaped message cannot be mistaken for another one.
std::string escape(std::string_view s);
void write(Level level, std::string_view message);

inline void debug(std::string_view m) { write(Level::debug, m); }
inline void info(std::string_view m) { write(Level::info, m); }
inline void warn(std::string_view m) { write(Level::warning, m); }
inline void error(std::string_view m) { write(Level::error, m); }

}  // namespace mugaika::log
