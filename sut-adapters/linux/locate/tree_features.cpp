// tree_features.cpp - see tree_features.h.
#include "tree_features.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

namespace resvcheck::linux_adapter {
namespace {

struct Probe {
    const char* name;
    const char* file;
    const char* text;
    bool optional_file = false;
};
constexpr Probe kProbes[] = {
#define RC_LINUX_FEATURE(name, file, text) {#name, file, text},
#define RC_LINUX_OPTIONAL_FEATURE(name, file, text) {#name, file, text, true},
#include "../features.def"
#undef RC_LINUX_OPTIONAL_FEATURE
#undef RC_LINUX_FEATURE
};

// The exact profiles and the features of the trees they were written from (checked against
// 6.1.192, 6.12.117, 7.2.13). A tree matches when it has exactly these features: any other mix
// (6.6: reserve(0) reallocates and no is_later_or_same; 6.17: init64 but int signal) is judged
// by the contract.
struct Exact {
    const char* profile;
    std::vector<std::string> features;
};
const Exact kExact[] = {
    {"linux-7.2", {"USAGE_API", "INIT64", "SIGNAL_VOID", "CHECK_AND_SIGNAL", "INLINE_LOCK", "WAS_INITIALIZED", "OPS_DETACH",
                   "NAME_HELPERS", "IS_LATER_OR_SAME", "DEDUP_ARRAY", "DEADLINE", "RESERVE_ZERO_EINVAL", "DRM_EXEC"}},
    {"linux-6.12", {"USAGE_API", "OPS_SEQNO64", "IS_LATER_OR_SAME", "ARRAY_SIGNAL_ON_ANY", "DEADLINE", "RESERVE_ZERO_EINVAL", "DRM_EXEC"}},
    {"linux-6.1", {"USAGE_API", "OPS_SEQNO64", "IS_LATER_OR_SAME", "ARRAY_SIGNAL_ON_ANY"}},
};

Error setup_error(std::string m) { return Error{ErrorKind::Setup, std::move(m)}; }

std::string makefile_var(const std::string& makefile, const std::string& var) {
    std::istringstream in(makefile);
    std::string line;
    for (int i = 0; i < 20 && std::getline(in, line); ++i)
        if (line.rfind(var + " =", 0) == 0) {
            std::string v = line.substr(var.size() + 2);
            v.erase(0, v.find_first_not_of(" \t"));
            v.erase(v.find_last_not_of(" \t\r") + 1);
            return v;
        }
    return "";
}

bool read(const std::string& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream ss;
    ss << in.rdbuf();
    out = ss.str();
    return true;
}

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : " ") + x;
    return s;
}

}  // namespace

std::vector<std::string> probe_files() {
    std::vector<std::string> out;
    for (const auto& p : kProbes)
        if (std::find(out.begin(), out.end(), p.file) == out.end()) out.emplace_back(p.file);
    return out;
}

bool TreeFeatures::has(const std::string& name) const { return std::find(present.begin(), present.end(), name) != present.end(); }

Expected<TreeFeatures> probe(const std::string& tree) {
    TreeFeatures f;
    std::string makefile;
    if (!read(tree + "/Makefile", makefile)) return setup_error("linux adapter: cannot read " + tree + "/Makefile");
    const std::string ver = makefile_var(makefile, "VERSION"), patch = makefile_var(makefile, "PATCHLEVEL");
    if (ver.empty() || patch.empty()) return setup_error("linux adapter: cannot read VERSION/PATCHLEVEL from " + tree + "/Makefile");
    f.major_minor = ver + "." + patch;
    const std::string sub = makefile_var(makefile, "SUBLEVEL");
    f.version = f.major_minor + (sub.empty() ? "" : "." + sub) + makefile_var(makefile, "EXTRAVERSION");
    std::map<std::string, std::string> files;
    for (const auto& p : kProbes) {
        auto [it, fresh] = files.try_emplace(p.file);
        if (fresh && !read(tree + "/" + p.file, it->second) && !p.optional_file)
            return setup_error("linux adapter: kernel tree " + tree + " has no " + p.file);
        if (it->second.find(p.text) != std::string::npos) f.present.push_back(p.name);
    }
    if (!f.has("USAGE_API"))
        return setup_error("linux adapter: kernel " + f.version + " in " + tree +
                           " predates the dma_resv usage API (enum dma_resv_usage, Linux 5.19): resvcheck's contract is "
                           "written for that API, so it cannot test this tree. Use a tree of 5.19 or later.");
    return f;
}

ProfileChoice select_profile(const TreeFeatures& f, bool debug_mutexes) {
    const std::string suffix = debug_mutexes ? "-debug" : "";
    for (const auto& e : kExact) {
        std::vector<std::string> want = e.features;
        if (want.size() == f.present.size() && std::is_permutation(want.begin(), want.end(), f.present.begin()))
            return {e.profile + suffix, "its features match " + std::string(e.profile) + "'s"};
    }
    // the nearest exact profile, to say what differs
    const Exact* best = nullptr;
    std::vector<std::string> extra, missing;
    size_t best_diff = ~size_t{0};
    for (const auto& e : kExact) {
        std::vector<std::string> x, m;
        for (const auto& p : f.present)
            if (std::find(e.features.begin(), e.features.end(), p) == e.features.end()) x.push_back(p);
        for (const auto& p : e.features)
            if (!f.has(p)) m.push_back(p);
        if (x.size() + m.size() < best_diff) best_diff = x.size() + m.size(), best = &e, extra = x, missing = m;
    }
    std::string diff;
    if (!extra.empty()) diff += " has " + join(extra);
    if (!missing.empty()) diff += std::string(extra.empty() ? "" : ",") + " lacks " + join(missing);
    return {"contract", "no exact profile has this tree's features (nearest " + std::string(best->profile) + ": the tree" + diff +
                            "); judged by the version-neutral contract"};
}

std::string features_header(const TreeFeatures& f, const ProfileChoice& p) {
    std::string h = "/* Generated by resvcheck-linux-probe / the locator from the kernel tree (features.def). */\n";
    for (const auto& n : f.present) h += "#define RC_LINUX_HAVE_" + n + " 1\n";
    h += "#define RESVCHECK_LINUX_PROFILE \"" + p.name + "\"\n";
    h += "#define RESVCHECK_LINUX_KERNEL \"" + f.version + "\"\n";
    return h;
}

}  // namespace resvcheck::linux_adapter
