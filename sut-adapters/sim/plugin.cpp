// plugin.cpp - the sim adapter's ABI face: fault table, create/destroy/reset/supports/apply,
// op dispatch and observation helpers.

#include <utility>
#include "sim.h"
#include "detail/sim_state.h"

#include <cstdio>
#include <cstring>
#include <new>
#include <string>
#include <string_view>

namespace resvcheck::sim {

namespace {

constexpr FaultInfo kFaults[] = {
#define SIM_FAULT(e, name, rules, desc) {name, desc},
#include "faults.def"
#undef SIM_FAULT
};

} // namespace

std::span<const FaultInfo> faults() { return kFaults; }

namespace detail {

namespace {
constexpr int64_t kMaxHandle = int64_t{1} << 20;

// The sim implements the whole 6.12 API, the dma_fence API newer kernels add, containers,
// allocation failure, the driver side and sleeps: every op of the ABI's list.
bool known_op(uint32_t k)
{
	return resvcheck_op_provided(k, RC_FEATURE_DEADLINE | RC_FEATURE_CHECK_AND_SIGNAL | RC_FEATURE_NAME_HELPERS |
					       RC_FEATURE_WAS_INITIALIZED | RC_FEATURE_DEDUP | RC_FEATURE_INLINE_LOCK |
					       RC_FEATURE_CONTAINERS | RC_FEATURE_LOCKDEP | RC_FEATURE_FAIL_ALLOC | RC_FEATURE_VIRTUAL_TIME |
					       RC_FEATURE_DRM_EXEC | RC_FEATURE_TEARDOWN | RC_FEATURE_GLOBAL_STUB);
}

template <class T>
T &slot(std::vector<T> &v, int64_t h, const char *kind_msg)
{
	if (h < 0 || h >= kMaxHandle)
		throw Bug{kind_msg};
	if (static_cast<uint64_t>(h) >= v.size())
		v.resize(static_cast<size_t>(h) + 1);
	return v[static_cast<size_t>(h)];
}
} // namespace

Fence &Sim::fence(int64_t h) { return slot(fences_, h, "fence handle out of range"); }
Context &Sim::context(int64_t h) { return slot(contexts_, h, "context handle out of range"); }
Callback &Sim::callback(int64_t h) { return slot(callbacks_, h, "callback handle out of range"); }
AcquireCtx &Sim::actx(int64_t h) { return slot(actxs_, h, "acquire context handle out of range"); }
Resv &Sim::resv(int64_t h) { return slot(resvs_, h, "resv handle out of range"); }
Iter &Sim::iter(int64_t h) { return slot(iters_, h, "iterator handle out of range"); }

void Sim::note_fence(uint32_t f, uint32_t usage)
{
	if (obs_->n_fences < RC_OBS_MAX)
		obs_->fences[obs_->n_fences++] = resvcheck_entry{f, usage};
}
void Sim::note_callback(uint32_t cb)
{
	if (obs_->n_callbacks < RC_OBS_MAX)
		obs_->callbacks[obs_->n_callbacks++] = cb;
}
void Sim::note_released(uint32_t f)
{
	if (obs_->n_released < RC_OBS_MAX)
		obs_->released[obs_->n_released++] = f;
}
void Sim::note_deadline(uint32_t f)
{
	if (obs_->n_deadlines < RC_OBS_MAX)
		obs_->deadlines[obs_->n_deadlines++] = f;
}

void Sim::reset()
{
	// clear() keeps capacity: no allocation per trace once warmed up.
	contexts_.clear();
	fences_.clear();
	callbacks_.clear();
	actxs_.clear();
	resvs_.clear();
	iters_.clear();
	lists_used_ = 0;
	allocated_ = 0;
	rcu_readers_ = 0;
	retired_.clear();
	next_context_ = 1;
	next_stamp_ = 1;
	fail_next_ = 0;
	last_error_.clear();
	locks_.reset();
	op_index_ = 0;
	driver_held_ = 0;
	std::vector<uint32_t> objects = std::move(exec_.objects); // keeps its storage
	objects.clear();
	exec_ = Exec{};
	exec_.objects = std::move(objects);
}

void Sim::teardown(bool memory)
{
	for (Iter &it : iters_)
		if (it.resv != kNone)
			iter_end(it);
	for (uint32_t cb = 0; cb < callbacks_.size(); ++cb)
		if (callbacks_[cb].fence != kNone)
			cb_unlink(cb);
	for (uint32_t r = 0; r < resvs_.size(); ++r)
		if (resvs_[r].live && resvs_[r].locked) {
			unlock(r);
			locks_.release(kLockResv, r);
		}
	for (uint32_t r = 0; r < resvs_.size(); ++r)
		if (resvs_[r].live)
			resv_fini(r);
	for (uint32_t a = 0; a < actxs_.size(); ++a)
		if (actxs_[a].live) {
			locks_.release(kLockAcquire, a);
			actxs_[a].live = false;
		}
	for (uint32_t f = 0; f < fences_.size(); ++f)
		for (; fences_[f].harness_refs > 0; fences_[f].harness_refs--)
			fence_put(f);
	if (memory && allocated_ != 0)
		obs_->flags |= RC_OBS_LEAKED;
}

int Sim::apply(const resvcheck_op &op, resvcheck_obs &obs)
{
	obs.ret = 0;
	obs.flags = 0;
	obs.warnings = 0;
	obs.n_fences = obs.n_callbacks = obs.n_released = obs.n_deadlines = 0;
	obs_ = &obs;
	walk_restarts_ = 0;
	slept_ = 0;
	const long long clock0 = rc_sched_clock_ns();
	fail_at_ = std::exchange(fail_next_, 0);
	allocs_ = 0;
	try {
		if (!known_op(op.kind))
			return RC_APPLY_UNSUPPORTED;
		locks_.set_op(op_index_++);
		dispatch(op);
		obs.slept = rc_sched_in_block() ? static_cast<uint32_t>((rc_sched_clock_ns() - clock0) / kNsPerJiffy) : slept_;
		if (locks_.has_report()) {
			obs.flags |= RC_OBS_LOCKDEP;
			last_error_ = locks_.take_report();
		}
		return RC_APPLY_OK;
	} catch (const Bug &b) {
		last_error_ = b.what;
		return RC_APPLY_BUG;
	} catch (const std::bad_alloc &) {
		last_error_ = "sim: out of memory";
		return RC_APPLY_BUG;
	}
}

void Sim::dispatch(const resvcheck_op &op)
{
	int64_t a[RC_OP_MAX_ARGS];
	for (uint32_t i = 0; i < RC_OP_MAX_ARGS; ++i)
		a[i] = i < op.nargs ? op.args[i] : -1;
	auto F = [&](int i) { fence(a[i]); return static_cast<uint32_t>(a[i]); };
	auto R = [&](int i) { resv(a[i]); return static_cast<uint32_t>(a[i]); };
	auto CB = [&](int i) { callback(a[i]); return static_cast<uint32_t>(a[i]); };
	auto A = [&](int i) {
		if (a[i] < 0)
			return kNone;
		actx(a[i]);
		return static_cast<int32_t>(a[i]);
	};
	auto U = [&](int i) { return static_cast<uint32_t>(a[i]); };
	auto B = [&](uint32_t i) { return i < op.nargs && op.args[i] != 0; }; // absent flag = false
	auto I = [&](int i) -> Iter & {
		Iter &it = iter(a[i]);
		if (it.resv == kNone)
			throw Bug{"iterator used before dma_resv_iter_begin"};
		return it;
	};
	resvcheck_obs &o = *obs_;

	switch (op.kind) {
	/* dma_fence */
	case RC_OP_FENCE_CONTEXT_ALLOC: context_alloc(a[0], B(1)); break;
	case RC_OP_FENCE_INIT: fence_init(a[0], a[1], static_cast<uint64_t>(a[2])); break;
	case RC_OP_FENCE_SIGNAL: { // a signalling section of its own (nested if one is open)
		const uint32_t f = F(0);
		const bool cookie = locks_.begin_signalling();
		o.ret = fence_signal(f);
		locks_.end_signalling(cookie);
		break;
	}
	case RC_OP_FENCE_SET_ERROR: fence_set_error(F(0), static_cast<int32_t>(a[1])) /* int error */; break;
	case RC_OP_FENCE_GET_STATUS: o.ret = fence_get_status(F(0)); break;
	case RC_OP_FENCE_IS_SIGNALED: o.ret = fence_is_signaled(F(0)); break;
	case RC_OP_FENCE_IS_LATER: o.ret = fence_is_later(F(0), F(1)); break;
	case RC_OP_FENCE_IS_LATER_OR_SAME: o.ret = fence_is_later_or_same(F(0), F(1)); break;
	case RC_OP_FENCE_ADD_CALLBACK: o.ret = fence_add_callback(F(0), CB(1)); break;
	case RC_OP_FENCE_REMOVE_CALLBACK: o.ret = fence_remove_callback(F(0), CB(1)); break;
	case RC_OP_FENCE_GET: fence_get(F(0)); fences_[a[0]].harness_refs++; break;
	case RC_OP_FENCE_PUT: fences_[F(0)].harness_refs--; fence_put(U(0)); break;
	case RC_OP_FENCE_WAIT_TIMEOUT: o.ret = fence_wait_timeout(F(0), B(1), a[2], op.nargs > 3 && a[3] != 0); break;
	case RC_OP_FENCE_WAIT_ANY_TIMEOUT: {
		uint32_t f[4], n = 0, idx = ~0u;
		for (int i = 0; i < 4; i++)
			if (i == 0 || a[i] >= 0)
				f[n++] = F(i);
		o.ret = fence_wait_any_timeout(f, n, a[5] & 1, a[4], a[5] & 2, &idx);
		if (o.ret > 0 && idx < n)
			note_fence(f[idx], RC_USAGE_KERNEL);
		break;
	}
	/* kernels: the newer dma_fence API (names: 7.x detaches them at signalling) */
	case RC_OP_FENCE_CHECK_AND_SIGNAL: o.ret = fence_signal(F(0)) != 0; break;
	case RC_OP_FENCE_DRIVER_NAME: o.ret = !fences_[F(0)].signaled; break;
	case RC_OP_FENCE_TIMELINE_NAME: o.ret = !fences_[F(0)].signaled; break;
	case RC_OP_FENCE_WAS_INITIALIZED: o.ret = fences_[F(0)].live; break;
	case RC_OP_FENCE_DEDUP_ARRAY: {
		uint32_t f[4] = {F(0), F(1), F(2), F(3)};
		o.ret = fence_dedup_array(f);
		for (int64_t i = 0; i < o.ret; i++)
			note_fence(f[i], RC_USAGE_BOOKKEEP);
		break;
	}
	case RC_OP_FENCE_INIT_INLINE: fence_init(a[0], a[1], static_cast<uint64_t>(a[2])); break;

	/* ww_acquire_ctx: done/fini only matter to debug builds */
	case RC_OP_WW_ACQUIRE_INIT:
		acquire_init(a[0]);
		locks_.acquire(kLockAcquire, a[0], false, -1, false);
		break;
	case RC_OP_WW_ACQUIRE_DONE: A(0); break;
	case RC_OP_WW_ACQUIRE_FINI: locks_.release(kLockAcquire, A(0)); break;

	/* dma_resv */
	case RC_OP_RESV_INIT: resv_init(a[0]); break;
	case RC_OP_RESV_FINI: resv_fini(R(0)); break;
	case RC_OP_RESV_LOCK:
	case RC_OP_RESV_LOCK_INTERRUPTIBLE:
	case RC_OP_RESV_LOCK_SLOW:
	case RC_OP_RESV_LOCK_SLOW_INTERRUPTIBLE: {
		const bool intr = op.kind == RC_OP_RESV_LOCK_INTERRUPTIBLE || op.kind == RC_OP_RESV_LOCK_SLOW_INTERRUPTIBLE;
		const uint32_t r = R(0);
		const int32_t ctx = A(1);
		const int64_t ret = ww_lock(r, ctx, intr, intr && B(2));
		if (op.kind != RC_OP_RESV_LOCK_SLOW) // lock_slow returns nothing
			o.ret = ret;
		if (ret == 0)
			locks_.acquire(kLockResv, r, false, ctx, false);
		break;
	}
	case RC_OP_RESV_TRYLOCK:
		o.ret = trylock(R(0));
		if (o.ret)
			locks_.acquire(kLockResv, a[0], true, -1, false);
		break;
	case RC_OP_RESV_UNLOCK:
		unlock(R(0));
		locks_.release(kLockResv, a[0]);
		break;
	case RC_OP_RESV_IS_LOCKED: o.ret = resvs_[R(0)].locked; break;
	case RC_OP_RESV_LOCKING_CTX: {
		const Resv &rs = resvs_[R(0)];
		o.ret = rs.locked ? rs.holder_ctx : kNone;
		break;
	}
	case RC_OP_RESV_RESERVE_FENCES: o.ret = reserve_fences(R(0), U(1)); break;
	case RC_OP_RESV_ADD_FENCE: add_fence(R(0), F(1), U(2)); break;
	case RC_OP_RESV_REPLACE_FENCES: {
		const uint32_t r = R(0);
		if (a[2] >= 0)
			F(2);
		replace_fences(r, a[1], a[2], U(3));
		break;
	}
	case RC_OP_RESV_COPY_FENCES: o.ret = copy_fences(R(0), R(1)); break;
	case RC_OP_RESV_GET_FENCES: {
		o.ret = get_fences(R(0), U(1), scratch_);
		for (uint32_t f : scratch_)
			note_fence(f, 0);
		for (uint32_t f : scratch_) // the adapter drops the returned references
			fence_put(f);
		break;
	}
	case RC_OP_RESV_GET_SINGLETON: o.ret = get_singleton(R(0), U(1)); break;
	case RC_OP_RESV_TEST_SIGNALED: o.ret = test_signaled(R(0), U(1)); break;
	case RC_OP_RESV_WAIT_TIMEOUT: o.ret = resv_wait_timeout(R(0), U(1), B(2), a[3], op.nargs > 4 && a[4] != 0); break;
	case RC_OP_RESV_SET_DEADLINE: set_deadline(R(0), U(1)); break;
	case RC_OP_RESV_USAGE_RW: o.ret = B(0) ? RC_USAGE_READ : RC_USAGE_WRITE; break;
	case RC_OP_RESV_FOR_EACH_FENCE: for_each_locked(R(0), U(1)); break;
	case RC_OP_RESV_FOR_EACH_FENCE_UNLOCKED: for_each_unlocked(R(0), U(1)); break;
	case RC_OP_RESV_ITER_BEGIN: iter_begin(iter(a[0]), static_cast<int32_t>(R(1)), U(2)); break;
	case RC_OP_RESV_ITER_FIRST: { Iter &it = I(0); report_step(it, iter_first(it)); break; }
	case RC_OP_RESV_ITER_NEXT: { Iter &it = I(0); report_step(it, iter_next(it)); break; }
	case RC_OP_RESV_ITER_FIRST_UNLOCKED: { Iter &it = I(0); report_step(it, iter_first_unlocked(it)); break; }
	case RC_OP_RESV_ITER_NEXT_UNLOCKED: { Iter &it = I(0); report_step(it, iter_next_unlocked(it)); break; }
	case RC_OP_RESV_ITER_END: iter_end(I(0)); break;

	/* fence containers: a new container is a handle the harness holds one reference on */
	case RC_OP_FENCE_CHAIN_INIT: {
		const uint32_t c = F(1);
		if (a[2] >= 0)
			F(2);
		chain_init(a[0], c, a[2], static_cast<uint64_t>(a[3]));
		break;
	}
	case RC_OP_FENCE_CHAIN_FIND_SEQNO: {
		int32_t pf = static_cast<int32_t>(F(0));
		fence_get(static_cast<uint32_t>(pf)); // the caller's reference that *pfence carries
		o.ret = chain_find_seqno(pf, static_cast<uint64_t>(a[1]));
		if (pf != kNone) {
			note_fence(static_cast<uint32_t>(pf), 0);
			fence_put(static_cast<uint32_t>(pf));
		}
		break;
	}
	case RC_OP_FENCE_CHAIN_WALK: chain_for_each(F(0)); break;
	case RC_OP_FENCE_ARRAY_CREATE: {
		F(1);
		const int64_t m[4] = {a[1], a[2], a[3], a[4]};
		o.ret = array_create(a[0], m, B(5));
		break;
	}
	case RC_OP_FENCE_UNWRAP: {
		scratch_.clear();
		unwrap(F(0), scratch_);
		for (uint32_t f : scratch_)
			note_fence(f, 0);
		break;
	}
	case RC_OP_FENCE_UNWRAP_MERGE: {
		F(0);
		const int64_t m[4] = {a[0], a[1], a[2], a[3]};
		o.ret = unwrap_merge(m);
		break;
	}
	case RC_OP_FENCE_GET_STUB:
		o.ret = 1; /* the shared stub is created signalled, with no error, and lives for ever */
		break;
	case RC_OP_FENCE_ALLOCATE_PRIVATE_STUB: {
		if (alloc_fails()) {
			o.ret = is(Fault::StubEnomemErrPtr) ? 1 : kENOMEM; /* 1: the adapter saw an error pointer */
			break;
		}
		const uint32_t f = new_fence(a[0], FenceType::Stub);
		fences_[f].signaled = true;
		fences_[f].seqno64 = false;
		break;
	}
	case RC_OP_TEARDOWN: teardown(B(0)); break;
	/* allocation failure */
	case RC_OP_FAIL_ALLOC: fail_next_ = static_cast<uint32_t>(a[0]); break;
	case RC_OP_SLEEP: sleep_for(a[0]); break;
	case RC_OP_FENCE_IS_CONTAINER:
		o.ret = is(Fault::StubIsContainer) ? fences_[F(0)].type != FenceType::Harness : is_container(F(0));
		break;
	case RC_OP_SIG_BEGIN: case RC_OP_SIG_END: case RC_OP_DRIVER_ALLOC: case RC_OP_DRIVER_LOCK:
	case RC_OP_DRIVER_UNLOCK: case RC_OP_FENCE_MIGHT_WAIT: case RC_OP_SHRINKER_SCAN:
	case RC_OP_MMU_INVALIDATE: case RC_OP_MIGHT_FAULT: case RC_OP_SCHED_RUN_JOB:
		driver_op(op);
		break;
	case RC_OP_DRM_EXEC_INIT: case RC_OP_DRM_EXEC_CLEANUP: case RC_OP_DRM_EXEC_LOCK_OBJ:
	case RC_OP_DRM_EXEC_PREPARE_OBJ: case RC_OP_DRM_EXEC_UNLOCK_OBJ: case RC_OP_DRM_EXEC_FINI:
	case RC_OP_DRM_EXEC_LISTED: case RC_OP_DRM_GEM_OBJECT_REFS:
		if (op.nargs > 0)
			R(0);
		exec_op(op);
		break;
	default: throw Bug{"sim: an op kind of the ABI list that the sim does not implement"};  // never a silent pass
	}
}

} // namespace detail

namespace {

using detail::Fault;
using detail::Sim;

void *create(const char *options, char *err, size_t errlen)
{
	auto fail = [&](const std::string &msg) -> void * {
		if (err && errlen)
			std::snprintf(err, errlen, "%s", msg.c_str());
		return nullptr;
	};
	auto known = [] {
		std::string s;
		for (const FaultInfo &f : kFaults)
			s += (s.empty() ? "" : ", ") + std::string(f.name);
		return s;
	};
	Fault fault = Fault::None;
	std::string_view opt = options ? options : "";
	if (!opt.empty()) {
		constexpr std::string_view prefix = "fault=";
		if (!opt.starts_with(prefix))
			return fail("sim: unknown option '" + std::string(opt) + "' (expected fault=NAME); known faults: " + known());
		const std::string_view name = opt.substr(prefix.size());
		bool found = false;
		for (size_t i = 0; i < std::size(kFaults); ++i) {
			if (name == kFaults[i].name) {
				fault = static_cast<Fault>(i + 1);
				found = true;
				break;
			}
		}
		if (!found)
			return fail("sim: unknown fault '" + std::string(name) + "'; known faults: " + known());
	}
	return new (std::nothrow) Sim(fault);
}

void destroy(void *self) { delete static_cast<Sim *>(self); }
void reset(void *self) { static_cast<Sim *>(self)->reset(); }

int supports(void *, uint32_t k) { return detail::known_op(k); }

int apply(void *self, const resvcheck_op *op, resvcheck_obs *obs)
{
	return static_cast<Sim *>(self)->apply(*op, *obs);
}

const char *last_error(void *self) { return static_cast<Sim *>(self)->last_error(); }

constexpr resvcheck_plugin kPlugin = {
	RESVCHECK_PLUGIN_ABI_VERSION, "sim", "linux-6.12", create, destroy, reset, supports, apply, last_error,
};

} // namespace

const resvcheck_plugin *plugin() { return &kPlugin; }

} // namespace resvcheck::sim
