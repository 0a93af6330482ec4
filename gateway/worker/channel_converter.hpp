// The worker's document converter: it asks its parent over the job channel. LibreOffice never runs in
// the disarm worker (whose sandbox allows no process, no write, no second descriptor); it runs warm in
// a sandbox of its own that the parent's pool owns (docs/legacy.md). What comes back is hostile input
// again: the engine detects it and rebuilds it with the OOXML or PDF sanitizer before any of it leaves.
#pragma once

#include <cstdint>

#include "mugaika/converter.hpp"

namespace mugaika::worker {

class ChannelConverter final : public Converter {
public:
    ChannelConverter(int fd, std::uint64_t max_answer) : fd_(fd), max_answer_(max_answer) {}
    // Blocks until the parent answers (it always does, or kills the worker at the item's deadline).
    // Throws SanitizeError with the parent's reason code.
    std::string convert(const ConversionRequest& request) const override;

private:
    int fd_;
    std::uint64_t max_answer_;
};

}  // namespace mugaika::worker
