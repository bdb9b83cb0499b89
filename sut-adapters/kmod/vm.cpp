#include "vm.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "wire.h"

#ifndef RESVCHECK_KMOD_DIR
#error "RESVCHECK_KMOD_DIR (sut-adapters/kmod) and RESVCHECK_KMOD_AGENT come from CMake"
#endif

namespace fs = std::filesystem;

namespace resvcheck::kmod {
namespace {

using Clock = std::chrono::steady_clock;

Error setup(std::string m) { return Error{ErrorKind::Setup, std::move(m)}; }

std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

// The release a headers tree was built for (include/config/kernel.release holds only the
// version in Debian's trees: the directory name, linux-headers-<release>, is the reliable part).
std::string headers_release(const std::string& headers) {
    std::string name = fs::path(headers).filename().string();
    if (name.starts_with("linux-headers-")) return name.substr(14);
    return trim(read_file(headers + "/include/config/kernel.release"));
}

// The newest /boot/vmlinuz-<version>.* with its headers (under `root`, "" for the system).
Expected<Kernel> default_kernel(const std::string& root, const std::string& version, const std::string& how) {
    std::vector<std::string> releases;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(root + "/boot", ec)) {
        std::string n = e.path().filename().string();
        if (n.starts_with("vmlinuz-" + version + ".")) releases.push_back(n.substr(8));
    }
    std::sort(releases.begin(), releases.end());
    if (releases.empty())
        return setup("no kernel " + version + " image under " + root + "/boot: " + how + ", or pass --kernel-image and --kernel-headers");
    Kernel k;
    k.release = releases.back();
    k.image = root + "/boot/vmlinuz-" + k.release;
    k.headers = root + "/usr/src/linux-headers-" + k.release;
    k.modules = root + "/lib/modules/" + k.release;
    return k;
}

// Content hash of the inputs of the boot files (FNV-1a over names and bytes).
std::string inputs_key(const Kernel& k, const std::string& module) {
    uint64_t h = 1469598103934665603ull;
    auto mix = [&](const std::string& s) {
        for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
        h = (h ^ 0xff) * 1099511628211ull;
    };
    const std::string d = RESVCHECK_KMOD_DIR;
    for (const std::string& f : {d + "/module/resvcheck_main.c", d + "/module/Kbuild", d + "/wire.h", d + "/guest/init",
                                d + "/guest/prepare.sh", d + "/build-module.sh", std::string(RESVCHECK_KMOD_ABI_HEADER),
                                std::string(RESVCHECK_KMOD_AGENT)})
        mix(read_file(f));
    std::error_code ec;
    mix(k.image + std::to_string(fs::file_size(k.image, ec)) + std::to_string(fs::last_write_time(k.image, ec).time_since_epoch().count()));
    mix(k.headers + read_file(k.headers + "/Module.symvers").substr(0, 4096));
    if (!module.empty()) mix(read_file(module));
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
    return hex;
}

std::string cache_root() {
    if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/resvcheck/kmod";
    if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.cache/resvcheck/kmod";
    return "/tmp/resvcheck-kmod-cache";
}

std::string quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

// Runs a script; its output goes to `log`, whose tail is the error.
Status run_script(const std::string& cmd, const std::string& log, const std::string& what) {
    int st = std::system((cmd + " >" + quote(log) + " 2>&1").c_str());
    if (st == 0) return ok();
    std::string out = read_file(log);
    if (out.size() > 3000) out = "..." + out.substr(out.size() - 3000);
    return setup(what + " failed:\n" + out);
}

// The TSC rate of the host: TCG's guest TSC runs at it, and a guest that calibrates it against
// the emulated PIT under load gets it wrong and stalls.
std::string host_tsc_khz() {
    std::ifstream f("/proc/cpuinfo");
    for (std::string line; std::getline(f, line);)
        if (line.starts_with("cpu MHz"))
            if (auto colon = line.find(':'); colon != std::string::npos)
                return std::to_string(static_cast<long>(std::strtod(line.c_str() + colon + 1, nullptr) * 1000));
    return "";
}

std::string find_in_path(const std::string& exe) {
    const char* path = std::getenv("PATH");
    std::stringstream s(path ? path : "/usr/bin:/bin");
    for (std::string dir; std::getline(s, dir, ':');)
        if (access((dir + "/" + exe).c_str(), X_OK) == 0) return dir + "/" + exe;
    return "";
}

}  // namespace

