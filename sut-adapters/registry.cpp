#include "registry.h"

#include "kmod_adapter.h"
#include "model_adapter.h"
#include "plugin_adapter.h"
#include "sim.h"
#if RESVCHECK_HAVE_LINUX
#include "plugin_locator.h"
#endif

namespace resvcheck {
namespace {

constexpr AdapterInfo kAdapters[] = {
    {"model", "the reference model run as an implementation (self-check); follows --profile"},
    {"sim", "independent userspace simulator of Linux 6.12 behaviour, with --fault switches"},
#if RESVCHECK_HAVE_LINUX
    {"linux[,OPTIONS]", "the kernel's own drivers/dma-buf compiled in userspace (6.12 by default; --kernel-src DIR for another tree; options: verbose, nolockdep, realthreads)"},
#endif
    {"kmod[,strict=0][,module=PATH.ko]", "a booted kernel's dma_resv/dma_fence through resvcheck.ko in a qemu VM (Debian's 6.1 by default; --profile linux-6.12, or --kernel-image and --kernel-headers)"},
    {"plugin:PATH[,OPTIONS]", "any implementation built as a shared object against abi/resvcheck_plugin.h"},
};

std::string known_list() {
    std::string s;
    for (const auto& a : kAdapters) s += "\n  " + std::string(a.name) + "  " + std::string(a.description);
    return s;
}

#if RESVCHECK_HAVE_LINUX
// --profile linux-V[-debug] picks the prebuilt tree V and the CONFIG_DEBUG_MUTEXES variant; with
// --kernel-src the tree's Makefile decides the version.
Expected<linux_adapter::Located> locate_linux(const AdapterOptions& opts) {
    std::string version;
    if (opts.profile.starts_with("linux-")) {
        version = opts.profile.substr(6);
        if (version.ends_with("-debug")) version.resize(version.size() - 6);
    }
    return linux_adapter::locate(opts.kernel_src, opts.profile.ends_with("-debug"), version);
}
#endif

bool is_kmod(std::string_view name) { return name == "kmod" || name.starts_with("kmod,"); }

KmodOptions kmod_options(std::string_view name, const AdapterOptions& opts) {
    KmodOptions k;
    k.kernel_image = opts.kernel_image;
    k.kernel_headers = opts.kernel_headers;
    if (opts.profile.starts_with("linux-")) k.version = opts.profile.substr(6, opts.profile.find('-', 6) - 6);
    if (name.size() > 5) k.options = std::string(name.substr(5));
    k.console_dir = opts.console_dir;
    k.watchdog_ms = opts.watchdog_ms;
    return k;
}

}  // namespace

Status prepare_adapter(std::string_view name, const AdapterOptions& opts) {
#if RESVCHECK_HAVE_LINUX
    if (is_linux_adapter(name))
        if (auto loc = locate_linux(opts); !loc) return loc.error();
#endif
    if (is_kmod(name)) return prepare_kmod(kmod_options(name, opts));
    return ok();
}

std::span<const AdapterInfo> known_adapters() { return kAdapters; }

std::vector<std::string> linux_tree_files() {
#if RESVCHECK_HAVE_LINUX
    return linux_adapter::tree_files();
#else
    return {};
#endif
}

bool is_linux_adapter(std::string_view name) { return name == "linux" || name.starts_with("linux,"); }

std::string describe_adapter(std::string_view name, const AdapterOptions& opts) {
#if RESVCHECK_HAVE_LINUX
    if (is_linux_adapter(name))
        if (auto loc = locate_linux(opts); loc && !loc->kernel.empty())
            return "kernel " + loc->kernel + " (" + loc->tree + "), its profile " + loc->profile + ": " + loc->why;
#endif
    (void)name;
    (void)opts;
    return "";
}

std::vector<FaultInfo> adapter_faults(std::string_view name) {
    std::vector<FaultInfo> out;
    if (name == "sim")
        for (const auto& f : sim::faults()) out.push_back({f.name, f.description});
    return out;
}

Expected<std::unique_ptr<Adapter>> make_adapter(std::string_view name, const AdapterOptions& opts) {
    auto setup_error = [](std::string m) { return Error{ErrorKind::Setup, std::move(m)}; };
    if (!opts.fault.empty() && name != "sim")
        return setup_error("--fault is a switch of the sim adapter only (see 'resvcheck list-faults --adapter sim')");
    if (!opts.kernel_src.empty() && !is_linux_adapter(name))
        return setup_error("--kernel-src only applies to --adapter linux");
    if ((!opts.kernel_image.empty() || !opts.kernel_headers.empty()) && !is_kmod(name))
        return setup_error("--kernel-image and --kernel-headers only apply to --adapter kmod");
    if (is_kmod(name)) return make_kmod_adapter(kmod_options(name, opts));
    if (name == "model") {
        auto p = profile_by_name(opts.profile.empty() ? "contract" : opts.profile);
        if (!p) return setup_error("unknown profile '" + opts.profile + "'");
        return std::unique_ptr<Adapter>(std::make_unique<ModelAdapter>(*p));
    }
    if (name == "sim") {
        std::string o = opts.fault.empty() ? "" : "fault=" + opts.fault;
        return make_plugin_adapter(sim::plugin(), o.c_str(), nullptr, "sim", sim::threads_plugin());
    }
#if RESVCHECK_HAVE_LINUX
    if (is_linux_adapter(name)) {
        auto loc = locate_linux(opts);
        if (!loc) return loc.error();
        return load_plugin(loc->path, std::string(name.substr(std::min(name.size(), sizeof "linux"))));
    }
#endif
    if (name.starts_with("plugin:")) {
        std::string spec(name.substr(7));
        std::string options;
        if (auto comma = spec.find(','); comma != std::string::npos) {
            options = spec.substr(comma + 1);
            spec.resize(comma);
        }
        if (spec.empty()) return setup_error("plugin: needs a path, e.g. --adapter plugin:build/sut-adapters/example-plugin/libresvcheck-example.so");
        return load_plugin(spec, options);
    }
    return setup_error("unknown adapter '" + std::string(name) + "'; known adapters:" + known_list());
}

}  // namespace resvcheck
