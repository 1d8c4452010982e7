#include "drivers/virtualbox/virtualbox_driver.h"

#include "drivers/virtualbox/network.h"
#include "drivers/virtualbox/parse.h"
#include "machine/support/error.h"
#include "machine/support/fs.h"
#include "machine/support/log.h"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <random>
#include <regex>
#include <set>

namespace machine::drivers::virtualbox {
namespace {

constexpr const char* k_ssh_user = "docker";
constexpr const char* k_storage_ctl = "SATA";

int loopback_free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        throw DriverError("cannot find a free port for SSH forwarding: socket() failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    int port = -1;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
        port = ntohs(addr.sin_port);
    ::close(fd);
    if (port <= 0)
        throw DriverError("cannot find a free port for SSH forwarding on 127.0.0.1");
    return port;
}

void check_choice(const std::string& flag, const std::string& value,
                  const std::vector<std::string>& choices) {
    if (std::find(choices.begin(), choices.end(), value) != choices.end())
        return;
    std::string list;
    for (const auto& c : choices)
        list += (list.empty() ? "" : ", ") + c;
    throw UsageError(fmt::format("--{}: \"{}\" is not one of {}", flag, value, list));
}

std::string random_uuid() {
    std::random_device rd;
    std::mt19937_64 rng((uint64_t{rd()} << 32) ^ rd());
    uint64_t hi = rng(), lo = rng();
    hi = (hi & ~uint64_t{0xf000}) | 0x4000;                     // version 4
    lo = (lo & ~(uint64_t{0xc} << 60)) | (uint64_t{0x8} << 60); // RFC 4122 variant
    return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xffff,
                       hi & 0xffff, lo >> 48, lo & 0xffffffffffffull);
}

// FNV-1a, 64 bit: a stable short name for a path (std::hash is not stable across builds).
std::string path_key(const fs::path& p) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : p.string()) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return fmt::format("{:016x}", h);
}

// Whether `file` lies inside `dir` (both made absolute and free of symlinks first).
bool inside(const fs::path& file, const fs::path& dir) {
    std::error_code ec;
    auto f = fs::weakly_canonical(file, ec);
    if (ec)
        return false;
    auto d = fs::weakly_canonical(dir, ec);
    if (ec)
        return false;
    auto rel = f.lexically_relative(d);
    return !rel.empty() && *rel.begin() != ".." && *rel.begin() != ".";
}

std::pair<std::string, std::string> default_share(const std::string& os) {
    // docker-machine's defaults: the users' home folders, under the name the guest mounts.
    if (os == "darwin")
        return {"/Users", "Users"};
    if (os == "windows")
        return {"C:\\Users", "c/Users"};
    return {"/home", "hosthome"};
}

} // namespace

std::pair<std::string, std::string> parse_share_folder(const std::string& value) {
    auto pos = value.rfind(':');
    if (pos == std::string::npos || pos == 0 || pos + 1 == value.size())
        return {value, ""};
    return {value.substr(0, pos), value.substr(pos + 1)};
}

HostEnv HostEnv::current() {
    HostEnv env;
#if defined(__APPLE__)
    env.os = "darwin";
#elif defined(_WIN32)
    env.os = "windows";
#else
    env.os = "linux";
#endif
    env.free_port = loopback_free_port;
    env.clock = &support::steady_clock();
    env.new_uuid = random_uuid;
    return env;
}

VirtualBoxDriver::VirtualBoxDriver(const DriverContext& ctx)
    : VirtualBoxDriver(ctx, HostEnv::current()) {}

VirtualBoxDriver::VirtualBoxDriver(const DriverContext& ctx, HostEnv env)
    : m_ctx(ctx), m_env(std::move(env)),
      m_vbox(*ctx.runner, ctx.store_dir.empty() ? fs::path{} : ctx.store_dir / "vbox.lock",
             VBoxManageOptions{"VBoxManage", m_env.vbox_attempts, m_env.vbox_backoff,
                               std::chrono::minutes(10), m_env.clock}) {
    if (!m_env.free_port)
        m_env.free_port = loopback_free_port;
    if (!m_env.clock)
        m_env.clock = &support::steady_clock();
    if (!m_env.new_uuid)
        m_env.new_uuid = random_uuid;
    m_ssh_key_path = m_ctx.machine_dir / "id_rsa";
}

