// mugaika sanitize INPUT... --out DIR [--quarantine DIR] [--reports DIR] [--config FILE] [--json]
#include <filesystem>
#include <iostream>

#include "../config/gateway_config.hpp"
#include "../office/office_config.hpp"
#include "../release/deliver.hpp"
#include "../scan/malware_scan.hpp"
#include "../worker/isolated.hpp"
#include "args.hpp"
#include "commands.hpp"
#include "mugaika/atomic_file.hpp"
#include "mugaika/reasons.hpp"
#include "mugaika/report.hpp"

namespace mugaika::cli {
namespace fs = std::filesystem;

namespace {

// An input over the size limit is never read into memory: it is held as it is.
Outcome oversized(const fs::path& input, std::uint64_t size, std::uint64_t limit) {
    Outcome o;
    o.input_name = input.filename().string();
    o.input_size = size;
    o.input_sha256 = sha256_file(input);
    o.verdict = Verdict::quarantined;
    o.reason = std::string(reason::limit_size);
    o.reason_detail = std::to_string(size) + " bytes exceed the limit of " + std::to_string(limit);
    return o;
}

}  // namespace

int sanitize_command(const std::vector<std::string>& argv) {
    Args args;
    GatewayConfig config;
    Registry registry = builtin_registry();
    try {
        args = parse_args(argv, {"--out", "--quarantine", "--reports", "--config"}, {"--json"});
        if (args.positional.empty()) throw UsageError("no input files");
        if (!args.value("--out")) throw UsageError("--out DIR is required");
        for (const auto& in : args.positional)
            if (!fs::is_regular_file(in)) throw UsageError(in + ": not a readable regular file");
        if (auto file = args.value("--config")) config = load_config(*file, registry);
    } catch (const UsageError& e) {
        std::cerr << "mugaika sanitize: " << e.what() << "\n";
        return exit_usage;
    } catch (const ConfigError& e) {
        std::cerr << "mugaika: configuration error: " << e.what() << "\n";
        return exit_usage;
    }
    Destinations to{*args.value("--out"), args.value("--quarantine").value_or(config.quarantine_dir.string()),
                    args.value("--reports").value_or(config.reports_dir.string())};

    int status = exit_ok;
    nlohmann::ordered_json all = nlohmann::ordered_json::array();
    try {
        Engine engine(std::move(registry), config.policy);
        // Legacy Office, RTF, ODF: one sandboxed LibreOffice, started at the first legacy document and
        // kept for the others (docs/legacy.md); the item's worker asks this process for conversions.
        engine.set_converter(office::command_converter(config));
        for (const auto& input : args.positional) {
            fs::path path(input);
            std::uint64_t size = fs::file_size(path);
            Outcome outcome;
            if (size > config.policy.limits.max_input_bytes) {
                outcome = oversized(path, size, config.policy.limits.max_input_bytes);
            } else {
                std::string bytes = read_file(path, config.policy.limits.max_input_bytes);
                outcome = process_isolated(engine, bytes, path.filename().string(), config.worker);
            }
            // The original and the outputs through the malware scanner ([scan]); a scanner that cannot
            // answer stops the command (exit 1) before this input is released.
            outcome = apply_malware_scan(std::move(outcome), path, config.scan);
            Delivery d = deliver(std::move(outcome), path, to);
            if (d.outcome.keeps_original()) status = exit_quarantined;
            if (args.flag("--json")) {
                all.push_back(d.report);
            } else {
                std::cout << to_string(d.outcome.verdict) << "\t" << input;
                for (const auto& p : d.released) std::cout << "\t-> " << p.string();
                if (d.outcome.quarantined()) std::cout << "\t[" << d.outcome.reason << "] " << d.outcome.reason_detail;
                if (d.held) std::cout << "\tquarantine:" << d.held->id;
                std::cout << "\n  " << summary_ja(d.outcome) << "\n";
            }
        }
    } catch (const std::exception& e) {
        std::cerr << "mugaika sanitize: internal error: " << e.what() << "\n";
        return exit_internal;
    }
    if (args.flag("--json")) std::cout << all.dump(2) << "\n";
    return status;
}

}  // namespace mugaika::cli
