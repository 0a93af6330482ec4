#include "http.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <stdexcept>

namespace mugaika {
namespace {

using namespace Poco::Net;

class Handler : public HTTPRequestHandler {
public:
    Handler(const std::function<std::string()>& health, const std::function<std::string()>& metrics)
        : health_(health), metrics_(metrics) {}
    void handleRequest(HTTPServerRequest& req, HTTPServerResponse& resp) override {
        std::string body;
        std::string uri = req.getURI();
        if (req.getMethod() != HTTPRequest::HTTP_GET && req.getMethod() != HTTPRequest::HTTP_HEAD) {
            resp.setStatusAndReason(HTTPResponse::HTTP_METHOD_NOT_ALLOWED);
            body = "method not allowed\n";
        } else if (uri == "/healthz") {
            // Empty: healthy. "ok (...)": healthy with a note (a degraded sandbox). Anything else: 503.
            std::string problem = health_();
            bool ok = problem.empty() || problem.starts_with("ok (");
            resp.setStatusAndReason(ok ? HTTPResponse::HTTP_OK : HTTPResponse::HTTP_SERVICE_UNAVAILABLE);
            body = problem.empty() ? "ok\n" : problem + "\n";
        } else if (uri == "/metrics") {
            body = metrics_();
            resp.setContentType("text/plain; version=0.0.4; charset=utf-8");
        } else {
            resp.setStatusAndReason(HTTPResponse::HTTP_NOT_FOUND);
            body = "not found\n";
        }
        if (resp.getContentType() == HTTPMessage::UNKNOWN_CONTENT_TYPE) resp.setContentType("text/plain; charset=utf-8");
        resp.setContentLength(static_cast<std::streamsize>(body.size()));
        resp.send() << body;
    }

private:
    const std::function<std::string()>& health_;
    const std::function<std::string()>& metrics_;
};

class Factory : public HTTPRequestHandlerFactory {
public:
    Factory(std::function<std::string()> health, std::function<std::string()> metrics)
        : health_(std::move(health)), metrics_(std::move(metrics)) {}
    HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override { return new Handler(health_, metrics_); }

private:
    std::function<std::string()> health_, metrics_;
};

}  // namespace

std::pair<std::string, unsigned short> split_host_port(const std::string& s) {
    auto colon = s.rfind(':');
    if (colon == std::string::npos) throw std::invalid_argument("expected host:port, got '" + s + "'");
    std::string host = s.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    int port = std::stoi(s.substr(colon + 1));
    if (port < 0 || port > 65535) throw std::invalid_argument("bad port in '" + s + "'");
    return {host, static_cast<unsigned short>(port)};
}

HttpEndpoint::HttpEndpoint(const std::string& listen, std::function<std::string()> health,
                           std::function<std::string()> metrics) {
    auto [host, port] = split_host_port(listen);
    ServerSocket socket(SocketAddress(host, port), 16);
    auto* params = new HTTPServerParams;
    params->setMaxThreads(2);
    params->setMaxQueued(16);
    params->setKeepAlive(false);
    server_ = std::make_unique<HTTPServer>(new Factory(std::move(health), std::move(metrics)), socket, params);
}

HttpEndpoint::~HttpEndpoint() { stop(); }
void HttpEndpoint::start() { server_->start(); }
void HttpEndpoint::stop() {
    if (server_) server_->stopAll(true);
}
unsigned short HttpEndpoint::port() const { return server_->port(); }

}  // namespace mugaika
