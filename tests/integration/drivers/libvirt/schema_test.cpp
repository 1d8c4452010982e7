// The XML the driver writes validates against libvirt's own RelaxNG schemas (libvirt-common).
#include "drivers/libvirt/domain_xml.h"
#include "drivers/libvirt/network_xml.h"

#include <gtest/gtest.h>
#include <libxml/relaxng.h>

#include <filesystem>

namespace machine::drivers::libvirt {
namespace {

const std::filesystem::path k_schemas = "/usr/share/libvirt/schemas";

// "" when `xml` is valid against `schema`.rng, else libxml2's complaint.
std::string validate(const std::string& schema, const std::string& xml) {
    const auto rng = k_schemas / (schema + ".rng");
    xmlRelaxNGParserCtxtPtr pctx = xmlRelaxNGNewParserCtxt(rng.c_str());
    xmlRelaxNGPtr grammar = xmlRelaxNGParse(pctx);
    xmlRelaxNGFreeParserCtxt(pctx);
    if (!grammar)
        return "cannot load " + rng.string();
    xmlDocPtr doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "x.xml", nullptr, 0);
    std::string errors;
    xmlRelaxNGValidCtxtPtr vctx = xmlRelaxNGNewValidCtxt(grammar);
    xmlRelaxNGSetValidStructuredErrors(
        vctx,
        [](void* out, xmlError* e) {
            *static_cast<std::string*>(out) += e->message ? e->message : "error";
        },
        &errors);
    int rc = doc ? xmlRelaxNGValidateDoc(vctx, doc) : -1;
    xmlRelaxNGFreeValidCtxt(vctx);
    xmlRelaxNGFree(grammar);
    if (doc)
        xmlFreeDoc(doc);
    return rc == 0 ? "" : (errors.empty() ? "invalid" : errors);
}

class LibvirtSchema : public ::testing::Test {
protected:
    void SetUp() override {
        if (!std::filesystem::exists(k_schemas / "domain.rng"))
            GTEST_SKIP() << "libvirt schemas not installed";
    }
};

TEST_F(LibvirtSchema, DomainXmlValidates) {
    DomainSpec s;
    s.name = "myvm1";
    s.disk_path = "/store/machines/myvm1/disk.qcow2";
    s.seed_path = "/store/machines/myvm1/seed.iso";
    s.network = "machine";
    s.mac = make_mac(0x123456);
    s.console_log = "/store/machines/myvm1/console.log";
    EXPECT_EQ(validate("domain", domain_xml(s)), "");
    s.kvm = true;
    s.seed_path.clear();
    EXPECT_EQ(validate("domain", domain_xml(s)), "");
    // The check itself can fail.
    EXPECT_NE(validate("domain", "<domain type='qemu'><vcpu>2</vcpu></domain>"), "");
}

TEST_F(LibvirtSchema, NetworkXmlValidates) {
    EXPECT_EQ(validate("network", network_xml(*plan_network("machine", {}))), "");
    NetworkSpec isolated{"iso", "", "10.0.0.1", "255.255.255.0", "10.0.0.2", "10.0.0.9"};
    EXPECT_EQ(validate("network", network_xml(isolated)), "");
}

} // namespace
} // namespace machine::drivers::libvirt