Expected<Kernel> locate_kernel(const std::string& image, const std::string& headers, const std::string& version) {
    Kernel k;
    if (image.empty() && headers.empty()) {
        if (version == "6.12")
            return default_kernel("/var/cache/resvcheck/kmod/6.12", "6.12", "run ci/setup.sh --vm (it fetches 6.12 from bookworm-backports)");
        auto sys = default_kernel("", version.empty() ? "6.1" : version, "apt-get install linux-image-amd64 linux-headers-amd64 (ci/setup.sh --vm)");
        if (!sys) return sys.error();
        k = *sys;
    } else {
        if (image.empty() || headers.empty()) return setup("--kernel-image and --kernel-headers go together");
        k.image = fs::absolute(image).string();
        k.headers = fs::absolute(headers).string();
        k.release = headers_release(k.headers);
        // the modules of an installed kernel, or of packages extracted next to the headers
        k.modules = "/lib/modules/" + k.release;
        if (!fs::is_directory(k.modules)) k.modules = fs::path(k.headers).parent_path().parent_path().parent_path().string() + "/lib/modules/" + k.release;
    }
    if (!fs::is_regular_file(k.image)) return setup("kernel image " + k.image + " not found");
    if (!fs::is_regular_file(k.headers + "/Makefile"))
        return setup("kernel headers " + k.headers + " not found (a build tree with a Makefile: linux-headers-" + k.release + ")");
    if (!fs::is_directory(k.modules)) return setup("the modules of " + k.release + " (" + k.modules + ") not found: the initramfs needs its virtio modules");
    return k;
}

Expected<BootFiles> prepare(const Kernel& k, const std::string& module) {
    const std::string dir = cache_root() + "/" + k.release + "-" + inputs_key(k, module);
    BootFiles b{dir + "/vmlinux", dir + "/initramfs.cpio", module.empty() ? dir + "/module/resvcheck.ko" : module};
    if (fs::is_regular_file(b.initramfs)) return b;
    std::error_code ec;
    fs::create_directories(cache_root(), ec);
    std::string tmp = dir + ".tmp-" + std::to_string(getpid());
    fs::remove_all(tmp, ec);
    fs::create_directories(tmp, ec);
    if (ec) return setup("cannot create " + tmp + ": " + ec.message());
    const std::string d = RESVCHECK_KMOD_DIR;
    std::string ko = module;
    if (ko.empty()) {
        if (auto st = run_script(quote(d + "/build-module.sh") + " " + quote(k.headers) + " " + quote(tmp + "/module"), tmp + "/build.log",
                                 "building resvcheck.ko against " + k.headers);
            !st)
            return st.error();
        ko = tmp + "/module/resvcheck.ko";
    } else if (!fs::is_regular_file(ko)) {
        return setup("module " + ko + " not found");
    }
    if (auto st = run_script(quote(d + "/guest/prepare.sh") + " " + quote(k.image) + " " + quote(k.modules) + " " + quote(ko) + " " +
                                 quote(RESVCHECK_KMOD_AGENT) + " " + quote(tmp),
                             tmp + "/prepare.log", "preparing the boot files of " + k.image);
        !st)
        return st.error();
    fs::rename(tmp, dir, ec);  // another process may have won the race: then its files are used
    if (ec) fs::remove_all(tmp, ec);
    if (!fs::is_regular_file(b.initramfs)) return setup("boot files of " + k.release + " missing in " + dir);
    return b;
}

