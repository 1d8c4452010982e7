#pragma once
// Pure parsers for VBoxManage's output. Where failure is normal they return std::optional or an
// empty result and let the caller add context. Every parser is pinned by tests on real samples
// (tests/unit/drivers/virtualbox/parse_test.cpp says where each sample came from).
#include "drivers/driver.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace machine::drivers::virtualbox {

// `showvminfo <vm> --machinereadable`: key="value" / "key"="value" / key=value lines, values
// unescaped (VBoxManage escapes `"` and `\` with a backslash). Lines that are not key=value
// (VirtualBox 7 prints "Encryption:     disabled") are skipped.
std::map<std::string, std::string> parse_machine_readable(const std::string& out);

// VMState value ("running", "poweroff", ...) -> State, as docker-machine mapped it.
State state_from_vmstate(const std::string& vmstate);

// `list hostonlyifs` (and `list bridgedifs`, same layout).
struct HostOnlyIf {
    std::string name;
    std::string guid;
    bool dhcp = false;
    std::string ip;
    std::string netmask;
    std::string status;
    std::string network_name; // VBoxNetworkName: HostInterfaceNetworking-<name>
};
std::vector<HostOnlyIf> parse_hostonlyifs(const std::string& out);

// `list hostonlynets` (VirtualBox 7, macOS): records may contain blank lines.
struct HostOnlyNet {
    std::string name;
    std::string guid;
    bool enabled = false;
    std::string netmask;
    std::string lower_ip;
    std::string upper_ip;
    std::string network_name;
};
std::vector<HostOnlyNet> parse_hostonlynets(const std::string& out);

// `list dhcpservers`: both the pre-6.1 layout ("IP:", "lowerIPAddress:") and the 6.1+ one
// ("Dhcpd IP:", "LowerIPAddress:", nested "Global Configuration:" block).
struct DhcpServer {
    std::string network_name;
    std::string ip;
    std::string netmask;
    std::string lower_ip;
    std::string upper_ip;
    bool enabled = false;
};
std::vector<DhcpServer> parse_dhcpservers(const std::string& out);

// `--version`: "7.0.14r161095", "6.1.50_Debianr161033", "4.1.2_Ubuntur38459"; warnings about
// the kernel module may come first, so the last line that looks like a version wins.
struct Version {
    int major = 0;
    int minor = 0;
    int patch = 0;
    std::string text; // as printed, e.g. "7.0.14r161095"
};
std::optional<Version> parse_version(const std::string& out);

// `list systemproperties`: "Key:   value" lines -> map (keys as printed).
std::map<std::string, std::string> parse_systemproperties(const std::string& out);

// `list vms` / `list runningvms`: `"name" {uuid}` lines.
struct VmEntry {
    std::string name;
    std::string uuid;
};
std::vector<VmEntry> parse_vms(const std::string& out);

// `createvm` stdout: "UUID: 0e520d8e-0207-401c-9d9d-72f83bbb5998" -> the UUID (lower case).
std::optional<std::string> parse_created_vm_uuid(const std::string& out);

// Whether `text` is a UUID in VirtualBox's form (8-4-4-4-12 hex digits, no braces).
bool is_uuid(const std::string& text);

// `hostonlyif create` stdout: "Interface 'vboxnet1' was successfully created" -> "vboxnet1".
std::optional<std::string> parse_created_interface(const std::string& out);

// The error block VBoxManage prints on stderr:
//   VBoxManage: error: <message>
//   VBoxManage: error: Details: code VBOX_E_OBJECT_NOT_FOUND (0x80bb0001), component ...
//   VBoxManage: error: Context: "..." at line N of file VBoxManageX.cpp
// (also "VBoxManage.exe: error:" and "Code E_ACCESSDENIED (0x80070005) - ..." forms).
struct VBoxErrorInfo {
    std::string message; // first error line's text
    std::string code;    // e.g. "VBOX_E_OBJECT_NOT_FOUND", "E_ACCESSDENIED"; "" if none
};
std::optional<VBoxErrorInfo> parse_error(const std::string& err);

// Errors worth retrying: the machine or session is locked / not ready yet.
bool is_retryable_error(const std::string& err);

} // namespace machine::drivers::virtualbox
