#include "drivers/docker_machine.h"

#include "drivers/none/none_driver.h"
#include "machine/support/error.h"

#include <fmt/format.h>

namespace machine::drivers {

namespace {

std::string str(const nlohmann::json& j, const char* key) {
    return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

long num(const nlohmann::json& j, const char* key, long fallback) {
    return j.contains(key) && j[key].is_number_integer() ? j[key].get<long>() : fallback;
}

const char* k_boot2docker_limit =
    "provision, regenerate-certs and upgrade: its guest (boot2docker) is not one machine "
    "provisions (machine expects Debian with systemd); docker-machine's certificates stay in use";

} // namespace

bool docker_machine_runs_boot2docker(const std::string& dm_driver) {
    return dm_driver == "virtualbox" || dm_driver == "kvm";
}

DockerMachineDriver from_docker_machine(const std::string& dm_driver, const nlohmann::json& d,
                                        const DockerMachinePaths& paths) {
    DockerMachineDriver out;
    out.boot2docker = docker_machine_runs_boot2docker(dm_driver);
    const std::string ip = str(d, "IPAddress");
    const std::string store_root = paths.store_root.string();
    if (dm_driver == "none" || dm_driver == "generic") {
        out.driver_name = "none";
        std::string url = str(d, "URL");
        if (dm_driver == "generic") {
            const long port = num(d, "EnginePort", 2376);
            url = ip.find(':') != std::string::npos ? fmt::format("tcp://[{}]:{}", ip, port)
                                                    : fmt::format("tcp://{}:{}", ip, port);
            out.engine_port = static_cast<int>(port);
            out.limits.push_back(fmt::format(
                "ssh, scp, start, stop, restart, kill: machine has no generic driver, so this "
                "host is kept as a none-driver machine (its engine only); reach it with `ssh -i "
                "{} -p {} {}@{}`",
                paths.key_path.string(), num(d, "SSHPort", 22), str(d, "SSHUser"), ip));
        }
        auto parsed = none::parse_tcp_url(url);
        if (parsed.host.empty())
            throw UsageError(fmt::format("its engine URL \"{}\" is not tcp://HOST:PORT", url));
        out.record = decode_record({{"IPAddress", parsed.host},
                                    {"MachineName", paths.name},
                                    {"URL", url},
                                    {"StorePath", store_root}});
        return out;
    }
    nlohmann::json j = {
        {"IPAddress", ip},
        {"MachineName", str(d, "MachineName").empty() ? paths.name : str(d, "MachineName")},
        {"SSHUser", str(d, "SSHUser").empty() ? "docker" : str(d, "SSHUser")},
        {"SSHPort", num(d, "SSHPort", 22)},
        {"SSHKeyPath", paths.key_path.string()},
        {"StorePath", store_root},
        {"Memory", num(d, "Memory", 1024)},
        {"CPU", num(d, "CPU", 1)},
        {"DiskSize", num(d, "DiskSize", 20000)}};
    if (dm_driver == "virtualbox") {
        out.driver_name = "virtualbox";
        for (const char* k : {"HostOnlyCIDR", "HostOnlyNicType", "HostOnlyPromiscMode",
                              "NatNicType", "UIType", "ShareFolder"})
            if (d.contains(k))
                j[k] = d[k];
        for (const char* k : {"NoShare", "NoVTXCheck"})
            j[k] = d.value(k, false);
        // The VM's disk is attached to it: `rm` (unregistervm --delete) removes it with the VM,
        // as docker-machine rm does. machine made no disk of its own for it.
        j["DiskPath"] = "";
        j["SeedPath"] = "";
        // docker-machine's `createvm --basefolder` put the VM's settings here: the virtualbox
        // driver takes the VM it finds by name only if they still are (a user's namesake is not).
        j["VMFolder"] = paths.vm_folder.string();
        out.limits.push_back(k_boot2docker_limit);
        out.limits.push_back("the VM has no UUID recorded by docker-machine: machine finds it by "
                             "its name, \"" +
                             j["MachineName"].get<std::string>() + "\"");
        out.record = decode_record(j);
        return out;
    }
    if (dm_driver == "kvm") {
        out.driver_name = "libvirt";
        j["URI"] = "qemu:///system"; // docker-machine-kvm always connects there
        j["Network"] =
            str(d, "PrivateNetwork").empty() ? "docker-machines" : str(d, "PrivateNetwork");
        j["NetworkCreated"] = false; // docker-machine-kvm's network: never removed by machine
        j["MAC"] = "";
        j["ImagePath"] = "";
        j["DiskPath"] = paths.disk_path.string();
        j["SeedPath"] = "";
        j["ConsolePath"] = "";
        j["Accel"] = "kvm";
        out.limits.push_back(k_boot2docker_limit);
        out.limits.push_back(
            "its IP has no DHCP reservation (docker-machine-kvm lets DHCP choose): after "
            "stop/start the IP may change, and the server certificate then no longer matches");
        out.record = decode_record(j);
        return out;
    }
    throw UsageError(fmt::format(
        "its driver \"{}\" is not one machine has (none, generic, virtualbox, kvm)", dm_driver));
}

} // namespace machine::drivers