Expected<std::unique_ptr<Vm>> Vm::start(const BootFiles& b, const VmOptions& o) {
    const std::string qemu = find_in_path("qemu-system-x86_64");
    if (qemu.empty()) return setup("qemu-system-x86_64 not found: the kmod adapter boots the kernel in a VM (apt-get install qemu-system-x86, or ci/setup.sh --vm)");
    std::unique_ptr<Vm> vm(new Vm());
    char tmpl[] = "/tmp/resvcheck-kmod-XXXXXX";
    if (!mkdtemp(tmpl)) return setup(std::string("cannot create a temp dir: ") + strerror(errno));
    vm->dir_ = tmpl;
    vm->console_dir_ = o.console_dir;
    vm->watchdog_ = o.watchdog;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return setup(std::string("socketpair: ") + strerror(errno));
    std::string khz = host_tsc_khz();
    // loglevel=4: a WARN's report stays in the kernel's log (where resvcheck.ko counts it) instead
    // of crossing the emulated UART a byte at a time, which took most of a run's time; errors and
    // oopses still print, and a panic replays the whole log (panic_print=0x20) into the console log.
    // cryptomgr.notests: the crypto self-tests were a third of the boot under TCG.
    std::string cmdline = "console=ttyS0 loglevel=4 panic_print=0x20 oops=panic panic=-1 softlockup_panic=1 no_timer_check tsc=reliable"
                          " cryptomgr.notests";
    if (!khz.empty()) cmdline += " tsc_early_khz=" + khz;
    cmdline += std::string(" resvcheck.strict=") + (o.strict ? "1" : "0");
    if (!o.init_args.empty()) cmdline += " " + o.init_args;
    std::vector<std::string> args = {qemu, "-accel", "tcg", "-M", "microvm", "-m", "256", "-smp", std::to_string(o.smp),
                                     "-nodefaults", "-no-user-config", "-nographic", "-no-reboot",
                                     "-kernel", b.vmlinux, "-initrd", b.initramfs, "-append", cmdline,
                                     "-serial", "file:" + vm->dir_ + "/console.log",
                                     "-device", "virtio-serial-device", "-chardev", "socket,id=ch,fd=3",
                                     "-device", "virtserialport,chardev=ch,name=resvcheck"};
    IsolationLimits lim;
    lim.address_space = 0;  // TCG reserves a large code buffer
    lim.resident = 0;
    std::string err;
    bool spawned = vm->qemu_.spawn(lim, sv[1], [&args] {
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        std::perror("exec qemu-system-x86_64");
        return 127;
    }, err);
    close(sv[1]);
    vm->fd_ = sv[0];
    if (!spawned) return setup(err);
    std::vector<uint8_t> ready;
    if (o.wait_ready && (!vm->read_frame(ready, o.boot_timeout) || !ready.empty()))
        return setup("the kmod VM did not come up: " + vm->end_report());
    return vm;
}

Vm::~Vm() {
    if (fd_ >= 0) close(fd_);
    if (qemu_.running()) qemu_.finish(true);
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
}

bool Vm::read_frame(std::vector<uint8_t>& body, std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    for (;;) {
        if (rx_.size() >= 2 && rx_.size() >= 2 + kw_frame_len(rx_.data())) {
            size_t n = kw_frame_len(rx_.data());
            body.assign(rx_.begin() + 2, rx_.begin() + 2 + static_cast<long>(n));
            rx_.erase(rx_.begin(), rx_.begin() + 2 + static_cast<long>(n));
            return true;
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0 || !qemu_.wait_readable(fd_, left)) {
            hung_ = true;
            return false;
        }
        uint8_t buf[1 << 16];
        ssize_t r = read(fd_, buf, sizeof buf);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;  // qemu is gone
        rx_.insert(rx_.end(), buf, buf + r);
    }
}

