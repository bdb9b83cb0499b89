// plugin_locator.cpp - see plugin_locator.h. The build recipe (compiler, flags, file lists) is the one
// CMake used for the prebuilt plugins, recorded in generated/linux_adapter_build.h at configure time.
#include "plugin_locator.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

#include "linux_adapter_build.h"
#include "linux_adapter_paths.h"
#include "tree_features.h"

namespace fs = std::filesystem;

namespace resvcheck::linux_adapter {
namespace {

const std::vector<std::string> kCommonCflags = RESVCHECK_LINUX_BUILD_COMMON_CFLAGS;
const std::vector<std::string> kKernelCflags = RESVCHECK_LINUX_BUILD_KERNEL_CFLAGS;
const std::vector<std::string> kLinkFlags = RESVCHECK_LINUX_BUILD_LDFLAGS;
const std::vector<std::string> kTreeSources = RESVCHECK_LINUX_BUILD_TREE_SOURCES;
const std::vector<std::string> kTreeHeaders = RESVCHECK_LINUX_BUILD_TREE_HEADERS;
// files only some trees have (drm_exec), used where they exist
const std::vector<std::string> kTreeOptionalSources = RESVCHECK_LINUX_BUILD_TREE_OPTIONAL_SOURCES;
const std::vector<std::string> kTreeOptionalHeaders = RESVCHECK_LINUX_BUILD_TREE_OPTIONAL_HEADERS;
const std::vector<std::string> kShimKernelSources = RESVCHECK_LINUX_BUILD_SHIM_KERNEL_SOURCES;
const fs::path kAdapterDir = RESVCHECK_LINUX_BUILD_SRC_DIR;  // sut-adapters/linux

// 128-bit FNV-1a (two lanes): a cache key, not a security boundary.
struct Hasher {
    uint64_t a = 0xcbf29ce484222325ull, b = 0x84222325cbf29ce4ull;
    void bytes(const void* p, size_t n) {
        auto* c = static_cast<const unsigned char*>(p);
        for (size_t i = 0; i < n; ++i) {
            a = (a ^ c[i]) * 0x100000001b3ull;
            b = (b ^ c[i]) * 0x100000001b3ull + 0x9e3779b97f4a7c15ull;
        }
    }
    Hasher& add(const std::string& s) {
        uint64_t n = s.size();
        bytes(&n, sizeof n);
        bytes(s.data(), s.size());
        return *this;
    }
    std::string hex() const {
        char buf[33];
        snprintf(buf, sizeof buf, "%016llx%016llx", (unsigned long long)a, (unsigned long long)b);
        return buf;
    }
};

bool read_file(const fs::path& p, std::string& out) {
    std::ifstream in(p, std::ios::binary);
    if (!in) return false;
    std::ostringstream ss;
    ss << in.rdbuf();
    out = ss.str();
    return true;
}

std::string file_or_empty(const fs::path& p) {
    std::string s;
    read_file(p, s);
    return s;
}

// Every regular file under dir, sorted, as (relative path, content).
void hash_dir(Hasher& h, const fs::path& dir) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file()) files.push_back(it->path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) h.add(fs::relative(f, dir).string()).add(file_or_empty(f));
}

fs::path cache_root() {
    if (const char* d = std::getenv("RESVCHECK_CACHE_DIR"); d && *d) return d;
    if (const char* d = std::getenv("XDG_CACHE_HOME"); d && *d) return fs::path(d) / "resvcheck";
    if (const char* d = std::getenv("HOME"); d && *d) return fs::path(d) / ".cache" / "resvcheck";
    return fs::temp_directory_path() / ("resvcheck-cache-" + std::to_string(getuid()));
}

std::string unique_suffix() {
    static int n = 0;
    return ".tmp." + std::to_string(getpid()) + "." + std::to_string(++n);
}

struct Job {
    std::vector<std::string> argv;
    fs::path out;  // final output; the command writes tmp, renamed on success
    fs::path tmp;
    fs::path log;
    pid_t pid = -1;
    int status = 0;
};