std::vector<FlagSpec> VirtualBoxDriver::create_flags() {
    return {
        {"virtualbox-memory", "Memory of the VM in MB (default 1024)", "1024", "VIRTUALBOX_MEMORY"},
        {"virtualbox-cpu-count", "Number of CPUs of the VM (default 1)", "1",
         "VIRTUALBOX_CPU_COUNT"},
        {"virtualbox-disk-size", "Disk size of the VM in MB (default 20000)", "20000",
         "VIRTUALBOX_DISK_SIZE"},
        {"virtualbox-hostonly-cidr",
         "Host address and network of the host-only network (default 192.168.56.1/24)",
         "192.168.56.1/24", "VIRTUALBOX_HOSTONLY_CIDR"},
        {"virtualbox-hostonly-nictype",
         "Host-only nic type: 82540EM, virtio, ... (default "
         "82540EM)",
         "82540EM", "VIRTUALBOX_HOSTONLY_NIC_TYPE"},
        {"virtualbox-hostonly-nicpromisc",
         "Host-only nic promiscuous mode: deny, allow-vms, allow-all (default deny)", "deny",
         "VIRTUALBOX_HOSTONLY_NIC_PROMISC"},
        {"virtualbox-nat-nictype", "NAT nic type: 82540EM, virtio, ... (default 82540EM)",
         "82540EM", "VIRTUALBOX_NAT_NICTYPE"},
        {"virtualbox-ui-type", "UI of the VM: headless, gui, sdl, separate (default headless)",
         "headless", "VIRTUALBOX_UI_TYPE"},
        {"virtualbox-no-share", "Do not share a host folder with the VM", "", "VIRTUALBOX_NO_SHARE",
         true},
        {"virtualbox-share-folder",
         "Host folder to share as dir:name (default: /home on Linux, /Users on macOS)", "",
         "VIRTUALBOX_SHARE_FOLDER"},
        {"virtualbox-no-vtx-check", "Do not check that VT-x/AMD-V is available", "",
         "VIRTUALBOX_NO_VTX_CHECK", true},
        {"virtualbox-image",
         "Disk image to boot (VDI/VMDK, or qcow2/raw converted to VDI; default: bundled image)", "",
         "VIRTUALBOX_IMAGE"},
    };
}

void VirtualBoxDriver::configure(const FlagValues& flags) {
    m_memory = flags.get_int("virtualbox-memory", 256, 1024 * 1024);
    m_cpus = flags.get_int("virtualbox-cpu-count", 1, 64);
    m_disk_size = flags.get_int("virtualbox-disk-size", 1024, 2 * 1024 * 1024);
    const std::vector<std::string> nictypes = {"Am79C970A", "Am79C973", "Am79C960", "82540EM",
                                               "82543GC",   "82545EM",  "virtio"};
    m_hostonly_nictype = flags.get("virtualbox-hostonly-nictype");
    check_choice("virtualbox-hostonly-nictype", m_hostonly_nictype, nictypes);
    m_nat_nictype = flags.get("virtualbox-nat-nictype");
    check_choice("virtualbox-nat-nictype", m_nat_nictype, nictypes);
    m_hostonly_promisc = flags.get("virtualbox-hostonly-nicpromisc");
    check_choice("virtualbox-hostonly-nicpromisc", m_hostonly_promisc,
                 {"deny", "allow-vms", "allow-all"});
    m_ui_type = flags.get("virtualbox-ui-type");
    check_choice("virtualbox-ui-type", m_ui_type, {"headless", "gui", "sdl", "separate"});
    m_no_share = flags.get_bool("virtualbox-no-share");
    m_share_folder = flags.get("virtualbox-share-folder");
    if (!m_share_folder.empty() && parse_share_folder(m_share_folder).second.empty())
        throw UsageError(
            fmt::format("--virtualbox-share-folder: \"{}\" is not dir:name", m_share_folder));
    m_no_vtx_check = flags.get_bool("virtualbox-no-vtx-check");
    m_image = flags.get("virtualbox-image");
    if (!m_image.empty()) {
        std::error_code ec;
        m_image = fs::absolute(m_image, ec).string();
        if (!fs::is_regular_file(m_image, ec))
            throw UsageError(fmt::format("--virtualbox-image: {} is not a file", m_image));
    }
    m_hostonly_cidr = flags.get("virtualbox-hostonly-cidr");
    bool enforce = m_env.os == "linux" || m_env.os == "darwin";
    check_hostonly_cidr(m_hostonly_cidr, support::try_read_file(m_env.networks_conf),
                        m_env.networks_conf.string(), enforce);

    check_vboxmanage();
    check_vtx();
    refuse_taken_name(true);
    m_uuid = m_env.new_uuid();
    choose_address();
}