size_t Vm::call(const std::vector<uint8_t>& req, size_t replies, std::vector<std::vector<uint8_t>>& out) {
    if (out.size() < replies) out.resize(replies);
    for (size_t done = 0; done < req.size();) {
        ssize_t w = send(fd_, req.data() + done, req.size() - done, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return 0;
        done += static_cast<size_t>(w);
    }
    for (size_t i = 0; i < replies; ++i)
        if (!read_frame(out[i], watchdog_)) return i;
    return replies;
}

bool Vm::wait_end(std::chrono::milliseconds timeout) {
    if (qemu_.wait_exit(timeout)) return true;
    hung_ = true;
    return false;
}

std::string Vm::console() const { return read_file(dir_ + "/console.log"); }

std::string Vm::end_report() {
    if (ended_) return report_;
    ended_ = true;
    // after an oops qemu exits by itself within milliseconds; a hang needs the kill
    if (!hung_) qemu_.wait_exit(std::chrono::milliseconds(2000));
    end_ = qemu_.finish(true, hung_ ? "no answer from the guest for " + std::to_string(watchdog_.count() / 1000.0).substr(0, 4) + " s; VM killed" : "");
    std::string log = console();
    std::string kept = dir_ + "/console.log";
    if (!console_dir_.empty()) {
        std::error_code ec;
        fs::create_directories(console_dir_, ec);
        char name[64];
        std::snprintf(name, sizeof name, "/console-%d-%lld.log", static_cast<int>(getpid()),
                      static_cast<long long>(std::chrono::system_clock::now().time_since_epoch().count() / 1000));
        kept = console_dir_ + name;
        std::ofstream(kept) << log;
    } else {
        dir_.clear();  // keep the temp dir: the log is in it
    }
    std::string why = hung_ ? end_.reason : "the VM ended (" + end_.reason + ")";
    if (!end_.stderr_tail.empty()) why += "; qemu: " + trim(end_.stderr_tail);
    return report_ = why + "\nconsole log: " + kept + "\n" + console_excerpt(log);
}

std::optional<Vm::DyingWrite> Vm::dying_write() const {
    const std::string log = console();
    const size_t end = log.find("resvcheck: died in frame ");  // a panic replays the log after it: the first is live
    if (end == std::string::npos) return std::nullopt;
    DyingWrite d;
    unsigned long long frame = 0;
    size_t bytes = 0;
    if (std::sscanf(log.c_str() + end, "resvcheck: died in frame %llu (%zu unsent", &frame, &bytes) != 2) return std::nullopt;
    d.frame = frame;
    static constexpr std::string_view tag = "resvcheck: unsent ";
    for (size_t at = log.find(tag); at < end; at = log.find(tag, at)) {
        at += tag.size();
        for (; at + 1 < log.size() && std::isxdigit(static_cast<unsigned char>(log[at])) && std::isxdigit(static_cast<unsigned char>(log[at + 1])); at += 2)
            d.unsent.push_back(static_cast<uint8_t>(std::stoi(log.substr(at, 2), nullptr, 16)));
    }
    if (d.unsent.size() != bytes) return std::nullopt;
    return d;
}

std::string console_excerpt(const std::string& log) {
    size_t at = std::string::npos;
    for (const char* m : {"BUG:", "Oops", "WARNING:", "general protection", "Kernel panic", "watchdog: BUG", "rcu: INFO"}) {
        size_t p = log.find(m);
        if (p != std::string::npos) at = std::min(at, p);
    }
    // a BUG() is what ended the VM when there is one (earlier WARNs are in the log)
    if (size_t bug = log.find("kernel BUG at"); bug != std::string::npos) at = bug;
    if (at == std::string::npos) at = log.size() > 1500 ? log.size() - 1500 : 0;
    at = log.rfind('\n', at) == std::string::npos ? 0 : log.rfind('\n', at) + 1;
    std::string e = log.substr(at, 3000);
    return trim(e);
}

}  // namespace resvcheck::kmod
