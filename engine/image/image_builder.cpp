#include "engine/image/image_builder.h"

#include "machine/support/error.h"
#include "machine/support/fs.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <utility>

namespace machine::engine::image {

namespace {

using support::shell_quote;
using Clock = std::chrono::steady_clock;
constexpr std::uint64_t k_partition_offset = 1 << 20; // 1 MiB: MBR + room, aligned
constexpr const char* k_root_label = "machine-root";

std::string last_lines(const std::string& text, std::size_t n = 12) {
    std::size_t pos = text.size();
    while (n-- > 0 && pos > 0) {
        pos = text.rfind('\n', pos - 1);
        if (pos == std::string::npos) {
            pos = 0;
            break;
        }
    }
    return text.substr(pos == 0 ? 0 : pos + 1);
}

std::uint64_t allocated_bytes(const fs::path& p) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0)
        return 0;
    return static_cast<std::uint64_t>(st.st_blocks) * 512;
}

std::string utc_now() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// Detaches the loop device and unmounts on every exit path, errors included.
class LoopMount {
public:
    explicit LoopMount(support::ProcessRunner& runner) : m_runner(runner) {}
    ~LoopMount() {
        try {
            if (!m_mountpoint.empty())
                m_runner.run({.program = "umount", .args = {m_mountpoint.string()}});
            if (!m_device.empty())
                m_runner.run({.program = "losetup", .args = {"-d", m_device}});
        } catch (...) {
        }
    }
    LoopMount(const LoopMount&) = delete;
    LoopMount& operator=(const LoopMount&) = delete;

    void attach(const std::string& device) { m_device = device; }
    void mounted(const fs::path& where) { m_mountpoint = where; }
    void unmount() {
        if (m_mountpoint.empty())
            return;
        auto r = m_runner.run({.program = "umount", .args = {m_mountpoint.string()}});
        if (!r.ok())
            throw Error(fmt::format("umount {} failed: {}", m_mountpoint.string(), r.err));
        m_mountpoint.clear();
    }
    const std::string& device() const { return m_device; }

private:
    support::ProcessRunner& m_runner;
    std::string m_device;
    fs::path m_mountpoint;
};

void write_mbr_code(const fs::path& disk, const fs::path& mbr_bin) {
    std::string code = support::read_file(mbr_bin);
    if (code.size() < 440)
        code.resize(440, '\0');
    std::fstream f(disk, std::ios::in | std::ios::out | std::ios::binary);
    if (!f)
        throw Error(fmt::format("cannot open {} to install the boot code", disk.string()));
    f.write(code.data(), 440); // boot code only: the partition table (bytes 446..511) stays
    if (!f)
        throw Error(fmt::format("cannot write the boot code to {}", disk.string()));
}

} // namespace


ImageBuilder::ImageBuilder(support::ProcessRunner& runner, BuildOptions options,
                           std::vector<RecipeFile> recipe)
    : m_runner(runner), m_options(std::move(options)), m_recipe(std::move(recipe)) {}

std::string ImageBuilder::hash() const { return recipe_hash(m_recipe, m_options.variant); }

std::vector<std::string> ImageBuilder::missing_prerequisites() const {
    static const std::pair<const char*, const char*> programs[] = {
        {"mmdebstrap", "mmdebstrap"}, {"sfdisk", "fdisk"},          {"mkfs.ext4", "e2fsprogs"},
        {"losetup", "mount"},         {"mount", "mount"},           {"extlinux", "extlinux"},
        {"qemu-img", "qemu-utils"},   {"chroot", "coreutils"},
    };
    std::vector<std::string> missing;
    for (const auto& [program, package] : programs)
        if (!m_runner.available(program))
            missing.push_back(fmt::format("{} (package {})", program, package));
    if (!fs::exists(m_options.mbr_bin))
        missing.push_back(fmt::format("{} (package syslinux-common)", m_options.mbr_bin.string()));
    if (::geteuid() != 0)
        missing.push_back("root privileges (mmdebstrap root mode and a loop device)");
    return missing;
}

support::ProcessResult ImageBuilder::run_step(support::ProcessSpec spec, const std::string& what) {
    auto r = m_runner.run(spec);
    if (r.timed_out)
        throw TimeoutError(fmt::format("{}: {} timed out", what, spec.program));
    if (r.exit_code != 0)
        throw Error(fmt::format("{}: {} exited with {}:\n{}", what, support::describe(spec),
                                r.exit_code, last_lines(r.err.empty() ? r.out : r.err)));
    return r;
}

