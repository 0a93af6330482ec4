// mugaika quarantine list | show ID | request-release ID --reason R | approve ID | reject ID |
//                    delete ID --reason R | download ID --reason R --out FILE | import DIR | purge
#include <ctime>
#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "mugaika/atomic_file.hpp"
#include "mugaika/labels.hpp"
#include "mugaika/visible_text.hpp"
#include "mugaika/quarantine/maintenance_lock.hpp"
#include "mugaika/quarantine/rekey.hpp"
#include "cli_config.hpp"
#include "quarantine_cli_support.hpp"

namespace mugaika::cli {
namespace fs = std::filesystem;
using namespace mugaika::quarantine;

namespace {

const char* usage_text = "  (詳しくは `mugaika quarantine --help`; see `mugaika quarantine ACTION --help`)\n";

std::int64_t parse_day(const std::string& s) {
    std::tm tm{};
    const char* end = ::strptime(s.c_str(), "%Y-%m-%d", &tm);
    if (!end || *end) throw UsageError("dates are YYYY-MM-DD (got '" + s + "')");
    return static_cast<std::int64_t>(::timegm(&tm));
}

nlohmann::ordered_json item_json(const Item& it) {
    return {{"id", it.id},           {"state", it.state},     {"name", it.name},   {"type", it.file_type},
            {"reason", it.reason},   {"section", it.section}, {"sender", it.sender}, {"recipients", it.recipients},
            {"size", it.size},       {"sha256", it.sha256},   {"held_at", format_time(it.held_at)},
            {"summary_ja", it.summary_ja}, {"disposed", it.purged_at != 0}, {"subject", it.subject},
            {"from", it.from_name}, {"partial", it.partial}, {"delivered_to", it.delivered_to}};
}

// What a person reads on a terminal: bidi and control characters from outside shown, not obeyed.
std::string shown(const std::string& s) { return visible_text(s); }

std::string kind_text(const std::string& kind) {
    return std::string(labels::release_kind_label(kind)) + " (" + kind + ")";
}

void print_pending(const ReleaseRequest& q) {
    std::cout << "解放依頼 (pending request):\n"
              << "  依頼番号 request: " << q.id << "\n"
              << "  解放方法 kind:    " << kind_text(q.kind) << (q.kind == quarantine::release_kind::original ? "  ← 危険 (dangerous)" : "")
              << "\n  依頼者 by:        " << shown(q.requested_by) << "\n"
              << "  理由 reason:      " << shown(q.reason) << "\n";
    if (!q.failure.empty()) std::cout << "  前回の承認の失敗 last failure: " << shown(q.failure) << "\n";
}

std::string one(const Args& a, const char* what) {
    if (a.positional.size() != 2) throw UsageError(std::string("expected one ") + what);
    return a.positional[1];
}

// Key rotation runs alone (the exclusive maintenance lock) and opens no runtime of its own: like purge and
// the bootstrap, whoever can read the key file and the database already controls the store.
int rekey(const Args& args) {
    try {
        auto config = quarantine_config(args);
        MaintenanceLock lock(config.store_dir, MaintenanceLock::Mode::exclusive);
        AuditLog audit(config.audit_file, config.audit_syslog);
        RekeyOptions o;
        o.who = local_operator();
        auto r = rekey_quarantine(config, audit, o);
        std::cout << "鍵を更新しました (key rotated): " << r.old_key_id << " -> " << r.new_key_id
                  << (r.resumed ? " (resumed)" : "") << "\n  " << r.objects_resealed << " object(s) and "
                  << r.secrets_resealed << " secret(s) re-sealed, " << r.objects_already
                  << " object(s) already under the new key; the old key was overwritten.\n"
                  << "  以前のバックアップには、それぞれの時点の鍵が含まれています (older backups carry their own key)\n";
        return exit_ok;
    } catch (const QuarantineConfigError& e) {
        return report_config_error(e.what());
    } catch (const MaintenanceBusy& e) {
        std::cerr << "mugaika quarantine rekey: " << e.what() << "\n";
        return exit_refused;
    } catch (const RekeyError& e) {
        std::cerr << "mugaika quarantine rekey: " << e.what() << "\n";
        for (const auto& d : e.damaged) std::cerr << "  " << d << "\n";
        return exit_internal;
    } catch (const std::exception& e) {
        std::cerr << "mugaika quarantine rekey: internal error: " << e.what()
                  << "\n  (nothing is lost: run it again to resume)\n";
        return exit_internal;
    }
}

}  // namespace

const CommandSpec& quarantine_spec() {
    static const CommandSpec spec{
        "quarantine",
        "review held items as a named person: list, show, request release, approve, ... (隔離庫の操作)",
        "Every action but purge and init signs in: --user NAME, the password from $MUGAIKA_PASSWORD or the\n"
        "terminal, the TOTP code from --totp, $MUGAIKA_TOTP or the terminal.",
        {config_option(),
         init_option(),
         {"--user", "NAME", "who you are (password and TOTP code follow)", 'u'},
         {"--totp", "CODE", "the code from your authenticator app"},
         {"--state", "STATE", "held, release-requested, released, deleted, ..."},
         {"--section", "NAME", "the share's section the item came from"},
         {"--party", "ADDR", "a sender or recipient"},
         {"--type", "TYPE", "the detected type (pdf, docx, eml, ...)"},
         {"--reason", "TEXT", "for list: a reason code; otherwise why you do it (recorded in the audit log)"},
         {"--from", "YYYY-MM-DD", "held on or after this day"},
         {"--to", "YYYY-MM-DD", "held on or before this day"},
         {"--json", "", "print JSON", 'j'},
         {"--kind", "KIND", "original, resanitize, pixels or ppap (ppap: the zip password from $MUGAIKA_ZIP_PASSWORD or asked)"},
         {"--request", "REQ", "the request you were shown (approve, reject)"},
         {"--note", "TEXT", "a note for the decision"},
         {"--confirm-original", "", "you release the original itself, as it came (dangerous)"},
         {"--out", "FILE", "where the original is written (a new file)", 'o'},
         {"--keep-source", "", "leave the imported folders where they are"}},
        {},
        {{"list", "the held items, newest first", {}, {"--state", "--section", "--party", "--type", "--reason", "--from", "--to", "--json"}},
         {"show", "one item with its report and its requests", {{"ID", "the item"}}, {"--json"}},
         {"request-release", "ask for a release (a second person approves it)", {{"ID", "the item"}}, {"--reason", "--kind"}},
         {"approve", "approve the pending request you were shown (without --request and --kind, it is shown)",
          {{"ID", "the item"}}, {"--request", "--kind", "--note", "--confirm-original"}},
         {"reject", "reject the pending request you were shown", {{"ID", "the item"}}, {"--request", "--kind", "--note"}},
         {"delete", "dispose of an item (recorded)", {{"ID", "the item"}}, {"--reason"}},
         {"download", "write the original to a new file (recorded)", {{"ID", "the item"}}, {"--reason", "--out"}},
         {"import", "take over the folders of the file-based quarantine", {{"DIR", "its folder"}}, {"--keep-source"}},
         {"purge", "apply the retention rule now (needs no --user)", {}, {}},
         {"rekey", "re-seal every object and secret under a new key; resumable; stop the service and the officer UI first "
                   "(needs no --user; exit 4 while they run)", {}, {}},
         {"init", "a new installation: create the key, the database, the store and the audit log (needs no --user)", {}, {}}},
        {"--config", "--init", "--user", "--totp"}};
    return spec;
}

int quarantine_command(const std::vector<std::string>& argv) {
    Args args;
    try {
        args = parse_args(argv, quarantine_spec());
    } catch (const UsageError& e) {
        std::cerr << "mugaika quarantine: " << e.what() << "\n";
        return exit_usage;
    }
    const std::string action = args.positional[0];
    if (action == "rekey") return rekey(args);
    if (action == "init") args.flags.insert("--init");
    try {
        auto rt = open_quarantine(args);
        if (action == "init") {
            const auto& c = rt->config();
            std::cout << "隔離庫を用意しました (quarantine ready):\n  key      " << c.key_file.string() << "\n  database "
                      << c.db << "\n  store    " << c.store_dir.string() << "\n  audit    " << c.audit_file.string()
                      << "\n次は最初の管理者を登録してください (next, the first admin): mugaika user add NAME --role admin "
                         "--bootstrap --config "
                      << config_origin(args) << "\n";
            return exit_ok;
        }
        ReviewService& s = rt->service();
        if (action == "purge") {
            auto purged = s.purge_expired();
            for (const auto& it : purged) std::cout << "purged\t" << it.id << "\t" << it.state << "\n";
            std::cout << purged.size() << " 件を保存期間満了により廃棄しました (disposed of by retention)\n";
            return exit_ok;
        }
        static const std::set<std::string> known{"list", "show", "request-release", "approve", "reject",
                                                 "delete", "download", "import"};
        if (!known.contains(action)) throw UsageError("unknown action '" + action + "'");
        Actor me = sign_in(s, args);
        if (action == "list") {
            ItemFilter f;
            f.state = args.value("--state").value_or("");
            f.section = args.value("--section").value_or("");
            f.party = args.value("--party").value_or("");
            f.file_type = args.value("--type").value_or("");
            f.reason = args.value("--reason").value_or("");
            if (auto d = args.value("--from")) f.held_from = parse_day(*d);
            if (auto d = args.value("--to")) f.held_to = parse_day(*d) + 86400;
            auto items = s.list(me, f);
            if (args.flag("--json")) {
                auto all = nlohmann::ordered_json::array();
                for (const auto& it : items) all.push_back(item_json(it));
                std::cout << visible_text(all.dump(2), true) << "\n";
            } else {
                for (const auto& it : items)
                    std::cout << it.id << "\t" << it.state << "\t" << format_time(it.held_at) << "\t" << shown(it.section)
                              << "\t" << shown(it.sender) << "\t" << it.file_type << "\t"
                              << (it.partial ? "partial:" : "") << it.reason << "\t" << shown(it.name)
                              << (it.subject.empty() ? "" : "\t" + shown(it.subject)) << "\n";
            }
        } else if (action == "show") {
            auto d = s.show(me, one(args, "item id"));
            auto j = item_json(d.item);
            j["report"] = d.report;
            auto reqs = nlohmann::ordered_json::array();
            for (const auto& q : d.requests)
                reqs.push_back({{"id", q.id}, {"kind", q.kind}, {"state", q.state}, {"requested_by", q.requested_by},
                                {"reason", q.reason}, {"decided_by", q.decided_by}, {"note", q.note},
                                {"released_to", q.released_to}, {"failure", q.failure}});
            j["requests"] = reqs;
            j["release_kinds"] = s.release_kinds_for(d.item);
            // JSON escapes control characters but not bidi overrides: the terminal gets the visible form.
            std::cout << visible_text(j.dump(2), true) << "\n";
        } else if (action == "request-release") {
            std::string kind = args.value("--kind").value_or("original");
            // The PPAP password is a secret: from the environment or asked without echo, never an argument
            // (arguments are visible to every user in the process list).
            std::string password = kind == quarantine::release_kind::ppap
                                       ? secret_input("MUGAIKA_ZIP_PASSWORD", "ZIPのパスワード (zip password): ")
                                       : std::string();
            auto q = s.request_release(me, one(args, "item id"), kind, args.value("--reason").value_or(""), password);
            std::cout << (q.state == "approved" ? "解放しました (released): " + shown(q.released_to)
                                                : "解放を依頼しました。別の承認者の承認を待っています (request " + q.id + ", " +
                                                      kind_text(kind) + ")")
                      << "\n";
        } else if (action == "approve" || action == "reject") {
            // The approver decides on the request they were shown: without --request and --kind, show it.
            std::string id = one(args, "item id");
            auto request = args.value("--request"), kind = args.value("--kind");
            if (!request || !kind) {
                auto d = s.show(me, id);
                bool any = false;
                for (const auto& q : d.requests)
                    if (q.state == "pending") {
                        print_pending(q);
                        any = true;
                        std::cerr << "mugaika quarantine " << action << ": 内容を確認し、--request " << q.id << " --kind "
                                  << q.kind << (q.kind == quarantine::release_kind::original && action == "approve"
                                                    ? " --confirm-original"
                                                    : "")
                                  << " を付けてもう一度実行してください (repeat with the request and kind you saw)\n";
                    }
                if (!any) std::cerr << "mugaika quarantine " << action << ": 承認待ちの解放依頼はありません (no pending request)\n";
                return any ? exit_usage : exit_refused;
            }
            Decision decision{*request, *kind, args.value("--note").value_or(""), args.flag("--confirm-original")};
            if (action == "approve") {
                std::string where = s.approve(me, id, decision);
                std::cout << "承認し、解放しました (approved and released): " << kind_text(*kind) << "\n  解放先 released to: "
                          << shown(where) << "\n";
            } else {
                s.reject(me, id, decision);
                std::cout << "解放依頼を却下しました (rejected): " << kind_text(*kind) << "\n";
            }
        } else if (action == "delete") {
            s.remove(me, one(args, "item id"), args.value("--reason").value_or(""));
            std::cout << "削除しました (deleted; disposal recorded)\n";
        } else if (action == "download") {
            auto out = args.value("--out");
            if (!out) throw UsageError("--out FILE is required");
            std::string bytes = s.download(me, one(args, "item id"), args.value("--reason").value_or(""));
            fs::path p(*out);
            auto written = write_new_file(p.has_parent_path() ? p.parent_path() : fs::path("."),
                                          p.filename().string(), bytes);
            std::cout << written.string() << "\n";
        } else if (action == "import") {
            auto ids = s.import_file_store(me, one(args, "folder"), !args.flag("--keep-source"));
            for (const auto& id : ids) std::cout << "imported\t" << id << "\n";
        }
        return exit_ok;
    } catch (const UsageError& e) {
        std::cerr << "mugaika quarantine: " << e.what() << "\n" << usage_text;
        return exit_usage;
    } catch (const QuarantineConfigError& e) {
        return report_config_error(e.what());
    } catch (const ReviewError& e) {
        return report_refusal("quarantine " + action, e);
    } catch (const std::exception& e) {
        std::cerr << "mugaika quarantine " << action << ": internal error: " << e.what() << "\n";
        return exit_internal;
    }
}

}  // namespace mugaika::cli
