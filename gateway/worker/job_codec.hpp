// One item as the parent hands it to a worker: what to do, the input's bytes and name, the policy in
// force (a SIGHUP reload reaches pre-spawned workers this way) and the secrets a person supplied.
// Never a path: the worker cannot open anything of the service's anyway.
#pragma once

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
};

std::string encode_job(const JobRequest& job);
// Throws std::runtime_error on anything encode_job did not write.
JobRequest decode_job(std::string_view payload);

}  // namespace mugaika::worker
