#pragma once
// Runs the built `machine` binary (MACHINE_BINARY) against a private store in a temp folder,
// through the project's one process runner, the way a user's shell would.
#include "machine/support/process.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace machine::testing {

namespace fs = std::filesystem;

inline std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        out.push_back(line);
    return out;
}

class CliTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "machine-cli-XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        m_tmp = pattern;
        m_store = m_tmp / "store";
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(m_tmp, ec);
    }

    const fs::path& store() const { return m_store; }
    const fs::path& tmp() const { return m_tmp; }
    void set_store(const fs::path& p) { m_store = p; }

    // The environment every command gets: this store, `machine` first on PATH, no DOCKER_HOST
    // and no MACHINE_BACKENDS from the outside (the module built with the binary is used).
    std::map<std::string, std::string> env() const {
        const char* path = std::getenv("PATH");
        return {{"MACHINE_STORAGE_PATH", m_store.string()},
                {"PATH", fs::path(MACHINE_BINARY).parent_path().string() + ":" +
                             (path ? path : "/usr/bin:/bin")},
                {"DOCKER_HOST", ""},
                {"MACHINE_BACKENDS", ""}};
    }

    support::ProcessResult machine(std::vector<std::string> args,
                                   std::map<std::string, std::string> extra_env = {}) const {
        return machine_at(MACHINE_BINARY, std::move(args), std::move(extra_env));
    }

    // The same with another copy of the binary (an install elsewhere).
    support::ProcessResult machine_at(const fs::path& binary, std::vector<std::string> args,
                                      std::map<std::string, std::string> extra_env = {}) const {
        support::ProcessSpec spec;
        spec.program = binary.string();
        spec.args = std::move(args);
        spec.env = env();
        for (auto& [k, v] : extra_env)
            spec.env[k] = v;
        spec.timeout = std::chrono::seconds(60);
        support::SystemProcessRunner runner;
        return runner.run(spec);
    }

    // Runs `program args...` with the same environment (for shells evaluating `machine env`).
    support::ProcessResult program(const std::string& program, std::vector<std::string> args) {
        support::ProcessSpec spec;
        spec.program = program;
        spec.args = std::move(args);
        spec.env = env();
        spec.timeout = std::chrono::seconds(60);
        support::SystemProcessRunner runner;
        return runner.run(spec);
    }

    // `machine create --driver none --url tcp://127.0.0.1:2376 NAME`, asserted to succeed.
    void create_none(const std::string& name, const std::string& url = "tcp://127.0.0.1:2376") {
        auto r = machine({"create", "--driver", "none", "--url", url, name});
        ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    }

    // Asserts a failure with `code` and exactly one stderr line "machine: error: ...".
    static void expect_one_error(const support::ProcessResult& r, int code,
                                 const std::string& contains) {
        EXPECT_EQ(r.exit_code, code) << r.out << r.err;
        auto lines = split_lines(r.err);
        ASSERT_EQ(lines.size(), 1u) << "stderr:\n" << r.err;
        EXPECT_EQ(lines[0].rfind("machine: error: ", 0), 0u) << lines[0];
        EXPECT_NE(lines[0].find(contains), std::string::npos) << lines[0];
    }

    // Like expect_one_error, for commands that may print other lines (progress, a hint) to
    // stderr first or after: exactly one "machine: error: " line, containing `contains`.
    static void expect_error_line(const support::ProcessResult& r, int code,
                                  const std::string& contains) {
        EXPECT_EQ(r.exit_code, code) << r.out << r.err;
        std::vector<std::string> errors;
        for (const auto& line : split_lines(r.err))
            if (line.rfind("machine: error: ", 0) == 0)
                errors.push_back(line);
        ASSERT_EQ(errors.size(), 1u) << "stderr:\n" << r.err;
        EXPECT_NE(errors[0].find(contains), std::string::npos) << errors[0];
    }

private:
    fs::path m_tmp;
    fs::path m_store;
};

} // namespace machine::testing
