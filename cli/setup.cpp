#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "commands.h"
#include "isolated_adapter.h"

namespace resvcheck::cli {
namespace {

AdapterOptions adapter_options(const Options& o) {
    AdapterOptions a;
    a.profile = o.profile;
    a.fault = o.fault;
    a.kernel_src = o.kernel_src;
    a.kernel_image = o.kernel_image;
    a.kernel_headers = o.kernel_headers;
    a.console_dir = o.findings + "/kmod-console";  // beside the findings' traces
    if (a.kernel_src.empty() && is_linux_adapter(o.adapter))
        if (const char* env = std::getenv("KERNEL_SRC")) a.kernel_src = env;
    return a;
}

}  // namespace

Expected<Setup> make_setup(const Options& o, const SetupFor& how) {
    if (o.adapter.empty()) {
        std::string names;
        for (const auto& a : known_adapters()) names += " " + std::string(a.name);
        return Error{ErrorKind::Usage, "--adapter is required; known adapters:" + names};
    }
    Setup s;
    s.adapter_options = adapter_options(o);
    if (o.isolate == "auto") {
        s.isolated = how.isolable && (is_linux_adapter(o.adapter) || o.adapter.starts_with("plugin:"));  // foreign or kernel code
    } else if (o.isolate == "on" && !how.isolable) {
        return Error{ErrorKind::Usage, "--isolate on does not apply here: the fuzz engines run the adapter in processes of their own"};
    } else {
        s.isolated = how.isolable && o.isolate == "on";
    }
    s.limits.watchdog = how.watchdog;
    s.limits.until = how.until;
    if (o.watchdog > 0) s.limits.watchdog = std::chrono::milliseconds(std::max<int64_t>(1, static_cast<int64_t>(std::min(o.watchdog, 86400.0) * 1000)));
    // The child's address-space limit in MiB (0: none); tests set a small one to run out of memory fast.
    if (const char* mb = std::getenv("RESVCHECK_CHILD_MEMORY_MB")) {
        const uint64_t bytes = std::strtoull(mb, nullptr, 10) << 20;
        if (s.limits.address_space) s.limits.address_space = bytes;  // none under sanitizers
        s.limits.resident = bytes;
    }
    s.adapter_options.watchdog_ms = static_cast<long>(s.limits.watchdog.count());
    auto made = s.isolated ? make_isolated_adapter(o.adapter, s.adapter_options, s.limits) : make_adapter(o.adapter, s.adapter_options);
    if (!made) return made.error();
    s.adapter = std::move(*made);
    std::string prof = o.profile.empty() ? std::string(s.adapter->default_profile()) : o.profile;
    auto p = profile_by_name(prof);
    if (!p) {
        std::string names;
        for (const auto& q : all_profiles()) names += " " + std::string(q.name);
        return Error{ErrorKind::Usage, "unknown profile '" + prof + "'; profiles:" + names};
    }
    s.profile = *p;
    s.adapter_note = describe_adapter(o.adapter, s.adapter_options);
    if (!o.fault.empty()) s.adapter_flags += "--fault " + o.fault;
    if (!o.kernel_src.empty()) s.adapter_flags += (s.adapter_flags.empty() ? "" : " ") + std::string("--kernel-src ") + o.kernel_src;
    if (!o.kernel_image.empty()) s.adapter_flags += std::string(s.adapter_flags.empty() ? "" : " ") + "--kernel-image " + o.kernel_image + " --kernel-headers " + o.kernel_headers;
    // A crash or hang finding replays as one only in a child, and a hang within the same watchdog.
    auto add_flag = [&](const std::string& f) { s.adapter_flags += (s.adapter_flags.empty() ? "" : " ") + f; };
    if (o.isolate != "auto") add_flag("--isolate " + o.isolate);
    if (o.watchdog > 0) {
        char w[32];
        snprintf(w, sizeof w, "%g", o.watchdog);
        add_flag(std::string("--watchdog ") + w);
    }
    return s;
}

std::optional<std::filesystem::path> source_root() {
    namespace fs = std::filesystem;
    std::vector<fs::path> starts;
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) starts.push_back(exe.parent_path());
    starts.push_back(fs::current_path(ec));
    for (auto p : starts)
        for (; !p.empty(); p = p.parent_path()) {
            if (fs::exists(p / "CMakePresets.json") && fs::is_directory(p / "corpora")) return p;
            if (p == p.parent_path()) break;
        }
    return std::nullopt;
}

}  // namespace resvcheck::cli