void VirtualBoxDriver::refuse_taken_name(bool before_anything_changed) {
    for (const auto& vm : parse_vms(m_vbox.run({"list", "vms"}))) {
        if (vm.name != m_ctx.machine_name)
            continue;
        std::string what = fmt::format(
            "VirtualBox already has a VM named \"{}\" ({{{}}}), not made by machine; it is left "
            "as it is: pick another machine name",
            vm.name, vm.uuid);
        if (before_anything_changed)
            throw UsageError(what);
        throw DriverError(what);
    }
}

void VirtualBoxDriver::check_vboxmanage() {
    if (!m_vbox.available())
        throw Unavailable("VirtualBox is not installed: VBoxManage was not found on PATH");
    std::string out = m_vbox.run({"--version"});
    if (out.find("vboxdrv kernel module is not loaded") != std::string::npos)
        throw Unavailable("VirtualBox's kernel module (vboxdrv) is not loaded; "
                          "`VBoxManage --version` says how to load it");
    auto v = parse_version(out);
    if (!v)
        throw Unavailable(fmt::format("VBoxManage --version printed no version (\"{}\")",
                                      out.substr(0, out.find('\n'))));
    if (v->major < 6)
        throw Unavailable(fmt::format(
            "VirtualBox {} is too old: machine needs VirtualBox 6.0 or newer", v->text));
    m_vbox_major = v->major;
}

void VirtualBoxDriver::check_vtx() const {
    if (m_no_vtx_check || m_env.os != "linux")
        return;
    auto cpuinfo = support::try_read_file(m_env.cpuinfo);
    if (!cpuinfo)
        return; // cannot tell: let VirtualBox say
    static const std::regex flag(R"((^|\s)(vmx|svm)(\s|$))");
    if (std::regex_search(*cpuinfo, flag))
        return;
    throw Unavailable(
        "this computer has no VT-x/AMD-V (no vmx or svm flag in /proc/cpuinfo), which "
        "VirtualBox needs; enable it in the firmware, or pass --virtualbox-no-vtx-check");
}

