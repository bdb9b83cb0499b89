// kmod_adapter.h - the `kmod` adapter: the op vocabulary run by a booted kernel's own dma_resv /
// dma_fence, through resvcheck.ko inside a VM (vm.h).
//
// One VM serves a whole run: reset() forgets the objects (KW_RESET), apply() is one frame each way
// (wire.h), apply_batch() many cases in one exchange. When the guest dies (oops, panic, a hang past the watchdog) apply() reports
// Status::Crash or Hang with the op, the console log's path and the oops cut from it, and the next
// reset() boots a fresh VM: the runner makes it an ADAPTER-CRASH / ADAPTER-HANG finding like any
// other. The profile is the image's version (linux-6.1, linux-6.12), else the contract.
//
//   auto a = make_kmod_adapter({}, {.kernel_image = "", .kernel_headers = ""});  // Debian's 6.1
//   Options after the name: kmod,strict=0 (run ops that break preconditions), kmod,module=PATH.ko
#pragma once

#include <memory>
#include <string>

#include "adapter.h"
#include "error.h"

namespace resvcheck {

struct KmodOptions {
    std::string kernel_image, kernel_headers;  // empty: the default kernel of `version`
    std::string version;                        // "6.1" (default) or "6.12"
    std::string options;                        // the text after "kmod,"
    std::string console_dir;                    // where console logs of dead VMs are kept ("" = temp dir)
    long watchdog_ms = 10'000;
};

// Locates the kernel and builds what it boots (cached), without booting: done once in the parent.
Status prepare_kmod(const KmodOptions& o);
Expected<std::unique_ptr<Adapter>> make_kmod_adapter(const KmodOptions& o);

}  // namespace resvcheck
