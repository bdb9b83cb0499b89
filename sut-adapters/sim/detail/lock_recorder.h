/*
 * detail/lock_recorder.h - the sim's own lock-dependency recorder (not a public header).
 *
 * Written from Documentation/locking/lockdep-design.rst, sharing nothing with the linux shim's
 * recorder or the model: lock classes are names; a blocking acquisition records a dependency from
 * each held lock down to the most recent non-trylock one; a trylock records none into its lock;
 * a class already held is nested when its nest lock (the acquire context) is held. A dependency
 * whose reverse is already reachable is a cycle. The recorder is primed by replaying the boot
 * sequence of dma-resv.c's lockdep initcall (prime()), reports its first problem and stops.
 * Problems among the ww classes alone are not reported (resvcheck_plugin.h, RC_OBS_LOCKDEP).
 */
#ifndef RESVCHECK_SIM_DETAIL_LOCK_RECORDER_H
#define RESVCHECK_SIM_DETAIL_LOCK_RECORDER_H

#include <cstdint>
#include <string>
#include <vector>

namespace resvcheck::sim::detail {

/* lockdep class names, as the kernel's (they are part of the report format) */
inline constexpr const char *kLockFenceMap = "dma_fence_map";
inline constexpr const char *kLockResv = "reservation_ww_class_mutex";
inline constexpr const char *kLockAcquire = "reservation_ww_class_acquire";
inline constexpr const char *kLockMmap = "&mm->mmap_lock";

class LockRecorder {
public:
	/* instance: which lock of the class (resv / acquire context handle; 0 otherwise);
	 * nest: the acquire context's instance, or -1 */
	void acquire(const char *cls, int64_t instance, bool trylock, int64_t nest, bool read);
	void release(const char *cls, int64_t instance);
	bool holds(const char *cls) const;
	/* back to the primed graph, nothing held, no report */
	void reset();
	/* the report made during the current op (first line "lockdep: ..."), cleared by take_report */
	bool has_report() const { return !report_.empty() && !taken_; }
	const std::string &take_report();
	void set_op(long op) { op_ = op; }

	/* the lock-annotated helpers every path uses */
	bool begin_signalling();
	void end_signalling(bool cookie);
	void might_wait();
	void reclaim_acquire(unsigned gfp_class);	/* 0 KERNEL .. 4 ATOMIC, as the ABI */
	void reclaim_release(unsigned gfp_class);

private:
	struct Held {
		int cls;
		int64_t instance;
		bool trylock;
		int64_t nest;
		long op;
	};
	int intern(const char *name);
	bool ww(int c) const;
	bool reaches(int from, int to, std::vector<char> &seen, std::vector<int> &path) const;
	void problem(std::string first_line, std::string detail);
	void prime();

	std::vector<std::string> names_;
	struct Dep {
		int cls;
		long op;	/* where it was first seen (-1: boot) */
	};
	std::vector<std::vector<Dep>> after_;		/* after_[a]: classes taken while a was held */
	std::vector<std::vector<Dep>> primed_after_;
	/* held locks per task: [0] the trace's own, [1 + t] thread t of a concurrent block */
	std::vector<Held> held_[1 + 8];
	std::vector<Held> &held();
	const std::vector<Held> &held() const { return const_cast<LockRecorder *>(this)->held(); }
	bool stopped_ = false;
	bool taken_ = false;
	bool priming_ = false;
	std::string report_;
	long op_ = 0;
};

} // namespace resvcheck::sim::detail

#endif