void VirtualBoxDriver::choose_address() {
    auto cidr = *parse_cidr(m_hostonly_cidr);
    drop_claim();
    std::optional<support::FileLock> lock;
    fs::path claims = m_ctx.store_dir / "locks" / "virtualbox-ips";
    if (!m_ctx.store_dir.empty()) {
        support::make_dirs(m_ctx.store_dir / "locks", 0700);
        lock.emplace(m_ctx.store_dir / "locks" / "virtualbox-ip.lock");
        support::make_dirs(claims, 0700);
    }
    std::set<uint32_t> used;
    std::error_code ec;
    // Addresses claimed by creates that have not saved their record yet: theirs while the
    // claiming process lives; a dead process's claim is dropped.
    if (!m_ctx.store_dir.empty()) {
        for (const auto& entry : fs::directory_iterator(claims, ec)) {
            auto ip = parse_ipv4(entry.path().filename().string());
            auto text = support::try_read_file(entry.path());
            long pid = 0;
            if (text)
                pid = std::strtol(text->c_str(), nullptr, 10);
            bool alive = pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
            if (ip && alive) {
                if (cidr.contains(*ip))
                    used.insert(*ip);
            } else {
                std::error_code rm_ec;
                fs::remove(entry.path(), rm_ec);
            }
        }
    }
    fs::path machines = m_ctx.store_dir / "machines";
    if (!m_ctx.store_dir.empty() && fs::is_directory(machines, ec)) {
        for (const auto& entry : fs::directory_iterator(machines, ec)) {
            if (entry.path().filename() == m_ctx.machine_name)
                continue;
            auto text = support::try_read_file(entry.path() / "config.json");
            if (!text)
                continue;
            auto j = nlohmann::json::parse(*text, nullptr, false);
            if (j.is_discarded() || !j.is_object() || !j.contains("Driver") ||
                !j["Driver"].is_object())
                continue;
            auto ip_it = j["Driver"].find("IPAddress");
            if (ip_it == j["Driver"].end() || !ip_it->is_string())
                continue;
            if (auto ip = parse_ipv4(ip_it->get<std::string>()); ip && cidr.contains(*ip))
                used.insert(*ip);
        }
    }
    auto ip = choose_ip(cidr, used);
    if (!ip)
        throw DriverError(fmt::format("no free address left in {} for another machine; use another "
                                      "--virtualbox-hostonly-cidr",
                                      m_hostonly_cidr));
    m_ip = format_ipv4(*ip);
    if (!m_ctx.store_dir.empty()) {
        support::atomic_write(claims / m_ip, fmt::format("{} {}\n", ::getpid(), m_ctx.machine_name),
                              0600);
        m_ip_claim = claims / m_ip;
    }
    std::string seed = (m_ctx.store_dir / "machines" / m_ctx.machine_name).string();
    m_nat_mac = derive_mac(seed + "#nic1");
    m_hostonly_mac = derive_mac(seed + "#nic2");
}

void VirtualBoxDriver::drop_claim() noexcept {
    if (m_ip_claim.empty())
        return;
    std::error_code ec;
    fs::remove(m_ip_claim, ec);
    m_ip_claim.clear();
}

VirtualBoxDriver::~VirtualBoxDriver() {
    drop_claim();
}

std::string VirtualBoxDriver::seed_network_config() const {
    if (m_ip.empty())
        return {};
    return network_config_yaml(m_nat_mac, m_hostonly_mac, m_ip,
                               parse_cidr(m_hostonly_cidr)->prefix);
}

bool VirtualBoxDriver::use_hostonlynet() const {
    return m_env.os == "darwin" && m_vbox_major >= 7;
}

fs::path VirtualBoxDriver::prepare_disk_image(const CreateSpec& spec) {
    fs::path source = m_image.empty() ? spec.base_image : fs::path(m_image);
    if (source.empty())
        throw DriverError("no disk image to boot: the bundled image is missing and "
                          "--virtualbox-image was not given");
    std::error_code ec;
    if (!fs::is_regular_file(source, ec))
        throw NotFound(fmt::format("disk image {} does not exist", source.string()));
    std::string ext = source.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
    if (ext == ".vdi" || ext == ".vmdk" || ext == ".vhd")
        return source;
    // VirtualBox cannot boot qcow2: convert once into the store's cache, never beside the
    // source (the user's folder is not ours), named by the source's path.
    if (m_ctx.store_dir.empty())
        throw DriverError("no store to cache the converted disk image in");
    std::string key = path_key(fs::absolute(source, ec));
    fs::path dir = m_ctx.store_dir / "cache" / "virtualbox";
    support::make_dirs(dir, 0700);
    fs::path cached = dir / fmt::format("{}-{}.vdi", source.stem().string(), key);
    support::make_dirs(m_ctx.store_dir / "locks", 0700);
    support::FileLock lock(m_ctx.store_dir / "locks" / fmt::format("virtualbox-vdi-{}.lock", key));
    if (fs::exists(cached, ec) &&
        fs::last_write_time(cached, ec) >= fs::last_write_time(source, ec))
        return cached;
    fs::path tmp = cached;
    tmp += fmt::format(".tmp{}", ::getpid());
    support::info("Converting {} to VDI for VirtualBox (once)...", source.filename().string());
    support::ProcessSpec convert{"qemu-img",
                                 {"convert", "-O", "vdi", source.string(), tmp.string()}};
    auto r = m_ctx.runner->run(convert);
    if (!r.ok()) {
        fs::remove(tmp, ec);
        throw DriverError(fmt::format("{} failed: {}", support::describe(convert),
                                      r.err.substr(0, r.err.find('\n'))));
    }
    fs::rename(tmp, cached);
    return cached;
}

