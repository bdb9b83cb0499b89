// What a user's `resvcheck check` costs next to the implementation's own code, in one run
// (run: build/bench/resvcheck-check-bench [--time SECONDS] [--adapter linux|sim]):
//   raw      the plugin's apply() on prebuilt ops (raw_ops.h), no model, no runner, one long trace
//   check    the built resvcheck binary, `check --adapter A --json --seed 1 --isolate off`, end to
//            end: its ops count over its CPU time (and over wall time; they differ on a loaded machine)
//   isolated the same with --isolate on: the cases in supervised child processes (CPU time of the
//            children included), next to the in-process rate
//   reset    the adapter's reset() after each of a sample of check's own cases (check_loop.h):
//            what starting a new trace costs, per trace and as a share of check's time per trace
// Goal for linux: check within 2.5x of raw and at least 4 M checked ops/s, in-process and isolated.
#include <dlfcn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <string>

#include "check_loop.h"
#include "raw_ops.h"
#include "registry.h"
#include "sim.h"
#ifdef RESVCHECK_HAVE_LINUX
#include "linux_adapter_paths.h"
#endif

using namespace resvcheck;

namespace {

double thread_cpu() {
    timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

const resvcheck_plugin* plugin_of(const std::string& adapter) {
    if (adapter == "sim") return sim::plugin();
#ifdef RESVCHECK_HAVE_LINUX
    void* dl = dlopen(RESVCHECK_LINUX_PLUGIN_6_12, RTLD_NOW | RTLD_LOCAL);  // stays open: liburcu-bp threads outlive it
    if (!dl) return nullptr;
    auto entry = reinterpret_cast<resvcheck_plugin_entry_fn>(dlsym(dl, RESVCHECK_PLUGIN_ENTRY));
    return entry ? entry() : nullptr;
#else
    return nullptr;
#endif
}

// Raw ops per CPU second, over about `seconds`.
double raw_rate(const resvcheck_plugin* p, double seconds) {
    char err[256] = "";
    void* self = p->create(nullptr, err, sizeof err);
    if (!self) return 0;
    const auto ops = bench::raw_ops(1000);
    auto obs = std::make_unique<resvcheck_obs>();
    uint64_t n = 0;
    const double t0 = thread_cpu();
    double t = t0;
    while (t - t0 < seconds) {
        p->reset(self);
        for (const auto& o : ops) {
            obs->ret = 0, obs->flags = obs->warnings = obs->n_fences = obs->n_callbacks = obs->n_released = obs->n_deadlines = 0;
            if (p->apply(self, &o, obs.get()) != RC_APPLY_OK || obs->ret < 0 || obs->warnings) {
                fprintf(stderr, "the raw op sequence did not run cleanly\n");
                return 0;
            }
        }
        n += ops.size();
        t = thread_cpu();
    }
    p->destroy(self);
    return n / (t - t0);
}

struct CheckRun {
    uint64_t ops = 0, traces = 0;
    double cpu = 0, wall = 0;
};

uint64_t json_number(const std::string& json, const char* key) {
    auto at = json.find(std::string("\"") + key + "\":");
    return at == std::string::npos ? 0 : std::strtoull(json.c_str() + at + std::strlen(key) + 3, nullptr, 10);
}

// Runs the resvcheck binary as a user does and reads its ops count from --json.
CheckRun check_run(const std::string& adapter, double seconds, const char* isolate) {
    CheckRun out;
    const auto dir = std::filesystem::temp_directory_path() / ("resvcheck-check-bench-" + std::to_string(getpid()));
    const std::string time = std::to_string(seconds);
    int fd[2];
    if (pipe(fd) != 0) return out;
    const auto t0 = std::chrono::steady_clock::now();
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        execl(RESVCHECK_BIN, RESVCHECK_BIN, "check", "--adapter", adapter.c_str(), "--time", time.c_str(), "--json", "--seed", "1",
              "--quiet", "--findings", dir.c_str(), "--isolate", isolate, static_cast<char*>(nullptr));
        _exit(127);
    }
    close(fd[1]);
    std::string json;
    char buf[4096];
    for (ssize_t k; (k = read(fd[0], buf, sizeof buf)) > 0;) json.append(buf, static_cast<size_t>(k));
    close(fd[0]);
    int status = 0;
    rusage ru{};
    wait4(pid, &status, 0, &ru);  // its children's time too, once it has reaped them
    out.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    out.cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
    out.ops = json_number(json, "ops");
    out.traces = json_number(json, "traces");
    std::filesystem::remove_all(dir);
    if (!WIFEXITED(status) || WEXITSTATUS(status) > 1) fprintf(stderr, "%s check exited with status %d\n", adapter.c_str(), status);
    return out;
}

// Mean CPU seconds of one adapter reset after one of check's cases.
double reset_cost(const std::string& adapter, int cases) {
    auto made = make_adapter(adapter, {});
    if (!made) {
        fprintf(stderr, "%s\n", made.error().text().c_str());
        return 0;
    }
    auto& a = **made;
    Model model(*profile_by_name(a.default_profile()));
    // Reading the thread's CPU clock is a system call (~0.3 us here): subtract what an empty interval measures.
    double clock_cost = 0;
    for (int c = 0; c < cases; ++c) {
        const double t0 = thread_cpu();
        clock_cost += thread_cpu() - t0;
    }
    double total = 0;
    for (int c = 0; c < cases; ++c) {
        run_case(a, model, static_cast<size_t>(c) % all_properties().size(), 1, static_cast<uint64_t>(c), RunOptions{.record = false});
        const double t0 = thread_cpu();
        a.reset();
        total += thread_cpu() - t0;
    }
    return std::max(0.0, (total - clock_cost) / cases);
}

void measure(const std::string& adapter, double seconds) {
    const resvcheck_plugin* p = plugin_of(adapter);
    if (!p) {
        fprintf(stderr, "no %s plugin to run raw calls on\n", adapter.c_str());
        return;
    }
    const double raw = raw_rate(p, seconds / 2);
    const CheckRun c = check_run(adapter, seconds, "off");
    const CheckRun iso = check_run(adapter, seconds, "on");
    const double reset = reset_cost(adapter, 20000);
    const double check = c.cpu > 0 ? c.ops / c.cpu : 0, per_trace = c.traces ? c.cpu / c.traces : 0;
    const double isolated = iso.cpu > 0 ? iso.ops / iso.cpu : 0;
    printf("%s\n", adapter.c_str());
    printf("  raw calls (plugin apply, no model)  %7.3f M ops/s\n", raw / 1e6);
    printf("  check end to end                    %7.3f M ops/s per CPU second, %.3f M ops/s wall (%llu ops, %llu traces, "
           "%.1f CPU s of %.1f s)\n", check / 1e6, c.wall > 0 ? c.ops / c.wall / 1e6 : 0, static_cast<unsigned long long>(c.ops),
           static_cast<unsigned long long>(c.traces), c.cpu, c.wall);
    printf("  check isolated (supervised)         %7.3f M ops/s per CPU second, %.3f M ops/s wall (%llu ops in %.1f s)\n",
           isolated / 1e6, iso.wall > 0 ? iso.ops / iso.wall / 1e6 : 0, static_cast<unsigned long long>(iso.ops), iso.wall);
    printf("  in-process / isolated               %7.2fx\n", isolated > 0 ? check / isolated : 0);
    printf("  raw / check                         %7.2fx\n", check > 0 ? raw / check : 0);
    printf("  adapter reset per trace             %7.2f us, %.0f%% of check's %.2f us per trace\n", reset * 1e6,
           per_trace > 0 ? 100 * reset / per_trace : 0, per_trace * 1e6);
    if (adapter == "linux")
        for (auto [how, rate] : {std::pair{"in-process", check}, std::pair{"isolated (the default)", isolated}})
            printf("  goal, %s: within 2.5x of raw and >= 4 M checked ops/s: %s\n", how,
                   rate > 0 && raw / rate <= 2.5 && rate >= 4e6 ? "met" : "not met");
}

}  // namespace

int main(int argc, char** argv) {
    double seconds = 10;
    std::vector<std::string> adapters;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--time")) seconds = std::stod(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--adapter")) adapters.push_back(argv[i + 1]);
    }
    if (adapters.empty()) adapters = {"linux", "sim"};
    for (const auto& a : adapters) measure(a, seconds);
}
