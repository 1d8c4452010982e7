#include "machine/support/error.h"
#include "provision/os_release.h"

#include <gtest/gtest.h>

using namespace machine::provision;

namespace {

const char* k_debian12 = R"OS(PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
)OS";

const char* k_ubuntu = R"OS(PRETTY_NAME="Ubuntu 22.04.4 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
ID=ubuntu
ID_LIKE=debian
UBUNTU_CODENAME=jammy
)OS";

const char* k_fedora = R"OS(NAME="Fedora Linux"
VERSION="39 (Cloud Edition)"
ID=fedora
VERSION_ID=39
PRETTY_NAME="Fedora Linux 39 (Cloud Edition)"
CPE_NAME="cpe:/o:fedoraproject:fedora:39"
)OS";

const char* k_alpine = R"OS(NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.19.1
PRETTY_NAME="Alpine Linux v3.19"
)OS";

const char* k_opensuse = R"OS(NAME="openSUSE Leap"
VERSION="15.5"
ID="opensuse-leap"
ID_LIKE="suse opensuse"
VERSION_ID="15.5"
PRETTY_NAME="openSUSE Leap 15.5"
)OS";

const char* k_centos7 = R"OS(NAME="CentOS Linux"
VERSION="7 (Core)"
ID="centos"
ID_LIKE="rhel fedora"
VERSION_ID="7"
PRETTY_NAME="CentOS Linux 7 (Core)"
)OS";

const char* k_rocky9 = R"OS(NAME="Rocky Linux"
ID="rocky"
ID_LIKE="rhel centos fedora"
VERSION_ID="9.3"
PRETTY_NAME="Rocky Linux 9.3 (Blue Onyx)"
)OS";

OsRelease parse(const char* text) {
    auto os = parse_os_release(text);
    EXPECT_TRUE(os.has_value()) << text;
    return os.value_or(OsRelease{});
}

} // namespace

struct DistroCase {
    const char* text;
    const char* id;
    std::vector<std::string> id_like;
    const char* version_id;
    const char* pretty_name;
    PackageManager pm;
};

class OsReleaseTable : public ::testing::TestWithParam<DistroCase> {};

TEST_P(OsReleaseTable, ParsesFieldsAndPicksPackageManager) {
    const auto& c = GetParam();
    auto os = parse(c.text);
    EXPECT_EQ(os.id, c.id);
    EXPECT_EQ(os.id_like, c.id_like);
    EXPECT_EQ(os.version_id, c.version_id);
    EXPECT_EQ(os.pretty_name, c.pretty_name);
    EXPECT_EQ(to_string(pick(os)), to_string(c.pm));
}

INSTANTIATE_TEST_SUITE_P(
    Distros, OsReleaseTable,
    ::testing::Values(
        DistroCase{
            k_debian12, "debian", {}, "12", "Debian GNU/Linux 12 (bookworm)", PackageManager::apt},
        DistroCase{
            k_ubuntu, "ubuntu", {"debian"}, "22.04", "Ubuntu 22.04.4 LTS", PackageManager::apt},
        DistroCase{
            k_fedora, "fedora", {}, "39", "Fedora Linux 39 (Cloud Edition)", PackageManager::dnf},
        DistroCase{k_alpine, "alpine", {}, "3.19.1", "Alpine Linux v3.19", PackageManager::apk},
        DistroCase{k_opensuse,
                   "opensuse-leap",
                   {"suse", "opensuse"},
                   "15.5",
                   "openSUSE Leap 15.5",
                   PackageManager::zypper},
        DistroCase{k_centos7,
                   "centos",
                   {"rhel", "fedora"},
                   "7",
                   "CentOS Linux 7 (Core)",
                   PackageManager::yum},
        DistroCase{k_rocky9,
                   "rocky",
                   {"rhel", "centos", "fedora"},
                   "9.3",
                   "Rocky Linux 9.3 (Blue Onyx)",
                   PackageManager::dnf}));

TEST(OsRelease, DecodesQuotesAndEscapes) {
    auto os = parse(R"OS(ID='my distro'
PRETTY_NAME="A \"quoted\" \$name with \\ and \`tick\`"
VERSION_ID=1\ 2
)OS");
    EXPECT_EQ(os.id, "my distro");
    EXPECT_EQ(os.pretty_name, R"OS(A "quoted" $name with \ and `tick`)OS");
    EXPECT_EQ(os.version_id, "1 2");
}