pid_t spawn(const Job& j) {
    pid_t pid = fork();
    if (pid != 0) return pid;
    int fd = open(j.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
    }
    std::vector<char*> av;
    for (const auto& s : j.argv) av.push_back(const_cast<char*>(s.c_str()));
    av.push_back(nullptr);
    execvp(av[0], av.data());
    fprintf(stderr, "cannot run %s: %s\n", av[0], strerror(errno));
    _exit(127);
}

// Runs jobs, at most `par` at a time. Returns the failed jobs' logs ("" if all succeeded).
std::string run_jobs(std::vector<Job>& jobs, unsigned par) {
    size_t next = 0, running = 0;
    std::map<pid_t, Job*> live;
    std::string errors;
    while (next < jobs.size() || running) {
        while (running < par && next < jobs.size()) {
            Job& j = jobs[next++];
            j.pid = spawn(j);
            if (j.pid < 0) {
                errors += "cannot fork the compiler\n";
                continue;
            }
            live[j.pid] = &j;
            ++running;
        }
        int st = 0;
        pid_t pid = waitpid(-1, &st, 0);
        if (pid < 0) break;
        auto it = live.find(pid);
        if (it == live.end()) continue;
        Job& j = *it->second;
        live.erase(it);
        --running;
        std::error_code ec;
        if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
            fs::rename(j.tmp, j.out, ec);
            if (ec) errors += "cannot write " + j.out.string() + ": " + ec.message() + "\n";
        } else {
            std::string cmd;
            for (const auto& a : j.argv) cmd += (cmd.empty() ? "" : " ") + a;
            errors += "$ " + cmd + "\n" + file_or_empty(j.log);
            fs::remove(j.tmp, ec);
        }
        fs::remove(j.log, ec);
    }
    return errors;
}

Error setup_error(std::string message) { return Error{ErrorKind::Setup, std::move(message)}; }

// The kernel functions the tree calls that the shim does not provide: compile errors from
// -Werror=implicit-function-declaration, and the linker's undefined references (a function the
// tree's own headers declare). Names them ("" if none).
std::string shim_gaps(const std::string& output) {
    std::string names;
    for (const std::string key : {"implicit declaration of function ", "undefined reference to "}) {
        for (size_t at = output.find(key); at != std::string::npos; at = output.find(key, at + 1)) {
            size_t b = at + key.size();
            // the name is quoted: 'x', `x', or UTF-8 quotes (3 bytes each)
            size_t skip = output.compare(b, 3, "\xe2\x80\x98") == 0 ? 3 : 1;
            b += skip;
            size_t e = output.find_first_of("'\xe2", b);
            if (e == std::string::npos || e == b) continue;
            std::string name = output.substr(b, e - b);
            if ((" " + names + ",").find(" " + name + ",") == std::string::npos) names += " " + name + ",";
        }
    }
    if (!names.empty()) names.pop_back();
    return names;
}

Error shim_gap_error(const Located& r, const fs::path& tree, const std::string& gaps, const std::string& output) {
    return setup_error("linux adapter: kernel " + r.kernel + " in " + tree.string() + " calls" + gaps +
                       ", which resvcheck's userspace shim (sut-adapters/linux/shim) does not provide yet: the gap is "
                       "in the shim, not in your tree. Add it to the shim, or report it with this message.\n" + output);
}

std::string how_to_get_a_tree() {
    return "Get a kernel tree with Debian's sources: apt-get install linux-source-6.12 && "
           "tar -xaf /usr/src/linux-source-6.12.tar.xz (then --kernel-src linux-source-6.12), "
           "or a git checkout: git clone --depth 1 -b v6.12 "
           "https://git.kernel.org/pub/scm/linux/kernel/git/stable/linux.git";
}

