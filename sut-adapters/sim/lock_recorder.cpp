// lock_recorder.cpp - the sim's lock-dependency recorder (see detail/lock_recorder.h).
#include "detail/lock_recorder.h"
#include "rc_sched.h"

#include <algorithm>

namespace resvcheck::sim::detail {

namespace {
constexpr const char *kFenceMap = kLockFenceMap;
constexpr const char *kResv = kLockResv;
constexpr const char *kAcquire = kLockAcquire;
constexpr const char *kFsReclaim = "fs_reclaim";
constexpr const char *kMmu = "mmu_notifier_invalidate_range_start";
} // namespace

int LockRecorder::intern(const char *name)
{
	for (size_t i = 0; i < names_.size(); ++i)
		if (names_[i] == name)
			return static_cast<int>(i);
	names_.emplace_back(name);
	after_.emplace_back();
	return static_cast<int>(names_.size() - 1);
}

static std::string at(long op) { return op < 0 ? "boot" : "op " + std::to_string(op); }

bool LockRecorder::ww(int c) const { return names_[c] == kResv || names_[c] == kAcquire; }

// Depth-first: is `to` reachable from `from`? path collects the classes on the way (from first).
bool LockRecorder::reaches(int from, int to, std::vector<char> &seen, std::vector<int> &path) const
{
	path.push_back(from);
	if (from == to)
		return true;
	seen[from] = 1;
	for (const Dep &d : after_[from])
		if (!seen[d.cls] && reaches(d.cls, to, seen, path))
			return true;
	path.pop_back();
	return false;
}

void LockRecorder::problem(std::string first_line, std::string detail)
{
	if (priming_)
		return;
	report_ = "lockdep: " + first_line + "\n" + detail;
	stopped_ = true;
}


std::vector<LockRecorder::Held> &LockRecorder::held()
{
	static_assert(sizeof(held_) / sizeof(held_[0]) == 1 + RC_SCHED_MAX_THREADS);
	return held_[rc_sched_in_block() ? 1 + rc_sched_tid() : 0];
}

void LockRecorder::acquire(const char *name, int64_t instance, bool trylock, int64_t nest, bool read)
{
	std::vector<Held> &stack = held();
	(void)read;	/* no recursive reads in the vocabulary: every cycle deadlocks */
	const int c = intern(name);
	if (!stopped_) {
		bool nested = false;
		for (auto h = stack.rbegin(); h != stack.rend(); ++h) {
			if (h->cls != c)
				continue;
			const bool nest_held = nest >= 0 && std::any_of(stack.begin(), stack.end(), [&](const Held &x) {
				return names_[x.cls] == kAcquire && x.instance == nest;
			});
			if (nest_held || ww(c))
				nested = true;
			else
				problem("recursive " + names_[c], "  taken at " + at(op_) + ", already held since " + at(h->op));
			break;
		}
		for (auto h = stack.rbegin(); !stopped_ && !trylock && !nested && h != stack.rend(); ++h) {
			auto &next = after_[h->cls];
			if (h->cls != c && std::none_of(next.begin(), next.end(), [&](const Dep &d) { return d.cls == c; })) {
				std::vector<char> seen(names_.size(), 0);
				std::vector<int> path;
				if (reaches(c, h->cls, seen, path)) {
					const bool all_ww = std::all_of(path.begin(), path.end(), [&](int x) { return ww(x); });
					if (!all_ww) {
						std::string chain = names_[path[0]];
						for (size_t k = 1; k < path.size(); ++k) {
							const auto &from = after_[path[k - 1]];
							auto d = std::find_if(from.begin(), from.end(), [&](const Dep &x) { return x.cls == path[k]; });
							chain += " -(" + at(d->op) + ")-> " + names_[path[k]];
						}
						problem("cycle " + names_[h->cls] + " -> " + names_[c],
							"  " + names_[c] + " taken at " + at(op_) + " while holding " + names_[h->cls] +
								" taken at " + at(h->op) + "\n  existing order: " + chain);
					}
				} else {
					next.push_back(Dep{c, priming_ ? -1 : op_});
				}
			}
			if (!h->trylock)
				break;
		}
	}
	stack.push_back(Held{c, instance, trylock, nest, priming_ ? -1 : op_});
}

void LockRecorder::release(const char *name, int64_t instance)
{
	const int c = intern(name);
	std::vector<Held> &stack = held();
	for (size_t i = stack.size(); i-- > 0;)
		if (stack[i].cls == c && stack[i].instance == instance) {
			stack.erase(stack.begin() + static_cast<long>(i));
			return;
		}
	if (!stopped_ && !ww(c))
		problem("unbalanced " + names_[c], "  released at " + at(op_) + " without being held");
}

bool LockRecorder::holds(const char *name) const
{
	const std::vector<Held> &stack = held();
	return std::any_of(stack.begin(), stack.end(), [&](const Held &h) { return names_[h.cls] == name; });
}

bool LockRecorder::begin_signalling()
{
	if (holds(kFenceMap))
		return true;
	acquire(kFenceMap, 0, false, -1, true);
	return false;
}

void LockRecorder::end_signalling(bool cookie)
{
	if (!cookie)
		release(kFenceMap, 0);
}

void LockRecorder::might_wait()
{
	const bool inside = holds(kFenceMap);
	if (inside)
		release(kFenceMap, 0);
	acquire(kFenceMap, 0, false, -1, false);
	release(kFenceMap, 0);
	if (inside)
		acquire(kFenceMap, 0, false, -1, true);
}

void LockRecorder::reclaim_acquire(unsigned gfp)
{
	if (gfp > 2) // GFP_NOWAIT, GFP_ATOMIC: no direct reclaim
		return;
	if (gfp == 0) // only GFP_KERNEL may do fs I/O
		acquire(kFsReclaim, 0, false, -1, false);
	acquire(kMmu, 0, false, -1, false);
	release(kMmu, 0);
}

void LockRecorder::reclaim_release(unsigned gfp)
{
	if (gfp == 0)
		release(kFsReclaim, 0);
}

// The boot sequence of the kernel's lockdep priming, replayed through the recorder.
void LockRecorder::prime()
{
	priming_ = true;
	acquire(kLockMmap, 0, false, -1, true);
	acquire(kAcquire, 0, false, -1, false);
	acquire(kResv, 0, false, 0, false);
	reclaim_acquire(0);
	acquire("&mapping->i_mmap_rwsem", 0, false, -1, false);
	release("&mapping->i_mmap_rwsem", 0);
	acquire(kMmu, 0, false, -1, false);
	might_wait();
	release(kMmu, 0);
	reclaim_release(0);
	release(kResv, 0);
	release(kAcquire, 0);
	release(kLockMmap, 0);
	priming_ = false;
	primed_after_ = after_;
}

void LockRecorder::reset()
{
	if (primed_after_.empty())
		prime();
	after_ = primed_after_;
	after_.resize(names_.size());
	for (auto &h : held_)
		h.clear();
	stopped_ = false;
	taken_ = false;
	report_.clear();
	op_ = 0;
}

const std::string &LockRecorder::take_report()
{
	taken_ = true;
	return report_;
}

} // namespace resvcheck::sim::detail
