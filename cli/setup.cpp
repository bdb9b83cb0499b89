#include <cstdlib>

#include "commands.h"
#include "registry.h"

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

Expected<Setup> make_setup(const Options& o) {
    if (o.adapter.empty()) {
        std::string names;
        for (const auto& a : known_adapters()) names += " " + std::string(a.name);
        return Error{ErrorKind::Usage, "--adapter is required; known adapters:" + names};
    }
    auto made = make_adapter(o.adapter, adapter_options(o));
    if (!made) return made.error();
    Setup s;
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
    return s;
}

}  // namespace resvcheck::cli
