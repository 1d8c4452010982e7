#pragma once
// A temp folder with a CA, a client certificate and a server certificate made by engine/tls.h,
// shared by the TLS integration tests.
#include "engine/tls.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace machine::engine::testing {

namespace fs = std::filesystem;

class TlsDir : public ::testing::Test {
protected:
    void SetUp() override {
        std::string tmpl = (fs::temp_directory_path() / "machine-tls-XXXXXX").string();
        ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
        dir = tmpl;
        ca = {dir / "ca.pem", dir / "ca-key.pem"};
        client_cert = dir / "cert.pem";
        client_key = dir / "key.pem";
        server_cert = dir / "server.pem";
        server_key = dir / "server-key.pem";
    }
    void TearDown() override { fs::remove_all(dir); }

    // CA + client + server with `sans`.
    void make_all(const std::vector<std::string>& sans) {
        ASSERT_TRUE(ensure_ca(ca, "alice.myvm"));
        issue_client_cert(ca, client_cert, client_key, "alice.myvm");
        issue_server_cert(ca, server_cert, server_key, "alice.myvm", sans);
    }

    fs::path dir;
    CaFiles ca;
    fs::path client_cert, client_key, server_cert, server_key;
};

} // namespace machine::engine::testing
