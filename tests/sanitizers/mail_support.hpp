// Helpers for the mail tests: building messages byte by byte (fixtures are generated here, with
// literal Japanese encodings, not with the sanitizer's own encoders), running the engine, and reading
// the result with Python's email package (tests/mail/check_eml.py).
#pragma once

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <string>

#include "fixtures.hpp"
#include "mugaika/engine.hpp"
#include "mugaika/policy.hpp"
#include "mugaika/registry.hpp"

namespace mugaika::test::mail {

// Plain base64 with 76-column lines, written independently of the sanitizer's encoder.
inline std::string b64(const std::string& in, std::size_t line = 76) {
    static const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out, cur;
    for (std::size_t i = 0; i < in.size(); i += 3) {
        unsigned v = static_cast<unsigned char>(in[i]) << 16;
        if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
        if (i + 2 < in.size()) v |= static_cast<unsigned char>(in[i + 2]);
        cur += a[(v >> 18) & 63];
        cur += a[(v >> 12) & 63];
        cur += i + 1 < in.size() ? a[(v >> 6) & 63] : '=';
        cur += i + 2 < in.size() ? a[v & 63] : '=';
    }
    if (!line) return cur;
    for (std::size_t i = 0; i < cur.size(); i += line) out += cur.substr(i, line) + "\r\n";
    return out;
}

inline Engine engine(const std::string& policy_toml = "") {
    Registry r = builtin_registry();
    if (policy_toml.empty()) return Engine(std::move(r), Policy::defaults());
    Registry r2 = builtin_registry();
    Policy p = parse_policy_text(policy_toml, "test.toml", r2);
    return Engine(std::move(r), p);
}

inline Outcome sanitize(const std::string& eml, const std::string& policy_toml = "") {
    return engine(policy_toml).process(eml, "message.eml");
}

// The released message as Python's email package reads it.
inline nlohmann::json python_view(const std::string& eml) {
    TempDir dir;
    write_file(dir / "out.eml", eml);
    auto r = run("python3 " + shell_quote((source_dir() / "tests" / "mail" / "check_eml.py").string()) + " " +
                 shell_quote((dir / "out.eml").string()));
    REQUIRE(r.status == 0);
    return nlohmann::json::parse(r.out);
}

// Runs the mail, expects it released as a disarmed message, and checks what every safe message must
// be: well-formed for an independent reader, 7-bit, one text/plain body, no HTML, and attachments only
// from children the engine let through.
inline nlohmann::json checked(const Outcome& o) {
    REQUIRE_MESSAGE(!o.quarantined(), o.reason << ": " << o.reason_detail);
    REQUIRE(o.outputs.size() == 1);
    CHECK(o.outputs[0].type == "eml");
    auto j = python_view(o.outputs[0].bytes);
    CHECK_MESSAGE(j["defects"].empty(), j["defects"].dump());
    CHECK(j["seven_bit"].get<bool>());
    CHECK(j["crlf_only"].get<bool>());
    CHECK(j["max_line"].get<int>() <= 998);
    CHECK(j["max_header_line"].get<int>() <= 78);
    REQUIRE(!j["body"].is_null());
    std::size_t clean_children = 0;
    for (const auto& c : o.children)
        if (c.verdict != Verdict::quarantined) ++clean_children;
    std::size_t attachments = 0;
    for (const auto& p : j["parts"]) {
        CHECK(p["content_type"] != "text/html");
        CHECK(!j["html_anywhere"].get<bool>());
        if (p.value("disposition", nlohmann::json()).is_string() && p["disposition"] == "attachment") ++attachments;
    }
    // Each clean child gives one attachment here (text and CSV sanitizers give one output each).
    CHECK(attachments == clean_children);
    return j;
}

inline bool has_finding(const Outcome& o, const std::string& kind) {
    for (const auto& f : o.findings)
        if (f.kind == kind) return true;
    return false;
}

inline std::string body_of(const nlohmann::json& j) { return j["body"].get<std::string>(); }

// A single-part message with the usual headers around the given Subject, type and encoding.
inline std::string headers(const std::string& subject_line, const std::string& content_type,
                    const std::string& cte = "7bit") {
    return "Received: from mx.example.net by gw.example.jp; Sun, 22 Nov 2026 10:00:00 +0900\r\n"
           "From: =?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <yamada@example.co.jp>\r\n"
           "To: somu@city.example.lg.jp\r\n"
           "Subject: " + subject_line + "\r\n"
           "Date: Sun, 22 Nov 2026 10:00:00 +0900\r\n"
           "Message-ID: <abc123@example.co.jp>\r\n"
           "X-Mailer: Test\r\n"
           "MIME-Version: 1.0\r\n"
           "Content-Type: " + content_type + "\r\n"
           "Content-Transfer-Encoding: " + cte + "\r\n\r\n";
}

// The body text after the notice at its top.
inline std::string body_after_notice(const nlohmann::json& j) {
    std::string b = body_of(j);
    auto p = b.rfind("━━━━\n");
    REQUIRE(p != std::string::npos);
    b = b.substr(p + std::string("━━━━\n").size());
    REQUIRE(b.starts_with("\n"));   // a blank line separates the notice from the text
    return b.substr(1);
}

}  // namespace mugaika::test::mail
