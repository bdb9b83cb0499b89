// vm.h - a kernel under test booted in a throwaway VM: the kernel located, what it boots prepared
// (resvcheck.ko built against its headers, the ELF vmlinux, an initramfs), and qemu run with the
// guest agent on a virtio-serial channel.
//
// qemu runs under TCG on the microvm machine (-accel tcg: KVM cannot boot these kernels here, and
// a KVM attempt looks like a hang) as a Child (isolated/child.h): it dies with its parent, its
// stderr tail is kept, and a guest oops ends it (oops=panic panic=-1 -no-reboot) within
// milliseconds. The serial console goes to a file; console_excerpt() cuts the oops out of it.
//
//   auto k = kmod::locate_kernel({}, {}, "6.1");
//   auto b = kmod::prepare(*k, {});
//   auto vm = kmod::Vm::start(*b, {.strict = true});
//   std::vector<uint8_t> reply;
//   if ((*vm)->call(frame, 1, replies) < 1) report((*vm)->end_report());
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "child.h"
#include "error.h"

namespace resvcheck::kmod {

struct Kernel {
    std::string image;    // bzImage (or ELF vmlinux)
    std::string headers;  // its build tree (make -C ... M=)
    std::string modules;  // its /lib/modules/<release>
    std::string release;  // uname -r
};

// image / headers: given paths, or empty for the default of `version` ("6.1": Debian's installed
// image; "6.12": the backports image ci/setup.sh --vm fetches into /var/cache/resvcheck/kmod).
Expected<Kernel> locate_kernel(const std::string& image, const std::string& headers, const std::string& version);

struct BootFiles {
    std::string vmlinux, initramfs, module;
};

// Builds resvcheck.ko (or takes `module`, a prebuilt one) and the boot files, cached under
// $XDG_CACHE_HOME/resvcheck/kmod by the content of their inputs.
Expected<BootFiles> prepare(const Kernel& k, const std::string& module);

struct VmOptions {
    bool strict = true;                              // resvcheck.ko's strict mode
    int smp = 1;
    std::chrono::milliseconds watchdog{10'000};      // per call: no answer this long is a hang
    std::chrono::milliseconds boot_timeout{120'000};
    std::string console_dir;                         // where console logs of failed VMs are kept
    std::string init_args;                           // extra kernel command line ("rcselftest": guest/init)
    bool wait_ready = true;                          // wait for the agent (not in selftest mode)
};

class Vm {
public:
    // Boots and waits for the agent's ready frame; a missing qemu is a set-up error.
    static Expected<std::unique_ptr<Vm>> start(const BootFiles& b, const VmOptions& o);
    ~Vm();

    // Sends whole frames `req` and reads up to `replies` reply frames into `out` (their bodies, in
    // order); returns how many came. Fewer: the VM died or gave no answer within the watchdog, and
    // it is over (see end_report()).
    size_t call(const std::vector<uint8_t>& req, size_t replies, std::vector<std::vector<uint8_t>>& out);
    bool hung() const { return hung_; }
    // Why the VM ended, the console log's path (kept) and the oops or panic cut from it (made once).
    std::string end_report();
    // Waits for the VM to end by itself (the selftest mode); false on timeout (then it is killed).
    bool wait_end(std::chrono::milliseconds timeout);
    std::string console() const;  // the whole console log so far
    // What resvcheck.ko's panic notifier put on the console as the kernel died answering a write:
    // the frame it was answering, counted from the device's open, and the replies before it in
    // that write, which never reached the host (whole frames). None: it died elsewhere, or hung.
    struct DyingWrite {
        uint64_t frame = 0;
        std::vector<uint8_t> unsent;
    };
    std::optional<DyingWrite> dying_write() const;

private:
    Vm() = default;
    bool read_frame(std::vector<uint8_t>& body, std::chrono::milliseconds timeout);

    Child qemu_;
    int fd_ = -1;
    std::string dir_;  // per-VM temp dir: the console log
    std::string console_dir_;
    std::vector<uint8_t> rx_;
    std::chrono::milliseconds watchdog_{};
    bool hung_ = false;
    bool ended_ = false;
    ChildEnd end_;
    std::string report_;
};

// The part of a console log a finding needs: from the first oops, BUG, WARNING or panic line on
// (about 3 KB), else its last lines.
std::string console_excerpt(const std::string& log);

}  // namespace resvcheck::kmod
