// ctest kmod.selftests-V: the kernel's own dma-buf selftests (dmabuf_selftests.ko, built out of
// tree by build-selftests.sh) loaded in a kmod VM with -smp 2 (with one CPU a race test spins
// forever); they run at load and their result is the insmod's.
// Usage: kmod_selftests VERSION SELFTESTS_KO   (exit 0 pass, 1 fail, 2 set-up error, 77 no kernel)
#include <cstdio>
#include <string>

#include "vm.h"

using namespace resvcheck;

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: kmod_selftests VERSION SELFTESTS_KO\n");
        return 2;
    }
    auto k = kmod::locate_kernel("", "", argv[1]);
    if (!k) {
        std::printf("SKIPPED: %s\n", k.error().text().c_str());
        return 77;
    }
    auto b = kmod::prepare(*k, argv[2]);
    if (!b) {
        std::fprintf(stderr, "%s\n", b.error().text().c_str());
        return 2;
    }
    kmod::VmOptions o;
    o.smp = 2;
    // their "dma-buf: Running ..." lines are pr_info; a slow TCG guest on a loaded host is no soft lockup.
    // race_signal_callback is left out (st_filter): its two kthreads spin until both vCPUs have run,
    // which TCG does not guarantee (seen: a 300 s hang in kthread_should_stop on an otherwise idle host).
    o.init_args = "rcselftest loglevel=7 softlockup_panic=0 resvcheck.st_filter=!race_signal_callback";
    o.wait_ready = false;
    auto vm = kmod::Vm::start(*b, o);
    if (!vm) {
        std::fprintf(stderr, "%s\n", vm.error().text().c_str());
        return 2;
    }
    const bool ended = (*vm)->wait_end(std::chrono::seconds(300));
    const std::string log = (*vm)->console();
    // passed, and really ran (the last suite of selftests.h included)
    const bool pass = log.find("resvcheck-selftest: pass") != std::string::npos && log.find("dma-buf: Running dma_resv") != std::string::npos;
    std::printf("dma-buf selftests of %s (%s): %s\n", k->release.c_str(), argv[2], pass ? "pass" : ended ? "FAIL" : "HANG");
    if (!pass) std::printf("%s\n", kmod::console_excerpt(log).c_str());
    // the selftests' own lines
    for (size_t at = 0; (at = log.find("dma-buf:", at)) != std::string::npos; ++at) {
        size_t end = log.find('\n', at);
        std::printf("  %s\n", log.substr(at, end - at).c_str());
        if (end == std::string::npos) break;
    }
    return pass ? 0 : 1;
}
