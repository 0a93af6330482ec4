// The converter pool on its own, with a scripted converter that speaks the protocol and crashes,
// hangs or lies on request: every fault costs one document and one converter, never the next document.
#include <doctest/doctest.h>

#include "fixtures.hpp"
#include "mugaika/engine.hpp"
#include "mugaika/reasons.hpp"
#include "mugaika/registry.hpp"
#include "office/office_pool.hpp"
#include "office/office_protocol.hpp"

using namespace mugaika;
using namespace mugaika::test;

namespace {

const char* kFakeConverter = R"(#!/usr/bin/env python3
import hashlib, os, struct, sys, time
args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
ch = os.fdopen(int(args['--channel']), 'r+b', buffering=0)
def send(kind, payload):
    ch.write(b'MGKO' + kind + struct.pack('<Q', len(payload)) + payload + hashlib.sha256(payload).digest())
def exact(n):
    b = b''
    while len(b) < n:
        part = ch.read(n - len(b))
        if not part:
            return None
        b += part
    return b
if os.environ.get('FAKE_NEVER_READY') or os.path.exists(os.path.join(args['--workdir'], '..', 'never-ready')):
    time.sleep(3600)
send(b'R', b'')
while True:
    head = exact(13)
    if head is None:
        sys.exit(0)
    n = struct.unpack('<Q', head[5:13])[0]
    payload = exact(n); exact(32)
    source, target, body = payload.split(b'\0', 2)
    if b'crash' in body:
        os.kill(os.getpid(), 9)
    if body == b'hang':
        time.sleep(3600)
    if body == b'lie':
        ch.write(b'MGKO' + b'D' + struct.pack('<Q', 3) + b'abc' + b'\0' * 32)
        continue
    if body == b'refuse':
        send(b'F', b'malformed\0cannot read it')
        continue
    send(b'D', b'converted:' + source + b':' + target + b':' + body + b':' + str(os.getpid()).encode())
)";

struct Fake {
    TempDir dir;
    std::string program;
    Fake() {
        program = (dir / "fake-office").string();
        write_file(program, kFakeConverter);
        std::filesystem::permissions(program, std::filesystem::perms::owner_all);
    }
    office::OfficeOptions options(unsigned max_documents = 10) const {
        office::OfficeOptions o;
        o.program = program;
        o.converters = 1;
        o.max_documents = max_documents;
        o.startup = std::chrono::seconds(30);
        o.per_document = std::chrono::seconds(2);
        o.tmp_root = dir.path;
        return o;
    }
};

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

}  // namespace

TEST_CASE("office pool: a converter that crashes or hangs is replaced, the document is held, the next one converts") {
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
    auto s = pool.stats();
    CHECK(s.crashed == 2);
    CHECK(s.timed_out == 1);
    CHECK(s.failed == 1);
    CHECK(s.conversions == 4);
}

TEST_CASE("office pool: a converter serves at most max_documents, then a fresh one takes over; its folder goes with it") {
    Fake fake;
    office::OfficePool pool(fake.options(2));
    std::string a = pool.convert(request("a")), b = pool.convert(request("b")), c = pool.convert(request("c"));
    CHECK(pid_in(a) == pid_in(b));
    CHECK(pid_in(c) != pid_in(b));
    CHECK(pool.stats().retired >= 1);
    // Only the live converter's folder remains.
    std::size_t folders = 0;
    for (const auto& e : std::filesystem::directory_iterator(fake.dir.path))
        if (e.path().filename().string().starts_with("mugaika-office-")) ++folders;
    CHECK(folders == 1);
}

TEST_CASE("office pool: the item's own deadline bounds the wait, and a missing converter program fails closed at once") {
    Fake fake;
    write_file(fake.dir / "never-ready", "");   // the fake never says ready
    auto o = fake.options();
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
