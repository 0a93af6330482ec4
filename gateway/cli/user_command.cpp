// mugaika user add NAME --role R [--bootstrap] | passwd NAME | totp-reset NAME | disable NAME |
//              enable NAME | role NAME ROLE | list
#include <iostream>

#include "commands.hpp"
#include "quarantine_cli_support.hpp"

namespace mugaika::cli {
using namespace mugaika::quarantine;

namespace {

const char* usage_text =
    "usage: mugaika user <action> --config FILE --user ADMIN [--totp CODE] ...\n"
    "  add NAME --role officer|approver|auditor|admin\n"
    "  add NAME --role admin --bootstrap     the first account, while none exists (no --user)\n"
    "  passwd NAME                           (an admin for anyone; anyone for themself)\n"
    "  totp-reset NAME | disable NAME | enable NAME | role NAME ROLE | list\n"
    "the new password comes from $MUGAIKA_NEW_PASSWORD or is asked twice on the terminal\n";

std::string new_password() {
    if (const char* v = std::getenv("MUGAIKA_NEW_PASSWORD")) return v;
    std::string a = secret_input("MUGAIKA_NEW_PASSWORD_UNSET", "新しいパスワード (new password): ");
    std::string b = secret_input("MUGAIKA_NEW_PASSWORD_UNSET", "もう一度 (again): ");
    if (a != b) throw UsageError("the two passwords differ");
    return a;
}

void show_secret(const std::string& name, const NewSecret& s) {
    // Shown once: the person adds it to their authenticator app now; it is stored only sealed.
    std::cout << name << " の確認コード用の秘密鍵 (TOTP secret, shown once):\n  " << s.base32 << "\n  " << s.uri << "\n";
}

Role role_arg(const std::string& s) {
    auto r = parse_role(s);
    if (!r) throw UsageError("role must be officer, approver, auditor or admin");
    return *r;
}

}  // namespace

int user_command(const std::vector<std::string>& argv) {
    Args args;
    try {
        args = parse_args(argv, {"--config", "--user", "--totp", "--role"}, {"--bootstrap"});
        if (args.positional.empty()) throw UsageError("no action given");
    } catch (const UsageError& e) {
        std::cerr << "mugaika user: " << e.what() << "\n" << usage_text;
        return exit_usage;
    }
    const std::string action = args.positional[0];
    try {
        auto rt = open_quarantine(args);
        ReviewService& s = rt->service();
        auto name = [&] {
            if (args.positional.size() < 2) throw UsageError("expected a user name");
            return args.positional[1];
        };
        if (action == "add" && args.flag("--bootstrap")) {
            std::string n = name();
            show_secret(n, s.add_user(std::nullopt, n, role_arg(args.value("--role").value_or("")), new_password()));
            return exit_ok;
        }
        static const std::set<std::string> known{"add", "passwd", "totp-reset", "disable", "enable", "role", "list"};
        if (!known.contains(action)) throw UsageError("unknown action '" + action + "'");
        Actor me = sign_in(s, args);
        if (action == "add") {
            std::string n = name();
            auto role = args.value("--role");
            if (!role) throw UsageError("--role is required");
            show_secret(n, s.add_user(me, n, role_arg(*role), new_password()));
        } else if (action == "passwd") {
            s.set_password(me, name(), new_password());
            std::cout << "パスワードを変更しました (password changed)\n";
        } else if (action == "totp-reset") {
            std::string n = name();
            show_secret(n, s.reset_totp(me, n));
        } else if (action == "disable" || action == "enable") {
            s.set_disabled(me, name(), action == "disable");
            std::cout << (action == "disable" ? "無効にしました (disabled)\n" : "有効にしました (enabled)\n");
        } else if (action == "role") {
            if (args.positional.size() != 3) throw UsageError("role NAME ROLE");
            s.set_role(me, args.positional[1], role_arg(args.positional[2]));
            std::cout << "役割を変更しました (role changed)\n";
        } else if (action == "list") {
            for (const auto& a : s.accounts(me))
                std::cout << a.name << "\t" << to_string(a.role) << "\t" << (a.disabled ? "disabled" : "active")
                          << (a.locked_until > s.now() ? "\tlocked" : "") << "\n";
        }
        return exit_ok;
    } catch (const UsageError& e) {
        std::cerr << "mugaika user: " << e.what() << "\n" << usage_text;
        return exit_usage;
    } catch (const QuarantineConfigError& e) {
        std::cerr << "mugaika: configuration error: " << e.what() << "\n";
        return exit_usage;
    } catch (const ReviewError& e) {
        return report_refusal("user " + action, e);
    } catch (const std::exception& e) {
        std::cerr << "mugaika user " << action << ": internal error: " << e.what() << "\n";
        return exit_internal;
    }
}

}  // namespace mugaika::cli
