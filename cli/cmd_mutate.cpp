// resvcheck mutate --kernel-src DIR [--files F,...] [--operators O,...] [--lines A[-B]] [--time S] [--jobs N] [--threads N]
//
// Mutation testing of the suite itself: what would it miss? Generates mutants of the dma-buf
// files of a kernel tree (relational and arithmetic operators, off-by-one literals, dropped calls
// such as a missing dma_fence_put, swapped arguments), runs `check --adapter linux` on each in a
// copy of the tree within --time, --jobs at a time, and reports killed / survived / timed out /
// not compiling, with each survivor's diff and the rules of the function its line is in (and how
// often that run exercised them). With --threads N a survivor is checked again with concurrent
// cases (check --threads N): a dropped wake-up or a missed restart shows only there; a survivor of
// both replays the regression traces (corpora/regressions' areas and corpora/concurrency), which pin
// corners the generators rarely reach. Results are cached under --findings DIR/.mutate by a hash of
// the mutated file, the budget, --threads, the traces and the resvcheck binary, so a rerun only
// redoes mutants whose code (or whose judge) changed.
// Exit: 0 the report was made, 2 bad input.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <sstream>
#include <thread>

#include "commands.h"
#include "findings.h"

namespace resvcheck::cli {
namespace {

namespace fs = std::filesystem;

struct Mutant {
    std::string file;  // relative to the tree
    size_t line = 0;   // 1-based
    std::string op;    // operator family
    std::string before, after;
    std::string function;  // enclosing function
    std::string hash;
    std::string outcome;   // killed, survived, timeout, not-compiling, error
    std::string rule;      // killed: the first finding's rule
    std::string detail;    // survived: exercised counts of the function's rules
};

constexpr std::string_view kOperators[] = {"relational", "arithmetic", "off-by-one", "dropped-call", "swapped-args"};

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    for (std::string x; std::getline(ss, x, ',');)
        if (!x.empty()) out.push_back(x);
    return out;
}

std::string read_file(const fs::path& p) {
    std::ifstream f(p);
    return std::string((std::istreambuf_iterator<char>(f)), {});
}

std::string hash_hex(const std::string& s) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    char b[20];
    snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(h));
    return b;
}

// Code lines of a function body: indented, not a comment, not a preprocessor line.
bool code_line(const std::string& l) {
    if (l.empty() || (l[0] != '\t' && l[0] != ' ')) return false;
    size_t i = l.find_first_not_of(" \t");
    if (i == std::string::npos) return false;
    return l.compare(i, 2, "/*") && l.compare(i, 2, "//") && l[i] != '*' && l[i] != '#';
}

// Each mutation of one line: (family, new line). One mutant per operator occurrence.
std::vector<std::pair<std::string, std::string>> mutations(const std::string& l, const std::vector<std::string>& ops) {
    std::vector<std::pair<std::string, std::string>> out;
    auto want = [&](std::string_view op) { return std::find(ops.begin(), ops.end(), op) != ops.end(); };
    auto each = [&](const std::regex& re, const std::string& family, auto replace) {
        for (auto it = std::sregex_iterator(l.begin(), l.end(), re); it != std::sregex_iterator(); ++it) {
            const auto& m = *it;
            std::string rep = replace(m);
            if (rep == m.str(0)) continue;
            out.emplace_back(family, l.substr(0, m.position(1)) + rep + l.substr(m.position(1) + m.length(1)));
        }
    };
    if (want("relational")) {
        static const std::regex re(R"([^-<>=!](==|!=|<=|>=|<|>)[^<>=])");
        each(re, "relational", [](const std::smatch& m) {
            static const std::map<std::string, std::string> swap = {{"==", "!="}, {"!=", "=="}, {"<=", "<"}, {">=", ">"}, {"<", "<="}, {">", ">="}};
            return swap.at(m.str(1));
        });
    }
    if (want("arithmetic")) {
        static const std::regex re(R"([\w)\]] (\+|-) [\w(])");
        each(re, "arithmetic", [](const std::smatch& m) { return std::string(m.str(1) == "+" ? "-" : "+"); });
    }
    if (want("off-by-one")) {
        static const std::regex re(R"([^\w.](\d+)[^\w.])");
        each(re, "off-by-one", [](const std::smatch& m) { return std::to_string(std::stoull(m.str(1)) + 1); });
    }
    if (want("dropped-call")) {
        static const std::regex re(R"(^\s+((dma_fence_|dma_resv_|kfree|list_|rcu_|smp_|WRITE_ONCE|RCU_INIT)\w*\(.*\);)\s*$)");
        std::smatch m;
        if (std::regex_match(l, m, re)) out.emplace_back("dropped-call", l.substr(0, m.position(1)) + "/* dropped */;");
    }
    if (want("swapped-args")) {
        static const std::regex re(R"(\w+\(([\w>.&*-]+, [\w>.&*-]+)\))");
        each(re, "swapped-args", [](const std::smatch& m) {
            std::string a = m.str(1);
            size_t c = a.find(", ");
            return a.substr(c + 2) + ", " + a.substr(0, c);
        });
    }
    return out;
}

