// sim_harness.h - a tiny driver for the sim's plugin ABI in tests: named helpers per op, and a
// textual log of every observation so that fault scenarios can compare clean vs faulty runs.
#ifndef RESVCHECK_SIM_TESTS_SIM_HARNESS_H
#define RESVCHECK_SIM_TESTS_SIM_HARNESS_H

#include "sim.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace resvcheck::sim::test {

using Entries = std::vector<std::pair<uint32_t, uint32_t>>; // (fence, usage)
using Handles = std::vector<uint32_t>;

constexpr int64_t K = RC_USAGE_KERNEL, W = RC_USAGE_WRITE, R = RC_USAGE_READ, B = RC_USAGE_BOOKKEEP;

class Harness {
public:
	explicit Harness(const char *options = nullptr)
	{
		p_ = plugin();
		char err[512] = "";
		self_ = p_->create(options, err, sizeof err);
		if (!self_)
			ADD_FAILURE() << "create failed: " << err;
		obs_ = std::make_unique<resvcheck_obs>();
		p_->reset(self_);
	}
	~Harness()
	{
		if (self_)
			p_->destroy(self_);
	}
	Harness(const Harness &) = delete;
	Harness &operator=(const Harness &) = delete;

	// Apply one op; returns the status. After a BUG every further op is skipped (logged as such).
	int op(uint32_t kind, std::initializer_list<int64_t> args)
	{
		if (bugged_) {
			log_ += "skipped\n";
			return status_ = RC_APPLY_BUG;
		}
		resvcheck_op o{};
		o.kind = kind;
		o.nargs = static_cast<uint32_t>(args.size());
		uint32_t i = 0;
		for (int64_t a : args)
			o.args[i++] = a;
		status_ = p_->apply(self_, &o, obs_.get());
		log_ += std::to_string(kind) + ":";
		if (status_ == RC_APPLY_BUG) {
			bugged_ = true;
			error_ = p_->last_error(self_);
			log_ += "BUG\n";
			return status_;
		}
		const resvcheck_obs &b = *obs_;
		log_ += " st=" + std::to_string(status_) + " ret=" + std::to_string(b.ret) + " fl=" + std::to_string(b.flags) +
		        " w=" + std::to_string(b.warnings) + " f=[";
		for (uint32_t k = 0; k < b.n_fences; ++k)
			log_ += std::to_string(b.fences[k].fence) + ":" + std::to_string(b.fences[k].usage) + ",";
		log_ += "] cb=" + join(b.callbacks, b.n_callbacks) + " rel=" + join(b.released, b.n_released) +
		        " dl=" + join(b.deadlines, b.n_deadlines) + " slept=" + std::to_string(b.slept) + "\n";
		return status_;
	}
	int64_t ret(uint32_t kind, std::initializer_list<int64_t> args)
	{
		op(kind, args);
		return obs_->ret;
	}

	const resvcheck_obs &obs() const { return *obs_; }
	int status() const { return status_; }
	bool bugged() const { return bugged_; }
	const std::string &error() const { return error_; }
	const std::string &log() const { return log_; }
	void reset()
	{
		p_->reset(self_);
		bugged_ = false;
		log_.clear();
	}

	Entries entries() const
	{
		Entries e;
		for (uint32_t k = 0; k < obs_->n_fences; ++k)
			e.emplace_back(obs_->fences[k].fence, obs_->fences[k].usage);
		return e;
	}
	Handles fence_handles() const
	{
		Handles h;
		for (uint32_t k = 0; k < obs_->n_fences; ++k)
			h.push_back(obs_->fences[k].fence);
		return h;
	}
	Handles released() const { return Handles(obs_->released, obs_->released + obs_->n_released); }
	Handles callbacks() const { return Handles(obs_->callbacks, obs_->callbacks + obs_->n_callbacks); }
	Handles deadlines() const { return Handles(obs_->deadlines, obs_->deadlines + obs_->n_deadlines); }
	uint32_t warnings() const { return obs_->warnings; }
	bool lockdep() const { return obs_->flags & RC_OBS_LOCKDEP; }  // a lock-dependency report in the last op
	std::string report() const { return lockdep() ? p_->last_error(self_) : ""; }

