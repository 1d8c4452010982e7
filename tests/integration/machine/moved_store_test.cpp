// A store moved as a whole keeps working: config.json records paths relative to the store.
#include "cli_fixture.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <iterator>

namespace machine::testing {
namespace {

class MovedStore : public CliTest {};

void expect_under(const nlohmann::json& j, const std::string& key, const fs::path& root) {
    ASSERT_TRUE(j.contains(key)) << key;
    std::string value = j[key].get<std::string>();
    EXPECT_EQ(value.rfind(root.string() + "/", 0), 0u) << key << " = " << value;
    EXPECT_TRUE(fs::path(value).is_absolute()) << key << " = " << value;
}

TEST_F(MovedStore, EnvAndInspectUseTheNewPlace) {
    create_none("m1");
    const fs::path old_root = store();
    const fs::path new_root = tmp() / "relocated" / "store";
    fs::create_directories(new_root.parent_path());
    auto mv = program("mv", {old_root.string(), new_root.string()});
    ASSERT_EQ(mv.exit_code, 0) << mv.err;
    set_store(new_root);

    auto env = program("bash", {"--norc", "--noprofile", "-c",
                                "eval \"$(machine env m1)\" || exit 9; printf %s "
                                "\"$DOCKER_CERT_PATH\""});
    ASSERT_EQ(env.exit_code, 0) << env.err;
    EXPECT_EQ(env.out, (new_root / "machines" / "m1").string());
    EXPECT_TRUE(fs::exists(fs::path(env.out) / "ca.pem"));

    auto inspect = machine({"inspect", "m1"});
    ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
    auto j = nlohmann::json::parse(inspect.out);
    const auto& auth = j["HostOptions"]["AuthOptions"];
    for (const char* key : {"CertDir", "CaCertPath", "CaPrivateKeyPath", "ClientCertPath",
                            "ClientKeyPath", "ServerCertPath", "ServerKeyPath", "StorePath"})
        expect_under(auth, key, new_root);
    EXPECT_EQ(auth["StorePath"], (new_root / "machines" / "m1").string());
    EXPECT_EQ(j["Driver"]["StorePath"], new_root.string());
    EXPECT_EQ(inspect.out.find(old_root.string() + "/"), std::string::npos)
        << "the old location leaks: " << inspect.out;

    auto config = machine({"config", "m1"});
    EXPECT_NE(config.out.find("--tlscacert=\"" + (new_root / "machines/m1/ca.pem").string()),
              std::string::npos)
        << config.out;

    auto ls = machine({"ls", "--format", "{{.Name}} {{.State}}"});
    EXPECT_EQ(ls.out, "m1 Running\n") << ls.err;

    // A machine created after the move reuses the moved CA rather than making a new one.
    std::string ca_before;
    {
        std::ifstream in(new_root / "certs" / "ca.pem");
        ca_before.assign(std::istreambuf_iterator<char>(in), {});
    }
    create_none("m2");
    std::ifstream in(new_root / "certs" / "ca.pem");
    std::string ca_after(std::istreambuf_iterator<char>(in), {});
    EXPECT_EQ(ca_before, ca_after);
    EXPECT_FALSE(fs::exists(old_root)) << "nothing recreated at the old place";
}

} // namespace
} // namespace machine::testing
