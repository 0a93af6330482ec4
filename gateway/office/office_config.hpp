// The converters as the configuration asks for them ([converter], [worker] isolation): the service's
// warm pool, or a pool of one that a command starts at its first legacy document.
#pragma once

#include <memory>

#include "../config/gateway_config.hpp"
#include "office_pool.hpp"

namespace mugaika::office {

OfficeOptions office_options(const GatewayConfig& config);

// The service's pool (shared by every item and kept across reloads), or null when [converter]
// count = 0, this build has no mugaika-office or LibreOffice is not installed: legacy formats are
// then held as "unsupported" (logged once at start).
std::shared_ptr<OfficePool> service_pool(const GatewayConfig& config);

// For one-shot commands: a converter that starts one sandboxed LibreOffice at the first legacy
// document and keeps it for the command's others; null as above.
std::shared_ptr<const Converter> command_converter(const GatewayConfig& config);

}  // namespace mugaika::office