// The function a line of C sits in: the last line at column 0 that opens a parameter list.
std::string enclosing_function(const std::vector<std::string>& lines, size_t idx) {
    for (size_t i = idx + 1; i-- > 0;) {
        const std::string& l = lines[i];
        if (l == "}") break;
        size_t paren = l.find('(');
        if (l.empty() || !std::islower(static_cast<unsigned char>(l[0])) || paren == std::string::npos) continue;
        size_t start = paren;
        while (start > 0 && (std::isalnum(static_cast<unsigned char>(l[start - 1])) || l[start - 1] == '_')) --start;
        if (start < paren) return l.substr(start, paren - start);
    }
    return "";
}

// The files the linux adapter compiles, copied so a mutant never touches the given tree.
std::string copy_tree(const fs::path& from, const fs::path& to, const std::vector<std::string>& files) {
    std::error_code ec;
    for (const auto& f : files) {
        if (!fs::is_regular_file(from / f, ec)) continue;  // one only some trees have (drm_exec)
        fs::create_directories((to / f).parent_path(), ec);
        fs::copy_file(from / f, to / f, fs::copy_options::overwrite_existing, ec);
        if (ec) return "cannot copy " + (from / f).string() + ": " + ec.message();
    }
    return "";
}

std::string shell_quote(const std::string& s) {
    std::string o = "'";
    for (char c : s) o += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return o + "'";
}

// The rules naming the survivor's function, with how often its run exercised each.
std::string survivor_detail(const Mutant& m, const std::string& out) {
    std::string d;
    for (const auto& ri : all_rules()) {
        if (ri.function != m.function) continue;
        static const std::string pre = "{\"id\":\"";
        size_t at = out.find(pre + std::string(ri.id) + "\"");
        size_t ex = at == std::string::npos ? at : out.find("\"exercised\":", at);
        d += (d.empty() ? "" : ", ") + std::string(ri.id) + " x" + (ex == std::string::npos ? "?" : std::to_string(std::stoull(out.substr(ex + 12))));
    }
    return d.empty() ? "no rule names " + m.function + " (reached through its callers)" : d;
}