std::vector<std::string> ImageBuilder::mmdebstrap_args(const fs::path& recipe_dir,
                                                       const fs::path& rootfs) const {
    const auto& v = m_options.variant;
    std::vector<std::string> args = {"--mode=root", "--variant=minbase", "--format=directory"};
    std::string include;
    for (const auto& p : packages_for(m_recipe, v))
        include += (include.empty() ? "" : ",") + p;
    args.push_back("--include=" + include);
    if (v.trim)
        for (const auto& line : package_list(recipe_file(m_recipe, "dpkg-excludes.txt").content))
            args.push_back("--dpkgopt=" + line);
    if (!m_options.deb_cache.empty()) {
        auto cache = shell_quote(m_options.deb_cache.string());
        args.push_back("--skip=essential/unlink");
        args.push_back("--setup-hook=mkdir -p " + cache + " \"$1\"/var/cache/apt/archives/");
        args.push_back("--setup-hook=sync-in " + m_options.deb_cache.string() +
                       " /var/cache/apt/archives/");
    }
    args.push_back("--essential-hook=" + shell_quote((recipe_dir / "essential.sh").string()) +
                   " \"$1\"");
    args.push_back("--customize-hook=" + shell_quote((recipe_dir / "customize.sh").string()) +
                   " \"$1\"");
    if (!m_options.deb_cache.empty())
        args.push_back("--customize-hook=sync-out /var/cache/apt/archives " +
                       m_options.deb_cache.string());
    args.push_back(m_options.suite);
    args.push_back(rootfs.string());
    for (const auto& s : m_options.sources)
        args.push_back(s);
    return args;
}

ImageInfo ImageBuilder::build(const fs::path& out_dir, const Progress& progress) {
    auto missing = missing_prerequisites();
    if (!missing.empty()) {
        std::string list;
        for (const auto& m : missing)
            list += (list.empty() ? "" : ", ") + m;
        throw Unavailable("cannot build the machine image, missing: " + list);
    }
    const auto start = Clock::now();
    auto step = [&](const std::string& what) {
        double s = std::chrono::duration<double>(Clock::now() - start).count();
        if (progress)
            progress(fmt::format("[{:6.1f}s] {}", s, what));
    };
    const auto& v = m_options.variant;
    ImageInfo info;
    info.hash = hash();
    info.version = k_image_version;
    info.variant = v;
    info.dir = out_dir;
    info.disk = out_dir / "disk.qcow2";
    info.virtual_bytes = m_options.disk_bytes;

    const fs::path work = out_dir / "work";
    const fs::path recipe_dir = work / "recipe";
    const fs::path rootfs = work / "rootfs";
    const fs::path raw = work / "disk.raw";
    const fs::path mnt = work / "mnt";
    support::make_dirs(recipe_dir);
    for (const auto& f : m_recipe) {
        bool script = f.name.size() > 3 && f.name.ends_with(".sh");
        support::atomic_write(recipe_dir / f.name, f.content, script ? 0755 : 0644);
    }
    if (!m_options.deb_cache.empty())
        support::make_dirs(m_options.deb_cache);

    step(fmt::format("installing Debian packages with mmdebstrap ({}{})",
                     v.with_engine ? "with docker.io" : "without engine",
                     v.trim ? "" : ", untrimmed"));
    run_step({.program = "mmdebstrap",
              .args = mmdebstrap_args(recipe_dir, rootfs),
              .env = {{"MACHINE_TRIM", v.trim ? "1" : "0"},
                      {"MACHINE_ENGINE", v.with_engine ? "1" : "0"},
                      {"LC_ALL", "C.UTF-8"}},
              .timeout = std::chrono::minutes(45)},
             "installing packages");
    for (const auto& e : fs::directory_iterator(rootfs / "lib/modules"))
        info.kernel = e.path().filename().string();
    auto pkgs = run_step({.program = "chroot",
                          .args = {rootfs.string(), "dpkg-query", "-W", "-f",
                                   "${Package} ${Version}\\n"}},
                         "listing packages");
    support::atomic_write(out_dir / "packages.txt", pkgs.out);

    step("partitioning the disk");
    {
        std::ofstream(raw).close();
        fs::resize_file(raw, m_options.disk_bytes);
    }
    run_step({.program = "sfdisk",
              .args = {"--quiet", "--no-reread", "--no-tell-kernel", raw.string()},
              .stdin_data = "label: dos\nstart=2048, type=83, bootable\n"},
             "partitioning");

    step("making the ext4 root file system");
    LoopMount loop(m_runner);
    auto attached = run_step(
        {.program = "losetup",
         .args = {"--find", "--show", "--offset", std::to_string(k_partition_offset), "--sizelimit",
                  std::to_string(m_options.disk_bytes - k_partition_offset), raw.string()}},
        "attaching a loop device");
    auto device = attached.out.substr(0, attached.out.find('\n'));
    loop.attach(device);
    // No 64bit feature: extlinux reads the file system it boots from.
    run_step({.program = "mkfs.ext4",
              .args = {"-q", "-F", "-L", k_root_label, "-O", "^64bit", "-E",
                       "lazy_itable_init=0,lazy_journal_init=0", "-d", rootfs.string(), device},
              .timeout = std::chrono::minutes(20)},
             "making the file system");

    step("installing the extlinux boot loader");
    support::make_dirs(mnt);
    run_step({.program = "mount", .args = {device, mnt.string()}}, "mounting the root");
    loop.mounted(mnt);
    run_step({.program = "extlinux", .args = {"--install", (mnt / "boot/extlinux").string()}},
             "installing extlinux");
    loop.unmount();
    write_mbr_code(raw, m_options.mbr_bin);
    info.raw_bytes = allocated_bytes(raw);

    step("converting to qcow2");
    run_step({.program = "qemu-img",
              .args = {"convert", "-f", "raw", "-O", "qcow2", raw.string(), info.disk.string()},
              .timeout = std::chrono::minutes(20)},
             "converting the disk");
    info.qcow2_bytes = fs::file_size(info.disk);

    step("removing scratch files");
    run_step({.program = "rm", .args = {"-rf", "--one-file-system", work.string()}},
             "removing scratch files");
    info.built_at = utc_now();
    info.build_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    support::atomic_write(out_dir / "manifest.json", manifest_json(info));
    return info;
}

