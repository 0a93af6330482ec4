#include "gateway_config.hpp"

#include <toml++/toml.h>

#include <fstream>
#include <set>
#include <sstream>

namespace mugaika {
namespace {

int line_of(const toml::node& n) { return static_cast<int>(n.source().begin.line); }

std::filesystem::path path_value(const toml::node& v, const std::string& file, const std::string& key) {
    auto s = v.value<std::string>();
    if (!s || s->empty()) throw ConfigError(file, line_of(v), key + " must be a non-empty path string");
    return *s;
}

std::uint64_t positive(const toml::node& v, const std::string& file, const std::string& key) {
    auto i = v.value<std::int64_t>();
    if (!i || *i <= 0) throw ConfigError(file, line_of(v), key + " must be a positive integer");
    return static_cast<std::uint64_t>(*i);
}

void parse_paths(const toml::table& t, const std::string& file, GatewayConfig& c) {
    for (const auto& [k, v] : t) {
        std::string key(k.str());
        if (key == "out") c.out_dir = path_value(v, file, key);
        else if (key == "quarantine") c.quarantine_dir = path_value(v, file, key);
        else if (key == "reports") c.reports_dir = path_value(v, file, key);
        else throw ConfigError(file, line_of(v), "unknown key '" + key + "' in [paths] (known: out, quarantine, reports)");
    }
}

void parse_worker(const toml::table& t, const std::string& file, GatewayConfig& c) {
    for (const auto& [k, v] : t) {
        std::string key(k.str());
        if (key == "timeout_seconds") c.worker.wall = std::chrono::seconds(positive(v, file, key));
        else if (key == "memory_mib") c.worker.address_space_bytes = positive(v, file, key) << 20;
        else if (key == "cpu_seconds") c.worker.cpu_seconds = positive(v, file, key);
        else throw ConfigError(file, line_of(v), "unknown key '" + key + "' in [worker] (known: timeout_seconds, memory_mib, cpu_seconds)");
    }
}

}  // namespace

GatewayConfig parse_config_text(std::string_view text, const std::string& file, const Registry& registry) {
    toml::table root;
    try {
        root = toml::parse(text, file);
    } catch (const toml::parse_error& e) {
        throw ConfigError(file, static_cast<int>(e.source().begin.line), std::string(e.description()));
    }
    GatewayConfig c;
    c.source = file;
    for (const auto& [k, v] : root) {
        std::string key(k.str());
        static const std::set<std::string> engine_tables{"limits", "names", "types", "sanitizer"};
        if (engine_tables.contains(key)) continue;
        const toml::table* t = v.as_table();
        if (!t) throw ConfigError(file, line_of(v), "'" + key + "' must be a table");
        if (key == "paths") parse_paths(*t, file, c);
        else if (key == "worker") parse_worker(*t, file, c);
        else
            throw ConfigError(file, line_of(v), "unknown table [" + key +
                                                    "] (known: paths, worker, limits, names, types, sanitizer)");
    }
    c.policy = parse_policy(root, file, registry);
    // The worker's wall clock must leave the engine room to spend its own time budget and report.
    auto engine_budget = std::chrono::duration_cast<std::chrono::milliseconds>(c.policy.limits.time_budget);
    if (c.worker.wall < engine_budget) c.worker.wall = engine_budget + std::chrono::seconds(5);
    return c;
}

GatewayConfig load_config(const std::filesystem::path& file, const Registry& registry) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw ConfigError(file.string(), 0, "cannot read the configuration file");
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse_config_text(ss.str(), file.string(), registry);
}

}  // namespace mugaika
