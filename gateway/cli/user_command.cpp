// mugaika user add NAME --role R [--bootstrap] | enrol NAME | passwd | reset NAME | confirm NAME |
//              cancel NAME | disable NAME | enable NAME | role NAME ROLE | list
//
// An admin never sets or sees anyone else's password or second factor: `add` and `reset` print a
// one-time enrolment code to hand over, and the person enrols with it (`enrol` here, or the UI's
// enrolment page). The local bootstrap is the exception: the person at the console makes their own
// admin account (while fewer than two admins exist).
#include <unistd.h>

#include <iostream>

#include "commands.hpp"
#include "mugaika/quarantine/qr.hpp"
#include "cli_config.hpp"
#include "quarantine_cli_support.hpp"

namespace mugaika::cli {
using namespace mugaika::quarantine;

namespace {

const char* usage_text = "  (詳しくは `mugaika user --help`; see `mugaika user ACTION --help`)\n";

std::string new_password() {
    if (const char* v = std::getenv("MUGAIKA_NEW_PASSWORD")) return v;
    // Not from the environment here (checked above): asked twice on the terminal, or a usage error.
    if (!has_terminal()) throw no_terminal("MUGAIKA_NEW_PASSWORD");
    std::string a = secret_input("MUGAIKA_NEW_PASSWORD_UNSET", "新しいパスワード (new password): ");
    std::string b = secret_input("MUGAIKA_NEW_PASSWORD_UNSET", "もう一度 (again): ");
    if (a != b) throw UsageError("the two passwords differ");
    return a;
}

void show_secret(const std::string& name, const NewSecret& s) {
    // Shown to the person themselves: they add it to their authenticator app now; it is stored only sealed.
    std::cout << name << " の確認コード用の秘密鍵 (TOTP secret, shown to you only):\n  " << s.base32 << "\n  " << s.uri
              << "\n";
    if (::isatty(STDOUT_FILENO)) std::cout << qr_terminal(s.uri);
}

void show_enrolment(const std::string& name, const Enrolment& e, bool pending) {
    std::cout << name << " の登録コード (one-time enrolment code): " << e.code << "\n"
              << "  有効期限 valid until: " << format_time(e.expires) << "\n"
              << "  本人に直接渡してください。本人が `mugaika user enrol " << name
              << "` または officer UI の「登録コードで初回登録」で登録します。\n"
              << "  (hand it to the person; they set their own password and TOTP)\n";
    if (pending)
        std::cout << "  役割は別の管理者の確認 (`mugaika user confirm " << name
                  << "`) の後に有効になります (the role awaits a second admin)\n";
}

Role role_arg(const std::string& s) {
    auto r = parse_role(s);
    if (!r) throw UsageError("role must be officer, approver, auditor or admin");
    return *r;
}

}  // namespace

const CommandSpec& user_spec() {
    static const CommandSpec spec{
        "user",
        "the reviewers' accounts: add, enrol, passwd, reset, confirm, disable, role, list (アカウント管理)",
        "An admin signs in with --user (password from $MUGAIKA_PASSWORD or the terminal, TOTP code from --totp,\n"
        "$MUGAIKA_TOTP or the terminal). Nobody sets another person's password: add and reset print a one-time\n"
        "enrolment code, and the person enrols with it.",
        {config_option(),
         init_option(),
         {"--user", "ADMIN", "who you are (an admin; passwd: yourself)", 'u'},
         {"--totp", "CODE", "the code from your authenticator app"},
         {"--role", "ROLE", "officer, approver, auditor or admin"},
         {"--bootstrap", "", "your own admin account at the console, while fewer than two admins exist (no --user;\n"
                              "new password from $MUGAIKA_NEW_PASSWORD or asked twice)"}},
        {},
        {{"add", "add NAME with a role; prints a one-time enrolment code for them", {{"NAME", "the new account"}}, {"--role", "--bootstrap"}},
         {"enrol", "enrol with your code ($MUGAIKA_ENROL_CODE or asked); your password from $MUGAIKA_NEW_PASSWORD or asked",
          {{"NAME", "your account"}}, {}},
         {"passwd", "change your own password", {{"[NAME]", "yourself"}}, {}},
         {"reset", "clear NAME's password and TOTP and print a new enrolment code", {{"NAME", "the account"}}, {}},
         {"totp-reset", "the same as reset", {{"NAME", "the account"}}, {}},
         {"confirm", "confirm a role another admin gave", {{"NAME", "the account"}}, {}},
         {"cancel", "withdraw a role grant that awaits confirmation", {{"NAME", "the account"}}, {}},
         {"disable", "disable an account", {{"NAME", "the account"}}, {}},
         {"enable", "enable an account again", {{"NAME", "the account"}}, {}},
         {"role", "change an account's role", {{"NAME", "the account"}, {"ROLE", "officer, approver, auditor or admin"}}, {}},
         {"list", "every account with its role and state", {}, {}}},
        {"--config", "--init", "--user", "--totp"}};
    return spec;
}

int user_command(const std::vector<std::string>& argv) {
    Args args;
    try {
        args = parse_args(argv, user_spec());
    } catch (const UsageError& e) {
        std::cerr << "mugaika user: " << e.what() << "\n";
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
            if (role_arg(args.value("--role").value_or("")) != Role::admin)
                throw UsageError("the bootstrap makes an admin account (--role admin)");
            show_secret(n, s.bootstrap_admin(n, new_password()));
            return exit_ok;
        }
        if (action == "enrol") {
            // The person themselves, with the code an admin gave them: no login (they have none yet).
            std::string n = name();
            std::string code = required_secret("MUGAIKA_ENROL_CODE", "登録コード (enrolment code): ");
            std::string totp = args.value("--totp").value_or("");
            if (totp.empty()) {
                NewSecret secret = s.begin_enrolment(n, code, "cli");
                show_secret(n, secret);
                std::cout << "認証アプリに登録してから、表示された6桁を入力してください (add it to your app, then enter its code)\n";
                totp = secret_input("MUGAIKA_TOTP", "認証アプリの6桁 (code from the app): ");
                if (totp.empty()) {
                    std::cout << "続けるには: mugaika user enrol " << n
                              << " --totp CODE (同じ登録コードと新しいパスワードで)\n(to finish: run again with --totp CODE)\n";
                    return exit_ok;
                }
            }
            bool pending = s.finish_enrolment(n, code, new_password(), totp, "cli");
            std::cout << "登録しました (enrolled)"
                      << (pending ? "。役割は別の管理者の確認を待っています (your role awaits a second admin)" : "") << "\n";
            return exit_ok;
        }
        static const std::set<std::string> known{"add",  "passwd", "reset",   "totp-reset", "confirm", "cancel",
                                                 "disable", "enable", "role", "list"};
        if (!known.contains(action)) throw UsageError("unknown action '" + action + "'");
        Actor me = sign_in(s, args);
        if (action == "add") {
            std::string n = name();
            auto role = args.value("--role");
            if (!role) throw UsageError("--role is required");
            Role r = role_arg(*role);
            show_enrolment(n, s.add_user(me, n, r), s.role_needs_confirmation(r));
        } else if (action == "passwd") {
            if (args.positional.size() > 1 && args.positional[1] != me.name)
                throw UsageError("passwd changes your own password; for someone else use `user reset NAME`");
            std::string current = required_secret("MUGAIKA_PASSWORD", "現在のパスワード (current password): ");
            s.change_password(me, current, new_password());
            std::cout << "パスワードを変更しました (password changed)\n";
        } else if (action == "reset" || action == "totp-reset") {
            std::string n = name();
            Enrolment e = s.reset_user(me, n);
            auto acc = s.users().find(n);
            show_enrolment(n, e, acc && acc->pending_role);
        } else if (action == "confirm") {
            s.confirm_role(me, name());
            std::cout << "役割を確認しました。有効になりました (role confirmed)\n";
        } else if (action == "cancel") {
            s.cancel_role(me, name());
            std::cout << "役割の付与を取り消しました (role grant withdrawn)\n";
        } else if (action == "disable" || action == "enable") {
            s.set_disabled(me, name(), action == "disable");
            std::cout << (action == "disable" ? "無効にしました (disabled)\n" : "有効にしました (enabled)\n");
        } else if (action == "role") {
            if (args.positional.size() != 3) throw UsageError("role NAME ROLE");
            s.set_role(me, args.positional[1], role_arg(args.positional[2]));
            auto acc = s.users().find(args.positional[1]);
            std::cout << (acc && acc->pending_role ? "役割の変更を記録しました。別の管理者の確認後に有効になります (awaits a second admin)\n"
                                                   : "役割を変更しました (role changed)\n");
        } else if (action == "list") {
            for (const auto& a : s.accounts(me)) {
                std::cout << a.name << "\t" << to_string(a.role) << "\t" << (a.disabled ? "disabled" : "active") << "\t"
                          << (a.enrolled ? "enrolled" : a.enrol_expires > s.now() ? "awaiting-enrolment" : "enrolment-expired");
                if (a.pending_role) std::cout << "\tpending:" << to_string(*a.pending_role) << " (by " << a.pending_by << ")";
                if (a.locked_until > s.now()) std::cout << "\tlocked";
                std::cout << "\n";
            }
        }
        return exit_ok;
    } catch (const UsageError& e) {
        std::cerr << "mugaika user: " << e.what() << "\n" << usage_text;
        return exit_usage;
    } catch (const QuarantineConfigError& e) {
        return report_config_error(e.what());
    } catch (const ReviewError& e) {
        return report_refusal("user " + action, e);
    } catch (const std::exception& e) {
        std::cerr << "mugaika user " << action << ": internal error: " << e.what() << "\n";
        return exit_internal;
    }
}

}  // namespace mugaika::cli