void VirtualBoxDriver::create(const CreateSpec& spec) {
    m_ssh_key_path = spec.ssh_key_path;
    m_seed_path = spec.seed_iso;
    if (m_ip.empty())
        choose_address();
    else
        drop_claim(); // the pipeline saved the record, with the address, before create()
    if (m_uuid.empty())
        m_uuid = m_env.new_uuid();
    m_hostonly_is_net = use_hostonlynet();

    fs::path image = prepare_disk_image(spec);
    bool converted = inside(image, m_ctx.store_dir / "cache" / "virtualbox");
    ensure_hostonly_network();
    m_ssh_port = m_env.free_port();

    // A VM of that name may have appeared since configure(): still never one of two namesakes.
    refuse_taken_name(false);
    std::string out = m_vbox.run({"createvm", "--name", m_ctx.machine_name, "--uuid", m_uuid,
                                  "--basefolder", spec.machine_dir.string(), "--register"});
    m_vm_created = true;
    if (auto created = parse_created_vm_uuid(out); created && *created != m_uuid) {
        support::debug("createvm made {} instead of the requested {}", *created, m_uuid);
        m_uuid = *created;
    }
    const std::string& vm = m_uuid;
    m_vbox.run({"modifyvm",       vm,
                "--ostype",       "Linux26_64",
                "--firmware",     "bios",
                "--memory",       std::to_string(m_memory),
                "--cpus",         std::to_string(m_cpus),
                "--acpi",         "on",
                "--ioapic",       "on",
                "--rtcuseutc",    "on",
                "--pae",          "on",
                "--hpet",         "on",
                "--hwvirtex",     "on",
                "--nestedpaging", "on",
                "--boot1",        "disk",
                "--boot2",        "dvd",
                "--boot3",        "none",
                "--boot4",        "none"});
    m_vbox.run({"modifyvm", vm, "--nic1", "nat", "--nictype1", m_nat_nictype, "--cableconnected1",
                "on", "--macaddress1", mac_for_vboxmanage(m_nat_mac), "--natdnshostresolver1",
                "off", "--natdnsproxy1", "on"});
    m_vbox.run({"modifyvm", vm, "--natpf1", fmt::format("ssh,tcp,127.0.0.1,{},,22", m_ssh_port)});
    std::vector<std::string> nic2 = {"modifyvm", vm};
    if (m_hostonly_is_net)
        nic2.insert(nic2.end(),
                    {"--nic2", "hostonlynet", "--host-only-net2=" + m_hostonly_adapter});
    else
        nic2.insert(nic2.end(), {"--nic2", "hostonly", "--hostonlyadapter2", m_hostonly_adapter});
    nic2.insert(nic2.end(),
                {"--nictype2", m_hostonly_nictype, "--nicpromisc2", m_hostonly_promisc,
                 "--cableconnected2", "on", "--macaddress2", mac_for_vboxmanage(m_hostonly_mac)});
    m_vbox.run(nic2);
    m_vbox.run({"storagectl", vm, "--name", k_storage_ctl, "--add", "sata", "--hostiocache", "on"});

    m_disk_path = spec.machine_dir / "disk.vdi";
    m_vbox.run({"clonemedium", "disk", image.string(), m_disk_path.string(), "--format", "VDI"});
    if (converted) {
        // Forget the cached image as a medium: a later re-conversion gets a new UUID at the
        // same path, which VirtualBox would refuse to open while the old one is registered.
        m_vbox.run_result({"closemedium", "disk", image.string()});
    }
    try {
        m_vbox.run({"modifymedium", "disk", m_disk_path.string(), "--resize",
                    std::to_string(m_disk_size)});
    } catch (const VBoxManageError& e) {
        // VirtualBox cannot shrink a disk: keep the image's size and say so.
        support::warn("disk kept at the image's size: {}", e.what());
    }
    m_vbox.run({"storageattach", vm, "--storagectl", k_storage_ctl, "--port", "0", "--device", "0",
                "--type", "hdd", "--medium", m_disk_path.string()});
    m_vbox.run({"storageattach", vm, "--storagectl", k_storage_ctl, "--port", "1", "--device", "0",
                "--type", "dvddrive", "--medium", spec.seed_iso.string()});

    if (!m_no_share) {
        auto [dir, name] =
            m_share_folder.empty() ? default_share(m_env.os) : parse_share_folder(m_share_folder);
        std::error_code ec;
        if (fs::is_directory(dir, ec)) {
            m_vbox.run(
                {"sharedfolder", "add", vm, "--name", name, "--hostpath", dir, "--automount"});
            m_vbox.run({"setextradata", vm,
                        "VBoxInternal2/SharedFoldersEnableSymlinksCreate/" + name, "1"});
        } else {
            support::debug("not sharing {}: no such folder", dir);
        }
    }
    m_vbox.run({"startvm", vm, "--type", m_ui_type});
}

