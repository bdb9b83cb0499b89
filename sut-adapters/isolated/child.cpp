#include "child.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace resvcheck {
namespace {

using Clock = std::chrono::steady_clock;

int ms_left(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left < 0 ? 0 : static_cast<int>(left);
}

std::string signal_text(int sig) {
    const char* abbrev = sigabbrev_np(sig);
    return (abbrev ? "SIG" + std::string(abbrev) : "signal " + std::to_string(sig)) + " (" + strsignal(sig) + ")";
}

// What allocators and sanitizers print when memory runs out.
bool mentions_allocation_failure(const std::string& s) {
    for (const char* m : {"bad_alloc", "out of memory", "out-of-memory", "Cannot allocate memory", "allocation-size-too-big",
                          "allocator is out of memory"})
        if (s.find(m) != std::string::npos) return true;
    return false;
}

}  // namespace

std::string end_text(const std::string& reason, const std::string& stderr_tail) {
    std::string m = reason;
    if (!stderr_tail.empty())
        m += "\nstderr of the implementation (last " + std::to_string(stderr_tail.size()) + " bytes):\n" + stderr_tail;
    return m;
}

Child::~Child() {
    if (pid_ > 0) finish(true);
}

bool Child::spawn(const IsolationLimits& limits, int channel, const std::function<int()>& body, std::string& err) {
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) {
        err = std::string("cannot create a pipe for the child's output: ") + strerror(errno);
        return false;
    }
    limits_ = limits;
    tail_.clear();
    exited_ = false;
    over_resident_ = false;
    std::fflush(nullptr);  // buffered parent output must not be written twice
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        err = std::string("cannot fork: ") + strerror(errno);
        close(out[0]);
        close(out[1]);
        return false;
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);  // the parent died before prctl took effect
        // Move the two fds out of the way, then onto 1, 2 and 3: no sibling child's channel stays
        // open here (it would hide that sibling's death from the parent).
        int o = fcntl(out[1], F_DUPFD, 64), c = channel >= 0 ? fcntl(channel, F_DUPFD, 64) : -1;
        if (o < 0 || dup2(o, 1) < 0 || dup2(o, 2) < 0 || (channel >= 0 && (c < 0 || dup2(c, 3) < 0))) _exit(127);
        close_range(channel >= 0 ? 4 : 3, ~0U, 0);
        // The parent decides when to stop (SIGINT goes to the whole process group); no cores to litter.
        signal(SIGINT, SIG_IGN);
        signal(SIGPIPE, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        rlimit core{0, 0};
        setrlimit(RLIMIT_CORE, &core);
        if (limits.address_space) {
            rlimit as{limits.address_space, limits.address_space};
            setrlimit(RLIMIT_AS, &as);
        }
        _exit(body());
    }
    close(out[1]);
    pid_ = pid;
    out_fd_ = out[0];
    return true;
}

// Kills the child once its resident memory passes the limit (read from /proc, pages of statm).
void Child::guard_memory() {
    if (!limits_.resident || pid_ <= 0 || exited_ || over_resident_) return;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/statm", static_cast<int>(pid_));
    FILE* f = std::fopen(path, "r");
    if (!f) return;
    unsigned long size = 0, resident = 0;
    int got = std::fscanf(f, "%lu %lu", &size, &resident);
    std::fclose(f);
    if (got == 2 && static_cast<uint64_t>(resident) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE)) > limits_.resident) {
        over_resident_ = true;
        kill(pid_, SIGKILL);
    }
}

