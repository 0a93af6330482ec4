// The engine's policy: what to do per type, the limits, the name rules and each sanitizer's options.
// Parsed from the [limits], [names], [types] and [sanitizer.*] tables of the configuration (TOML).
#pragma once

#include <map>
#include <stdexcept>
#include <string>

#include "mugaika/file_type.hpp"
#include "mugaika/limits.hpp"

namespace toml { inline namespace v3 { class table; } }

namespace mugaika {

class Registry;

// A configuration error: which file, which line, what is wrong. Thrown at start, never at run time.
class ConfigError : public std::runtime_error {
public:
    ConfigError(std::string file, int line, const std::string& what);
    // A message already in "file:line: what" form (from another component's parser).
    ConfigError(std::string file, const std::string& formatted);
    const std::string& file() const { return file_; }
    int line() const { return line_; }

private:
    std::string file_;
    int line_;
};

enum class NameMismatch {
    rename,   // the output gets the extension of its real type (default)
    block,    // quarantine with blocked.mismatch
    keep,     // keep the name, record a finding
};

// Options of one sanitizer, e.g. [sanitizer.pdf] mode = "pixels". Validated against the sanitizer's
// declared options when the policy is parsed, so sanitizers can rely on the values.
using SanitizerOptions = std::map<std::string, std::string, std::less<>>;

struct Policy {
    Limits limits;
    NameMismatch name_mismatch = NameMismatch::rename;
    std::map<std::string, TypeAction, std::less<>> actions;        // type id -> action
    std::map<std::string, SanitizerOptions, std::less<>> options;   // sanitizer name -> options

    // The action for a type: the configured one, else the type's default. Unknown ids block.
    TypeAction action_for(std::string_view type_id) const;
    // A sanitizer's options with its declared defaults filled in.
    SanitizerOptions options_for(std::string_view sanitizer, const Registry& registry) const;

    // The built-in defaults (what config/mugaika.toml spells out).
    static Policy defaults();
};

// Parses the policy tables of a configuration. `file` is used in error messages only. Unknown keys,
// unknown types, unknown sanitizers, bad values and actions with no sanitizer all raise ConfigError.
Policy parse_policy(const toml::table& config, const std::string& file, const Registry& registry);
// Same, from the configuration's text (tests, and callers that hold the text).
Policy parse_policy_text(std::string_view text, const std::string& file, const Registry& registry);

}  // namespace mugaika
