#include "mugaika/policy.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <set>
#include <sstream>

#include "mugaika/registry.hpp"

namespace mugaika {

ConfigError::ConfigError(std::string file, int line, const std::string& what)
    : std::runtime_error(file + ":" + std::to_string(line) + ": " + what), file_(std::move(file)), line_(line) {}

ConfigError::ConfigError(std::string file, const std::string& formatted)
    : std::runtime_error(formatted), file_(std::move(file)), line_(0) {}

TypeAction Policy::action_for(std::string_view type_id) const {
    if (auto it = actions.find(type_id); it != actions.end()) return it->second;
    const FileType* t = find_file_type(type_id);
    return t ? t->default_action : TypeAction::block;
}

SanitizerOptions Policy::options_for(std::string_view sanitizer, const Registry& registry) const {
    SanitizerOptions out;
    if (const Sanitizer* s = registry.by_name(sanitizer))
        for (const auto& spec : s->options()) out[spec.key] = spec.default_value;
    if (auto it = options.find(sanitizer); it != options.end())
        for (const auto& [k, v] : it->second) out[k] = v;
    return out;
}

Policy Policy::defaults() {
    Policy p;
    for (const auto& t : file_types()) p.actions.emplace(std::string(t.id), t.default_action);
    return p;
}

namespace {

int line_of(const toml::node& n) { return static_cast<int>(n.source().begin.line); }

// Sizes may be written as integers or with a binary unit: "100MiB", "1GiB", "512KiB".
std::uint64_t parse_size(const toml::node& n, const std::string& file, std::string_view key) {
    if (auto i = n.value<std::int64_t>()) {
        if (*i <= 0) throw ConfigError(file, line_of(n), std::string(key) + " must be positive");
        return static_cast<std::uint64_t>(*i);
    }
    if (auto s = n.value<std::string>()) {
        std::uint64_t value = 0;
        auto [ptr, ec] = std::from_chars(s->data(), s->data() + s->size(), value);
        std::string_view unit(ptr, s->data() + s->size() - ptr);
        std::uint64_t mult = unit == "" || unit == "B" ? 1 : unit == "KiB" ? 1ull << 10 : unit == "MiB" ? 1ull << 20
                             : unit == "GiB" ? 1ull << 30 : 0;
        if (ec != std::errc() || mult == 0 || value == 0)
            throw ConfigError(file, line_of(n), std::string(key) + " = \"" + *s +
                                                    "\": expected a size such as 100MiB, 1GiB or 512KiB");
        return value * mult;
    }
    throw ConfigError(file, line_of(n), std::string(key) + " must be an integer or a size string such as \"100MiB\"");
}

std::uint64_t parse_count(const toml::node& n, const std::string& file, std::string_view key) {
    auto i = n.value<std::int64_t>();
    if (!i || *i <= 0) throw ConfigError(file, line_of(n), std::string(key) + " must be a positive integer");
    return static_cast<std::uint64_t>(*i);
}

const toml::table& as_table(const toml::node& n, const std::string& file, std::string_view key) {
    const toml::table* t = n.as_table();
    if (!t) throw ConfigError(file, line_of(n), "[" + std::string(key) + "] must be a table");
    return *t;
}

void parse_limits(const toml::table& t, const std::string& file, Limits& limits) {
    for (const auto& [k, v] : t) {
        std::string key(k.str());
        if (key == "max_input_bytes") limits.max_input_bytes = parse_size(v, file, key);
        else if (key == "max_expanded_bytes") limits.max_expanded_bytes = parse_size(v, file, key);
        else if (key == "max_depth") limits.max_depth = static_cast<std::uint32_t>(std::min<std::uint64_t>(parse_count(v, file, key), 64));
        else if (key == "max_members") limits.max_members = static_cast<std::uint32_t>(std::min<std::uint64_t>(parse_count(v, file, key), 1000000));
        else if (key == "max_ratio") limits.max_ratio = static_cast<std::uint32_t>(std::min<std::uint64_t>(parse_count(v, file, key), 100000));
        else if (key == "time_budget_seconds")
            limits.time_budget = std::chrono::seconds(std::min<std::uint64_t>(parse_count(v, file, key), 86400));
        else
            throw ConfigError(file, line_of(v), "unknown key '" + key + "' in [limits] (known: max_input_bytes, "
                                                "max_expanded_bytes, max_depth, max_members, max_ratio, time_budget_seconds)");
    }
}

void parse_names(const toml::table& t, const std::string& file, Policy& p) {
    for (const auto& [k, v] : t) {
        std::string key(k.str());
        if (key != "extension_mismatch")
            throw ConfigError(file, line_of(v), "unknown key '" + key + "' in [names] (known: extension_mismatch)");
        auto s = v.value<std::string>();
        if (s == "rename") p.name_mismatch = NameMismatch::rename;
        else if (s == "block") p.name_mismatch = NameMismatch::block;
        else if (s == "keep") p.name_mismatch = NameMismatch::keep;
        else throw ConfigError(file, line_of(v), "extension_mismatch must be \"rename\", \"block\" or \"keep\"");
    }
}

void parse_types(const toml::table& t, const std::string& file, const Registry& registry, Policy& p) {
    for (const auto& [k, v] : t) {
        std::string id(k.str());
        if (!find_file_type(id)) {
            std::ostringstream known;
            for (const auto& ft : file_types()) known << ' ' << ft.id;
            throw ConfigError(file, line_of(v), "unknown file type '" + id + "' in [types]; known types:" + known.str());
        }
        auto s = v.value<std::string>();
        auto action = s ? parse_type_action(*s) : std::nullopt;
        if (!action)
            throw ConfigError(file, line_of(v), "type '" + id + "' must be \"reconstruct\", \"convert\" or \"block\"");
        if (id == "unknown" && *action != TypeAction::block)
            throw ConfigError(file, line_of(v), "type 'unknown' can only be blocked: fail closed");
        // "convert" names a specific converter; there is no point accepting one that does not exist.
        if (*action == TypeAction::convert && !registry.find(id, TypeAction::convert))
            throw ConfigError(file, line_of(v), "no converter exists for type '" + id + "'");
        p.actions[id] = *action;
    }
}

void parse_sanitizers(const toml::table& t, const std::string& file, const Registry& registry, Policy& p) {
    for (const auto& [k, v] : t) {
        std::string name(k.str());
        const Sanitizer* s = registry.by_name(name);
        if (!s) {
            std::string known;
            for (const auto* each : registry.all()) known += " " + std::string(each->name());
            throw ConfigError(file, line_of(v), "unknown sanitizer [sanitizer." + name + "]; known:" + known);
        }
        auto specs = s->options();
        for (const auto& [ok, ov] : as_table(v, file, "sanitizer." + name)) {
            std::string key(ok.str());
            auto spec = std::find_if(specs.begin(), specs.end(), [&](const OptionSpec& o) { return o.key == key; });
            if (spec == specs.end())
                throw ConfigError(file, line_of(ov), "unknown option '" + key + "' in [sanitizer." + name + "]");
            std::string value;
            if (spec->allowed.empty()) {
                std::uint64_t n = parse_count(ov, file, key);
                if (n < spec->min || n > spec->max)
                    throw ConfigError(file, line_of(ov), name + "." + key + " must be between " +
                                                             std::to_string(spec->min) + " and " + std::to_string(spec->max));
                value = std::to_string(n);
            } else {
                auto sv = ov.value<std::string>();
                if (!sv || std::find(spec->allowed.begin(), spec->allowed.end(), *sv) == spec->allowed.end()) {
                    std::string allowed;
                    for (const auto& a : spec->allowed) allowed += (allowed.empty() ? "\"" : ", \"") + a + "\"";
                    throw ConfigError(file, line_of(ov), name + "." + key + " must be one of " + allowed);
                }
                value = *sv;
            }
            p.options[name][key] = value;
        }
    }
}

}  // namespace

Policy parse_policy(const toml::table& config, const std::string& file, const Registry& registry) {
    Policy p = Policy::defaults();
    if (auto* n = config.get("limits")) parse_limits(as_table(*n, file, "limits"), file, p.limits);
    if (auto* n = config.get("names")) parse_names(as_table(*n, file, "names"), file, p);
    if (auto* n = config.get("types")) parse_types(as_table(*n, file, "types"), file, registry, p);
    if (auto* n = config.get("sanitizer")) parse_sanitizers(as_table(*n, file, "sanitizer"), file, registry, p);
    return p;
}

Policy parse_policy_text(std::string_view text, const std::string& file, const Registry& registry) {
    try {
        toml::table table = toml::parse(text, file);
        return parse_policy(table, file, registry);
    } catch (const toml::parse_error& e) {
        throw ConfigError(file, static_cast<int>(e.source().begin.line), std::string(e.description()));
    }
}

}  // namespace mugaika