void Child::pump(int timeout_ms) {
    guard_memory();
    if (out_fd_ < 0) {
        if (timeout_ms) poll(nullptr, 0, timeout_ms);
        return;
    }
    pollfd p{out_fd_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return;
    char buf[4096];
    ssize_t n = read(out_fd_, buf, sizeof buf);
    if (n > 0) {
        tail_.append(buf, static_cast<size_t>(n));
        if (tail_.size() > 2 * limits_.stderr_tail) tail_.erase(0, tail_.size() - limits_.stderr_tail);
    } else if (n == 0 || errno != EINTR) {
        close(out_fd_);  // every writer is gone
        out_fd_ = -1;
    }
}

bool Child::wait_readable(int fd, std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    for (;;) {
        guard_memory();
        pollfd p[2] = {{fd, POLLIN, 0}, {out_fd_, POLLIN, 0}};
        // in slices, so the memory guard looks at a child that runs long
        int n = poll(p, out_fd_ >= 0 ? 2 : 1, std::min(ms_left(deadline), 20));
        if (n < 0 && errno != EINTR) return true;  // let the read report it
        if (p[0].revents) return true;
        if (out_fd_ >= 0 && p[1].revents) pump(0);
        if (n == 0 && Clock::now() >= deadline) return false;
    }
}

bool Child::wait_exit(std::chrono::milliseconds timeout) {
    if (exited_) return true;
    auto deadline = Clock::now() + timeout;
    for (;;) {
        rusage ru{};
        pid_t r = wait4(pid_, &status_, WNOHANG, &ru);
        if (r == pid_ || (r < 0 && errno == ECHILD)) {
            exited_ = true;
            maxrss_kb_ = r == pid_ ? ru.ru_maxrss : 0;
            return true;
        }
        int left = ms_left(deadline);
        if (left == 0) return false;
        // Output wakes us early; once the output pipe is closed the child is exiting: look often.
        int step = out_fd_ >= 0 ? 10 : 1;
        pump(left < step ? left : step);
    }
}

ChildEnd Child::finish(bool kill_it, const std::string& hang_reason) {
    ChildEnd e;
    if (pid_ <= 0) return e;
    if (!exited_ && (kill_it || !wait_exit(std::chrono::milliseconds(2000)))) {
        kill(pid_, SIGKILL);
        wait_exit(std::chrono::milliseconds(60'000));  // SIGKILL cannot be caught: this returns at once
    }
    // A grandchild may still hold the pipe: drain it for a moment only.
    for (auto deadline = Clock::now() + std::chrono::milliseconds(200); out_fd_ >= 0 && Clock::now() < deadline;) pump(ms_left(deadline));
    if (out_fd_ >= 0) close(out_fd_);
    out_fd_ = -1;
    pid_ = -1;
    e.stderr_tail = tail_.size() > limits_.stderr_tail ? tail_.substr(tail_.size() - limits_.stderr_tail) : tail_;
    if (!hang_reason.empty()) {
        e.kind = ChildEnd::Kind::Hang;
        e.reason = hang_reason + "; killed with SIGKILL";
        return e;
    }
    if (WIFSIGNALED(status_)) {
        e.kind = ChildEnd::Kind::Crash;
        e.signal = WTERMSIG(status_);
        e.reason = "killed by " + signal_text(e.signal);
    } else {
        e.exit_code = WIFEXITED(status_) ? WEXITSTATUS(status_) : 0;
        e.kind = ChildEnd::Kind::Exited;
        e.reason = "exited with status " + std::to_string(e.exit_code);
    }
    // Out of memory: the resident limit was passed, the allocator said so, or the child died after
    // filling half its address space.
    uint64_t peak = static_cast<uint64_t>(maxrss_kb_) * 1024;
    bool filled = limits_.address_space && peak >= limits_.address_space / 2;
    bool died = e.kind == ChildEnd::Kind::Crash || e.exit_code != 0;
    if (over_resident_) {
        e.kind = ChildEnd::Kind::OutOfMemory;
        e.reason += "; out of memory: resident memory passed the " + std::to_string(limits_.resident >> 20) + " MiB limit";
    } else if (died && (filled || mentions_allocation_failure(e.stderr_tail))) {
        e.kind = ChildEnd::Kind::OutOfMemory;
        e.reason += "; out of memory: peak RSS " + std::to_string(peak >> 20) + " MiB" +
                    (limits_.address_space ? " of a " + std::to_string(limits_.address_space >> 20) + " MiB address-space limit" : "");
    }
    return e;
}

}  // namespace resvcheck
