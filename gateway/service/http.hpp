// /healthz and /metrics on a loopback HTTP port (Poco::Net::HTTPServer).
#pragma once

#include <functional>
#include <memory>
#include <string>

namespace Poco::Net { class HTTPServer; }

namespace mugaika {

class HttpEndpoint {
public:
    // `health` returns "" when healthy, else what is wrong; `metrics` returns the Prometheus text.
    HttpEndpoint(const std::string& listen, std::function<std::string()> health, std::function<std::string()> metrics);
    ~HttpEndpoint();
    void start();
    void stop();
    unsigned short port() const;

private:
    std::unique_ptr<Poco::Net::HTTPServer> server_;
};

// "127.0.0.1:9925" -> host, port. Throws std::invalid_argument.
std::pair<std::string, unsigned short> split_host_port(const std::string& s);

}  // namespace mugaika