TEST(OsRelease, BackslashInDoubleQuotesKeepsUnknownEscapes) {
    auto os = parse("ID=x\nPRETTY_NAME=\"C:\\path\\n\"\n");
    EXPECT_EQ(os.pretty_name, "C:\\path\\n");
}

TEST(OsRelease, SkipsCommentsBlankLinesAndCarriageReturns) {
    auto os = parse("# a comment\n\n   # indented comment\r\nID=arch\r\nPRETTY_NAME=\"Arch\"\r\n");
    EXPECT_EQ(os.id, "arch");
    EXPECT_EQ(os.pretty_name, "Arch");
    EXPECT_EQ(to_string(pick(os)), "pacman");
}

TEST(OsRelease, SkipsMalformedLinesButKeepsTheRest) {
    auto os = parse("this is not an assignment\nlower=case\nPRETTY_NAME=\"unterminated\n"
                    "ID=unquoted space\nID=debian\nVERSION_ID=\"12\"\n");
    EXPECT_EQ(os.id, "debian");
    EXPECT_EQ(os.pretty_name, "");
    EXPECT_EQ(os.version_id, "12");
}

TEST(OsRelease, LaterAssignmentWinsAndIdIsLowercased) {
    auto os = parse("ID=Fedora\nID=\"Debian\"\n");
    EXPECT_EQ(os.id, "debian");
}

TEST(OsRelease, MissingIdDefaultsToLinux) {
    auto os = parse("NAME=Something\n");
    EXPECT_EQ(os.id, "linux");
    EXPECT_THROW(pick(os), machine::ProvisionError);
}

TEST(OsRelease, GarbageIsNotAnOsRelease) {
    EXPECT_FALSE(parse_os_release(""));
    EXPECT_FALSE(parse_os_release("\n\n# only comments\n"));
    EXPECT_FALSE(parse_os_release("<html><body>404</body></html>"));
    EXPECT_FALSE(parse_os_release(std::string("\x7f"
                                              "ELF\x02\x01\x01\0\0\0",
                                              10)));
}

TEST(PackageManagerChoice, IdWinsOverIdLike) {
    OsRelease os{"fedora", {"debian"}, "39", ""};
    EXPECT_EQ(pick(os), PackageManager::dnf);
}

TEST(PackageManagerChoice, IdLikeIsTriedInOrder) {
    OsRelease os{"somederivative", {"unknownbase", "suse", "debian"}, "1", ""};
    EXPECT_EQ(pick(os), PackageManager::zypper);
    OsRelease mint{"linuxmint", {"ubuntu", "debian"}, "21", ""};
    EXPECT_EQ(pick(mint), PackageManager::apt);
    OsRelease raspbian_like{"pureos", {"debian"}, "10", ""};
    EXPECT_EQ(pick(raspbian_like), PackageManager::apt);
}

TEST(PackageManagerChoice, RedHatFamilyVersionDecidesYumOrDnf) {
    EXPECT_EQ(pick(OsRelease{"rhel", {"fedora"}, "7.9", ""}), PackageManager::yum);
    EXPECT_EQ(pick(OsRelease{"rhel", {"fedora"}, "8.9", ""}), PackageManager::dnf);
    EXPECT_EQ(pick(OsRelease{"amzn", {"centos", "rhel", "fedora"}, "2", ""}), PackageManager::yum);
    EXPECT_EQ(pick(OsRelease{"amzn", {"fedora"}, "2023", ""}), PackageManager::dnf);
}

TEST(PackageManagerChoice, UnknownDistributionNamesItself) {
    OsRelease os{"plan9", {"bell"}, "4", "Plan 9 from Bell Labs"};
    try {
        pick(os);
        FAIL() << "expected ProvisionError";
    } catch (const machine::ProvisionError& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("Plan 9 from Bell Labs"), std::string::npos) << what;
        EXPECT_NE(what.find("ID=plan9"), std::string::npos) << what;
        EXPECT_NE(what.find("ID_LIKE=bell"), std::string::npos) << what;
    }
}
