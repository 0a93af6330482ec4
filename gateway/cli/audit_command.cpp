// mugaika audit verify [FILE] [--config FILE]: checks the audit log's hash chain and head, and the archived
// files of earlier rotations that are still beside it.
// mugaika audit rotate [--config FILE]: starts a new file whose first line records the archived one's end.
#include <iostream>

#include "commands.hpp"
#include "mugaika/quarantine/audit_log.hpp"
#include "cli_config.hpp"
#include "quarantine_cli_support.hpp"

namespace mugaika::cli {

namespace {

int rotate(const Args& args) {
    try {
        auto config = quarantine_config(args);
        quarantine::AuditLog log(config.audit_file, config.audit_syslog);
        quarantine::AuditEvent ev;
        ev.actor = "local-admin";
        ev.action = "audit.rotate";
        ev.detail = local_operator();
        auto r = log.rotate(ev);
        if (r.archived.empty()) {
            std::cout << config.audit_file.string() << ": 監査ログは空です。切り替えは不要です (empty: nothing to rotate)\n";
            return exit_ok;
        }
        std::cout << "監査ログを切り替えました (rotated): " << r.archived.string() << " (lines 1-" << r.last_seq
                  << ", last sha256 " << r.last_sha256 << ")\n  new " << config.audit_file.string()
                  << " starts with its link to it\n";
        return exit_ok;
    } catch (const quarantine::QuarantineConfigError& e) {
        return report_config_error(e.what());
    } catch (const std::exception& e) {
        std::cerr << "mugaika audit rotate: " << e.what() << "\n";
        return exit_internal;
    }
}

}  // namespace

const CommandSpec& audit_spec() {
    static const CommandSpec spec{
        "audit",
        "check the audit log's hash chain (exit 5 when it was altered), or start a new file (監査ログ)",
        "",
        {config_option()},
        {},
        {{"verify", "check the hash chain and the head file, and the archived files of earlier rotations beside it; needs no login",
          {{"[FILE]", "the log (default: [audit] file)"}}, {}},
         {"rotate", "start a new file whose first line records the last hash of the archived one (the monthly timer)", {}, {}}},
        {"--config"}};
    return spec;
}

int audit_command(const std::vector<std::string>& argv) {
    Args args;
    try {
        args = parse_args(argv, audit_spec());
    } catch (const UsageError& e) {
        std::cerr << "mugaika audit: " << e.what() << "\n";
        return exit_usage;
    }
    if (args.positional[0] == "rotate") return rotate(args);
    std::filesystem::path file;
    try {
        if (args.positional.size() == 2) file = args.positional[1];
        else if (auto c = config_file(args)) file = quarantine::load_quarantine_config(*c).audit_file;
        else file = quarantine::QuarantineConfig{}.audit_file;
    } catch (const std::exception& e) {
        std::cerr << "mugaika: configuration error: " << e.what() << "\n";
        return exit_usage;
    }
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
        std::cerr << "mugaika audit verify: " << file.string() << ": 監査ログが見つかりません (no such file)\n";
        return exit_usage;
    }
    // Verification reads the file only and needs no login: whoever may read the log may check it, and a
    // check that depends on the database would fail exactly when an incident needs it.
    // The file, then the archived files of earlier rotations that are still beside it, newest first.
    bool all_ok = true;
    for (const auto& link : quarantine::verify_audit_chain(file)) {
        const auto& r = link.result;
        const std::string name = link.file.string();
        if (r.ok()) {
            std::cout << name << ": OK, " << r.lines << " 行、改ざんは検出されませんでした (" << r.lines
                      << " lines, chain intact" << (r.head_checked ? ", head matches" : "; no head file: the last line is unchecked")
                      << ")\n";
            if (r.head_behind > 0)
                std::cout << "  note: the head file is " << r.head_behind << " line(s) behind (its update failed, e.g. a full disk); "
                          << "the last " << r.head_behind << " line(s) are not vouched for until the next append\n";
        } else {
            all_ok = false;
            std::cout << name << ": 改ざんまたは破損を検出しました (TAMPERED or damaged)\n";
            for (const auto& p : r.problems) std::cout << "  line " << p.line << ": " << p.message << "\n";
        }
        for (const auto& note : link.notes) std::cout << "  note: " << note << "\n";
    }
    return all_ok ? exit_ok : exit_tampered;
}

}  // namespace mugaika::cli
