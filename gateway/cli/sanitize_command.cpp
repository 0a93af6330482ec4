// mugaika sanitize INPUT... --out DIR [--quarantine DIR] [--reports DIR] [--config FILE] [--json]
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "../config/gateway_config.hpp"
#include "../office/office_config.hpp"
#include "../release/deliver.hpp"
#include "../scan/malware_scan.hpp"
#include "../worker/isolated.hpp"
#include "args.hpp"
#include "cli_config.hpp"
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

// --out must be a folder we can write before any input is taken: our own trouble is exit 1, never a
// quarantine of clean input.
void check_out(const fs::path& out) {
    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec) throw ReleaseError("cannot create --out " + out.string() + ": " + ec.message());
    if (!fs::is_directory(out)) throw ReleaseError("--out " + out.string() + " is not a folder");
    if (::access(out.c_str(), W_OK | X_OK) != 0)
        throw ReleaseError("cannot write to --out " + out.string() + ": " + std::error_code(errno, std::generic_category()).message());
}

}  // namespace

const CommandSpec& sanitize_spec() {
    static const CommandSpec spec{
        "sanitize",
        "disarm files: clean output into --out, the rest held in --quarantine (ファイルの無害化)",
        "Each input is detected, checked and rebuilt in a sandboxed worker, then scanned ([scan]).",
        {{"--out", "DIR", "where clean and disarmed files go (required)", 'o'},
         {"--quarantine", "DIR", "where held originals and their reports go (default: [paths] quarantine)", 'q'},
         {"--reports", "DIR", "one NAME.report.json per input (default: [paths] reports)", 'r'},
         config_option(),
         {"--json", "", "print the reports as one JSON array", 'j'}},
        {{"INPUT...", "the files to disarm"}},
        {},
        {},
        "Without clamd: start it (systemctl start clamav-daemon) or set [scan] enabled = false."};
    return spec;
}

int sanitize_command(const std::vector<std::string>& argv) {
    Args args;
    GatewayConfig config;
    Registry registry = builtin_registry();
    try {
        args = parse_args(argv, sanitize_spec());
        if (!args.value("--out"))
            throw UsageError("--out DIR is required: where the clean files go (mugaika sanitize FILE... --out DIR)");
        for (const auto& in : args.positional)
            if (!fs::is_regular_file(in))
                throw UsageError(in + ": " + (fs::exists(in) ? "not a regular file (a folder? give the files in it)"
                                                             : "no such file"));
        config = load_cli_config(args, registry);
    } catch (const UsageError& e) {
        std::cerr << "mugaika sanitize: " << e.what() << "\n";
        return exit_usage;
    } catch (const ConfigError& e) {
        return report_config_error(e.what());
    }
    try {
        check_out(*args.value("--out"));
    } catch (const ReleaseError& e) {
        std::cerr << "mugaika sanitize: " << e.what() << "\n  (nothing was processed; 何も処理していません)\n";
        return exit_internal;
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
    } catch (const ScannerUnavailable& e) {
        std::cerr << "mugaika sanitize: " << e.what() << "\n"
                  << "  ウイルス検査 (clamd, " << config.scan.clamd << ") が応答しません。clamd を起動するか "
                  << "(systemctl start clamav-daemon)、検査なしで使うなら " << config_origin(args)
                  << " の [scan] に enabled = false を設定してください。\n"
                  << "  (hint: start clamd, or set [scan] enabled = false in " << config_origin(args)
                  << "; the input was not released)\n";
        return exit_internal;
    } catch (const ReleaseError& e) {
        std::cerr << "mugaika sanitize: " << e.what() << "\n  (the input was neither released nor held)\n";
        return exit_internal;
    } catch (const std::exception& e) {
        std::cerr << "mugaika sanitize: internal error: " << e.what() << "\n";
        return exit_internal;
    }
    if (args.flag("--json")) std::cout << all.dump(2) << "\n";
    return status;
}

}  // namespace mugaika::cli
