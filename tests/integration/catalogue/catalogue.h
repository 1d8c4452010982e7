#pragma once
// The bad-input catalogue (issue 10): the built `machine` binary against a store with one
// machine ("m1", none driver) and a folder outside the store, both listed (every file's path,
// type, mode, size, content hash, link target) before and after each case. A case passes when
// the command exits with its documented code (not by a signal), prints exactly one line on stderr
// ("machine: error: ..."), ends within its bound, and both listings are unchanged.
#include "../machine/cli_fixture.h"
#include "machine/support/fs.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace machine::testing {

// Where a case's placeholders point: {store}, {outside}, {tmp} in its arguments.
struct CaseEnv {
    fs::path tmp, store, outside;
};

struct BadInput {
    const char* id;                // the gtest name
    std::vector<std::string> args; // `machine` arguments, placeholders expanded
    int code;                      // documented exit code
    const char* contains = "";     // a part of the error line
    std::function<void(const CaseEnv&)> damage = nullptr; // prepares the store first
    int bound_s = 10;                                     // the command must end within this
    bool read_only_store = false; // run with the store mounted read-only (own mount namespace)
};

inline std::ostream& operator<<(std::ostream& os, const BadInput& c) {
    return os << c.id;
}

// Every entry below `root` (not following links): path, type, mode, size, content hash, target.
inline std::string listing(const fs::path& root) {
    std::vector<std::string> lines;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
        struct stat st {};
        if (::lstat(it->path().c_str(), &st) != 0)
            continue;
        std::string extra;
        if (S_ISLNK(st.st_mode))
            extra = "-> " + fs::read_symlink(it->path(), ec).string();
        else if (S_ISREG(st.st_mode) && st.st_size <= (8 << 20))
            extra = fmt::format("#{:x}", std::hash<std::string>{}(
                                             support::try_read_file(it->path()).value_or("?")));
        lines.push_back(fmt::format("{} {:o} {} {}", fs::relative(it->path(), root).string(),
                                    st.st_mode, S_ISDIR(st.st_mode) ? 0 : st.st_size, extra));
    }
    std::sort(lines.begin(), lines.end());
    std::string out;
    for (const auto& l : lines)
        out += l + "\n";
    return out;
}

// Files an interrupted write or create may leave: "*.tmp.*" anywhere below `root`.
inline std::vector<std::string> temp_files(const fs::path& root) {
    std::vector<std::string> out;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
         it.increment(ec))
        if (it->path().filename().string().find(".tmp.") != std::string::npos)
            out.push_back(fs::relative(it->path(), root).string());
    return out;
}

class Catalogue : public CliTest {
protected:
    void SetUp() override {
        CliTest::SetUp();
        m_env = {tmp(), store(), tmp() / "outside"};
        fs::create_directories(m_env.outside / "docs");
        support::atomic_write(m_env.outside / "docs" / "thesis.tex", "years of work\n", 0644);
        support::atomic_write(m_env.outside / "notes.txt", "keep me\n", 0600);
    }

    const CaseEnv& case_env() const { return m_env; }

    std::vector<std::string> expand(std::vector<std::string> args) const {
        for (auto& a : args) {
            for (auto [key, value] : {std::pair{"{store}", m_env.store.string()},
                                      std::pair{"{outside}", m_env.outside.string()},
                                      std::pair{"{tmp}", m_env.tmp.string()}}) {
                for (size_t at; (at = a.find(key)) != std::string::npos;)
                    a.replace(at, std::string(key).size(), value);
            }
        }
        return args;
    }

    // Runs the binary through /bin/sh, which turns death by a signal into 128+N: a crash can
    // never pass for a documented exit code. With `read_only`, inside a private mount namespace
    // where the store is a read-only bind mount.
    support::ProcessResult run(const std::vector<std::string>& args, std::chrono::seconds bound,
                               bool read_only = false) const {
        support::ProcessSpec spec;
        std::vector<std::string> sh_args;
        if (read_only) {
            spec.program = "unshare";
            sh_args = {"-m", "/bin/sh", "-c",
                       "mount --bind -o ro \"$STORE\" \"$STORE\" || exit 99; \"$0\" \"$@\"; "
                       "exit $?"};
        } else {
            spec.program = "/bin/sh";
            sh_args = {"-c", "\"$0\" \"$@\"; exit $?"};
        }
        sh_args.push_back(MACHINE_BINARY);
        sh_args.insert(sh_args.end(), args.begin(), args.end());
        spec.args = sh_args;
        spec.env = env();
        spec.env["STORE"] = m_env.store.string();
        spec.timeout = bound;
        support::SystemProcessRunner runner;
        return runner.run(spec);
    }

    // The assertions every case makes, given listings taken before it ran.
    void expect_refused(const BadInput& c, const support::ProcessResult& r,
                        std::chrono::steady_clock::duration took, const std::string& before) {
        EXPECT_FALSE(r.timed_out) << c.id << ": did not end within " << c.bound_s << " s";
        EXPECT_LT(r.exit_code, 128) << c.id << ": killed by signal " << r.exit_code - 128 << "\n"
                                    << r.err;
        EXPECT_EQ(r.exit_code, c.code) << c.id << "\nstdout:\n" << r.out << "stderr:\n" << r.err;
        auto lines = split_lines(r.err);
        const size_t expected_lines = c.code == 0 ? 0 : 1; // a bounded success says nothing
        EXPECT_EQ(lines.size(), expected_lines) << c.id << ": stderr:\n" << r.err;
        if (!lines.empty() && expected_lines == 1) {
            EXPECT_EQ(lines.back().rfind("machine: error: ", 0), 0u) << lines.back();
            EXPECT_NE(lines.back().find(c.contains), std::string::npos)
                << c.id << ": \"" << c.contains << "\" not in: " << lines.back();
        }
        EXPECT_LT(took, std::chrono::seconds(c.bound_s));
        EXPECT_EQ(listing(m_env.tmp), before)
            << c.id << ": the store or a folder outside it changed";
    }

    void run_case(const BadInput& c) {
        create_none("m1");
        if (c.damage)
            c.damage(m_env);
        std::string before = listing(m_env.tmp);
        auto start = std::chrono::steady_clock::now();
        auto r = run(expand(c.args), std::chrono::seconds(c.bound_s), c.read_only_store);
        if (c.read_only_store && r.exit_code == 99)
            GTEST_SKIP() << "no private mount namespace here (unshare -m needs CAP_SYS_ADMIN)";
        expect_refused(c, r, std::chrono::steady_clock::now() - start, before);
    }

private:
    CaseEnv m_env;
};

} // namespace machine::testing
