// child.h - a forked child process that may crash, hang or run out of memory without taking the
// parent down: the building block of IsolatedAdapter (isolated_adapter.h) and supervise()
// (supervisor.h).
//
// The child dies with the parent (PR_SET_PDEATHSIG), keeps only fds 0-2 and one channel fd (3),
// writes stdout and stderr into a pipe whose last bytes the parent keeps (the sanitizer report,
// the BUG message), and runs under an address-space limit. Its end is described as a ChildEnd:
// a crash with the signal, a hang, or memory exhaustion.
//
//   Child c;
//   std::string err;
//   if (!c.spawn(limits, channel_fd, [] { return run_the_code(); }, err)) die(err);
//   if (!c.wait_readable(channel_fd_parent_side, limits.watchdog)) { ChildEnd e = c.finish(true); ... }
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace resvcheck {

// ASan and TSan reserve terabytes of shadow address space: an RLIMIT_AS would stop them at start.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr uint64_t kDefaultAddressSpace = 0;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr uint64_t kDefaultAddressSpace = 0;
#else
inline constexpr uint64_t kDefaultAddressSpace = uint64_t{4} << 30;
#endif
#else
inline constexpr uint64_t kDefaultAddressSpace = uint64_t{4} << 30;
#endif

struct IsolationLimits {
    // An op (IsolatedAdapter) or the whole child (supervise) that makes no progress for this long is a hang.
    std::chrono::milliseconds watchdog{10'000};
    // Creating the adapter in a fresh child (the linux adapter may compile a kernel tree first).
    std::chrono::milliseconds start_timeout{120'000};
    uint64_t address_space = kDefaultAddressSpace;  // RLIMIT_AS of the child in bytes; 0 = no limit
    // Resident memory of the child in bytes, enforced by the parent (0 = none): it works where an
    // address-space limit cannot (sanitizer builds), and catches what an allocator does not report.
    uint64_t resident = uint64_t{4} << 30;
    size_t stderr_tail = 4096;                      // bytes of the child's stderr kept
    // If set, no op (IsolatedAdapter) waits for its answer past the time this returns, however
    // much of the watchdog is left: the run's end while a hang found near it is rerun and shrunk.
    std::function<std::chrono::steady_clock::time_point()> until;
};

// How a child ended, as a finding states it.
struct ChildEnd {
    enum class Kind { Exited, Crash, Hang, OutOfMemory };
    Kind kind = Kind::Exited;
    int exit_code = 0;    // Exited (and a Crash by exit, e.g. after a sanitizer report)
    int signal = 0;       // Crash or OutOfMemory by a signal
    std::string reason;   // "killed by SIGSEGV (Segmentation fault)", "no progress for 10.0 s; killed"
    std::string stderr_tail;
};

// How a report states a child's end: the reason, then the stderr tail under a heading.
std::string end_text(const std::string& reason, const std::string& stderr_tail);

class Child {
public:
    Child() = default;
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    ~Child();  // kills and reaps a running child: none outlives its Child

    // Forks. In the child: `channel` (if not -1) becomes fd 3 and every other fd above 2 is closed, then body()
    // runs and its result is the exit status. Returns false (with `err`) if the fork failed.
    bool spawn(const IsolationLimits& limits, int channel, const std::function<int()>& body, std::string& err);
    bool running() const { return pid_ > 0; }
    pid_t pid() const { return pid_; }

    // Waits until `fd` is readable (or at EOF), collecting the child's output meanwhile; false on timeout.
    bool wait_readable(int fd, std::chrono::milliseconds timeout);
    // Collects output for up to `timeout`; true if the child has exited (it is then reaped by finish()).
    bool wait_exit(std::chrono::milliseconds timeout);
    // Ends the child (SIGKILL first if `kill`, or if it does not exit within a short grace), reaps it,
    // drains its output and says how it ended. `hang_reason` makes it a hang.
    ChildEnd finish(bool kill, const std::string& hang_reason = {});

private:
    void pump(int timeout_ms);  // reads available output into tail_, waiting up to timeout_ms

    pid_t pid_ = -1;
    int out_fd_ = -1;
    bool exited_ = false;  // reaped by wait_exit: status_ and rusage_ valid
    int status_ = 0;
    long maxrss_kb_ = 0;
    bool over_resident_ = false;  // killed by guard_memory()
    void guard_memory();
    IsolationLimits limits_;
    std::string tail_;
};

}  // namespace resvcheck
