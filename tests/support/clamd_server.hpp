// A private clamd (ClamAV's scanning daemon) for the tests: started on 127.0.0.1, a free port and a
// unix socket under a temp folder, with a signature database of its own holding one test signature
// (the EICAR test file, as "Mugaika.Test.EICAR"), so that no download is needed. Stopped on
// destruction. `address` is empty (and `why_not` says why) when it could not be started.
#pragma once

#include <filesystem>
#include <string>

#include "fixtures.hpp"

namespace mugaika::test {

// The EICAR anti-virus test file: harmless, detected by every scanner.
std::string eicar();

struct ClamdServer {
    ClamdServer();
    ~ClamdServer();
    ClamdServer(const ClamdServer&) = delete;
    void stop();    // kills it (to test a scanner that went away)
    bool start();   // again, on the same addresses
    std::string address;       // "127.0.0.1:PORT"
    std::string unix_address;  // "unix:/tmp/.../clamd.sock"
    std::string why_not;
    TempDir dir;

private:
    int pid_ = -1;
    int port_ = 0;
};

// config/mugaika.toml as shipped, but for [scan] clamd: this server's address, or scanning switched off
// (with a message) when the server could not be started.
std::string shipped_config_with(const ClamdServer& clamd);

}  // namespace mugaika::test