std::optional<std::string> VirtualBoxDriver::vm_ref() {
    if (!m_uuid.empty())
        return m_uuid;
    if (m_looked_up)
        return std::nullopt;
    // A record from before UUIDs: find the VM by name, once, and take it only if its settings
    // file is in this machine's folder, where create put it.
    m_looked_up = true;
    for (const auto& vm : parse_vms(m_vbox.run({"list", "vms"}))) {
        if (vm.name != m_ctx.machine_name)
            continue;
        std::map<std::string, std::string> info;
        try {
            info = parse_machine_readable(m_vbox.run({"showvminfo", vm.uuid, "--machinereadable"}));
        } catch (const VBoxManageError& e) {
            if (e.not_found())
                continue; // unregistered meanwhile
            throw;
        }
        const std::string& cfg = info["CfgFile"];
        if (!cfg.empty() && (inside(cfg, m_ctx.machine_dir) ||
                             (!m_vm_folder.empty() && inside(cfg, m_vm_folder)))) {
            m_uuid = vm.uuid;
            m_foreign_uuid.clear();
            support::debug("VirtualBox VM {} of machine \"{}\" found by name; recording its UUID",
                           m_uuid, m_ctx.machine_name);
            return m_uuid;
        }
        m_foreign_uuid = vm.uuid;
        m_foreign_cfg = info["CfgFile"];
    }
    return std::nullopt;
}

std::optional<State> VirtualBoxDriver::query_state() {
    auto ref = vm_ref();
    if (!ref)
        return std::nullopt;
    try {
        auto info = parse_machine_readable(m_vbox.run({"showvminfo", *ref, "--machinereadable"}));
        return state_from_vmstate(info["VMState"]);
    } catch (const VBoxManageError& e) {
        if (e.not_found())
            return std::nullopt;
        throw;
    }
}

