#include "engine.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace resvcheck::cli::fuzz {

Proc spawn(const std::vector<std::string>& argv, const Env& env, const fs::path& cwd) {
    int p[2];
    if (pipe(p) != 0) return {};
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);  // own group: stopped as a whole, and a terminal's Ctrl-C reaches only resvcheck
        dup2(p[1], 1);
        dup2(p[1], 2);
        close(p[0]);
        close(p[1]);
        for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
        if (chdir(cwd.c_str()) != 0) _exit(127);
        std::vector<char*> a;
        for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
        a.push_back(nullptr);
        execvp(a[0], a.data());
        fprintf(stderr, "cannot run %s: %s\n", a[0], strerror(errno));
        _exit(127);
    }
    close(p[1]);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    return Proc{pid, p[0], {}};
}

void stop(Proc& p) {
    if (p.pid <= 0) return;
    kill(-p.pid, SIGINT);
    for (int i = 0; i < 50; ++i) {
        if (waitpid(p.pid, nullptr, WNOHANG) == p.pid) {
            p.pid = -1;
            return;
        }
        usleep(100000);
    }
    kill(-p.pid, SIGKILL);
    waitpid(p.pid, nullptr, 0);
    p.pid = -1;
}

void pump(Proc& p, std::ofstream& log, const std::function<void(const std::string&)>& line) {
    char b[8192];
    for (;;) {
        ssize_t n = read(p.fd, b, sizeof b);
        if (n <= 0) break;
        log.write(b, n);
        p.buf.append(b, static_cast<size_t>(n));
    }
    log.flush();
    for (size_t nl; (nl = p.buf.find_first_of("\n\r")) != std::string::npos;) {
        if (line) line(p.buf.substr(0, nl));
        p.buf.erase(0, nl + 1);
    }
}

std::vector<fs::path> fresh_files(const fs::path& dir, std::vector<fs::path>& seen) {
    std::vector<fs::path> fresh;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.is_regular_file() && e.path().filename() != "README.txt" && std::find(seen.begin(), seen.end(), e.path()) == seen.end())
            fresh.push_back(e.path());
    std::sort(fresh.begin(), fresh.end());
    seen.insert(seen.end(), fresh.begin(), fresh.end());
    return fresh;
}

}  // namespace resvcheck::cli::fuzz
