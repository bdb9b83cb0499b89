// resvcheck export --kunit|--selftest|--gtest FILE.trace [--out FILE]
//
// Turns a (shrunk, pinned) finding into a test in the kernel's own style, to send upstream with the
// fix: --kunit a KUnit suite (7.x drivers/dma-buf/st-*.c style), --selftest a subtest for the
// selftest framework of 6.1/6.12 (selftest.c/selftests.h), both performing the trace's ops through
// the kernel API and asserting each pinned observation: what the contract forces. --gtest writes a
// standalone C++ test that replays the same ops against an adapter through resvcheck's runner.
// Ops without a kernel-C translation here are an error that names them (exit 3).
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

#include "commands.h"
#include "findings.h"
#include "text_format.h"

namespace resvcheck::cli {
namespace {

template <class... F>
struct overloaded : F... {
    using F::operator()...;
};
template <class... F>
overloaded(F...) -> overloaded<F...>;

const char* usage_c(Usage u) {
    switch (u) {
    case Usage::KERNEL: return "DMA_RESV_USAGE_KERNEL";
    case Usage::WRITE: return "DMA_RESV_USAGE_WRITE";
    case Usage::READ: return "DMA_RESV_USAGE_READ";
    case Usage::BOOKKEEP: return "DMA_RESV_USAGE_BOOKKEEP";
    }
    return "?";
}
std::string c_str_lit(std::string_view s) {
    std::string o = "\"";
    for (char c : s) o += c == '"' || c == '\\' ? std::string("\\") + c : std::string(1, c);
    return o + "\"";
}
std::string f(FenceH h) { return "f" + std::to_string(h.id); }
std::string r(ResvH h) { return "&r" + std::to_string(h.id); }

// The C body of a trace: declarations, one block per op, the references and locks released at the end.
struct Body {
    std::string decls, code, cleanup, error;
    std::set<uint32_t> ctxs, fences, resvs, finished;  // resvs: live objects; finished: fini'd ones
    std::map<uint32_t, int> refs;  // fence -> references the test holds
    std::set<uint32_t> locked;

