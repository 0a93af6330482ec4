// The engine: detect, check the name, look up the policy, run the sanitizer, recurse into children.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "mugaika/converter.hpp"
#include "mugaika/detect.hpp"
#include "mugaika/outcome.hpp"
#include "mugaika/policy.hpp"
#include "mugaika/registry.hpp"
#include "mugaika/secrets.hpp"

namespace mugaika {

class Engine {
public:
    Engine(Registry registry, Policy policy);
    // With a detector that is already loaded (libmagic's database): a confined worker loads it once,
    // before it drops its file system, and builds an engine per item with that item's policy.
    Engine(Registry registry, Policy policy, std::shared_ptr<const Detector> detector);

    // Disarms one input. Never throws for the input's sake: any trouble is a quarantined outcome.
    Outcome process(std::string_view bytes, std::string_view name) const;
    // The same with secrets a person supplied for this item (the password of a PPAP zip): every
    // sanitizer down the tree can use them through Context::secrets(); the outcome never holds them.
    Outcome process(std::string_view bytes, std::string_view name, const ItemSecrets& secrets) const;

    const Policy& policy() const { return policy_; }
    const Registry& registry() const { return registry_; }
    const Detector& detector() const { return *detector_; }

    // The document converter sanitizers may ask for (LibreOffice in its own sandboxed process, owned by
    // the host). None by default: legacy formats are then held as "unsupported".
    void set_converter(std::shared_ptr<const Converter> converter) { converter_ = std::move(converter); }
    const Converter* converter() const { return converter_.get(); }

private:
    friend class Context;
    Outcome run(std::string_view bytes, std::string_view name, Budget& budget, int depth,
                const std::string& where, const ItemSecrets& secrets) const;

    Registry registry_;
    Policy policy_;
    std::shared_ptr<const Detector> detector_;
    std::shared_ptr<const Converter> converter_;
};

}  // namespace mugaika