State VirtualBoxDriver::state() {
    auto s = query_state();
    if (s)
        return *s;
    if (!m_foreign_uuid.empty() && m_vm_created)
        throw DriverError(fmt::format(
            "VirtualBox's VM \"{}\" ({{{}}}) is not the one machine created (its settings are in "
            "{}); machine leaves it alone, and `machine rm` forgets only this record",
            m_ctx.machine_name, m_foreign_uuid, m_foreign_cfg));
    if (m_vm_created)
        throw DriverError(fmt::format("VirtualBox has no VM {} of machine \"{}\" (removed "
                                      "outside machine?); `machine rm` cleans up the rest",
                                      m_uuid.empty() ? "of that name" : "{" + m_uuid + "}",
                                      m_ctx.machine_name));
    return State::None;
}

SshEndpoint VirtualBoxDriver::ssh_endpoint() {
    return SshEndpoint{"127.0.0.1", m_ssh_port, k_ssh_user, m_ssh_key_path};
}

void VirtualBoxDriver::start() {
    State s = state();
    if (s == State::Running || s == State::Starting)
        return;
    if (s == State::None)
        throw DriverError(fmt::format("machine \"{}\" has no VM: its create stopped before "
                                      "making one; `machine rm {}` cleans up the rest",
                                      m_ctx.machine_name, m_ctx.machine_name));
    const std::string& vm = m_uuid; // state() found it
    if (s == State::Paused) {
        m_vbox.run({"controlvm", vm, "resume"});
        return;
    }
    // The host-only interface may be gone (host reboot, VirtualBox reinstall): find or make
    // it again and point nic2 at it if its name changed. The address stays the same.
    std::string before = m_hostonly_adapter;
    ensure_hostonly_network();
    if (m_hostonly_adapter != before) {
        if (m_hostonly_is_net)
            m_vbox.run({"modifyvm", vm, "--host-only-net2=" + m_hostonly_adapter});
        else
            m_vbox.run({"modifyvm", vm, "--hostonlyadapter2", m_hostonly_adapter});
    }
    m_vbox.run({"startvm", vm, "--type", m_ui_type});
}

void VirtualBoxDriver::stop() {
    State s = state();
    if (s == State::Stopped || s == State::Saved || s == State::None)
        return;
    const std::string& vm = m_uuid; // state() found it
    if (s == State::Paused)
        m_vbox.run({"controlvm", vm, "resume"});
    m_vbox.run({"controlvm", vm, "acpipowerbutton"});
    support::WaitSpec spec;
    spec.deadline = m_env.clock->now() + m_env.stop_timeout;
    spec.first_delay = spec.max_delay = m_env.poll_interval;
    if (support::poll_until(*m_env.clock, spec, [&](std::chrono::milliseconds, std::string&) {
            auto now = query_state();
            return !now || *now == State::Stopped;
        }))
        return;
    support::warn("{} did not shut down within {} s after the ACPI power button; powering it "
                  "off",
                  m_ctx.machine_name, m_env.stop_timeout.count());
    m_vbox.run({"controlvm", vm, "poweroff"});
}

void VirtualBoxDriver::kill() {
    State s = state();
    if (s == State::Stopped || s == State::Saved || s == State::None)
        return;
    m_vbox.run({"controlvm", m_uuid, "poweroff"});
}

std::vector<std::string> VirtualBoxDriver::remove() {
    std::vector<std::string> done;
    auto s = query_state();
    if (s) {
        const std::string& vm = m_uuid; // query_state() found it
        if (*s == State::Running || *s == State::Paused || *s == State::Starting ||
            *s == State::Stopping)
            m_vbox.run({"controlvm", vm, "poweroff"});
        m_vbox.run({"unregistervm", vm, "--delete"});
        done.push_back(fmt::format("VirtualBox VM {} {{{}}} and its disk", m_ctx.machine_name, vm));
    } else if (!m_foreign_uuid.empty()) {
        done.push_back(fmt::format("VirtualBox VM \"{}\" {{{}}} left as it is: not made by machine "
                                   "(its settings are in {})",
                                   m_ctx.machine_name, m_foreign_uuid, m_foreign_cfg));
    } else if (m_vm_created) {
        done.push_back(
            fmt::format("VirtualBox VM {} was already gone: removed only machine's "
                        "record of it",
                        m_uuid.empty() ? "\"" + m_ctx.machine_name + "\"" : "{" + m_uuid + "}"));
    }
    std::error_code ec;
    if (!m_disk_path.empty() && fs::exists(m_disk_path, ec)) {
        // Cloned but never attached (create failed half-way): still registered as a medium.
        auto r = m_vbox.run_result({"closemedium", "disk", m_disk_path.string(), "--delete"});
        if (vboxmanage_failed(r))
            fs::remove(m_disk_path, ec);
        done.push_back(fmt::format("disk {}", m_disk_path.string()));
    }
    m_vm_created = false;
    return done;
}

