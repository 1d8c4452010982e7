// The bad-input catalogue, table part: names, flags, store damage, templates and filters, lab
// files. Each row is one gtest case (Catalogue/BadInputs.Refuses/<id>); see catalogue.h for what
// every case asserts.
#include "catalogue.h"

#include "engine/tls.h"

namespace machine::testing {
namespace {

using Env = CaseEnv;

fs::path m1(const Env& e) {
    return e.store / "machines" / "m1";
}
void write(const fs::path& p, const std::string& text) {
    support::atomic_write(p, text, 0600);
}

// Damage helpers: each leaves the store as a user or a crash might.
void truncate_config(const Env& e) {
    auto text = support::read_file(m1(e) / "config.json");
    write(m1(e) / "config.json", text.substr(0, text.size() / 2));
}
auto config_is(std::string text) {
    return [text](const Env& e) { write(m1(e) / "config.json", text); };
}
void deep_config(const Env& e) {
    write(m1(e) / "config.json", std::string(200000, '[') + std::string(200000, ']'));
}
void deep_object_config(const Env& e) {
    std::string s;
    for (int i = 0; i < 100000; ++i)
        s += "{\"a\":";
    s += "1" + std::string(100000, '}');
    write(m1(e) / "config.json", s);
}
void huge_config(const Env& e) {
    write(m1(e) / "config.json",
          "{\"Name\":\"m1\",\"pad\":\"" + std::string(64 << 20, 'x') + "\"}");
}
void foreign_folder(const Env& e) {
    fs::create_directories(e.store / "machines" / "foreign");
    write(e.store / "machines" / "foreign" / "photos.db", "someone's data");
}
void foreign_with_other_record(const Env& e) {
    foreign_folder(e);
    fs::copy_file(m1(e) / "config.json", e.store / "machines" / "foreign" / "config.json");
}
void link_out(const Env& e) {
    fs::create_directory_symlink(e.outside / "docs", e.store / "machines" / "link");
}
void link_to_machine_like(const Env& e) {
    // Outside the store, a folder that looks like a machine of ours: still not followed.
    fs::create_directories(e.outside / "fake");
    write(e.outside / "fake" / ".machine-create", "x");
    fs::create_directory_symlink(e.outside / "fake", e.store / "machines" / "fake");
}
void machines_is_link(const Env& e) {
    fs::create_directories(e.outside / "machines-copy");
    fs::copy(e.store / "machines", e.outside / "machines-copy",
             fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    fs::remove_all(e.store / "machines");
    fs::create_directory_symlink(e.outside / "machines-copy", e.store / "machines");
}
void lock_is_link(const Env& e) {
    fs::create_directories(e.store / "locks");
    fs::remove(e.store / "locks" / "m1.lock");
    fs::create_symlink(e.outside / "notes.txt", e.store / "locks" / "m1.lock");
}
void config_missing(const Env& e) {
    fs::remove(m1(e) / "config.json");
}
void config_missing_no_marker(const Env& e) {
    fs::remove(m1(e) / "config.json");
    fs::remove(m1(e) / ".machine-create");
}
void config_is_folder(const Env& e) {
    fs::remove(m1(e) / "config.json");
    fs::create_directories(m1(e) / "config.json");
}
void config_is_link(const Env& e) {
    fs::rename(m1(e) / "config.json", e.outside / "config.json");
    fs::create_symlink(e.outside / "config.json", m1(e) / "config.json");
}
void machine_ca_missing(const Env& e) {
    fs::remove(m1(e) / "ca.pem");
}
void machine_certs_swapped(const Env& e) {
    auto cert = support::read_file(m1(e) / "cert.pem");
    write(m1(e) / "cert.pem", support::read_file(m1(e) / "ca.pem"));
    write(m1(e) / "ca.pem", cert);
}
void store_ca_key_missing(const Env& e) {
    fs::remove(e.store / "certs" / "ca-key.pem");
}
void store_ca_cert_missing(const Env& e) {
    fs::remove(e.store / "certs" / "ca.pem");
}
void store_path_is_file(const Env& e) {
    write(e.tmp / "afile", "not a store\n");
}
void lab_file(const Env& e, const std::string& text) {
    write(e.outside / "lab.yaml", text);
}
auto lab_is(std::string text) {
    return [text](const Env& e) { lab_file(e, text); };
}
void outside_ca(const Env& e) {
    fs::create_directories(e.outside / "evil");
    engine::ensure_ca({e.outside / "evil" / "ca.pem", e.outside / "evil" / "ca-key.pem"}, "evil");
}

const std::string k_url = "tcp://127.0.0.1:2376";
std::vector<std::string> create(std::initializer_list<std::string> more) {
    std::vector<std::string> a = {"create", "--driver", "none", "--url", k_url};
    a.insert(a.end(), more);
    return a;
}

const std::string k_lab_evil_ca = R"(name: evil
driver: none
defaults:
  flags:
    url: tcp://127.0.0.1:2376
nodes:
  - name: n1
    role: manager
    flags:
      tls-ca-cert: {outside}/evil/ca.pem
)";

std::vector<BadInput> cases() {
    return {
        // --- names: every command, every shape of path ---------------------------------------
        {"rm_dotdot", {"rm", "-y", ".."}, 2, "invalid machine name"},
        {"rm_dotdot_dotdot", {"rm", "-y", "../.."}, 2, "invalid machine name"},
        {"rm_absolute_dir", {"rm", "-y", "{outside}/docs"}, 2, "invalid machine name"},
        {"rm_dot", {"rm", "-y", "."}, 2, "invalid machine name"},
        {"rm_m1_slash_dotdot", {"rm", "-y", "m1/.."}, 2, "invalid machine name"},
        {"rm_good_then_bad", {"rm", "-y", "m1", ".."}, 2, "invalid machine name"},
        {"rm_force_dotdot", {"rm", "-f", "-y", "../.."}, 2, "invalid machine name"},
        {"start_dotdot_x", {"start", "../../x"}, 2, "invalid machine name"},
        {"start_good_then_bad", {"start", "m1", "../x"}, 2, "invalid machine name"},
        {"stop_abs", {"stop", "/etc"}, 2, "invalid machine name"},
        {"kill_dotdot", {"kill", ".."}, 2, "invalid machine name"},
        {"restart_dotdot", {"restart", ".."}, 2, "invalid machine name"},
        {"inspect_dotdot", {"inspect", ".."}, 2, "invalid machine name"},
        {"inspect_empty", {"inspect", ""}, 2, "cannot be empty"},
        {"config_dotdot", {"config", ".."}, 2, "invalid machine name"},
        {"env_dotdot", {"env", ".."}, 2, "invalid machine name"},
        {"ip_dotdot", {"ip", "../m1"}, 2, "invalid machine name"},
        {"url_dotdot", {"url", ".."}, 2, "invalid machine name"},
        {"status_dotdot", {"status", ".."}, 2, "invalid machine name"},
        {"ssh_dotdot", {"ssh", "..", "true"}, 2, "invalid machine name"},
        {"scp_dotdot_source", {"scp", "..:/etc/passwd", "{outside}/x"}, 2, "neither side"},
        {"scp_dotdot_dest", {"scp", "{outside}/notes.txt", "a b:/tmp"}, 2, "neither side"},
        {"regenerate_certs_dotdot", {"regenerate-certs", "-f", ".."}, 2, "invalid machine name"},
        {"provision_dotdot", {"provision", "../.."}, 2, "invalid machine name"},
        {"create_dotdot_x", create({"../x"}), 2, "invalid machine name"},
        {"create_space", create({"a b"}), 2, "invalid machine name"},
        {"create_64_chars", create({std::string(64, 'a')}), 2, "63"},
        {"create_newline", create({"a\nb"}), 2, "invalid machine name"},
        {"create_escape_sequence", create({"a\x1b[2Jb"}), 2, "invalid machine name"},
        {"create_dash_first", create({"-x"}), 2, ""},
        {"create_unicode", create({"caf\xc3\xa9"}), 2, "invalid machine name"},
        {"create_swarm_join_dotdot", create({"--swarm-join", "..", "w1"}), 2,
         "invalid machine name"},
        {"create_taken", create({"m1"}), 2, "already exists"},
        {"rm_ghost", {"rm", "-y", "ghost"}, 3, "does not exist"},
        {"start_ghost", {"start", "ghost"}, 3, "does not exist"},
        {"inspect_ghost", {"inspect", "ghost"}, 3, "does not exist"},
        {"regenerate_certs_ghost", {"regenerate-certs", "-f", "ghost"}, 3, "does not exist"},
        // --- ownership: what machine did not make is never removed ---------------------------
        {"rm_foreign_folder", {"rm", "-y", "foreign"}, 2, "only what it made", foreign_folder},
        {"rm_force_foreign_folder",
         {"rm", "-f", "-y", "foreign"},
         2,
         "only what it made",
         foreign_folder},
        {"rm_foreign_with_copied_record",
         {"rm", "-y", "foreign"},
         2,
         "does not record",
         foreign_with_other_record},
        {"rm_symlink_out", {"rm", "-y", "link"}, 2, "symbolic link", link_out},
        {"rm_force_symlink_to_lookalike",
         {"rm", "-f", "-y", "fake"},
         2,
         "symbolic link",
         link_to_machine_like},
        {"inspect_symlink_out", {"inspect", "link"}, 1, "symbolic link", link_out},
        {"rm_machines_dir_is_link", {"rm", "-y", "m1"}, 2, "symbolic link", machines_is_link},
        {"start_lock_is_link", {"start", "m1"}, 1, "lock", lock_is_link},
        // --- flags -----------------------------------------------------------------------------
        {"create_bad_tls_san", create({"--tls-san", "not a name!", "x1"}), 2, "--tls-san"},
        {"create_empty_tls_san", create({"--tls-san", "", "x1"}), 2, "--tls-san"},
        {"create_tls_san_newline", create({"--tls-san", "a\nb", "x1"}), 2, "--tls-san"},
        {"create_all_digit_tls_san", create({"--tls-san", "10.0.0", "x1"}), 2, "--tls-san"},
        {"create_unknown_driver", {"create", "--driver", "nosuch", "x1"}, 2, "nosuch"},
        {"create_none_without_url", {"create", "--driver", "none", "x1"}, 2, "url"},
        {"create_none_bad_url",
         {"create", "--driver", "none", "--url", "nota url", "x1"},
         2,
         "url"},
        {"create_unknown_flag", create({"--no-such-flag", "x1"}), 2, "no-such-flag"},
        {"timeout_negative", {"--timeout", "-1", "start", "m1"}, 2, "timeout"},
        {"timeout_not_a_number", {"--timeout", "soon", "start", "m1"}, 2, "timeout"},
        {"unknown_command", {"frobnicate", "m1"}, 2, "unknown command"},
        {"create_foreign_ca_key_missing",
         create({"--tls-ca-cert", "{outside}/nope/ca.pem", "--tls-ca-key", "{outside}/notes.txt",
                 "x1"}),
         1, "CA", nullptr},
        // --- store damage ---------------------------------------------------------------------
        {"inspect_truncated_config", {"inspect", "m1"}, 1, "config.json", truncate_config},
        {"inspect_empty_config", {"inspect", "m1"}, 1, "config.json", config_is("")},
        {"inspect_config_is_array", {"inspect", "m1"}, 1, "config.json", config_is("[]")},
        {"inspect_config_name_is_number",
         {"inspect", "m1"},
         1,
         "config.json",
         config_is(R"({"Name": 5, "DriverName": "none"})")},
        {"inspect_config_driver_is_string",
         {"inspect", "m1"},
         1,
         "config.json",
         config_is(R"({"Name": "m1", "DriverName": "none", "Driver": "x"})")},
        {"inspect_config_other_name",
         {"inspect", "m1"},
         1,
         "records name",
         config_is(R"({"Name": "m2", "DriverName": "none"})")},
        {"inspect_deep_array_config", {"inspect", "m1"}, 1, "config.json", deep_config},
        {"inspect_deep_object_config", {"inspect", "m1"}, 1, "config.json", deep_object_config},
        {"inspect_huge_config", {"inspect", "m1"}, 1, "config.json", huge_config},
        {"inspect_config_is_folder", {"inspect", "m1"}, 1, "config.json", config_is_folder},
        {"inspect_config_is_link", {"inspect", "m1"}, 1, "config.json", config_is_link},
        {"inspect_no_config", {"inspect", "m1"}, 1, "incomplete", config_missing},
        {"rm_no_config_no_marker",
         {"rm", "-y", "m1"},
         2,
         "only what it made",
         config_missing_no_marker},
        {"rm_truncated_config_without_force", {"rm", "-y", "m1"}, 1, "rm -f", truncate_config},
        {"env_machine_ca_missing", {"env", "m1"}, 1, "", machine_ca_missing},
        {"env_machine_certs_swapped", {"env", "m1"}, 1, "", machine_certs_swapped},
        {"create_store_ca_key_missing", create({"x1"}), 1, "CA is incomplete",
         store_ca_key_missing},
        {"create_store_ca_cert_missing", create({"x1"}), 1, "CA is incomplete",
         store_ca_cert_missing},
        {"ls_store_path_is_file",
         {"--storage-path", "{tmp}/afile", "ls"},
         1,
         "afile",
         store_path_is_file},
        {"create_store_path_is_file",
         {"--storage-path", "{tmp}/afile", "create", "--driver", "none", "--url", k_url, "x1"},
         1,
         "afile",
         store_path_is_file},
        {"inspect_store_path_is_file",
         {"--storage-path", "{tmp}/afile", "inspect", "m1"},
         1,
         "afile",
         store_path_is_file},
        {"read_only_store_create", create({"x1"}), 1, "", nullptr, 10, true},
        {"read_only_store_rm", {"rm", "-y", "m1"}, 1, "", nullptr, 10, true},
        {"read_only_store_start", {"start", "m1"}, 1, "", nullptr, 10, true},
        // --- templates and filters -----------------------------------------------------------
        {"inspect_format_unclosed", {"inspect", "-f", "{{.Name", "m1"}, 2, ""},
        {"inspect_format_field_of_a_string", {"inspect", "-f", "{{.Name.X}}", "m1"}, 2, ""},
        {"inspect_format_unknown_function", {"inspect", "-f", "{{nosuch .Name}}", "m1"}, 2, ""},
        {"inspect_format_deep_parens",
         {"inspect", "-f",
          "{{" + std::string(30000, '(') + ".Name" + std::string(30000, ')') + "}}", "m1"},
         2,
         ""},
        {"inspect_format_huge_printf_width",
         {"inspect", "-f", "{{printf \"%999999999d\" 1}}", "m1"},
         2,
         ""},
        {"inspect_format_nested_range",
         {"inspect", "-f",
          "{{range $a := .Driver}}{{range $b := $.Driver}}{{range $c := $.Driver}}{{range $d := "
          "$.Driver}}{{range $e := $.Driver}}{{printf \"%0100000d\" 1}}{{end}}{{end}}{{end}}{{end}}"
          "{{end}}",
          "m1"},
         2,
         "",
         nullptr,
         10},
        {"ls_format_unclosed", {"ls", "--format", "{{.Name"}, 2, ""},
        {"ls_format_deep_nesting",
         {"ls", "--format", std::string(20000, '{') + std::string(20000, '}')},
         2,
         ""},
        {"ls_filter_unknown_key", {"ls", "--filter", "colour=red"}, 2, "colour"},
        {"ls_filter_no_equals", {"ls", "--filter", "name"}, 2, ""},
        {"ls_filter_bad_regex", {"ls", "--filter", "name=("}, 2, ""},
        {"ls_filter_catastrophic_regex",
         {"ls", "-q", "--filter", "name=(a+)+(b+)+(c+)+(d+)+(e+)+(f+)+$x"},
         0,
         ""},
        // --- lab files ------------------------------------------------------------------------
        {"lab_flags_tls_ca_cert",
         {"lab", "up", "-f", "{outside}/lab.yaml"},
         2,
         "tls-ca-cert",
         [](const Env& e) {
             outside_ca(e);
             std::string text = k_lab_evil_ca;
             text.replace(text.find("{outside}"), 9, e.outside.string());
             lab_file(e, text);
         },
         30},
        {"lab_flags_storage_path",
         {"lab", "up", "-f", "{outside}/lab.yaml"},
         2,
         "storage-path",
         lab_is("name: l\ndriver: none\ndefaults:\n  flags:\n    url: tcp://127.0.0.1:2376\n"
                "    storage-path: /tmp\nnodes:\n  - name: n1\n    role: manager\n"),
         30},
        {"lab_node_dotdot",
         {"lab", "up", "-f", "{outside}/lab.yaml"},
         2,
         "",
         lab_is("name: l\ndriver: none\nnodes:\n  - name: ../..\n    role: manager\n"),
         30},
        {"lab_not_yaml",
         {"lab", "up", "-f", "{outside}/lab.yaml"},
         2,
         "",
         lab_is("name: [unclosed\n"),
         30},
        {"lab_missing_file", {"lab", "up", "-f", "{outside}/nope.yaml"}, 3, "nope.yaml"},
    };
}

class BadInputs : public Catalogue, public ::testing::WithParamInterface<BadInput> {};

TEST_P(BadInputs, Refuses) {
    run_case(GetParam());
}

INSTANTIATE_TEST_SUITE_P(Catalogue, BadInputs, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<BadInput>& info) {
                             return std::string(info.param.id);
                         });

// The same "changes nothing" for the read-only bad inputs' positive twin: a shared CA folder
// given with --tls-ca-cert keeps its mode and files, and the store only gains the new machine.
TEST_F(Catalogue, SharedCaFolderIsLeftAsItWas) {
    fs::path ca = case_env().outside / "shared-ca";
    fs::create_directories(ca);
    ::chmod(ca.c_str(), 0755);
    engine::ensure_ca({ca / "ca.pem", ca / "ca-key.pem"}, "team");
    ::chmod((ca / "ca.pem").c_str(), 0644);
    std::string before = listing(case_env().outside);
    auto r = machine({"--tls-ca-cert", (ca / "ca.pem").string(), "--tls-ca-key",
                      (ca / "ca-key.pem").string(), "create", "--driver", "none", "--url", k_url,
                      "shared1"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(listing(case_env().outside), before);
    EXPECT_EQ(fs::status(ca).permissions() & fs::perms::all, fs::perms(0755));
}

TEST_F(Catalogue, ReadOnlyStoreStillAnswersQueries) {
    create_none("m1");
    std::string before = listing(case_env().tmp);
    auto r = run({"inspect", "-f", "{{.Name}}", "m1"}, std::chrono::seconds(10), true);
    if (r.exit_code == 99)
        GTEST_SKIP() << "no private mount namespace here";
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "m1\n");
    r = run({"ls", "-q"}, std::chrono::seconds(10), true);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(listing(case_env().tmp), before);
}

TEST(CatalogueSize, HasAtLeastSeventyCases) {
    EXPECT_GE(cases().size(), 70u);
}

} // namespace
} // namespace machine::testing
