// The reference model's entry points: each op goes to the file of its rule area (detail/op_rules.h)
// for its precondition and its effect; then the side effects any op can have are judged.
// Every check names the rule it enforces (spec/rules.def).
#include <algorithm>

#include "model.h"

#include "detail/op_rules.h"

namespace resvcheck {

using namespace detail;
using State = Model::State;

// ---- StateView ----------------------------------------------------------------------------------
namespace {
template <typename V>
bool in(const V& v, uint32_t id) { return id < v.size(); }

// Whether a handle may be named by an op (fences: the caller holds a reference).
bool is_live(const ResvS& r) { return r.live; }
bool is_live(const FenceS& f) { return f.live && f.harness > 0; }
bool is_live(const CtxS& c) { return c.live; }
bool is_live(const IterS& i) { return i.live; }
bool is_live(const AcqS& a) { return a.live; }
bool is_live(const CbS&) { return true; }

// Calls f with the table of handles of kind k (the switch stays out of the per-handle loops).
template <typename F>
auto with_table(const State& s, HandleKind k, F&& f) {
    switch (k) {
    case HandleKind::Resv: return f(s.resvs);
    case HandleKind::Fence: return f(s.fences);
    case HandleKind::Ctx: return f(s.ctxs);
    case HandleKind::Iter: return f(s.iters);
    case HandleKind::Acq: return f(s.acqs);
    case HandleKind::Cb: break;
    }
    return f(s.cbs);
}
}  // namespace

uint32_t State::count(HandleKind k) const {
    return with_table(*this, k, [](const auto& v) { return static_cast<uint32_t>(v.size()); });
}
bool State::alive(HandleKind k, uint32_t id) const {
    return with_table(*this, k, [&](const auto& v) { return in(v, id) && is_live(v[id]); });
}
uint32_t State::live(HandleKind k, uint32_t from, std::span<uint32_t> out) const {
    return with_table(*this, k, [&](const auto& v) {
        uint32_t m = 0;
        for (uint32_t i = from; i < v.size() && m < out.size(); ++i)
            if (is_live(v[i])) out[m++] = i;
        return m;
    });
}
bool State::resv_locked(uint32_t r) const { return in(resvs, r) && resvs[r].locked; }
int State::resv_holder(uint32_t r) const { return in(resvs, r) ? resvs[r].holder : -1; }
int State::resv_reserved(uint32_t r) const { return in(resvs, r) ? resvs[r].guarantee : 0; }
bool State::fence_signaled(uint32_t f) const { return in(fences, f) && fences[f].signaled; }
uint64_t State::fence_seqno(uint32_t f) const { return in(fences, f) ? fences[f].seqno : 0; }
uint32_t State::fence_ctx(uint32_t f) const { return in(fences, f) ? fences[f].ctx : 0; }
int State::fence_kind(uint32_t f) const { return in(fences, f) ? static_cast<int>(fences[f].kind) : 0; }
int State::acq_acquired(uint32_t a) const { return in(acqs, a) ? acqs[a].acquired : 0; }
int State::acq_contending(uint32_t a) const { return in(acqs, a) ? acqs[a].contending : -1; }
int State::iter_mode(uint32_t i) const { return in(iters, i) && iters[i].live ? iters[i].mode : -1; }
uint32_t State::iter_resv(uint32_t i) const { return in(iters, i) ? iters[i].r : 0; }
bool State::cb_pending(uint32_t cb) const { return in(cbs, cb) && cbs[cb].pending; }
int State::cb_fence(uint32_t cb) const { return in(cbs, cb) && cbs[cb].used ? static_cast<int>(cbs[cb].fence) : -1; }

// ---- preconditions every area shares ------------------------------------------------------------
bool Pre::fail(std::string m) {
    why = std::move(m);
    return false;
}
bool Pre::resv(ResvH r) { return s.alive(HandleKind::Resv, r.id) || fail("r" + std::to_string(r.id) + " is not an initialised reservation object"); }
bool Pre::fence(FenceH f) {
    return s.alive(HandleKind::Fence, f.id) || fail("the caller holds no reference on f" + std::to_string(f.id) + " (not initialised, or put)");
}
bool Pre::plain(FenceH f) {
    if (!fence(f)) return false;
    return s.fences[f.id].kind == FenceKind::Plain || fail("f" + std::to_string(f.id) + " is a container or stub, not a harness fence");
}
bool Pre::ctx(CtxH c) { return s.alive(HandleKind::Ctx, c.id) || fail("c" + std::to_string(c.id) + " is not an allocated context"); }
bool Pre::acq(AcqH a) { return s.alive(HandleKind::Acq, a.id) || fail("a" + std::to_string(a.id) + " is not an initialised acquire context"); }
bool Pre::locked(ResvH r) { return s.resv_locked(r.id) || fail("r" + std::to_string(r.id) + " must be locked"); }
bool Pre::no_locked_iter(ResvH r) {
    for (uint32_t i = 0; i < s.iters.size(); ++i)
        if (s.iters[i].live && s.iters[i].r == r.id && s.iters[i].mode == 1)
            return fail("a locked iteration (i" + std::to_string(i) + ") of r" + std::to_string(r.id) + " is in progress");
    return true;
}
bool Pre::no_iter(ResvH r) {
    for (uint32_t i = 0; i < s.iters.size(); ++i)
        if (s.iters[i].live && s.iters[i].r == r.id)
            return fail("iterator i" + std::to_string(i) + " on r" + std::to_string(r.id) + " has not ended");
    return true;
}
bool Pre::usage_ok(Usage u) { return static_cast<int>(u) < kUsages || fail("usage out of range"); }

// ---- Model --------------------------------------------------------------------------------------
Model::Model(const Profile& p) : s_(std::make_unique<State>(p)) {}
Model::~Model() = default;
Model::Model(const Model& o) : s_(std::make_unique<State>(*o.s_)) {}
Model& Model::operator=(const Model& o) {
    s_ = std::make_unique<State>(*o.s_);
    return *this;
}
const Profile& Model::profile() const { return s_->prof; }
const StateView& Model::view() const { return *s_; }
const std::vector<uint64_t>& Model::exercised() const { return s_->exercised; }
Rule Model::reference_rule() const { return s_->ref_rule; }
void Model::clear_exercised() { std::fill(s_->exercised.begin(), s_->exercised.end(), 0); }

State::State(State&& o, Recycle) : prof(o.prof), exercised(std::move(o.exercised)) {
    // Every other member starts from its initialiser; only the vectors' storage is taken over.
    auto reuse = [](auto& to, auto& from) {
        to = std::move(from);
        to.clear();
    };
    reuse(ctxs, o.ctxs);
    reuse(fences, o.fences);
    reuse(resvs, o.resvs);
    reuse(iters, o.iters);
    reuse(acqs, o.acqs);
    reuse(cbs, o.cbs);
    reuse(touched, o.touched);
    reuse(exp_callbacks, o.exp_callbacks);
    reuse(exp_deadlines, o.exp_deadlines);
    reuse(buried, o.buried);
    reuse(must_release_scratch, o.must_release_scratch);
    reuse(walk_want, o.walk_want);
    reuse(walk_matched, o.walk_matched);
}

void Model::reset() { *s_ = State(std::move(*s_), State::Recycle{}); }

bool Model::has_op(const Op& op) const {
    return op_provided(op, (s_->prof.has_deadline ? RC_FEATURE_DEADLINE : RC_FEATURE_BASE) | s_->prof.fence_api | RC_FEATURE_CONTAINERS |
                               (s_->prof.alloc_paths ? RC_FEATURE_FAIL_ALLOC : RC_FEATURE_BASE) |
                               (s_->prof.lock_order ? RC_FEATURE_LOCKDEP : RC_FEATURE_BASE) | RC_FEATURE_VIRTUAL_TIME |
                               (s_->prof.has_drm_exec ? RC_FEATURE_DRM_EXEC : RC_FEATURE_BASE) | RC_FEATURE_TEARDOWN | RC_FEATURE_GLOBAL_STUB);
}

std::optional<std::string> Model::precondition(const Op& op) const {
    Pre p{*s_, std::nullopt};
    std::visit([&](const auto& o) { pre(p, o); }, op);
    return p.why;
}

std::optional<std::string> Model::precondition(const Op& op, bool marked) const {
    if (!marked) return precondition(op);
    if (misuse(op)) return std::nullopt;
    auto why = precondition(op);
    return "it is marked @misuse, but the kernel of profile " + std::string(s_->prof.name) + " documents no BUG or WARN for it here" +
           (why ? " (it breaks a precondition: " + *why + "; that is a set-up error)" : " (it breaks no precondition)");
}

std::optional<Rule> Model::misuse(const Op& op) const {
    return std::visit([&](const auto& o) { return detail::misuse(*s_, o); }, op);
}

bool Model::ended() const { return s_->ended; }
void Model::set_in_block(bool in_block) { s_->in_block = in_block; }

namespace {
std::optional<Rule> process_rule(Observation::Status st) {
    switch (st) {
    case Observation::Status::Crash: return Rule::ADAPTER_CRASH;
    case Observation::Status::Hang: return Rule::ADAPTER_HANG;
    case Observation::Status::OutOfMemory: return Rule::ADAPTER_OOM;
    default: return std::nullopt;
    }
}
// A process failure's message (the reason, then the stderr tail) on one line, as trace comments need.
std::string one_line(const std::string& m) {
    std::string out;
    for (char c : m) {
        if (c == '\n') out += " | ";
        else out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
    }
    return out;
}

void run_op(State& s, const Op& op) {
    s.div.reset();
    s.first_ret_rule.reset();
    s.buried.clear();
    s.touched.clear();
    s.exp_callbacks.clear();
    s.exp_deadlines.clear();
    s.exp_warnings = 0;
    s.locks.report.reset();
    s.locks.waited = false;
    s.locks.ended = false;
    s.locks.sectioned = std::any_of(s.locks.held.begin(), s.locks.held.end(), [](const detail::HeldS& h) { return h.cls == detail::LockClass::FenceMap; });
    s.warn_rule = Rule::WARN_ONLY_PREDICTED;
    s.ref_rule = Rule::FENCE_REF_RELEASE;
    s.early_release = Rule::FENCE_REF_NO_EARLY_RELEASE;
    s.fail_at = std::exchange(s.fail_next, 0);  // an arming lasts one op
    s.alloc_seen = 0;
    s.bug_allowed.reset();
    auto apply = [&](const auto& o) { run(s, o); };
    // Every op that meets its preconditions promises to return: the process must not die, hang or
    // run out of memory (seen through an isolated adapter).
    for (Rule r : {Rule::ADAPTER_CRASH, Rule::ADAPTER_HANG, Rule::ADAPTER_OOM}) s.exercise(r);
    if (!s.producing() && process_rule(s.obs->status)) {
        s.fail(*process_rule(s.obs->status), "the op returns", one_line(s.obs->message));
        return;
    }
    if (!s.producing() && s.obs->status == Observation::Status::Bug) {
        // Name the rule behind the result the op should have had; the run stops here anyway.
        const Observation* bug = s.obs;
        Observation expected;
        s.obs = nullptr;
        s.out = &expected;
        std::visit(apply, op);
        s.out = nullptr;
        s.obs = bug;
        if (s.bug_allowed) {  // the BUG a misuse predicts: the kernel is tainted, the trace ends
            s.div.reset();
            s.ended = true;
            return;
        }
        Rule r = s.first_ret_rule.value_or(op_bug_rule(op));
        s.exercise(r);
        s.div.reset();
        s.fail(r, "the op completes" + (expected.ret || op_ret(op) != RetKind::None ? " and returns " + s.ret_text(op_ret(op), expected.ret) : std::string()),
               "BUG: " + std::string(std::string_view(bug->message).starts_with("BUG: ") ? bug->message.substr(5) : bug->message));
        return;
    }
    std::visit(apply, op);
    const auto* td = std::get_if<Teardown>(&op);
    const bool teardown = td != nullptr;
    if (!s.producing() && s.obs->leaked && !teardown)
        s.fail(Rule::ALLOC_NO_LEAK, "a failed call frees what it allocated", "memory it allocated outlives it");
    if (s.fail_at && s.alloc_seen >= s.fail_at) s.exercise(Rule::ALLOC_NO_LEAK);
    s.exercise(Rule::WARN_ONLY_PREDICTED);
    // a teardown only ends, finishes and puts: a WARN there is refcount_t's (a reference dropped
    // once too often), so diagnosis blames the op that dropped it by its reference rule
    const bool diverged = s.div.has_value();
    if (teardown) s.warn_rule = Rule::FENCE_REF_NO_EARLY_RELEASE;
    s.judge_side_effects(op);
    if (teardown && s.div && !diverged) s.div->references = true;
    s.settle_containers();
    s.judge_lockdep();
    s.judge_releases();
    if (teardown && td->memory && s.prof.alloc_paths) {  // after the releases: a leaked reference keeps memory too, and is the cause
        s.exercise(Rule::ALLOC_NO_LEAK_TEARDOWN);
        if (!s.producing() && s.obs->leaked)
            s.fail(Rule::ALLOC_NO_LEAK_TEARDOWN, "nothing the implementation allocated remains once everything is finished and put",
                   "memory it allocated is still live");
    }
}
}  // namespace

std::optional<Divergence> Model::step(const Op& op, const Observation& observed, size_t op_index) {
    s_->obs = &observed;
    s_->out = nullptr;
    s_->op_index = op_index;
    run_op(*s_, op);
    return s_->div;
}

Observation Model::perform(const Op& op) {
    Observation o;
    s_->obs = nullptr;
    s_->out = &o;
    run_op(*s_, op);
    s_->out = nullptr;
    return o;
}

}  // namespace resvcheck
