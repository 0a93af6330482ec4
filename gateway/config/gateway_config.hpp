// The gateway's configuration: folders, worker limits and the engine's policy, from one TOML file.
// Every error names the file and line; a bad configuration never starts (or replaces) a running one.
#pragma once

#include <filesystem>
#include <string>

#include "../worker/isolated.hpp"
#include "mugaika/policy.hpp"
#include "mugaika/registry.hpp"

namespace mugaika {

struct GatewayConfig {
    std::string source = "(built-in defaults)";
    std::filesystem::path out_dir = "var/out";
    std::filesystem::path quarantine_dir = "var/quarantine";
    std::filesystem::path reports_dir;   // empty: no per-item report files
    WorkerLimits worker;
    Policy policy = Policy::defaults();
};

// Throws ConfigError (file:line: what) on anything it does not understand.
GatewayConfig load_config(const std::filesystem::path& file, const Registry& registry);
GatewayConfig parse_config_text(std::string_view text, const std::string& file, const Registry& registry);

}  // namespace mugaika