std::string manifest_json(const ImageInfo& info) {
    nlohmann::json j = {
        {"hash", info.hash},
        {"version", info.version},
        {"with_engine", info.variant.with_engine},
        {"trim", info.variant.trim},
        {"disk", info.disk.filename().string()},
        {"built_at", info.built_at},
        {"build_seconds", info.build_seconds},
        {"kernel", info.kernel},
        {"virtual_bytes", info.virtual_bytes},
        {"raw_bytes", info.raw_bytes},
        {"qcow2_bytes", info.qcow2_bytes},
    };
    return j.dump(2) + "\n";
}

ImageInfo parse_manifest(const std::string& json, const fs::path& dir) {
    try {
        auto j = nlohmann::json::parse(json);
        ImageInfo info;
        info.hash = j.at("hash").get<std::string>();
        info.version = j.value("version", "");
        info.variant.with_engine = j.value("with_engine", true);
        info.variant.trim = j.value("trim", true);
        info.dir = dir;
        info.disk = dir / j.value("disk", "disk.qcow2");
        info.built_at = j.value("built_at", "");
        info.build_seconds = j.value("build_seconds", 0.0);
        info.kernel = j.value("kernel", "");
        info.virtual_bytes = j.value("virtual_bytes", std::uint64_t{0});
        info.raw_bytes = j.value("raw_bytes", std::uint64_t{0});
        info.qcow2_bytes = j.value("qcow2_bytes", std::uint64_t{0});
        return info;
    } catch (const nlohmann::json::exception& e) {
        throw Error(fmt::format("bad image manifest in {}: {}", dir.string(), e.what()));
    }
}

void convert_disk(const fs::path& in, const fs::path& out, DiskFormat format,
                  support::ProcessRunner& runner) {
    const char* name = format == DiskFormat::vdi    ? "vdi"
                       : format == DiskFormat::vmdk ? "vmdk"
                       : format == DiskFormat::raw  ? "raw"
                                                    : "qcow2";
    fs::path tmp = out;
    tmp += ".tmp";
    support::ProcessSpec spec{.program = "qemu-img",
                              .args = {"convert", "-O", name, in.string(), tmp.string()},
                              .timeout = std::chrono::minutes(20)};
    auto r = runner.run(spec);
    if (!r.ok()) {
        std::error_code ec;
        fs::remove(tmp, ec);
        throw Error(fmt::format("converting {} to {} failed: {}", in.string(), name,
                                last_lines(r.err)));
    }
    fs::rename(tmp, out);
}

} // namespace machine::engine::image