// Runs check on one mutant (or reads its cached outcome).
void run_mutant(Mutant& m, const fs::path& tree, const std::vector<std::string>& tree_files, const fs::path& cache,
                const std::string& self, double budget, uint64_t threads, const std::vector<fs::path>& corpus) {
    fs::path dir = cache / m.hash;
    if (std::ifstream in(dir / "outcome"); in) {
        std::getline(in, m.outcome);
        std::getline(in, m.rule);
        std::getline(in, m.detail);
        if (m.outcome == "survived") m.detail = survivor_detail(m, read_file(dir / "out.json"));
        if (!m.outcome.empty()) return;
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
    if (auto err = copy_tree(tree, dir / "tree", tree_files); !err.empty()) {
        m.outcome = "error";
        m.detail = err;
        return;
    }
    {
        std::vector<std::string> lines;
        std::ifstream in(tree / m.file);
        for (std::string l; std::getline(in, l);) lines.push_back(l);
        lines[m.line - 1] = m.after;
        std::ofstream out(dir / "tree" / m.file);
        for (const auto& l : lines) out << l << "\n";
    }
    char limit[32];
    snprintf(limit, sizeof limit, "%.0f", budget + 300);  // the budget plus compiling the tree
    char t[32];
    snprintf(t, sizeof t, "%g", budget);
    // plugins are built in the run's own cache, shared by the mutants: only the mutated file recompiles
    // resvcheck itself on the mutant's tree: `command` (check or replay and its arguments), its
    // stdout and stderr kept as out<tag>.json and err<tag>
    auto run_self = [&](const std::string& command, const std::string& tag, std::string& out, std::string& err) {
        const std::string cmd = "RESVCHECK_CACHE_DIR=" + shell_quote((cache / "plugins").string()) + " timeout -k 5 " + std::string(limit) + " " +
                                shell_quote(self) + " " + command + " --adapter linux --kernel-src " + shell_quote((dir / "tree").string()) +
                                " --quiet --json >" + shell_quote((dir / ("out" + tag + ".json")).string()) + " 2>" +
                                shell_quote((dir / ("err" + tag)).string());
        const int st = system(cmd.c_str());
        out = read_file(dir / ("out" + tag + ".json"));
        err = read_file(dir / ("err" + tag));
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
    };
    auto check = [&](const std::string& extra, const std::string& tag, std::string& out, std::string& err) {
        return run_self("check --time " + std::string(t) + " --seed 1 --max-findings 1" + extra + " --findings " +
                            shell_quote((dir / ("findings" + tag)).string()),
                        tag, out, err);
    };
    std::string out, err;
    int rc = check("", "", out, err);
    // a survivor of the sequential cases gets concurrent ones: races show only there
    bool threaded = false;
    if (rc == 0 && threads > 1) {
        std::string tout, terr;
        if (int trc = check(" --threads " + std::to_string(threads), "-threads", tout, terr); trc != 0)
            rc = trc, out = std::move(tout), err = std::move(terr), threaded = true;
    }
    // a survivor of the generated cases replays the regression traces: the corners they pin
    // (second restarts under a concurrent writer, say) are a part of the suite too
    bool by_trace = false;
    if (rc == 0 && !corpus.empty()) {
        std::string dirs, rout, rerr;
        for (const auto& d : corpus) dirs += " " + shell_quote(d.string());
        if (int trc = run_self("replay" + dirs, "-replay", rout, rerr); trc != 0)
            rc = trc, out = std::move(rout), err = std::move(rerr), by_trace = true;
    }
    if (rc == 124 || rc == 137) m.outcome = "timeout";
    else if (rc == 1) m.outcome = "killed";
    else if (rc == 0) m.outcome = "survived";
    else if (err.find("compil") != std::string::npos || err.find("link") != std::string::npos) m.outcome = "not-compiling";
    else m.outcome = "error", m.detail = err.substr(0, 300);
    static const std::regex first_rule(R"re("findings":\[\{"rule":"([A-Z0-9-]+)")re");
    std::smatch sm;
    static const std::regex first_trace(R"re("findings":\[\{.*?"trace":"([^"]+)")re");
    if (m.outcome == "killed" && std::regex_search(out, sm, first_rule)) m.rule = sm.str(1) + (threaded ? " (with --threads)" : "");
    if (m.outcome == "killed" && by_trace && std::regex_search(out, sm, first_trace))
        m.rule += " (regression trace " + fs::path(sm.str(1)).filename().string() + ")";
    if (m.outcome == "survived") m.detail = survivor_detail(m, out);
    if (m.outcome != "error")  // an error (the binary being rebuilt, say) is retried next time
        std::ofstream(dir / "outcome") << m.outcome << "\n" << m.rule << "\n" << m.detail << "\n";
    if (m.outcome != "survived") fs::remove_all(dir / "tree", ec);  // keep survivors' trees to look at
}

}  // namespace

int cmd_mutate(const Options& o) {
    if (o.kernel_src.empty()) return usage_error("mutate needs --kernel-src DIR (a kernel tree with drivers/dma-buf)");
    const fs::path tree = fs::absolute(o.kernel_src);
    std::vector<std::string> files = o.files.empty() ? std::vector<std::string>{"drivers/dma-buf/dma-resv.c", "drivers/dma-buf/dma-fence.c"} : split(o.files);
    std::vector<std::string> ops = o.operators.empty() ? std::vector<std::string>(std::begin(kOperators), std::end(kOperators)) : split(o.operators);
    for (const auto& op : ops)
        if (std::find(std::begin(kOperators), std::end(kOperators), op) == std::end(kOperators))
            return usage_error("unknown mutation operator '" + op + "'; operators: relational, arithmetic, off-by-one, dropped-call, swapped-args");
    size_t first_line = 1, last_line = SIZE_MAX;
    if (!o.lines.empty()) {
        static const std::regex range(R"(([1-9][0-9]{0,8})(-([1-9][0-9]{0,8}))?)");
        std::smatch m;
        if (!std::regex_match(o.lines, m, range)) return usage_error("--lines wants A or A-B (line numbers from 1), not '" + o.lines + "'");
        first_line = std::stoul(m.str(1));
        last_line = m[3].matched ? std::stoul(m.str(3)) : first_line;
        if (last_line < first_line) return usage_error("--lines " + o.lines + ": the range ends before it starts");
    }
    std::vector<std::string> tree_files = linux_tree_files();
    if (tree_files.empty()) return usage_error("mutate runs the linux adapter, which this build of resvcheck lacks");
    for (const auto& f : files)
        if (std::find(tree_files.begin(), tree_files.end(), f) == tree_files.end()) tree_files.push_back(f);
    const auto self = fs::read_symlink("/proc/self/exe");
    std::error_code ec;
    // the judge: a rebuilt resvcheck redoes every mutant
    const std::string judge = std::to_string(fs::file_size(self, ec)) + "@" +
                              std::to_string(fs::last_write_time(self, ec).time_since_epoch().count());
    // the regression traces every linux tree conforms to: the areas of corpora/regressions (not the
    // profile-* ones) and corpora/concurrency; their text is a part of each mutant's cache key
    std::vector<fs::path> corpus;
    std::string corpus_text;
    if (const auto root = source_root()) {
        for (const auto& e : fs::directory_iterator(*root / "corpora" / "regressions"))
            if (e.is_directory() && !e.path().filename().string().starts_with("profile-")) corpus.push_back(e.path());
        corpus.push_back(*root / "corpora" / "concurrency");
        std::sort(corpus.begin(), corpus.end());
        for (const auto& d : corpus) {
            std::vector<fs::path> traces;
            for (const auto& e : fs::recursive_directory_iterator(d))
                if (e.path().extension() == ".trace") traces.push_back(e.path());
            std::sort(traces.begin(), traces.end());
            for (const auto& t : traces) corpus_text += t.string() + "\n" + read_file(t);
        }
    } else {
        fprintf(stderr, "resvcheck mutate: no source tree with corpora/ above the binary or here: survivors are not replayed against the regression traces\n");
    }
    const std::string corpus_key = hash_hex(corpus_text);
    std::vector<Mutant> mutants;
    const std::string budget = std::to_string(o.time), threads = std::to_string(o.threads);
    for (const auto& file : files) {
        if (!fs::is_regular_file(tree / file)) return usage_error("no " + file + " in " + tree.string());
        std::vector<std::string> lines;
        std::ifstream in(tree / file);
        for (std::string l; std::getline(in, l);) lines.push_back(l);
        const std::string text = read_file(tree / file);
        for (size_t i = 0; i < lines.size(); ++i) {
            if (i + 1 < first_line || i + 1 > last_line || !code_line(lines[i])) continue;
            for (auto& [family, after] : mutations(lines[i], ops)) {
                Mutant m{file, i + 1, family, lines[i], after, enclosing_function(lines, i)};
                m.hash = hash_hex(file + "\n" + std::to_string(i) + "\n" + after + "\n" + budget + "\n" + threads + "\n" + judge + "\n" + corpus_key + "\n" + text);
                mutants.push_back(std::move(m));
            }
        }
    }
    const fs::path cache = fs::absolute(fs::path(o.findings) / ".mutate");
    fs::create_directories(cache, ec);
    // Mutant directories are named by hash: a second run on the same cache would remove the trees
    // the first one is checking. The lock goes with the process, however it ends.
    const int lock = open((cache / "lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock < 0) return fail(Error{ErrorKind::Setup, "cannot create " + (cache / "lock").string() + ": " + strerror(errno)});
    if (flock(lock, LOCK_EX | LOCK_NB) != 0)
        return fail(Error{ErrorKind::Setup, "another resvcheck mutate is using the cache " + cache.string() +
                                                 "; wait for it to end, or give this run its own --findings DIR"});
    fprintf(stderr, "resvcheck mutate: %zu mutants of %zu file(s) in %s, %g s each, %llu job(s); cache %s\n", mutants.size(), files.size(),
            tree.c_str(), o.time, static_cast<unsigned long long>(o.jobs), cache.c_str());
    const auto t0 = std::chrono::steady_clock::now();
    std::atomic<size_t> next{0}, done{0};
    std::mutex print;
    std::vector<std::thread> pool;
    for (uint64_t j = 0; j < std::min<uint64_t>(o.jobs, 64); ++j)
        pool.emplace_back([&] {
            for (size_t i; (i = next++) < mutants.size();) {
                run_mutant(mutants[i], tree, tree_files, cache, self.string(), o.time, o.threads, corpus);
                std::lock_guard<std::mutex> g(print);
                const Mutant& m = mutants[i];
                fprintf(stderr, "[%zu/%zu] %-13s %s:%zu %s%s\n", ++done, mutants.size(), m.outcome.c_str(), m.file.c_str(), m.line, m.op.c_str(),
                        m.rule.empty() ? "" : (" -> " + m.rule).c_str());
            }
        });
    for (auto& t : pool) t.join();
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::map<std::string, size_t> n;
    for (const auto& m : mutants) ++n[m.outcome];
    const size_t judged = n["killed"] + n["survived"] + n["timeout"];
    printf("mutants: %zu; killed %zu, survived %zu, timed out %zu, not compiling %zu, errors %zu\n", mutants.size(), n["killed"], n["survived"],
           n["timeout"], n["not-compiling"], n["error"]);
    printf("mutation score: %.1f%% (killed of those that compiled and ran; a timeout counts as not killed) in %.0f s\n",
           judged ? 100.0 * n["killed"] / judged : 0.0, secs);
    for (const auto& m : mutants) {
        if (m.outcome != "survived" && m.outcome != "error") continue;
        printf("\n%s %s:%zu (%s, in %s)\n- %s\n+ %s\n  %s\n", m.outcome == "survived" ? "SURVIVED" : "ERROR", m.file.c_str(), m.line, m.op.c_str(),
               m.function.c_str(), m.before.c_str(), m.after.c_str(), m.detail.c_str());
    }
    return kExitConforms;
}

}  // namespace resvcheck::cli
