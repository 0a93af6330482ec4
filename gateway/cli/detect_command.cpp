// mugaika detect FILE... [--config FILE]: what the engine would see, without disarming anything.
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "../config/gateway_config.hpp"
#include "../worker/isolated.hpp"
#include "args.hpp"
#include "cli_config.hpp"
#include "commands.hpp"
#include "mugaika/atomic_file.hpp"
#include <system_error>

namespace mugaika::cli {
namespace fs = std::filesystem;

const CommandSpec& detect_spec() {
    static const CommandSpec spec{
        "detect",
        "print each file's detected type and the findings of the name and type checks (判定のみ)",
        "Nothing is disarmed or written; the same checks as sanitize, in a sandboxed worker.",
        {config_option()},
        {{"FILE...", "the files to look at"}}};
    return spec;
}

int detect_command(const std::vector<std::string>& argv) {
    Args args;
    GatewayConfig config;
    try {
        args = parse_args(argv, detect_spec());
        config = load_cli_config(args, builtin_registry());
    } catch (const UsageError& e) {
        std::cerr << "mugaika detect: " << e.what() << "\n";
        return exit_usage;
    } catch (const ConfigError& e) {
        return report_config_error(e.what());
    }
    int status = exit_ok;
    for (const auto& input : args.positional) {
        fs::path path(input);
        std::string bytes;
        try {
            bytes = read_file(path, config.policy.limits.max_input_bytes);
        } catch (const std::exception& e) {
            std::cerr << input << ": " << e.what() << "\n";
            status = exit_usage;
            continue;
        }
        std::string name = path.filename().string();
        // Detection parses hostile containers too (zip, OLE2): in a sandboxed worker like everything else.
        std::string result;
        try {
            result = detect_isolated(bytes, name, config.worker, config.policy);
        } catch (const WorkerFailure& e) {
            std::cout << input << ": detection failed (" << e.code() << ": " << e.what() << ")\n";
            status = exit_quarantined;
            continue;
        } catch (const std::system_error& e) {
            std::cerr << "mugaika detect: no worker could be started: " << e.what() << "\n";
            return exit_internal;
        }
        auto j = nlohmann::ordered_json::parse(result);
        std::cout << input << ": " << j["type"].get<std::string>() << " (" << j["label"].get<std::string>()
                  << ")  magic: " << j["magic"].get<std::string>() << "\n";
        if (j["safe_name"] != name) std::cout << "  safe name: " << j["safe_name"].get<std::string>() << "\n";
        for (const auto& f : j["findings"])
            std::cout << "  " << f["kind"].get<std::string>() << ": " << f["detail"].get<std::string>() << " / "
                      << f["ja"].get<std::string>() << "\n";
    }
    return status;
}

}  // namespace mugaika::cli