    void expect_eq(const std::string& expr, long long want, const std::string& what) {
        code += "\tRC_EXPECT_EQ(" + expr + ", " + std::to_string(want) + ", " + c_str_lit(what) + ");\n";
    }
    void step(size_t i, const TraceStep& s) {
        const Observation* pin = s.pin ? &*s.pin : nullptr;
        code += "\t/* " + std::to_string(i) + ": " + print_op(s.op) + (pin ? " => " + print_observation(s.op, *pin) : "") + " */\n";
        const std::string what = "op " + std::to_string(i) + ": " + print_op(s.op);
        auto ret = [&](const std::string& call) {
            if (pin) expect_eq(call, pin->ret, what);
            else code += "\t" + call + ";\n";
        };
        std::visit(overloaded{
                       [&](const FenceContextAlloc& o) {
                           if (o.seqno64) error = "op " + std::to_string(i) + ": 64-bit seqno contexts (seqno64=1) are not exported yet";
                           ctxs.insert(o.c.id);
                           code += "\tc" + std::to_string(o.c.id) + " = dma_fence_context_alloc(1);\n";
                       },
                       [&](const FenceInit& o) {
                           fences.insert(o.f.id);
                           refs[o.f.id] = 1;
                           code += "\t" + f(o.f) + " = rc_alloc_fence(c" + std::to_string(o.c.id) + ", " + std::to_string(o.seqno) + "ull);\n";
                           code += "\tRC_ASSERT_NOT_NULL(" + f(o.f) + ");\n";
                       },
                       [&](const FenceSignal& o) { ret("dma_fence_signal(" + f(o.f) + ")"); },
                       [&](const FenceSetError& o) { code += "\tdma_fence_set_error(" + f(o.f) + ", " + std::to_string(o.error) + ");\n"; },
                       [&](const FenceGetStatus& o) { ret("dma_fence_get_status(" + f(o.f) + ")"); },
                       [&](const FenceIsSignaled& o) { ret("dma_fence_is_signaled(" + f(o.f) + ")"); },
                       [&](const FenceIsLater& o) { ret("dma_fence_is_later(" + f(o.f1) + ", " + f(o.f2) + ")"); },
                       [&](const FenceIsLaterOrSame& o) { ret("dma_fence_is_later_or_same(" + f(o.f1) + ", " + f(o.f2) + ")"); },
                       [&](const FenceGet& o) {
                           ++refs[o.f.id];
                           code += "\tdma_fence_get(" + f(o.f) + ");\n";
                       },
                       [&](const FencePut& o) {
                           --refs[o.f.id];
                           code += "\tdma_fence_put(" + f(o.f) + ");\n";
                       },
                       [&](const ResvInit& o) {
                           resvs.insert(o.r.id);
                           code += "\tdma_resv_init(" + r(o.r) + ");\n";
                       },
                       [&](const ResvFini& o) {
                           resvs.erase(o.r.id);
                           finished.insert(o.r.id);
                           code += "\tdma_resv_fini(" + r(o.r) + ");\n";
                       },
                       [&](const ResvLock& o) {
                           if (o.a.h) error = "op " + std::to_string(i) + ": locking with an acquire context is not exported yet";
                           ret("dma_resv_lock(" + r(o.r) + ", NULL)");
                           if (!pin || pin->ret == 0) locked.insert(o.r.id);
                       },
                       [&](const ResvUnlock& o) {
                           locked.erase(o.r.id);
                           code += "\tdma_resv_unlock(" + r(o.r) + ");\n";
                       },
                       [&](const ResvReserveFences& o) { ret("dma_resv_reserve_fences(" + r(o.r) + ", " + std::to_string(o.num_fences) + ")"); },
                       [&](const ResvAddFence& o) { code += "\tdma_resv_add_fence(" + r(o.r) + ", " + f(o.f) + ", " + usage_c(o.usage) + ");\n"; },
                       [&](const ResvCopyFences& o) { ret("dma_resv_copy_fences(" + r(o.dst) + ", " + r(o.src) + ")"); },
                       [&](const ResvTestSignaled& o) { ret("dma_resv_test_signaled(" + r(o.r) + ", " + usage_c(o.usage) + ")"); },
                       [&](const ResvForEachFence& o) {
                           // the locked walk: exactly the pinned fences, in order, with their usages
                           code += "\t{\n\t\tstruct dma_resv_iter cursor;\n\t\tstruct dma_fence *fence;\n\t\tunsigned int n = 0;\n";
                           if (pin) {
                               std::string fs, us;
                               for (const auto& e : pin->fences) fs += f(e.fence) + ", ", us += std::string(usage_c(e.usage)) + ", ";
                               code += "\t\tstruct dma_fence *want[] = { " + fs + "NULL };\n\t\tenum dma_resv_usage usage[] = { " + us + "0 };\n";
                           }
                           code += "\n\t\tdma_resv_for_each_fence(&cursor, " + r(o.r) + ", " + usage_c(o.usage) + ", fence) {\n";
                           if (pin) {
                               code += "\t\t\tif (n < " + std::to_string(pin->fences.size()) + ") {\n";
                               code += "\t\t\t\tRC_EXPECT_EQ(fence == want[n], 1, " + c_str_lit(what + ": the n-th fence") + ");\n";
                               code += "\t\t\t\tRC_EXPECT_EQ(dma_resv_iter_usage(&cursor), usage[n], " + c_str_lit(what + ": its usage") + ");\n\t\t\t}\n";
                           }
                           code += "\t\t\tn++;\n\t\t}\n";
                           if (pin) code += "\t\tRC_EXPECT_EQ(n, " + std::to_string(pin->fences.size()) + ", " + c_str_lit(what + ": how many fences") + ");\n";
                           code += "\t}\n";
                       },
                       [&](const Teardown&) {
                           // what the test still holds goes here, not at the end (kmemleak sees what stays)
                           code += "\t/* teardown: every fence must now be released, nothing allocated may remain */\n" + release_all();
                       },
                       [&](const auto& o) {
                           if (error.empty()) error = "op " + std::to_string(i) + " (" + std::string(o.name) + ") has no kernel-C translation yet";
                       },
                   },
                   s.op);
        if (pin && pin->warnings) code += "\t/* the kernel WARNs here (" + std::to_string(pin->warnings) + "x): expected, not asserted */\n";
    }
    void finish() {
        for (uint32_t c : ctxs) decls += "\tu64 c" + std::to_string(c) + ";\n";
        for (uint32_t x : fences) decls += "\tstruct dma_fence *f" + std::to_string(x) + " = NULL;\n";
        std::set<uint32_t> all = finished;
        all.insert(resvs.begin(), resvs.end());
        for (uint32_t x : all) decls += "\tstruct dma_resv r" + std::to_string(x) + ";\n";
        cleanup += release_all();
    }
    // Unlocks, finishes and puts what the test still holds, and forgets it.
    std::string release_all() {
        std::string c;
        for (uint32_t x : locked) c += "\tdma_resv_unlock(&r" + std::to_string(x) + ");\n";
        for (uint32_t x : resvs) c += "\tdma_resv_fini(&r" + std::to_string(x) + ");\n";
        for (auto [x, n] : refs)
            for (int k = 0; k < n; ++k) c += "\tdma_fence_put(f" + std::to_string(x) + ");\n";
        locked.clear();
        refs.clear();
        finished.insert(resvs.begin(), resvs.end());
        resvs.clear();
        return c;
    }
};

constexpr const char* kMockFence = R"(static const char *rc_fence_name(struct dma_fence *f)
{
	return "resvcheck";
}

static const struct dma_fence_ops rc_fence_ops = {
	.get_driver_name = rc_fence_name,
	.get_timeline_name = rc_fence_name,
};

struct rc_fence {
	struct dma_fence base;
	spinlock_t lock;
};

static struct dma_fence *rc_alloc_fence(u64 context, u64 seqno)
{
	struct rc_fence *f = kmalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return NULL;
	spin_lock_init(&f->lock);
	dma_fence_init(&f->base, &rc_fence_ops, &f->lock, context, seqno);
	return &f->base;
}
)";

std::string header_comment(const Trace& t, const std::string& path) {
    std::string s = "/*\n * Exported by `resvcheck export` from " + path + ".\n *\n";
    for (const auto& h : t.header) s += " *" + h + "\n";
    return s + " */\n";
}

std::string render_c(const Trace& t, const Body& b, const std::string& path, const std::string& name, bool kunit) {
    std::string s = "// SPDX-License-Identifier: MIT\n" + header_comment(t, path);
    if (kunit) {
        s += "#include <kunit/test.h>\n#include <linux/dma-fence.h>\n#include <linux/dma-resv.h>\n#include <linux/slab.h>\n#include <linux/spinlock.h>\n\n";
        s += "#define RC_EXPECT_EQ(a, b, what) KUNIT_EXPECT_EQ_MSG(test, a, b, \"%s\", what)\n#define RC_ASSERT_NOT_NULL(p) KUNIT_ASSERT_NOT_NULL(test, p)\n\n";
        s += kMockFence;
        // a suite of its own, like st-dma-resv.c's: dma-buf-resvcheck, one case per exported finding
        s += "\nstatic void test_" + name + "(struct kunit *test)\n{\n" + b.decls + "\n" + b.code + "\n" + b.cleanup + "}\n\n";
        s += "static struct kunit_case resvcheck_cases[] = {\n\tKUNIT_CASE(test_" + name + "),\n\t{}\n};\n\n";
        s += "static struct kunit_suite resvcheck_test_suite = {\n\t.name = \"dma-buf-resvcheck\",\n\t.test_cases = resvcheck_cases,\n};\n\n";
        s += "kunit_test_suite(resvcheck_test_suite);\n";
    } else {
        s += "#include <linux/dma-fence.h>\n#include <linux/dma-resv.h>\n#include <linux/slab.h>\n#include <linux/spinlock.h>\n\n#include \"selftest.h\"\n\n";
        s += "#define RC_EXPECT_EQ(a, b, what) do { \\\n\tlong long __a = (a), __b = (b); \\\n\tif (__a != __b) { \\\n"
             "\t\tpr_err(\"%s: got %lld, the contract forces %lld\\n\", what, __a, __b); \\\n\t\terr = -EINVAL; \\\n\t} \\\n} while (0)\n";
        s += "#define RC_ASSERT_NOT_NULL(p) do { if (!(p)) { err = -ENOMEM; goto out; } } while (0)\n\n";
        s += kMockFence;
        s += "\nstatic int test_" + name + "(void *arg)\n{\n\tint err = 0;\n" + b.decls + "\n" + b.code + "\nout:\n" + b.cleanup + "\treturn err;\n}\n\n";
        s += "int resvcheck_" + name + "(void)\n{\n\tstatic const struct subtest tests[] = {\n\t\tSUBTEST(test_" + name + "),\n\t};\n\n\treturn subtests(tests, NULL);\n}\n";
        s += "/* add to drivers/dma-buf/selftests.h: selftest(resvcheck, resvcheck_" + name + ") */\n";
    }
    return s;
}

std::string render_gtest(const Trace& t, const std::string& path, const std::string& name) {
    std::string text = print_trace(t);
    return "// Exported by `resvcheck export --gtest` from " + path +
           ": the trace's ops replayed against an adapter, every pinned observation checked.\n"
           "// Build against resvcheck's runner and registry; RESVCHECK_ADAPTER (default sim) names the adapter,\n"
           "// RESVCHECK_FAULT a sim fault to run it under.\n"
           "#include <gtest/gtest.h>\n\n#include <cstdlib>\n\n#include \"model.h\"\n#include \"registry.h\"\n#include \"runner.h\"\n#include \"text_format.h\"\n\n"
           "TEST(resvcheck_export, " + name + ") {\n    static const char* kTrace = R\"trace(" + text + ")trace\";\n"
           "    auto trace = resvcheck::parse_trace(kTrace);\n    ASSERT_TRUE(trace) << trace.error().text();\n"
           "    const char* name = std::getenv(\"RESVCHECK_ADAPTER\");\n"
           "    resvcheck::AdapterOptions opts;\n    if (const char* fault = std::getenv(\"RESVCHECK_FAULT\")) opts.fault = fault;\n"
           "    auto adapter = resvcheck::make_adapter(name ? name : \"sim\", opts);\n    ASSERT_TRUE(adapter) << adapter.error().text();\n"
           "    auto profile = resvcheck::profile_by_name((*adapter)->default_profile());\n    ASSERT_TRUE(profile);\n"
           "    resvcheck::Model model(*profile);\n    auto r = resvcheck::run(*trace, model, **adapter);\n"
           "    EXPECT_EQ(r.verdict, resvcheck::Verdict::Conforms) << (r.divergence ? std::string(resvcheck::rule_id(r.divergence->rule)) + \": \" + r.divergence->observed : r.message);\n}\n";
}

}  // namespace

int cmd_export(const Options& o) {
    const int flavours = o.kunit + o.selftest + o.gtest;
    if (o.args.size() != 1 || flavours != 1) return usage_error("export takes one FILE.trace and one of --kunit, --selftest, --gtest");
    auto t = load_trace(o.args[0]);
    if (!t) return fail(t.error());
    std::string base = std::filesystem::path(o.args[0]).stem().string(), name;
    for (char c : base) name += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : '_';
    std::string text;
    if (o.gtest) {
        text = render_gtest(*t, o.args[0], name);
    } else {
        Body b;
        for (size_t i = 0; i < t->steps.size(); ++i) b.step(i, t->steps[i]);
        if (!b.error.empty()) return fail(Error{ErrorKind::Unsupported, "export: " + o.args[0] + ": " + b.error});
        b.finish();
        text = render_c(*t, b, o.args[0], name, !o.selftest);
    }
    if (o.out.empty()) {
        fputs(text.c_str(), stdout);
        return kExitConforms;
    }
    if (auto st = write_atomic(o.out, text); !st) return fail(st.error());
    fprintf(stderr, "resvcheck export: wrote %s\n", o.out.c_str());
    return kExitConforms;
}

}  // namespace resvcheck::cli
