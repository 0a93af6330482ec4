// The converter pool on its own, with a scripted converter that speaks the protocol and crashes,
// hangs or lies on request: every fault costs one document and one converter, never the next document.
#include <doctest/doctest.h>

#include "fixtures.hpp"
#include "mugaika/engine.hpp"
#include "mugaika/reasons.hpp"
#include "mugaika/registry.hpp"
#include "office/office_pool.hpp"
#include "office/office_protocol.hpp"
#include "worker/isolated.hpp"

#include <nlohmann/json.hpp>

using namespace mugaika;
using namespace mugaika::test;

namespace {

// The real mugaika-office in its real sandbox, with --fake: a scripted converter without LibreOffice
// (test builds) that crashes ("crash"), hangs ("hang"), sends a bad digest ("lie"), refuses
// ("refuse") or calls what seccomp forbids ("exec") on request, and otherwise answers
// "converted:SOURCE:TARGET:BODY:ID" with an ID of its own process.
struct Fake {
    TempDir dir;
    office::OfficeOptions options(unsigned max_documents = 10) const {
        office::OfficeOptions o;
        o.converters = 1;
        o.max_documents = max_documents;
        o.startup = std::chrono::seconds(30);
        o.per_document = std::chrono::seconds(2);
        o.tmp_root = dir.path;
        o.fake = "yes";
        return o;
    }
    std::size_t folders() const {
        std::size_t n = 0;
        for (const auto& e : std::filesystem::directory_iterator(dir.path))
            if (e.path().filename().string().starts_with("mugaika-office-")) ++n;
        return n;
    }
};

bool have_converter() {
    if (!office::office_program().empty()) return true;
    MESSAGE("no mugaika-office in this build (libreofficekit-dev): pool tests skipped");
    return false;
}

ConversionRequest request(std::string_view body, std::chrono::seconds budget = std::chrono::seconds(30)) {
    ConversionRequest r;
    r.bytes = body;
    r.source_type = "doc";
    r.target = ConvertTarget::docx;
    r.deadline = std::chrono::steady_clock::now() + budget;
    return r;
}

std::string code_of(office::OfficePool& pool, std::string_view body) {
    try {
        pool.convert(request(body));
    } catch (const SanitizeError& e) {
        return e.code();
    }
    return "converted";
}

std::string pid_in(const std::string& answer) { return answer.substr(answer.rfind(':') + 1); }

std::string detail_of(office::OfficePool& pool, std::string_view body) {
    try {
        pool.convert(request(body));
    } catch (const SanitizeError& e) {
        return e.what();
    }
    return "converted";
}

}  // namespace

TEST_CASE("office pool: a converter that crashes, hangs or calls a forbidden system call in its sandbox is replaced, the document is held, the next one converts") {
    if (!have_converter()) return;
    Fake fake;
    office::OfficePool pool(fake.options());
    std::string first = pool.convert(request("one"));
    CHECK(first.starts_with("converted:doc:docx:one:"));
    CHECK(code_of(pool, "crash") == reason::worker_crash);
    std::string second = pool.convert(request("two"));
    CHECK(second.starts_with("converted:doc:docx:two:"));
    CHECK(pid_in(second) != pid_in(first));   // a fresh converter
    CHECK(code_of(pool, "hang") == reason::limit_time);
    std::string third = pool.convert(request("three"));
    CHECK(third.starts_with("converted:doc:docx:three:"));
    CHECK(pid_in(third) != pid_in(second));
    CHECK(code_of(pool, "lie") == reason::worker_crash);   // a bad digest is a broken converter
    CHECK(code_of(pool, "refuse") == reason::malformed);
    CHECK(pool.convert(request("four")).starts_with("converted:doc:docx:four:"));
    std::string exec = detail_of(pool, "exec");
    CHECK_MESSAGE(exec.find("forbidden system call: execve") != std::string::npos, exec);
    CHECK(pool.convert(request("five")).starts_with("converted:doc:docx:five:"));
    auto s = pool.stats();
    CHECK(s.crashed == 3);
    CHECK(s.timed_out == 1);
    CHECK(s.failed == 1);
    CHECK(s.conversions == 5);
    CHECK(fake.folders() == 0);   // a sandboxed converter's folder is its own tmpfs: nothing on the host
}

