#include "findings.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>

namespace resvcheck {
namespace fs = std::filesystem;

Trace pin_expected(const Trace& ops, const Profile& profile) {
    Model m(profile);
    Trace t;
    t.header = ops.header;
    t.schedule = ops.schedule;
    // From the first concurrent block on, what conforms depends on the interleaving: no pins.
    bool concurrent = false;
    for (const auto& st : ops.steps) {
        TraceStep s = st;
        concurrent |= st.thread >= 0;
        if (concurrent) s.pin.reset();
        else s.pin = m.perform(st.op);
        t.steps.push_back(std::move(s));
    }
    return t;
}

std::string replay_command(const std::string& path, const FindingInfo& info) {
    // The binary's real path, so the command works pasted where it was printed (or anywhere).
    std::error_code ec;
    auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    std::string cmd = (ec ? std::string("resvcheck") : self.string()) + " replay " + path + " --adapter " + info.adapter;
    if (!info.adapter_flags.empty()) cmd += " " + info.adapter_flags;
    cmd += " --profile " + info.profile;
    return cmd;
}

std::string render_finding(const Trace& ops, const FindingInfo& info, const std::string& path) {
    auto prof = profile_by_name(info.profile);
    const auto& d = info.divergence;
    Trace t = prof ? pin_expected(ops, *prof) : ops;
    t.header.clear();
    if (d.op_index < t.steps.size()) {
        // A concurrent block runs whole: the ops after the failing one may be what interleaved with it.
        size_t end = d.op_index + 1;
        while (end < t.steps.size() && t.steps[end].thread >= 0 && t.steps[d.op_index].thread >= 0) ++end;
        t.steps.resize(end);
        t.steps[d.op_index].comment = " <- " + std::string(rule_id(d.rule)) + ": the adapter " + d.observed;
    }
    const auto& ri = rule_info(d.rule);
    std::string head = "# " + std::string(ri.id) + " (" + std::string(ri.area) + ", " + std::string(ri.function) + "): " +
                       std::string(ri.statement) + "\n# violated at op " + std::to_string(d.op_index) + " by adapter " + info.adapter +
                       (info.adapter_flags.empty() ? "" : " " + info.adapter_flags) + ", profile " + info.profile +
                       "\n# allowed: " + d.allowed + "\n# observed: " + d.observed + "\n# found by: " + info.origin +
                       "\n# replay: " + replay_command(path, info) + "\n# pins below are what a conforming implementation observes\n";
    return head + print_trace(t);
}

std::string finding_path(const std::string& dir, const Trace& ops, const FindingInfo& info) {
    std::string body = print_trace(Trace{{}, ops.steps});
    char hash[17];
    snprintf(hash, sizeof hash, "%08zx", std::hash<std::string>{}(body + info.adapter_flags) & 0xffffffffu);
    return (fs::path(dir) / (std::string(rule_id(info.divergence.rule)) + "-" + hash + ".trace")).string();
}

Status write_atomic(const std::string& path, const std::string& text) {
    auto io = [&](std::string m) { return Error{ErrorKind::Io, std::move(m)}; };
    fs::path p(path), parent = p.parent_path();
    std::error_code ec;
    if (!parent.empty()) fs::create_directories(parent, ec);
    if (ec) return io("cannot create " + parent.string() + ": " + ec.message());
    std::string tmp = (parent / ("." + p.filename().string() + ".XXXXXX")).string();
    int fd = mkstemp(tmp.data());
    if (fd < 0) return io("cannot write " + path + ": " + strerror(errno));
    auto fail = [&](const char* what) {
        Error e = io(std::string("cannot ") + what + " " + path + ": " + strerror(errno));
        close(fd);
        unlink(tmp.c_str());
        return e;
    };
    for (size_t done = 0; done < text.size();) {
        ssize_t n = write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return fail("write");
        done += static_cast<size_t>(n);
    }
    if (fchmod(fd, 0644) != 0 || fsync(fd) != 0) return fail("flush");
    if (close(fd) != 0) {
        unlink(tmp.c_str());
        return io("cannot write " + path + ": " + strerror(errno));
    }
    if (rename(tmp.c_str(), path.c_str()) != 0) {
        Error e = io("cannot rename into " + path + ": " + strerror(errno));
        unlink(tmp.c_str());
        return e;
    }
    // the rename itself is durable once the directory is
    if (int dfd = open(parent.empty() ? "." : parent.c_str(), O_RDONLY | O_DIRECTORY); dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return ok();
}

Status prepare_findings_dir(const std::string& dir) {
    auto io = [&](std::string m) { return Error{ErrorKind::Io, std::move(m)}; };
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir)) return io("cannot use --findings " + dir + ": " + (ec ? ec.message() : "not a directory"));
    std::string probe = (fs::path(dir) / ".resvcheck-probe.XXXXXX").string();
    int fd = mkstemp(probe.data());
    if (fd < 0) return io("cannot write findings to " + dir + ": " + strerror(errno));
    close(fd);
    unlink(probe.c_str());
    return ok();
}

}  // namespace resvcheck