DriverRecord VirtualBoxDriver::record() const {
    DriverRecord r;
    r.ip = m_ip;
    r.machine_name = m_ctx.machine_name;
    r.has_ssh = true;
    r.ssh_user = k_ssh_user;
    r.ssh_port = m_ssh_port;
    r.ssh_key_path = m_ssh_key_path;
    r.store_path = m_ctx.store_dir;
    r.own = {
        {"Memory", m_memory},
        {"CPU", m_cpus},
        {"DiskSize", m_disk_size},
        {"HostOnlyCIDR", m_hostonly_cidr},
        {"HostOnlyNicType", m_hostonly_nictype},
        {"HostOnlyPromiscMode", m_hostonly_promisc},
        {"NatNicType", m_nat_nictype},
        {"UIType", m_ui_type},
        {"NoShare", m_no_share},
        {"ShareFolder", m_share_folder},
        {"NoVTXCheck", m_no_vtx_check},
        {"ImagePath", m_image},
        {"HostOnlyAdapter", m_hostonly_adapter},
        {"HostOnlyIsNetwork", m_hostonly_is_net},
        {"NatMACAddress", m_nat_mac},
        {"HostOnlyMACAddress", m_hostonly_mac},
        {"DiskPath", m_disk_path.string()},
        {"SeedPath", m_seed_path.string()},
        {"VMCreated", m_vm_created},
        {"UUID", m_uuid},
        {"VMFolder", m_vm_folder.string()},
    };
    return r;
}

void VirtualBoxDriver::restore(const DriverRecord& r) {
    const nlohmann::json& j = r.own;
    if (!r.ip.empty())
        m_ip = r.ip;
    if (r.ssh_port != 0)
        m_ssh_port = r.ssh_port;
    if (!r.ssh_key_path.empty())
        m_ssh_key_path = r.ssh_key_path;
    read_own(j, "Memory", m_memory);
    read_own(j, "CPU", m_cpus);
    read_own(j, "DiskSize", m_disk_size);
    read_own(j, "HostOnlyCIDR", m_hostonly_cidr);
    read_own(j, "HostOnlyNicType", m_hostonly_nictype);
    read_own(j, "HostOnlyPromiscMode", m_hostonly_promisc);
    read_own(j, "NatNicType", m_nat_nictype);
    read_own(j, "UIType", m_ui_type);
    read_own(j, "NoShare", m_no_share);
    read_own(j, "ShareFolder", m_share_folder);
    read_own(j, "NoVTXCheck", m_no_vtx_check);
    read_own(j, "ImagePath", m_image);
    read_own(j, "HostOnlyAdapter", m_hostonly_adapter);
    read_own(j, "HostOnlyIsNetwork", m_hostonly_is_net);
    read_own(j, "NatMACAddress", m_nat_mac);
    read_own(j, "HostOnlyMACAddress", m_hostonly_mac);
    read_own(j, "DiskPath", m_disk_path);
    read_own(j, "SeedPath", m_seed_path);
    read_own(j, "VMCreated", m_vm_created);
    read_own(j, "UUID", m_uuid);
    read_own(j, "VMFolder", m_vm_folder);
    if (!m_uuid.empty() && !is_uuid(m_uuid))
        throw StoreError(fmt::format("the driver record of \"{}\" has a UUID that is not one: "
                                     "\"{}\"",
                                     m_ctx.machine_name, m_uuid));
}

} // namespace machine::drivers::virtualbox