Expected<Located> build_from_tree(const std::string& kernel_src, bool debug) {
    Located r;
    std::error_code ec;
    fs::path tree = fs::absolute(kernel_src, ec);
    if (!fs::is_directory(tree, ec)) {
        return setup_error("linux adapter: kernel tree '" + kernel_src + "' " +
                  (fs::exists(tree, ec) ? "is not a directory" : "does not exist") + ".\n" + how_to_get_a_tree());
    }
    std::vector<std::string> needed{"Makefile"};
    needed.insert(needed.end(), kTreeSources.begin(), kTreeSources.end());
    needed.insert(needed.end(), kTreeHeaders.begin(), kTreeHeaders.end());
    for (const auto& f : needed)
        if (!fs::is_regular_file(tree / f, ec)) {
            return setup_error("linux adapter: kernel tree " + tree.string() + " has no " + f +
                      ".\n--kernel-src must name the top of a Linux source tree (the directory holding Makefile, drivers/ "
                      "and include/). " + how_to_get_a_tree());
        }
    // No refusal by version: what the tree provides decides the glue's paths and the profile.
    auto features = probe(tree.string());
    if (!features) return features.error();
    const ProfileChoice choice = select_profile(*features, debug);
    r.version = features->major_minor;
    r.kernel = features->version;
    r.profile = choice.name;
    r.why = choice.why;
    r.tree = tree.string();
    auto t0 = std::chrono::steady_clock::now();
    const std::string feature_header = features_header(*features, choice);

    fs::path root = cache_root();
    fs::create_directories(root / "obj", ec);
    fs::create_directories(root / "plugins", ec);
    fs::create_directories(root / "view", ec);
    if (ec) {
        return setup_error("linux adapter: cannot create the build cache " + root.string() + ": " + ec.message() +
                  " (set RESVCHECK_CACHE_DIR to a writable directory)");
    }

    // Recipe digest: compiler, flags, the shim's headers, the glue's headers.
    Hasher base;
    base.add("resvcheck-linux-recipe-1").add(RESVCHECK_LINUX_BUILD_CC).add(RESVCHECK_LINUX_BUILD_CC_ID);
    for (const auto& f : kCommonCflags) base.add(f);
    for (const auto& f : kKernelCflags) base.add(f);
    hash_dir(base, kAdapterDir / "shim" / "include");
    hash_dir(base, kAdapterDir / "shim" / "stubs");
    hash_dir(base, kAdapterDir / "adapter");  // the glue, its compat headers
    base.add(file_or_empty(kAdapterDir / "features.def"));
    base.add(file_or_empty(fs::path(RESVCHECK_LINUX_BUILD_PLUGIN_HEADER_DIR) / "resvcheck_plugin.h"));

    // The include view: copies of the whitelisted tree headers only.
    Hasher hv;
    std::vector<std::pair<std::string, std::string>> headers;
    for (const auto& h : kTreeHeaders) {
        std::string content;
        if (!read_file(tree / h, content)) {
            return setup_error("linux adapter: cannot read " + (tree / h).string());
        }
        hv.add(h).add(content);
        headers.emplace_back("linux/" + fs::path(h).filename().string(), std::move(content));
    }
    for (const auto& h : kTreeOptionalHeaders) {  // include/drm/X.h -> view include/drm/X.h
        std::string content;
        if (!read_file(tree / h, content)) continue;
        hv.add(h).add(content);
        headers.emplace_back(fs::path(h).lexically_relative("include").string(), std::move(content));
    }
    fs::path view = root / "view" / hv.hex();
    if (!fs::is_directory(view / "include" / "linux", ec)) {
        fs::path tmp = view.string() + unique_suffix();
        fs::create_directories(tmp / "include" / "linux", ec);
        for (const auto& [name, content] : headers) {
            fs::create_directories((tmp / "include" / name).parent_path(), ec);
            std::ofstream(tmp / "include" / name, std::ios::binary) << content;
        }
        fs::rename(tmp, view, ec);
        if (ec) fs::remove_all(tmp, ec);
    }
    Hasher kernel_key = base;  // what every kernel-side TU sees
    kernel_key.add(hv.hex()).add(debug ? "debug" : "nodebug").add(r.version);
    // the glue's generated feature header, next to the view
    Hasher hf;
    hf.add(feature_header);
    fs::path features_dir = root / "view" / ("features-" + hf.hex());
    if (!fs::is_regular_file(features_dir / "rc_linux_features.h", ec)) {
        fs::path tmp = features_dir.string() + unique_suffix();
        fs::create_directories(tmp, ec);
        std::ofstream(tmp / "rc_linux_features.h", std::ios::binary) << feature_header;
        fs::rename(tmp, features_dir, ec);
        if (ec) fs::remove_all(tmp, ec);
    }

    std::vector<std::string> kernel_flags = kCommonCflags;
    kernel_flags.insert(kernel_flags.end(), kKernelCflags.begin(), kKernelCflags.end());
    kernel_flags.push_back("-I" + (kAdapterDir / "shim" / "include").string());
    kernel_flags.push_back("-I" + (kAdapterDir / "shim" / "stubs").string());
    kernel_flags.push_back("-I" + (view / "include").string());
    if (debug) kernel_flags.push_back("-DCONFIG_DEBUG_MUTEXES");

    struct Unit {
        fs::path src;
        std::vector<std::string> extra;
        bool host = false;
    };
    std::vector<Unit> units;
    for (const auto& s : kShimKernelSources) units.push_back({kAdapterDir / "shim" / s, {}});
    for (const auto& s : kTreeSources) units.push_back({tree / s, {}});
    for (const auto& s : kTreeOptionalSources)
        if (fs::is_regular_file(tree / s, ec)) units.push_back({tree / s, {}});
    for (const char* adapter_src : {"linux_adapter.c", "containers.c", "driver_ops.c", "drm_exec.c"})
        units.push_back({kAdapterDir / "adapter" / adapter_src,
                         {"-I" + (kAdapterDir / "adapter" / "compat").string(), "-I" RESVCHECK_LINUX_BUILD_PLUGIN_HEADER_DIR,
                          "-I" + features_dir.string()}});
    units.push_back({kAdapterDir / "shim" / "host" / "host.c",
                     {"-I" + (kAdapterDir / "shim" / "include").string(), "-I" RESVCHECK_LINUX_BUILD_URCU_INCLUDE},
                     true});

    std::vector<Job> jobs;
    std::vector<fs::path> objects;
    Hasher plugin_key = base;
    for (const auto& u : units) {
        std::string src;
        if (!read_file(u.src, src)) {
            return setup_error("linux adapter: cannot read " + u.src.string());
        }
        Hasher k = u.host ? base : kernel_key;
        k.add(u.host ? "host" : "kernel").add(u.src.filename().string()).add(src);
        for (const auto& e : u.extra) k.add(e);
        fs::path obj = root / "obj" / (k.hex() + ".o");
        objects.push_back(obj);
        plugin_key.add(k.hex());
        if (fs::exists(obj, ec)) continue;
        Job j;
        j.argv = {RESVCHECK_LINUX_BUILD_CC};
        if (u.host) {
            j.argv.insert(j.argv.end(), kCommonCflags.begin(), kCommonCflags.end());
            j.argv.push_back("-fvisibility=hidden");
        } else {
            j.argv.insert(j.argv.end(), kernel_flags.begin(), kernel_flags.end());
        }
        j.argv.insert(j.argv.end(), u.extra.begin(), u.extra.end());
        j.out = obj;
        j.tmp = obj.string() + unique_suffix();
        j.log = j.tmp.string() + ".log";
        j.argv.insert(j.argv.end(), {"-c", u.src.string(), "-o", j.tmp.string()});
        jobs.push_back(std::move(j));
    }
    for (const auto& f : kLinkFlags) plugin_key.add(f);
    plugin_key.add(file_or_empty(kAdapterDir / "adapter" / "exports.map"));
    fs::path plugin_dir = root / "plugins" / plugin_key.hex();
    fs::path plugin = plugin_dir / ("resvcheck-linux-" + r.kernel + (debug ? "-debug" : "") + ".so");
    if (fs::exists(plugin, ec)) {
        r.path = plugin.string();
        r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        return r;
    }
    r.built = true;
    unsigned par = std::max(1u, std::thread::hardware_concurrency());
    if (std::string errors = run_jobs(jobs, par); !errors.empty()) {
        if (std::string gaps = shim_gaps(errors); !gaps.empty()) return shim_gap_error(r, tree, gaps, errors);
        return setup_error("linux adapter: kernel tree " + tree.string() + " does not compile:\n" + errors);
    }
    fs::create_directories(plugin_dir, ec);
    Job link;
    link.argv = {RESVCHECK_LINUX_BUILD_CC, "-shared"};
    for (const auto& o : objects) link.argv.push_back(o.string());
    link.argv.insert(link.argv.end(), kLinkFlags.begin(), kLinkFlags.end());
    link.out = plugin;
    link.tmp = plugin.string() + unique_suffix();
    link.log = link.tmp.string() + ".log";
    link.argv.insert(link.argv.end(), {"-o", link.tmp.string()});
    std::vector<Job> l{std::move(link)};
    if (std::string errors = run_jobs(l, 1); !errors.empty()) {
        if (std::string gaps = shim_gaps(errors); !gaps.empty()) return shim_gap_error(r, tree, gaps, errors);
        return setup_error("linux adapter: linking the plugin for " + tree.string() + " failed:\n" + errors);
    }
    r.path = plugin.string();
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r;
}

}  // namespace