	/* named ops */
	void ctx(int64_t c, bool seqno64 = false) { op(RC_OP_FENCE_CONTEXT_ALLOC, {c, seqno64}); }
	void fence(int64_t f, int64_t c, int64_t seqno) { op(RC_OP_FENCE_INIT, {f, c, seqno}); }
	int64_t signal(int64_t f) { return ret(RC_OP_FENCE_SIGNAL, {f}); }
	void get(int64_t f) { op(RC_OP_FENCE_GET, {f}); }
	Handles put(int64_t f) { op(RC_OP_FENCE_PUT, {f}); return released(); }
	void init(int64_t r) { op(RC_OP_RESV_INIT, {r}); }
	int64_t lock(int64_t r, int64_t a = -1) { return ret(RC_OP_RESV_LOCK, {r, a}); }
	void unlock(int64_t r) { op(RC_OP_RESV_UNLOCK, {r}); }
	int64_t reserve(int64_t r, int64_t n) { return ret(RC_OP_RESV_RESERVE_FENCES, {r, n}); }
	void add(int64_t r, int64_t f, int64_t u) { op(RC_OP_RESV_ADD_FENCE, {r, f, u}); }
	Entries locked(int64_t r, int64_t u = B) { op(RC_OP_RESV_FOR_EACH_FENCE, {r, u}); return entries(); }
	Entries unlocked(int64_t r, int64_t u = B) { op(RC_OP_RESV_FOR_EACH_FENCE_UNLOCKED, {r, u}); return entries(); }
	Handles get_fences(int64_t r, int64_t u = B) { op(RC_OP_RESV_GET_FENCES, {r, u}); return fence_handles(); }

	// A concurrent block: ops[i] on thread threads[i], switching as `schedule` says (rc_sched.h).
	// Logged like op(); returns each op's observation (ret in .ret) and whether it deadlocked.
	struct BlockOp {
		uint8_t thread;
		uint32_t kind;
		std::initializer_list<int64_t> args;
	};
	std::vector<resvcheck_obs> block(std::initializer_list<BlockOp> ops, const std::vector<uint8_t> &schedule,
	                                 bool *deadlocked = nullptr)
	{
		std::vector<resvcheck_op> raw;
		std::vector<uint8_t> threads;
		for (const auto &b : ops) {
			resvcheck_op o{};
			o.kind = b.kind;
			o.nargs = static_cast<uint32_t>(b.args.size());
			uint32_t i = 0;
			for (int64_t a : b.args)
				o.args[i++] = a;
			raw.push_back(o);
			threads.push_back(b.thread);
		}
		const size_t n = raw.size();
		std::vector<resvcheck_obs> obs(n);
		std::vector<int32_t> status(n);
		std::vector<uint32_t> start(n), end(n);
		std::vector<uint8_t> realised(4096), runnable(4096);
		resvcheck_block blk{};
		blk.n = static_cast<uint32_t>(n);
		blk.ops = raw.data();
		blk.threads = threads.data();
		blk.schedule = schedule.data();
		blk.nsched = static_cast<uint32_t>(schedule.size());
		blk.obs = obs.data();
		blk.status = status.data();
		blk.start = start.data();
		blk.end = end.data();
		blk.realised = realised.data();
		blk.runnable = runnable.data();
		blk.cap = 4096;
		const bool dead = threads_plugin()->apply_block(self_, &blk) != 0;
		if (deadlocked)
			*deadlocked = dead;
		log_ += dead ? "block: deadlock\n" : "block:\n";
		for (size_t i = 0; i < n; ++i) {
			log_ += " st=" + std::to_string(status[i]) + " ret=" + std::to_string(obs[i].ret) + " w=" +
			        std::to_string(obs[i].warnings) + " f=" + std::to_string(obs[i].n_fences) + " cb=" +
			        join(obs[i].callbacks, obs[i].n_callbacks) + " rel=" + join(obs[i].released, obs[i].n_released) +
			        " slept=" + std::to_string(obs[i].slept) + "\n";
			if (status[i] == RC_APPLY_BUG)
				bugged_ = true, error_ = p_->last_error(self_);
		}
		return obs;
	}
	// Starts a new trace and keeps the log (scenarios over many schedules).
	void restart()
	{
		p_->reset(self_);
		bugged_ = false;
	}

	// r locked with `slots` reserved
	void ready(int64_t r, int64_t slots = 4)
	{
		init(r);
		lock(r);
		reserve(r, slots);
	}

private:
	static std::string join(const uint32_t *v, uint32_t n)
	{
		std::string s = "[";
		for (uint32_t k = 0; k < n; ++k)
			s += std::to_string(v[k]) + ",";
		return s + "]";
	}
	const resvcheck_plugin *p_ = nullptr;
	void *self_ = nullptr;
	std::unique_ptr<resvcheck_obs> obs_;
	int status_ = RC_APPLY_OK;
	bool bugged_ = false;
	std::string error_;
	std::string log_;
};

} // namespace resvcheck::sim::test

#endif
