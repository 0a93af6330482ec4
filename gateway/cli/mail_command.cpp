// mugaika mail [--config FILE] [--quarantine DIR] [--name NAME]
// Pipe mode for a mail filter: one message on stdin, the safe message on stdout.
//   exit 0  the safe message is on stdout (parts of it may have been held: the original is then in
//           quarantine, and stderr says which parts)
//   exit 3  the whole message was quarantined; nothing on stdout
//   exit 1  internal error; nothing on stdout, the caller keeps the message (tempfail)
//   exit 2  usage or configuration error
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "../config/gateway_config.hpp"
#include "../scan/malware_scan.hpp"
#include "../worker/isolated.hpp"
#include "args.hpp"
#include "cli_config.hpp"
#include "commands.hpp"
#include "mugaika/file_store.hpp"
#include "mugaika/reasons.hpp"
#include "mugaika/report.hpp"

namespace mugaika::cli {
namespace {

// Reads at most `limit` + 1 bytes, so an oversized message is recognised without holding all of it.
std::string read_stdin(std::uint64_t limit, bool& over) {
    std::string data;
    char buf[65536];
    over = false;
    for (;;) {
        std::size_t n = std::fread(buf, 1, sizeof buf, stdin);
        if (n == 0) break;
        if (data.size() + n > limit) {
            data.append(buf, static_cast<std::size_t>(limit - data.size()));
            over = true;
            break;
        }
        data.append(buf, n);
    }
    if (std::ferror(stdin)) throw std::runtime_error("cannot read standard input");
    return data;
}

}  // namespace

const CommandSpec& mail_spec() {
    static const CommandSpec spec{
        "mail",
        "pipe mode: one mail on stdin, the safe mail on stdout (exit 0) or held (exit 3) (メールの無害化)",
        "For a mail filter: nothing on stdout unless exit 0; exit 1 means keep the message and retry.",
        {config_option(),
         {"--quarantine", "DIR", "where a held original goes (default: [paths] quarantine)", 'q'},
         {"--name", "NAME", "the name the message is reported under (default: message.eml)"}},
        {}};
    return spec;
}

int mail_command(const std::vector<std::string>& argv) {
    Args args;
    GatewayConfig config;
    Registry registry = builtin_registry();
    try {
        args = parse_args(argv, mail_spec());
        config = load_cli_config(args, registry);
    } catch (const UsageError& e) {
        std::cerr << "mugaika mail: " << e.what() << "\n";
        return exit_usage;
    } catch (const ConfigError& e) {
        return report_config_error(e.what());
    }
    std::string name = args.value("--name").value_or("message.eml");
    std::filesystem::path quarantine = args.value("--quarantine").value_or(config.quarantine_dir.string());

    try {
        bool over = false;
        std::uint64_t limit = config.policy.limits.max_input_bytes;
        std::string bytes = read_stdin(limit, over);
        Outcome outcome;
        if (over) {
            outcome.input_name = name;
            outcome.input_size = bytes.size();
            outcome.verdict = Verdict::quarantined;
            outcome.reason = std::string(reason::limit_size);
            outcome.reason_detail = "message larger than " + std::to_string(limit) + " bytes";
            // The original is kept as far as it was read, with the reason saying it was cut.
        } else {
            Engine engine(std::move(registry), config.policy);
            outcome = process_isolated(engine, bytes, name, config.worker);
        }
        // Pipe mode releases mail only: anything else on stdin (a bare PDF, say) is held.
        if (!outcome.quarantined() && (outcome.outputs.size() != 1 || outcome.outputs[0].type != "eml")) {
            outcome.verdict = Verdict::quarantined;
            outcome.reason = std::string(reason::blocked_type);
            outcome.reason_detail = "input is " + outcome.detected_type + ", not a mail message";
            outcome.outputs.clear();
        }
        if (outcome.input_sha256.empty()) outcome.input_sha256 = sha256_hex(bytes);
        // Through the malware scanner like everything the service releases ([scan]); a scanner that
        // cannot answer is an internal error here (exit 1, nothing written to stdout): Postfix retries.
        outcome = apply_malware_scan(std::move(outcome), std::string_view(bytes), config.scan);

        std::string held_id;
        if (outcome.keeps_original()) {
            FileQuarantine q(quarantine);
            held_id = q.hold_bytes(bytes, outcome.input_sha256, to_report_json(outcome).dump(2)).id;
        }
        if (!outcome.quarantined()) {
            const std::string& out = outcome.outputs[0].bytes;
            if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size() || std::fflush(stdout) != 0)
                throw std::runtime_error("cannot write standard output");
        }
        std::cerr << to_string(outcome.verdict);
        if (outcome.quarantined()) std::cerr << "\t[" << outcome.reason << "] " << outcome.reason_detail;
        if (!held_id.empty()) std::cerr << "\tquarantine:" << held_id;
        std::cerr << "\n  " << summary_ja(outcome) << "\n";
        return outcome.quarantined() ? exit_quarantined : exit_ok;
    } catch (const std::exception& e) {
        std::cerr << "mugaika mail: internal error: " << e.what() << "\n";
        return exit_internal;
    }
}

}  // namespace mugaika::cli