std::vector<std::string> tree_files() {
    std::vector<std::string> out{"Makefile"};
    for (const auto* list : {&kTreeSources, &kTreeHeaders, &kTreeOptionalSources, &kTreeOptionalHeaders}) out.insert(out.end(), list->begin(), list->end());
    for (auto& f : probe_files())
        if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(std::move(f));
    return out;
}

const char* supported_versions() { return "6.1, 6.12, 7.2"; }

Expected<Located> locate(const std::string& kernel_src, bool debug_mutexes, const std::string& version) {
    if (!kernel_src.empty()) return build_from_tree(kernel_src, debug_mutexes);
    Located r;
    r.version = version.empty() ? "6.12" : version;
    const char* path = "";
    const char* tree = "";
    if (r.version == "6.12") path = debug_mutexes ? RESVCHECK_LINUX_PLUGIN_6_12_DEBUG : RESVCHECK_LINUX_PLUGIN_6_12, tree = RESVCHECK_LINUX_TREE_6_12;
    else if (r.version == "6.1") path = debug_mutexes ? RESVCHECK_LINUX_PLUGIN_6_1_DEBUG : RESVCHECK_LINUX_PLUGIN_6_1, tree = RESVCHECK_LINUX_TREE_6_1;
    else if (r.version == "7.2") path = debug_mutexes ? RESVCHECK_LINUX_PLUGIN_7_2_DEBUG : RESVCHECK_LINUX_PLUGIN_7_2, tree = RESVCHECK_LINUX_TREE_7_2;
    else {
        return setup_error("linux adapter: no prebuilt plugin for Linux " + r.version + " (prebuilt: " + supported_versions() +
                           "); pass any other tree (5.19 or later) with --kernel-src DIR");
    }
    if (!*path) {
        return setup_error("linux adapter: the Linux " + r.version +
                  " plugin was not built (its sources were missing when resvcheck was configured). Install them with "
                  "apt-get install linux-source-" + r.version + " and re-run cmake, or pass --kernel-src DIR");
    }
    std::error_code ec;
    if (!fs::exists(path, ec)) {
        return setup_error(std::string("linux adapter: ") + path + " is missing; build it (cmake --build <build dir>) or pass --kernel-src DIR");
    }
    r.path = path;
    // what the plugin was built for, said the way a --kernel-src tree is (the probe reads 5 files)
    if (auto f = probe(tree)) {
        const ProfileChoice choice = select_profile(*f, debug_mutexes);
        r.kernel = f->version, r.profile = choice.name, r.why = choice.why, r.tree = tree;
    }
    return r;
}

}  // namespace resvcheck::linux_adapter
