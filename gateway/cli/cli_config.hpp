// Which configuration a command reads, and the options every command that reads one shares.
//
// --config FILE, else $MUGAIKA_CONFIG, else the installed /etc/mugaika/mugaika.toml when it exists,
// else the built-in defaults (folders under ./var, for a checkout). Paths in the file are relative to
// the file's folder, not to where the command runs (gateway_config.hpp).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "../config/gateway_config.hpp"
#include "args.hpp"

namespace mugaika::cli {

OptionSpec config_option();
OptionSpec init_option();

// The file (nullopt: the built-in defaults).
std::optional<std::filesystem::path> config_file(const Args& args);
// The configuration from config_file(); throws ConfigError (file:line, Japanese and English).
GatewayConfig load_cli_config(const Args& args, const Registry& registry);
// "FILE" or "built-in defaults (no --config, no /etc/mugaika/mugaika.toml)", for messages.
std::string config_origin(const Args& args);

// Prints "mugaika: 設定の誤り (configuration error): MESSAGE" and returns exit_usage.
int report_config_error(const std::string& message);

}  // namespace mugaika::cli
