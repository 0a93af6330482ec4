// Verifying the audit log's hash chain, and reading it for the auditor (its tail, or a filtered page).
#include <fcntl.h>
#include <unistd.h>

#include <deque>
#include <fstream>

#include "mugaika/atomic_file.hpp"
#include "mugaika/quarantine/audit_log.hpp"
#include "mugaika/quarantine/audit_read.hpp"
#include "mugaika/quarantine/crypto.hpp"

namespace mugaika::quarantine {
namespace fs = std::filesystem;

namespace {

std::string n(std::uint64_t v) { return std::to_string(v); }

void problem(AuditVerifyResult& r, std::size_t line, std::string en, std::string ja) {
    r.problems.push_back({line, std::move(en), std::move(ja)});
}

bool unsigned_field(const nlohmann::json& j, const char* key) {
    return j.is_object() && j.contains(key) && j[key].is_number_unsigned();
}

bool string_field(const nlohmann::json& j, const char* key) {
    return j.is_object() && j.contains(key) && j[key].is_string();
}

}  // namespace

AuditVerifyResult verify_audit_log(const fs::path& file) {
    AuditVerifyResult r;
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        problem(r, 0, "cannot read " + file.string(), "監査ログ " + file.string() + " を読めません。");
        return r;
    }
    // The head, read first: the line it names is remembered on the way (it need not be the last one).
    fs::path head = file;
    head += ".head";
    std::error_code hec;
    bool have_head = fs::exists(head, hec);
    std::uint64_t head_seq = 0;
    std::string head_hash, head_line_hash;
    if (have_head) {
        try {
            auto h = nlohmann::json::parse(read_file(head, 4096));
            head_seq = h.at("seq").get<std::uint64_t>();
            head_hash = h.at("sha256").get<std::string>();
        } catch (const std::exception& e) {
            problem(r, 0, "the head file " + head.string() + " is damaged: " + e.what(),
                    "ヘッド情報ファイル " + head.filename().string() + " が壊れています。");
            have_head = false;
        }
    }
    std::string line, prev_line;
    std::uint64_t expected_seq = 1;
    bool have_prev = false;
    std::size_t count = 0;
    bool ends_with_newline = true;
    while (std::getline(in, line)) {
        ++count;
        ends_with_newline = !in.eof();
        auto j = nlohmann::json::parse(line, nullptr, false);
        bool shaped = !j.is_discarded() && unsigned_field(j, "seq") && string_field(j, "prev") &&
                      string_field(j, "ts") && string_field(j, "actor") && string_field(j, "action");
        if (!shaped) {
            problem(r, count, "line " + n(count) + " is not a well-formed audit record",
                    n(count) + "行目は監査記録の形式になっていません(書き換えまたは破損)。");
        } else {
            std::uint64_t seq = j["seq"].get<std::uint64_t>();
            std::string want_prev = have_prev ? sha256_hex(prev_line) : std::string(64, '0');
            if (seq != expected_seq) {
                problem(r, count,
                        "line " + n(count) + " has sequence number " + n(seq) + " where " + n(expected_seq) +
                            " was expected: a line was removed before it, or lines were reordered",
                        n(count) + "行目の通し番号が " + n(seq) + " です(" + n(expected_seq) +
                            " のはず)。この行の前の行が削除されたか、行の順序が入れ替えられています。");
            } else if (j["prev"].get<std::string>() != want_prev) {
                if (count == 1)
                    problem(r, 1, "line 1 does not start the chain (its prev is not zero)",
                            "1行目がハッシュチェーンの先頭になっていません(先頭の行が削除された可能性があります)。");
                else
                    problem(r, count - 1,
                            "line " + n(count - 1) + " was altered: its SHA-256 does not match the hash recorded in line " +
                                n(count),
                            n(count - 1) + "行目が書き換えられています(" + n(count) +
                                "行目に記録されたハッシュ値と一致しません)。");
            }
            expected_seq = seq + 1;
            if (have_head && seq == head_seq) head_line_hash = sha256_hex(line);
        }
        prev_line = line;
        have_prev = true;
    }
    r.lines = count;
    if (count > 0 && !ends_with_newline)
        problem(r, count, "line " + n(count) + " is incomplete (no newline): a torn write or an edit",
                n(count) + "行目が途中で切れています(書き込みの中断または編集)。");

