#include "log.hpp"

#include <glib.h>
#include <syslog.h>
#include <unistd.h>

#include <cstdlib>

#include <atomic>
#include <cstdint>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "mugaika/syslog_stream.hpp"

namespace mugaika::log {
namespace {
std::mutex mutex;
std::atomic<bool> use_syslog{false};

const char* name(Level l) {
    switch (l) {
        case Level::debug: return "debug";
        case Level::info: return "info";
        case Level::warning: return "warning";
        case Level::error: return "error";
    }
    return "info";
}
int priority(Level l) {
    switch (l) {
        case Level::debug: return LOG_DEBUG;
        case Level::info: return LOG_INFO;
        case Level::warning: return LOG_WARNING;
        case Level::error: return LOG_ERR;
    }
    return LOG_INFO;
}
void append_hex(std::string& out, unsigned char c) {
    static constexpr char hex[] = "0123456789abcdef";
    out += "\\x";
    out.push_back(hex[c >> 4]);
    out.push_back(hex[c & 15]);
}

// Code points that change how a line reads: line breaks beyond C0, and the bidirectional controls.
bool invisible_control(std::uint32_t cp) {
    return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e || cp == 0x200f || cp == 0x2028 ||
           cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

// Length of the UTF-8 sequence at s[i] and its code point; 0 when it is not valid UTF-8.
std::size_t utf8_at(std::string_view s, std::size_t i, std::uint32_t& cp) {
    auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
    unsigned char c = b(0);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    cp = n == 1 ? c : c & (0x7f >> n);
    for (std::size_t k = 1; k < n; ++k) {
        if ((b(k) & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (b(k) & 0x3f);
    }
    static constexpr std::uint32_t min_for[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;   // overlong, surrogate
    return n;
}

}  // namespace

std::string escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == '\\') { out += "\\\\"; ++i; continue; }
        if (c == '\n') { out += "\\n"; ++i; continue; }
        if (c == '\r') { out += "\\r"; ++i; continue; }
        if (c == '\t') { out += "\\t"; ++i; continue; }
        if (c < 0x20 || c == 0x7f) { append_hex(out, c); ++i; continue; }
        std::uint32_t cp = 0;
        std::size_t n = utf8_at(s, i, cp);
        if (n == 0) { append_hex(out, c); ++i; continue; }
        if (invisible_control(cp)) {
            char buf[16];
            std::snprintf(buf, sizeof buf, "\\u{%04x}", static_cast<unsigned>(cp));
            out += buf;
        } else {
            out.append(s.substr(i, n));
        }
        i += n;
    }
    return out;
}

void open_syslog(bool enabled) { use_syslog = enabled; }

namespace {

// GLib's structured writer: every g_log()/g_warning()/g_critical() of a library (libgsf, poppler-glib,
// GMime) arrives here instead of on stderr, as one debug line of ours with the library's domain.
GLogWriterOutput glib_writer(GLogLevelFlags level, const GLogField* fields, gsize n_fields, gpointer) {
    std::string domain = "glib", text;
    for (gsize i = 0; i < n_fields; ++i) {
        std::string_view key = fields[i].key;
        if (fields[i].length >= 0 || !fields[i].value) continue;   // only the NUL-terminated fields
        if (key == "GLIB_DOMAIN") domain = static_cast<const char*>(fields[i].value);
        else if (key == "MESSAGE") text = static_cast<const char*>(fields[i].value);
    }
    const char* what = (level & G_LOG_LEVEL_ERROR) ? "ERROR" : (level & G_LOG_LEVEL_CRITICAL) ? "CRITICAL"
                       : (level & G_LOG_LEVEL_WARNING) ? "WARNING" : (level & G_LOG_LEVEL_MESSAGE) ? "MESSAGE"
                                                                                                    : "INFO";
    write(Level::debug, "library " + domain + " " + what + ": " + text);
    return G_LOG_WRITER_HANDLED;
}

}  // namespace

void route_library_messages() {
    static std::once_flag once;
    std::call_once(once, [] { g_log_set_writer_func(glib_writer, nullptr, nullptr); });
}

void write(Level level, std::string_view raw) {
    const std::string escaped = escape(raw);
    const std::string_view message = escaped;
    auto now = std::chrono::system_clock::now();
    std::time_t t = std::chrono::system_clock::to_time_t(now);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char stamp[40];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    // Debug lines (library noise) go to syslog at LOG_DEBUG; on stderr only with MUGAIKA_DEBUG=1.
    static const bool debug_on_stderr = [] {
        const char* v = std::getenv("MUGAIKA_DEBUG");
        return v && std::string_view(v) == "1";
    }();
    if (level == Level::debug && !debug_on_stderr) {
        if (use_syslog) operational_syslog().send(priority(level), std::string(name(level)) + ": " + escaped);
        return;
    }
    std::lock_guard lock(mutex);
    std::fprintf(stderr, "%s.%03dZ mugaika[%d]: %s: %.*s\n", stamp, static_cast<int>(ms), static_cast<int>(::getpid()),
                 name(level), static_cast<int>(message.size()), message.data());
    std::fflush(stderr);
    if (use_syslog) operational_syslog().send(priority(level), std::string(name(level)) + ": " + escaped);
}

}  // namespace mugaika::log
