#include "cli_config.hpp"

#include <cstdlib>
#include <iostream>
#include <system_error>

#include "../config/config_messages.hpp"
#include "commands.hpp"

#ifndef MUGAIKA_DEFAULT_CONFIG
#define MUGAIKA_DEFAULT_CONFIG "/etc/mugaika/mugaika.toml"
#endif

namespace mugaika::cli {
namespace fs = std::filesystem;

OptionSpec config_option() {
    return {"--config", "FILE",
            "the configuration file (default: $MUGAIKA_CONFIG, else " MUGAIKA_DEFAULT_CONFIG
            " when it exists, else built-in defaults under ./var); its relative paths are taken from its folder",
            'c'};
}

OptionSpec init_option() {
    return {"--init", "",
            "a new installation: create the quarantine key and database where the configuration says (without "
            "it, a missing key or database is an error, not a new empty one)"};
}

std::optional<fs::path> config_file(const Args& args) {
    if (auto file = args.value("--config")) return fs::path(*file);
    if (const char* env = std::getenv("MUGAIKA_CONFIG"); env && *env) return fs::path(env);
    std::error_code ec;
    if (fs::exists(MUGAIKA_DEFAULT_CONFIG, ec)) return fs::path(MUGAIKA_DEFAULT_CONFIG);
    return std::nullopt;
}

GatewayConfig load_cli_config(const Args& args, const Registry& registry) {
    if (auto file = config_file(args)) return load_config(*file, registry);
    return GatewayConfig{};
}

std::string config_origin(const Args& args) {
    if (auto file = config_file(args)) return file->string();
    return "built-in defaults (no --config, no $MUGAIKA_CONFIG, no " MUGAIKA_DEFAULT_CONFIG ")";
}

int report_config_error(const std::string& message) {
    std::string ja = config_message_ja(message);
    if (ja.empty()) std::cerr << "mugaika: 設定の誤り (configuration error): " << message << "\n";
    else std::cerr << "mugaika: 設定の誤り: " << ja << "\n  (configuration error: " << message << ")\n";
    return exit_usage;
}

}  // namespace mugaika::cli