    if (!have_head) {
        bool damaged = !hec && fs::exists(head, hec);   // a damaged head was checked (and reported)
        r.head_checked = damaged;
        // The head is written with every line: without it, lines cut off the end would go unnoticed.
        if (!damaged && count > 0)
            problem(r, 0, "the head file " + head.string() + " is missing: lines at the end may have been removed",
                    "ヘッド情報ファイル " + head.filename().string() +
                        " がありません。末尾の行が削除されても検出できない状態です(削除された可能性があります)。");
        return r;
    }
    r.head_checked = true;
    auto last = nlohmann::json::parse(prev_line, nullptr, false);
    std::uint64_t last_seq = !last.is_discarded() && unsigned_field(last, "seq") ? last["seq"].get<std::uint64_t>() : 0;
    if (head_seq > last_seq) {
        problem(r, count,
                "the log ends with sequence number " + n(last_seq) + " but its head records " + n(head_seq) +
                    ": lines were removed from the end",
                "ログの最後の通し番号は " + n(last_seq) + " ですが、ヘッド情報には " + n(head_seq) +
                    " と記録されています。末尾の行が削除されています。");
    } else if (head_line_hash.empty()) {
        problem(r, count, "the head records sequence number " + n(head_seq) + ", which is not in the log",
                "ヘッド情報に記録された通し番号 " + n(head_seq) + " の行がログにありません。");
    } else if (head_hash != head_line_hash) {
        problem(r, static_cast<std::size_t>(head_seq),
                "line " + n(head_seq) + (head_seq == last_seq ? " (the last)" : "") +
                    " was altered: it does not match the head file",
                n(head_seq) + "行目" + (head_seq == last_seq ? "(最後の行)" : "") +
                    "が書き換えられています(ヘッド情報と一致しません)。");
    } else {
        // A head behind the log: its update failed after lines were made durable (a full disk). Nothing
        // was removed; the lines after it are simply not vouched for by the head yet.
        r.head_behind = static_cast<std::size_t>(last_seq - head_seq);
    }
    return r;
}

std::vector<nlohmann::json> read_audit_tail(const fs::path& file, std::size_t max_lines) {
    std::deque<std::string> tail;
    std::ifstream in(file, std::ios::binary);
    std::string line;
    while (std::getline(in, line)) {
        tail.push_back(std::move(line));
        if (tail.size() > max_lines) tail.pop_front();
    }
    std::vector<nlohmann::json> out;
    for (const auto& l : tail) {
        auto j = nlohmann::json::parse(l, nullptr, false);
        if (!j.is_discarded()) out.push_back(std::move(j));
    }
    return out;
}

namespace {

bool matches(const nlohmann::json& j, const AuditQuery& q) {
    auto s = [&](const char* k) { return string_field(j, k) ? j[k].get<std::string>() : std::string(); };
    if (!q.actor.empty() && s("actor") != q.actor) return false;
    if (!q.action.empty()) {
        std::string a = s("action");
        if (q.action.back() == '.' ? !a.starts_with(q.action) : a != q.action) return false;
    }
    if (!q.item.empty() && s("item").find(q.item) == std::string::npos) return false;
    if (!q.outcome.empty() && s("outcome") != q.outcome) return false;
    std::string ts = s("ts");
    if (!q.from_ts.empty() && ts < q.from_ts) return false;
    if (!q.to_ts.empty() && ts >= q.to_ts) return false;
    return true;
}

bool filtered(const AuditQuery& q) {
    return !q.actor.empty() || !q.action.empty() || !q.item.empty() || !q.outcome.empty() || !q.from_ts.empty() ||
           !q.to_ts.empty();
}

}  // namespace

AuditPage read_audit_page(const fs::path& file, const AuditQuery& q) {
    AuditPage page;
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return page;
    off_t pos = ::lseek(fd, 0, SEEK_END);
    const std::size_t per_page = std::max<std::size_t>(1, std::min<std::size_t>(q.per_page, 500));
    const std::size_t skip = (std::max<std::size_t>(q.page, 1) - 1) * per_page;
    std::size_t matched = 0;
    std::string carry;   // the start of a line whose beginning lies in an earlier chunk
    bool done = false;
    // One line, newest first: a match is skipped (earlier pages), kept, or tells that there are more.
    auto take = [&](std::string_view l) {
        if (l.empty()) return;
        auto j = nlohmann::json::parse(l, nullptr, false);
        bool parsed = !j.is_discarded() && j.is_object();
        // A line that is not a record is evidence: shown when nothing is filtered (filters cannot judge it).
        if (parsed ? !matches(j, q) : filtered(q)) return;
        if (matched++ < skip) return;
        if (page.entries.size() == per_page) {
            page.more = true;
            done = true;
            return;
        }
        AuditEntry e;
        if (parsed) e.line = std::move(j);
        else e.raw = std::string(l.substr(0, 2000));
        page.entries.push_back(std::move(e));
    };
    const off_t chunk = 64 * 1024;
    while (pos > 0 && !done) {
        off_t start = pos > chunk ? pos - chunk : 0;
        std::string buf(static_cast<std::size_t>(pos - start), '\0');
        ssize_t got = ::pread(fd, buf.data(), buf.size(), start);
        if (got != static_cast<ssize_t>(buf.size())) break;
        buf += carry;
        pos = start;
        std::size_t end = buf.size();
        while (!done) {
            std::size_t nl = end == 0 ? std::string::npos : buf.rfind('\n', end - 1);
            if (nl == std::string::npos) break;
            take(std::string_view(buf).substr(nl + 1, end - nl - 1));
            end = nl;
        }
        carry = buf.substr(0, end);
        if (carry.size() > (64u << 20)) break;   // a "line" of 64 MiB is not a record; stop reading
    }
    if (!done && pos == 0 && !carry.empty()) take(carry);   // the file's first line
    ::close(fd);
    return page;
}

}  // namespace mugaika::quarantine
