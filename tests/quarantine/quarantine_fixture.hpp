// A whole quarantine in a temp folder for the tests: key, store, database, audit log, a drop-folder sink
// and the review service, with a clock the test moves by hand.
#pragma once

#include <doctest/doctest.h>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "fixtures.hpp"
#include "mugaika/quarantine/review_service.hpp"
#include "mugaika/quarantine/totp.hpp"

namespace mugaika::test {

// A private PostgreSQL server on 127.0.0.1 and a free port, under a temp folder, stopped on destruction.
// `conninfo` is empty (and `why_not` says why) when it could not be started.
struct PostgresServer {
    PostgresServer();
    ~PostgresServer();
    PostgresServer(const PostgresServer&) = delete;
    std::string conninfo, why_not;
    std::filesystem::path dir;
    std::string bin;
    bool as_postgres_user = false;
};

// The drop-folder sink, remembering what it was handed (kind, password) so tests can check what the
// review service passed on.
struct RecordingSink : quarantine::DropFolderSink {
    using DropFolderSink::DropFolderSink;
    std::string release(const quarantine::ReleasedItem& item) override {
        handed.push_back(item);
        return DropFolderSink::release(item);
    }
    std::vector<quarantine::ReleasedItem> handed;
};

struct QuarantineWorld {
    explicit QuarantineWorld(std::string db_url = "", quarantine::ReviewOptions options = {});
    ~QuarantineWorld();

    TempDir tmp;
    std::int64_t clock = 1'800'000'000;   // 2027-01-15: moved by the tests, never read from the system
    std::unique_ptr<quarantine::Database> db;
    std::unique_ptr<quarantine::BlobStore> blobs;
    std::unique_ptr<quarantine::ItemStore> store;
    std::unique_ptr<quarantine::Users> users;
    std::unique_ptr<quarantine::AuditLog> audit;
    std::unique_ptr<RecordingSink> sink;
    std::unique_ptr<quarantine::ReviewService> service;
    std::map<std::string, std::string> secrets;   // user -> raw TOTP secret
    std::string admin_name;                        // the account made by the bootstrap
    std::string second_admin;                      // the bootstrap's second admin, who confirms role grants

    std::filesystem::path store_dir() const { return tmp.path / "store"; }
    std::filesystem::path drop_dir() const { return tmp.path / "drop"; }
    std::filesystem::path audit_file() const { return tmp.path / "audit" / "audit.log"; }

    // Creates an account the way a site does: the first admin through the local bootstrap (as "root-admin"
    // when the first account asked for is not an admin), the others added by that admin with an enrolment
    // code, enrolled by the person (password, TOTP), and with four-eyes their role confirmed by a second
    // admin ("root-admin2", made by the bootstrap when needed).
    void add_user(const std::string& name, quarantine::Role role, const std::string& password = "correct horse battery");
    // Enrols an account with its code (as the person would): remembers its TOTP secret.
    void enrol(const std::string& name, const std::string& code, const std::string& password = "correct horse battery");
    quarantine::Actor admin() const { return quarantine::Actor{admin_name, quarantine::Role::admin, "test"}; }
    // The decision on the item's pending request as an approver who looked at it (id and kind), with the
    // original's extra confirmation given. Empty request id when nothing is pending.
    quarantine::Decision decision(const std::string& item_id, const std::string& note = "", bool confirm_original = true);
    std::string code(const std::string& name, std::int64_t at) const;
    // Logs in with the current code; moves the clock one TOTP step first so codes are never reused.
    quarantine::Actor login(const std::string& name, const std::string& password = "correct horse battery");
    quarantine::Item hold(const std::string& bytes, const std::string& name = "invoice.docm",
                          const std::string& detail = "vbaProject.bin");
    std::vector<nlohmann::json> audit_lines() const;
    // The audit lines with this action (and outcome, when given).
    std::vector<nlohmann::json> audit_lines(const std::string& action, const std::string& outcome = "") const;
};

std::string sample_report(const std::string& name, const std::string& detail);

// Options with every release kind allowed (the shipped configuration's default).
inline quarantine::ReviewOptions all_kinds() {
    quarantine::ReviewOptions o;
    o.release_kinds = {"resanitize", "pixels", "ppap", "original"};
    return o;
}

// Runs `f`, which must be refused: the refusal's kind (with a Japanese message for the person).
inline quarantine::ReviewError::Kind refused_kind(const std::function<void()>& f) {
    try {
        f();
    } catch (const quarantine::ReviewError& e) {
        CHECK_FALSE(e.message_ja.empty());
        return e.kind;
    }
    FAIL("the action was not refused");
    return quarantine::ReviewError::internal;
}

}  // namespace mugaika::test
