#include "channel_converter.hpp"

#include "channel.hpp"
#include "job_codec.hpp"
#include "mugaika/limits.hpp"
#include "mugaika/reasons.hpp"

namespace mugaika::worker {

std::string ChannelConverter::convert(const ConversionRequest& request) const {
    ConversionAsk ask{std::string(request.source_type), std::string(to_string(request.target)), request.max_output_bytes,
                      std::string(request.bytes)};
    if (!send_blocking(fd_, Type::convert, encode_conversion(ask)))
        throw SanitizeError(reason::internal, "the worker's parent is gone");
    auto m = receive_blocking(fd_, max_answer_);
    if (!m || m->type != Type::converted) throw SanitizeError(reason::internal, "no conversion answer from the parent");
    ConversionAnswer a = decode_conversion_answer(m->payload);
    if (!a.ok) throw SanitizeError(a.code.empty() ? std::string(reason::internal) : a.code, a.detail);
    return std::move(a.bytes);
}

}  // namespace mugaika::worker
