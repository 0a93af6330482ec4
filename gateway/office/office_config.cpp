#include "office_config.hpp"

#include "../service/log.hpp"
#include "../worker/job_runner.hpp"

namespace mugaika::office {
namespace {

bool usable(const GatewayConfig& config, bool say) {
    if (config.converter.count == 0) return false;
    std::string why;
    if (office_program().empty()) why = "this build has no document converter (mugaika-office; libreofficekit-dev at build time)";
    else if (!office_installed()) why = "LibreOffice is not installed (/usr/lib/libreoffice/program)";
    if (why.empty()) return true;
    if (say) log::warn("legacy Office, RTF, OpenDocument and HTML->PDF are held as \"unsupported\": " + why);
    return false;
}

}  // namespace

OfficeOptions office_options(const GatewayConfig& config) {
    OfficeOptions o;
    o.converters = config.converter.count;
    o.max_documents = config.converter.max_documents;
    o.per_document = config.converter.per_document;
    o.startup = config.converter.startup;
    o.memory_bytes = config.converter.memory_bytes;
    o.cpu_seconds = config.converter.cpu_seconds;
    o.prestart = config.converter.prestart;
    // The converters follow the workers' isolation: degraded only where the site chose it for both.
    // (A test build's "fork" workers still get sandboxed converters.)
    o.isolation = config.worker.isolation == WorkerIsolation::degraded ? sandbox::Isolation::degraded : sandbox::Isolation::full;
    o.test_hooks = test_hooks_enabled();
    return o;
}

std::shared_ptr<OfficePool> service_pool(const GatewayConfig& config) {
    if (!usable(config, true)) return nullptr;
    return std::make_shared<OfficePool>(office_options(config));
}

std::shared_ptr<const Converter> command_converter(const GatewayConfig& config) {
    if (!usable(config, false)) return nullptr;
    return std::make_shared<LazyConverter>(office_options(config));
}

}  // namespace mugaika::office