TEST_CASE("office pool: a converter serves at most max_documents, then a fresh one takes over, degraded, its folder goes with it") {
    if (!have_converter()) return;
    Fake fake;
    {
        office::OfficePool pool(fake.options(2));
        std::string a = pool.convert(request("a")), b = pool.convert(request("b")), c = pool.convert(request("c"));
        CHECK(pid_in(a) == pid_in(b));
        CHECK(pid_in(c) != pid_in(b));
        CHECK(pool.stats().retired >= 1);
        auto j = nlohmann::json::parse(pool.sandbox_report());
        CHECK(j["isolation"] == "sandbox");
        CHECK(j["pid"] == 1);
        CHECK(j["seccomp_mode"] == 2);
        CHECK(j["inet_socket"] != "created");
    }
    // isolation = "degraded" (no namespaces): a folder of its own on the host, the only place it may
    // write; only the live converter's folder exists, and none once the pool is gone.
    auto o = fake.options(2);
    o.isolation = sandbox::Isolation::degraded;
    {
        office::OfficePool pool(o);
        std::string a = pool.convert(request("a")), b = pool.convert(request("b")), c = pool.convert(request("c"));
        CHECK(pid_in(c) != pid_in(b));
        CHECK(fake.folders() == 1);
        auto j = nlohmann::json::parse(pool.sandbox_report());
        CHECK(j["isolation"] == "degraded");
        CHECK(j["seccomp_mode"] == 2);
        CHECK(j["files"]["/etc/passwd"] != "readable");   // Landlock: only what the profile lists
    }
    CHECK(fake.folders() == 0);
}

TEST_CASE("office pool: the item's own deadline bounds the wait, and a missing converter program fails closed at once") {
    if (!have_converter()) return;
    Fake fake;
    auto o = fake.options();
    o.fake = "never-ready";
    o.startup = std::chrono::seconds(60);
    office::OfficePool slow(o);
    auto t0 = std::chrono::steady_clock::now();
    try {
        slow.convert(request("x", std::chrono::seconds(1)));
        FAIL("converted without a converter");
    } catch (const SanitizeError& e) {
        CHECK(e.code() == reason::limit_time);
    }
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(30));

    auto none = fake.options();
    none.program = (fake.dir / "no-such-program").string();
    office::OfficePool missing(none);
    try {
        missing.convert(request("x", std::chrono::seconds(20)));
        FAIL("converted without a converter");
    } catch (const SanitizeError& e) {
        CHECK(e.code() == reason::internal);
    }
}

TEST_CASE("office pool through the engine: a document that crashes the converter is quarantined with nothing released") {
    if (!have_converter()) return;
    Fake fake;
    auto pool = std::make_shared<office::OfficePool>(fake.options());
    Engine e(builtin_registry(), Policy::defaults());
    e.set_converter(std::make_shared<office::PoolConverter>(pool));
    Outcome o = e.process("{\\rtf1 crash}", "壊す.rtf");
    CHECK(o.quarantined());
    CHECK(o.reason == reason::worker_crash);
    CHECK(o.outputs.empty());
    // What the converter returns is input again: bytes that are not the asked-for docx are held.
    Outcome lie = e.process("{\\rtf1 plain}", "偽.rtf");
    CHECK(lie.quarantined());
    CHECK(lie.outputs.empty());
}

TEST_CASE("office pool through a sandboxed worker: the worker asks its parent, a converter that hangs is killed at the item's deadline (limit.time), the service goes on") {
    if (!have_converter()) return;
    Fake fake;
    auto pool = std::make_shared<office::OfficePool>(fake.options());
    Engine e(builtin_registry(), Policy::defaults());
    e.set_converter(std::make_shared<office::PoolConverter>(pool));
    WorkerLimits limits;   // isolation = "sandbox"
    Outcome hang = process_isolated(e, "{\\rtf1 hang}", "止まる.rtf", limits);
    CHECK(hang.quarantined());
    CHECK(hang.reason == reason::limit_time);
    CHECK(hang.outputs.empty());
    CHECK(pool->stats().timed_out == 1);
    Outcome crash = process_isolated(e, "{\\rtf1 crash}", "落ちる.rtf", limits);
    CHECK(crash.reason == reason::worker_crash);
    CHECK_MESSAGE(crash.reason_detail.find("converter") != std::string::npos, crash.reason_detail);
    // The worker got what the fake returned (not a docx): input again, held, never released.
    Outcome junk = process_isolated(e, "{\\rtf1 plain}", "偽.rtf", limits);
    CHECK(junk.quarantined());
    CHECK(junk.outputs.empty());
    CHECK(pool->stats().conversions == 1);
    // Without a converter in the parent, the worker holds the document as unsupported (fail closed).
    Engine bare(builtin_registry(), Policy::defaults());
    Outcome none = process_isolated(bare, "{\\rtf1 plain}", "無.rtf", limits);
    CHECK(none.reason == reason::unsupported);
}
