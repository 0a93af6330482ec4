// Verifying the audit log's hash chain and reading its tail for the auditor.
#include <deque>
#include <fstream>

#include "mugaika/atomic_file.hpp"
#include "mugaika/quarantine/audit_log.hpp"
#include "mugaika/quarantine/crypto.hpp"

namespace mugaika::quarantine {
namespace fs = std::filesystem;

AuditVerifyResult verify_audit_log(const fs::path& file) {
    AuditVerifyResult r;
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        r.problems.push_back({0, "cannot read " + file.string()});
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
            r.problems.push_back({0, "the head file " + head.string() + " is damaged: " + e.what()});
            have_head = false;
        }
    }
    std::string line, prev_line;
    std::uint64_t expected_seq = 1;
    bool have_prev = false;
    std::size_t n = 0;
    bool ends_with_newline = true;
    while (std::getline(in, line)) {
        ++n;
        ends_with_newline = !in.eof();
        auto j = nlohmann::json::parse(line, nullptr, false);
        bool shaped = !j.is_discarded() && j.is_object() && j.contains("seq") && j["seq"].is_number_unsigned() &&
                      j.contains("prev") && j["prev"].is_string() && j.contains("ts") && j.contains("actor") &&
                      j.contains("action");
        if (!shaped) {
            r.problems.push_back({n, "line " + std::to_string(n) + " is not a well-formed audit record"});
        } else {
            std::uint64_t seq = j["seq"].get<std::uint64_t>();
            std::string want_prev = have_prev ? sha256_hex(prev_line) : std::string(64, '0');
            if (seq != expected_seq) {
                r.problems.push_back({n, "line " + std::to_string(n) + " has sequence number " + std::to_string(seq) +
                                             " where " + std::to_string(expected_seq) +
                                             " was expected: a line was removed before it, or lines were reordered"});
            } else if (j["prev"].get<std::string>() != want_prev) {
                if (n == 1)
                    r.problems.push_back({1, "line 1 does not start the chain (its prev is not zero)"});
                else
                    r.problems.push_back({n - 1, "line " + std::to_string(n - 1) +
                                                     " was altered: its SHA-256 does not match the hash recorded in line " +
                                                     std::to_string(n)});
            }
            expected_seq = seq + 1;
            if (have_head && seq == head_seq) head_line_hash = sha256_hex(line);
        }
        prev_line = line;
        have_prev = true;
    }
    r.lines = n;
    if (n > 0 && !ends_with_newline)
        r.problems.push_back({n, "line " + std::to_string(n) + " is incomplete (no newline): a torn write or an edit"});

    if (!have_head) {
        r.head_checked = !hec && fs::exists(head, hec);   // a damaged head was checked (and reported)
        return r;
    }
    r.head_checked = true;
    auto last = nlohmann::json::parse(prev_line, nullptr, false);
    std::uint64_t last_seq =
        (!last.is_discarded() && last.is_object() && last.contains("seq") && last["seq"].is_number_unsigned())
            ? last["seq"].get<std::uint64_t>()
            : 0;
    if (head_seq > last_seq) {
        r.problems.push_back({n, "the log ends with sequence number " + std::to_string(last_seq) +
                                     " but its head records " + std::to_string(head_seq) +
                                     ": lines were removed from the end"});
    } else if (head_line_hash.empty()) {
        r.problems.push_back({n, "the head records sequence number " + std::to_string(head_seq) +
                                     ", which is not in the log"});
    } else if (head_hash != head_line_hash) {
        r.problems.push_back({static_cast<std::size_t>(head_seq),
                              "line " + std::to_string(head_seq) + (head_seq == last_seq ? " (the last)" : "") +
                                  " was altered: it does not match the head file"});
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

}  // namespace mugaika::quarantine
