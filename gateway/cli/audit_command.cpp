// mugaika audit verify [FILE] [--config FILE]: checks the audit log's hash chain and head.
#include <iostream>

#include "commands.hpp"
#include "mugaika/quarantine/audit_log.hpp"
#include "quarantine_cli_support.hpp"

namespace mugaika::cli {

int audit_command(const std::vector<std::string>& argv) {
    Args args;
    try {
        args = parse_args(argv, {"--config"}, {});
        if (args.positional.empty() || args.positional[0] != "verify" || args.positional.size() > 2)
            throw UsageError("usage: mugaika audit verify [FILE] [--config FILE]");
    } catch (const UsageError& e) {
        std::cerr << "mugaika audit: " << e.what() << "\n";
        return exit_usage;
    }
    std::filesystem::path file;
    try {
        if (args.positional.size() == 2) file = args.positional[1];
        else if (auto c = args.value("--config")) file = quarantine::load_quarantine_config(*c).audit_file;
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
    auto r = quarantine::verify_audit_log(file);
    if (r.ok()) {
        std::cout << file.string() << ": OK, " << r.lines << " 行、改ざんは検出されませんでした (" << r.lines
                  << " lines, chain intact" << (r.head_checked ? ", head matches" : "; no head file: the last line is unchecked")
                  << ")\n";
        if (r.head_behind > 0)
            std::cout << "  note: the head file is " << r.head_behind << " line(s) behind (its update failed, e.g. a full disk); "
                      << "the last " << r.head_behind << " line(s) are not vouched for until the next append\n";
        return exit_ok;
    }
    std::cout << file.string() << ": 改ざんまたは破損を検出しました (TAMPERED or damaged)\n";
    for (const auto& p : r.problems) std::cout << "  line " << p.line << ": " << p.message << "\n";
    return exit_tampered;
}

}  // namespace mugaika::cli
