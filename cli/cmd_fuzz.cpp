// resvcheck fuzz --engine libfuzzer|afl --adapter NAME [--fault F] [--time S] [--jobs N] [--corpus DIR]
//
// Runs a prebuilt coverage-guided fuzz target (properties/fuzz/: build-fuzz/fuzz/ for libFuzzer,
// build-afl/fuzz/ for AFL++) on a fresh copy of the seed corpus. fuzz-sim and fuzz-linux are the
// targets built for those adapters; any other adapter (model, plugin:PATH) runs in fuzz-sim,
// which makes whatever RESVCHECK_ADAPTER names. This file finds the build, the target and the
// seeds; fuzz/session.cpp runs the engine (fuzz/libfuzzer.cpp, fuzz/afl.cpp) and the findings.
// Builds nothing. Exit: 0 no finding, 1 findings, 2 set-up error.
#include <unistd.h>

#include <cstdlib>

#include "findings.h"
#include "fuzz/session.h"

namespace resvcheck::cli {
namespace {

namespace fs = std::filesystem;

std::string env_or(const char* name, const char* dflt) {
    const char* v = std::getenv(name);
    return v && *v ? v : dflt;
}

// The adapter as the target (which runs in another directory) must be told: plugin paths absolute.
std::string absolute_adapter(const std::string& a) {
    if (!a.starts_with("plugin:")) return a;
    std::string path = a.substr(7), opts;
    if (auto c = path.find(','); c != std::string::npos) {
        opts = path.substr(c);
        path.resize(c);
    }
    return "plugin:" + fs::absolute(path).string() + opts;
}

}  // namespace

int cmd_fuzz(const Options& o) {
    if (o.threads > kMaxThreads)
        return fail(Error{ErrorKind::Usage, "--threads " + std::to_string(o.threads) + ": at most " + std::to_string(kMaxThreads)});
    auto setup = make_setup(o, {.isolable = false});
    if (!setup) {
        if (o.adapter == "linux" && setup.error().message.find("unknown adapter") != std::string::npos)
            return usage_error("this resvcheck was built without the linux adapter; build both with -DRESVCHECK_LINUX=ON:\n"
                               "  cmake --preset fuzz -DRESVCHECK_LINUX=ON && cmake --build --preset fuzz\n"
                               "and run build-fuzz/resvcheck fuzz --adapter linux ...");
        return fail(setup.error());
    }
    Setup& s = *setup;
    const std::string& engine = o.engine;
    fuzz::SessionConfig cfg;
    fuzz::EngineConfig ec;
    cfg.budget = o.time;
    ec.jobs = static_cast<int>(std::min<uint64_t>(o.jobs, 64));
    cfg.max_findings = o.max_findings;
    auto root = source_root();
    if (!root) return usage_error("cannot find the resvcheck source tree (CMakePresets.json) above the binary or the working directory");
    const bool lf = engine == "libfuzzer";
    const std::string preset = lf ? "fuzz" : "afl";
    ec.build = env_or("RESVCHECK_FUZZ_BUILD", "").empty() ? *root / (lf ? "build-fuzz" : "build-afl") : fs::path(env_or("RESVCHECK_FUZZ_BUILD", ""));
    const std::string target = o.adapter == "linux" ? "fuzz-linux" : "fuzz-sim";
    ec.bin = ec.build / "fuzz" / target;
    if (!fs::exists(ec.bin))
        return usage_error("no " + std::string(lf ? "libFuzzer" : "AFL++") + " build of " + target + " at " + ec.bin.string() +
                           "; build it with:\n  cmake --preset " + preset + " && cmake --build --preset " + preset + " --target " + target);
    if (!lf && system("command -v afl-fuzz >/dev/null 2>&1") != 0)
        return usage_error("afl-fuzz not found; install AFL++ (apt-get install afl++) or use --engine libfuzzer");
    fs::path seeds = o.corpus.empty() ? *root / "corpora" / "seeds" / o.adapter : fs::path(o.corpus);
    if (o.corpus.empty() && !fs::is_directory(seeds)) seeds = *root / "corpora" / "seeds" / "sim";  // the record seeds fit every adapter
    if (!fs::is_directory(seeds) || fs::is_empty(seeds)) return usage_error("no seed corpus at " + seeds.string());

    cfg.findings_dir = o.findings;
    if (auto ready = prepare_findings_dir(cfg.findings_dir); !ready) return fail(ready.error());
    std::string adapter_tag = o.adapter.starts_with("plugin:") ? "plugin" : o.adapter;
    std::string tag = engine + "-" + adapter_tag + (o.fault.empty() ? "" : "-" + o.fault);
    std::error_code err;
    ec.work = fs::absolute(fs::path(cfg.findings_dir) / ".fuzz" / tag);
    fs::remove_all(ec.work, err);  // a fresh session: corpus copied anew from the seeds
    ec.corpus = ec.work / "corpus";
    fs::create_directories(ec.corpus);
    for (const auto& e : fs::directory_iterator(seeds))
        if (e.is_regular_file()) fs::copy_file(e.path(), ec.corpus / e.path().filename(), fs::copy_options::overwrite_existing, err);
    ec.seed = o.seed ? std::to_string(*o.seed) : "";

    cfg.adapter = o.adapter;
    cfg.bin = ec.bin;
    cfg.format = o.json ? "json" : o.format;
    cfg.progress = !o.quiet && !o.json && isatty(2);
    cfg.env = {{"RESVCHECK_ADAPTER", absolute_adapter(o.adapter)}, {"RESVCHECK_FINDINGS", fs::absolute(cfg.findings_dir).string()}};
    if (!o.fault.empty()) cfg.env.emplace_back("RESVCHECK_FAULT", o.fault);
    if (!o.profile.empty()) cfg.env.emplace_back("RESVCHECK_PROFILE", o.profile);
    if (!o.kernel_src.empty()) cfg.env.emplace_back("RESVCHECK_KERNEL_SRC", fs::absolute(o.kernel_src).string());
    cfg.threads = static_cast<unsigned>(o.threads);
    if (o.threads > 1) cfg.env.emplace_back("RESVCHECK_THREADS", std::to_string(o.threads));
    // A stray RESVCHECK_FUZZ_IGNORE in the environment would hide findings; the session sets its own.
    unsetenv("RESVCHECK_FUZZ_IGNORE");

    if (!o.json)
        fprintf(stderr, "resvcheck fuzz: %s, adapter %s%s, profile %s, %.0f s, %d job(s)\n  target %s\n  seeds %s -> %s\n", engine.c_str(),
                o.adapter.c_str(), o.fault.empty() ? "" : (" --fault " + o.fault).c_str(), std::string(s.profile.name).c_str(), cfg.budget,
                ec.jobs, ec.bin.c_str(), seeds.c_str(), ec.corpus.c_str());
    auto eng = lf ? fuzz::make_libfuzzer(ec) : fuzz::make_afl(ec);
    return fuzz::run_session(*eng, s, cfg);
}

}  // namespace resvcheck::cli
