// The engine: detect, check the name, look up the policy, run the sanitizer, recurse into children.
#pragma once

#include <string>
#include <string_view>

#include "mugaika/detect.hpp"
#include "mugaika/outcome.hpp"
#include "mugaika/policy.hpp"
#include "mugaika/registry.hpp"

namespace mugaika {

class Engine {
public:
    Engine(Registry registry, Policy policy);

    // Disarms one input. Never throws for the input's sake: any trouble is a quarantined outcome.
    Outcome process(std::string_view bytes, std::string_view name) const;

    const Policy& policy() const { return policy_; }
    const Registry& registry() const { return registry_; }
    const Detector& detector() const { return detector_; }

private:
    friend class Context;
    Outcome run(std::string_view bytes, std::string_view name, Budget& budget, int depth,
                const std::string& where) const;

    Registry registry_;
    Policy policy_;
    Detector detector_;
};

}  // namespace mugaika
