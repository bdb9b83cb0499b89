#include <algorithm>
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
    if (a.kernel_src.empty() && o.adapter == "linux")
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
    if (o.isolate.empty() || o.isolate == "auto") {
        s.isolated = how.isolable && (o.adapter == "linux" || o.adapter.starts_with("plugin:"));  // foreign or kernel code
    } else if (o.isolate == "on" && !how.isolable) {
        return Error{ErrorKind::Usage, "--isolate on does not apply here: the fuzz engines run the adapter in processes of their own"};
    } else if (o.isolate == "on" || o.isolate == "off") {
        s.isolated = how.isolable && o.isolate == "on";
    } else {
        return Error{ErrorKind::Usage, "--isolate takes auto, on or off, got '" + o.isolate + "'"};
    }
    s.limits.watchdog = how.watchdog;
    if (!o.watchdog.empty()) {
        char* end = nullptr;
        double secs = std::strtod(o.watchdog.c_str(), &end);
        if (o.watchdog.find_first_not_of("0123456789.") != std::string::npos || end == o.watchdog.c_str() || *end || secs <= 0 ||
            secs > 86400)
            return Error{ErrorKind::Usage, "--watchdog needs a positive number of seconds, got '" + o.watchdog + "'"};
        s.limits.watchdog = std::chrono::milliseconds(std::max<int64_t>(1, static_cast<int64_t>(secs * 1000)));
    }
    // The child's address-space limit in MiB (0: none); tests set a small one to run out of memory fast.
    if (const char* mb = std::getenv("RESVCHECK_CHILD_MEMORY_MB")) s.limits.address_space = std::strtoull(mb, nullptr, 10) << 20;
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
    if (!o.fault.empty()) s.adapter_flags += "--fault " + o.fault;
    if (!o.kernel_src.empty()) s.adapter_flags += (s.adapter_flags.empty() ? "" : " ") + std::string("--kernel-src ") + o.kernel_src;
    // A crash or hang finding replays as one only in a child, and a hang within the same watchdog.
    for (const auto& [flag, value] : {std::pair{"--isolate ", &o.isolate}, std::pair{"--watchdog ", &o.watchdog}})
        if (!value->empty()) s.adapter_flags += (s.adapter_flags.empty() ? "" : " ") + std::string(flag) + *value;
    return s;
}

}  // namespace resvcheck::cli
