// One item as the parent hands it to a worker: what to do, the input's bytes and name, the policy in
// force (a SIGHUP reload reaches pre-spawned workers this way) and the secrets a person supplied.
// Never a path: the worker cannot open anything of the service's anyway.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "mugaika/policy.hpp"
#include "mugaika/secrets.hpp"

namespace mugaika::worker {

enum class JobKind { disarm, detect, selftest };

struct JobRequest {
    JobKind kind = JobKind::disarm;
    std::string name;
    std::string bytes;
    Policy policy;
    ItemSecrets secrets;
    bool test_hooks = false;   // test builds only: the worker's fault and hostile hooks may act
    bool converter = false;    // the parent converts documents on request (a "convert" frame, below)
};

std::string encode_job(const JobRequest& job);
// Throws std::runtime_error on anything encode_job did not write.
JobRequest decode_job(std::string_view payload);

// A worker that meets a legacy document asks its parent for a conversion (LibreOffice runs in a
// sandbox of its own, owned by the parent's warm pool: docs/legacy.md) and waits for the answer.
struct ConversionAsk {
    std::string source_type;   // the detected type id ("doc", "xls", ...)
    std::string target;        // "docx", "xlsx", "pptx", "pdf"
    std::uint64_t max_output_bytes = 0;
    std::string bytes;
};
struct ConversionAnswer {
    bool ok = false;
    std::string bytes;         // ok: the converted document (hostile input again for the worker)
    std::string code, detail;  // not ok: a reason code (mugaika/reasons.hpp) and why
};
std::string encode_conversion(const ConversionAsk& ask);
ConversionAsk decode_conversion(std::string_view payload);   // throws std::runtime_error
std::string encode_conversion_answer(const ConversionAnswer& answer);
ConversionAnswer decode_conversion_answer(std::string_view payload);   // throws std::runtime_error

}  // namespace mugaika::worker
