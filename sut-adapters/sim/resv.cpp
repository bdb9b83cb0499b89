// resv.cpp - the sim's dma_resv: fence lists, reservation, add/replace/copy, the locked and
// unlocked iterators and the queries built on the unlocked one (rule catalogue sections 1, 3-13).

#include "detail/sim_state.h"

#include <algorithm>

namespace resvcheck::sim::detail {

namespace {

constexpr uint64_t kListHeader = 24;                       // rcu_head 16 + num_fences + max_fences
constexpr uint64_t kSlotSize = 8;                          // one tagged pointer
constexpr uint64_t kPageSize = 4096;
constexpr uint64_t kMallocMaxCacheSize = 8192;             // KMALLOC_MAX_CACHE_SIZE (SLUB, 2 pages)
constexpr uint64_t kMallocMaxSize = uint64_t{1} << 22;     // KMALLOC_MAX_SIZE (MAX_PAGE_ORDER 10)
constexpr uint32_t kMaxWalkRestarts = 1000;

// kmalloc_size_roundup() on x86-64 SLUB.
uint64_t kmalloc_size_roundup(uint64_t size)
{
	static constexpr uint64_t buckets[] = {8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192};
	if (size && size <= kMallocMaxCacheSize) {
		for (uint64_t b : buckets)
			if (size <= b)
				return b;
	}
	if (size && size <= kMallocMaxSize) {
		uint64_t alloc = kPageSize;
		while (alloc < size)
			alloc <<= 1; // PAGE_SIZE << get_order(size)
		return alloc;
	}
	return size;
}

// __roundup_pow_of_two(n) = 1UL << fls_long(n - 1); n == 0 shifts by 64, which x86 masks to 0.
uint64_t roundup_pow_of_two(uint32_t n)
{
	if (n <= 1)
		return 1;
	uint64_t p = 1;
	while (p < n)
		p <<= 1;
	return p;
}

} // namespace

// dma_resv_list_alloc: capacity from the kmalloc bucket. Returns the new list's identity, 0 on -ENOMEM.
uint32_t Sim::list_alloc(uint32_t max_fences)
{
	const uint64_t size = kmalloc_size_roundup(kListHeader + kSlotSize * max_fences);
	if (size > kMallocMaxSize)
		return 0;
	if (lists_used_ == lists_.size())
		lists_.emplace_back();
	FenceList &l = lists_[lists_used_];
	l.slots.clear();
	l.freed = false;
	l.max_fences = static_cast<uint32_t>((size - kListHeader) / kSlotSize);
	allocated_++;
	return ++lists_used_;
}

// dma_resv_list_free: one put per entry, in index order. The storage stays in the pool (RCU).
void Sim::list_free(uint32_t id)
{
	if (!id)
		return;
	const uint32_t n = list(id).num();
	for (uint32_t i = 0; i < n; ++i)
		fence_put(list(id).slots[i].fence);
	if (!is(Fault::ListFreeKeepsList))
		allocated_--; /* kfree_rcu(list) */
}

void Sim::resv_init(int64_t r)
{
	Resv &rs = resv(r);
	rs = Resv{};
	rs.live = true;
}

void Sim::resv_fini(uint32_t r)
{
	Resv &rs = resvs_[r];
	const uint32_t id = rs.list;
	rs.list = 0;
	rs.live = false;
	list_free(id);
}

int64_t Sim::reserve_fences(uint32_t r, uint32_t n)
{
	if (n == 0 && !is(Fault::ReserveZeroOk)) { // WARN_ON(!num_fences)
		warn();
		return kEINVAL;
	}
	const uint32_t old = resvs_[r].list;
	uint32_t max; // unsigned int arithmetic, as in the kernel
	if (old && list(old).max_fences) {
		const uint32_t num = list(old).num(), cap = list(old).max_fences;
		const uint32_t limit = is(Fault::ReserveOffByOne) ? cap + 1 : cap;
		if (num + n <= limit)
			return 0;
		max = std::max<uint32_t>(num + n, cap * 2);
	} else {
		max = static_cast<uint32_t>(std::max<uint64_t>(4, roundup_pow_of_two(n)));
	}

	const uint32_t nid = alloc_fails() ? 0 : list_alloc(max);
	if (!nid)
		return kENOMEM;
	if (is(Fault::PublishBeforeCopy)) {
		resvs_[r].list = nid; // published before its entries are in
		sync();
	}

	// Copy the unsignalled entries in order; the signalled ones go to the top of the new table
	// (table[--k]) and are put afterwards from k upwards, i.e. in reverse list order.
	scratch2_.clear();
	if (old) {
		const uint32_t num = list(old).num();
		for (uint32_t i = 0; i < num; ++i) {
			sync();
			const Slot s = list(old).slots[i];
			if (fence_is_signaled(s.fence) && !is(Fault::ReserveNoPrune))
				scratch2_.push_back(s.fence);
			else
				list(nid).slots.push_back(s);
		}
	}
	resvs_[r].list = nid; // rcu_assign_pointer
	sync();
	if (!old)
		return 0;
	for (auto it = scratch2_.rbegin(); it != scratch2_.rend(); ++it)
		fence_put(*it);
	list_retire(old); // kfree_rcu(old)
	return 0;
}

void Sim::add_fence(uint32_t r, uint32_t f, uint32_t usage)
{
	fence_get(f);
	if (is_container(f) && !is(Fault::AddContainerNoWarn))
		warn(); // WARN_ON(dma_fence_is_container(fence)): add each fence instead
	const uint32_t id = resvs_[r].list;
	if (!id)
		throw Bug{"NULL pointer dereference in dma_resv_add_fence: the object has no fence list "
		          "(no successful reserve_fences, or copy_fences from an empty source)"};
	FenceList &l = list(id);
	const uint64_t ctx = fences_[f].context;
	const uint32_t count = l.num();
	for (uint32_t i = 0; i < count; ++i) {
		Slot &s = l.slots[i];
		const uint32_t old = s.fence;
		const bool usage_ok = is(Fault::AddUsageInverted) ? s.usage <= usage : s.usage >= usage;
		bool hit = fences_[old].context == ctx && usage_ok &&
		           (is(Fault::AddNoSeqnoCheck) || fence_is_later_or_same(f, old));
		if (!hit && !is(Fault::NoSignaledReuse))
			hit = fence_is_signaled(old);
		if (hit) {
			s = Slot{f, usage};
			if (!is(Fault::RefLeakReplace))
				fence_put(old);
			if (is(Fault::RefDoublePutReplace))
				fence_put(old);
			return;
		}
	}
	if (l.num() >= l.max_fences && !is(Fault::AddNoSlotBug))
		throw Bug{"BUG_ON(fobj->num_fences >= fobj->max_fences) in dma_resv_add_fence: no reserved slot left"};
	sync(); // a concurrent walk sees the count before or after this append, never a torn entry
	if (is(Fault::AppendOffByOne) && l.num() > 0) {
		l.slots.back() = Slot{f, usage};
		return;
	}
	l.slots.push_back(Slot{f, usage}); // entry first, then num_fences (smp_store_mb)
}

void Sim::replace_fences(uint32_t r, int64_t c, int64_t f, uint32_t usage)
{
	const uint64_t ctx = context(c).id;
	const uint32_t id = resvs_[r].list;
	if (!id)
		return;
	const uint32_t n = list(id).num();
	for (uint32_t i = 0; i < n; ++i) {
		Slot &s = list(id).slots[i];
		const uint32_t old = s.fence;
		if (fences_[old].context != ctx)
			continue;
		if (f < 0)
			throw Bug{"dma_resv_replace_fences stored a NULL replacement in the fence list"};
		fence_get(static_cast<uint32_t>(f));
		s = Slot{static_cast<uint32_t>(f), usage};
		fence_put(old);
	}
}

int64_t Sim::copy_fences(uint32_t dst, uint32_t src)
{
	Iter it;
	iter_begin(it, static_cast<int32_t>(src), RC_USAGE_BOOKKEEP);
	uint32_t nid = 0;
	for (int32_t f = iter_first_unlocked(it); f != kNone; f = iter_next_unlocked(it)) {
		if (it.is_restarted) {
			list_free(nid);
			nid = alloc_fails() ? 0 : list_alloc(it.num_fences);
			if (!nid) {
				iter_end(it);
				return kENOMEM;
			}
		}
		fence_get(static_cast<uint32_t>(f));
		list(nid).slots.push_back(Slot{static_cast<uint32_t>(f), is(Fault::CopyUsageLost) ? it.usage : it.fence_usage});
	}
	iter_end(it);
	const uint32_t old = resvs_[dst].list;
	resvs_[dst].list = nid; // rcu_replace_pointer
	list_free(old);
	return 0;
}

// dma_resv_get_fences: out gets one new reference per yielded fence (final snapshot only).
// The table allocation at each restart obeys fail_alloc.
int64_t Sim::get_fences(uint32_t r, uint32_t usage, std::vector<uint32_t> &out)
{
	out.clear();
	Iter it;
	iter_begin(it, static_cast<int32_t>(r), usage);
	for (int32_t f = iter_first_unlocked(it); f != kNone; f = iter_next_unlocked(it)) {
		if (it.is_restarted) {
			while (!out.empty()) {
				fence_put(out.back());
				out.pop_back();
			}
			if (alloc_fails()) { /* krealloc_array: nothing held, nothing returned */
				iter_end(it);
				return is(Fault::GetFencesEnomemOk) ? 0 : kENOMEM;
			}
		}
		fence_get(static_cast<uint32_t>(f));
		out.push_back(static_cast<uint32_t>(f));
	}
	iter_end(it);
	return 0;
}

int64_t Sim::get_singleton(uint32_t r, uint32_t usage)
{
	if (const int64_t err = get_fences(r, usage, scratch_))
		return err;
	if (scratch_.size() >= 2 && alloc_fails()) { // the array: the table's references go back
		for (uint32_t f : scratch_)
			fence_put(f);
		return kENOMEM;
	}
	for (uint32_t f : scratch_)
		note_fence(f, 0);
	if (scratch_.size() >= 2) {
		// dma_fence_array_create(count, fences, dma_fence_context_alloc(1), 1, false): the array
		// owns the references; the adapter drops the array, whose release puts every member.
		next_context_++;
		obs_->flags |= RC_OBS_CONTAINER;
	}
	for (uint32_t f : scratch_)
		fence_put(f);
	return 0;
}

bool Sim::test_signaled(uint32_t r, uint32_t usage)
{
	Iter it;
	iter_begin(it, static_cast<int32_t>(r), usage);
	const int32_t f = iter_first_unlocked(it);
	if (!is(Fault::TestSignaledKeepsRef))
		iter_end(it);
	return f == kNone;
}

int64_t Sim::resv_wait_timeout(uint32_t r, uint32_t usage, bool intr, int64_t timeout, bool sigpending)
{
	int64_t ret = timeout ? timeout : (is(Fault::WaitPollNothingZero) ? 0 : 1);
	Iter it;
	iter_begin(it, static_cast<int32_t>(r), usage);
	for (int32_t f = iter_first_unlocked(it); f != kNone; f = iter_next_unlocked(it)) {
		ret = fence_wait_timeout(static_cast<uint32_t>(f), intr, timeout, sigpending);
		if (ret <= 0)
			break;
		if (timeout && !is(Fault::WaitTimeoutPerFence))
			timeout = ret;
	}
	iter_end(it);
	return ret;
}

void Sim::set_deadline(uint32_t r, uint32_t usage)
{
	Iter it;
	iter_begin(it, static_cast<int32_t>(r), usage);
	for (int32_t f = iter_first_unlocked(it); f != kNone; f = iter_next_unlocked(it))
		fence_set_deadline(static_cast<uint32_t>(f));
	iter_end(it);
}

void Sim::for_each_locked(uint32_t r, uint32_t usage)
{
	Iter it;
	iter_begin(it, static_cast<int32_t>(r), usage);
	for (int32_t f = iter_first(it); f != kNone; f = iter_next(it))
		note_fence(static_cast<uint32_t>(f), it.fence_usage);
}

void Sim::for_each_unlocked(uint32_t r, uint32_t usage)
{
	Iter it;
	iter_begin(it, static_cast<int32_t>(r), usage);
	bool first = true;
	whole_walk_ = true;
	for (int32_t f = iter_first_unlocked(it); f != kNone; sync(), f = iter_next_unlocked(it)) {
		if (it.is_restarted && !first) {
			obs_->flags |= RC_OBS_RESTARTED;
			obs_->n_fences = 0; // consumers discard what they collected before the restart
		}
		first = false;
		note_fence(static_cast<uint32_t>(f), it.fence_usage);
	}
	whole_walk_ = false;
	iter_end(it);
}

/* ---- iterators ---- */

void Sim::iter_begin(Iter &it, int32_t r, uint32_t usage)
{
	it = Iter{};
	it.resv = r;
	it.usage = usage;
}

void Sim::iter_end(Iter &it)
{
	if (it.fence != kNone)
		fence_put(static_cast<uint32_t>(it.fence));
	it.fence = kNone;
}

int32_t Sim::iter_first(Iter &it)
{
	it.index = 0;
	it.list = resvs_[it.resv].list;
	const int32_t f = iter_next(it);
	it.is_restarted = true;
	return f;
}

int32_t Sim::iter_next(Iter &it)
{
	it.is_restarted = false;
	for (;;) {
		if (!it.list || it.index >= list(it.list).num())
			return kNone;
		const Slot s = list(it.list).slots[it.index++];
		it.fence_usage = s.usage;
		const bool skip = is(Fault::IterLockedUsageInverted) ? s.usage < it.usage : s.usage > it.usage;
		if (!skip)
			return static_cast<int32_t>(s.fence);
	}
}

void Sim::iter_restart_unlocked(Iter &it)
{
	it.index = 0;
	it.list = resvs_[it.resv].list;
	it.num_fences = it.list ? list(it.list).num() : 0;
	it.is_restarted = true;
}

void Sim::iter_walk_unlocked(Iter &it)
{
	if (!it.list) // RESV-ITER-NO-LIST-KEEPS-FENCE: without a list the cursor keeps its fence
		return;
	for (;;) {
		if (it.fence != kNone) // drop the reference from the previous round
			fence_put(static_cast<uint32_t>(it.fence));
		it.fence = kNone;
		sync();
		check_list_read(it.list);
		if (it.index >= it.num_fences || list(it.list).freed) // freed: a use after free reads nothing
			return;
		const Slot s = list(it.list).slots[it.index++];
		it.fence_usage = s.usage;
		if (whole_walk_ && is(Fault::RefAfterRcuUnlock)) {
			rcu_exit();
			sync();
			fence_get(s.fence); // too late: it may be gone by now
			rcu_enter();
		} else if (!fence_get_unless_zero(s.fence)) { // dma_fence_get_rcu failed: the fence is dying
			if (++walk_restarts_ > kMaxWalkRestarts)
				throw Bug{"unlocked iteration livelock: a listed fence has a zero refcount"};
			iter_restart_unlocked(it);
			continue;
		}
		it.fence = static_cast<int32_t>(s.fence);
		const bool signaled = fence_is_signaled(s.fence) && !is(Fault::IterUnlockedYieldsSignaled);
		if (!signaled && it.usage >= s.usage)
			return;
	}
}

int32_t Sim::iter_first_unlocked(Iter &it)
{
	rcu_enter();
	do {
		iter_restart_unlocked(it);
		iter_walk_unlocked(it);
	} while (resvs_[it.resv].list != it.list);
	rcu_exit();
	return it.fence;
}

int32_t Sim::iter_next_unlocked(Iter &it)
{
	const bool check = !is(Fault::IterUnlockedNoRestart) && !(whole_walk_ && is(Fault::WalkNoRestartCheck));
	rcu_enter();
	it.is_restarted = false;
	bool restart = check && resvs_[it.resv].list != it.list;
	do {
		if (restart)
			iter_restart_unlocked(it);
		iter_walk_unlocked(it);
		restart = true;
	} while (check && resvs_[it.resv].list != it.list);
	rcu_exit();
	return it.fence;
}

void Sim::report_step(const Iter &it, int32_t f)
{
	if (f != kNone)
		note_fence(static_cast<uint32_t>(f), it.fence_usage);
	if (it.is_restarted)
		obs_->flags |= RC_OBS_RESTARTED;
}

} // namespace resvcheck::sim::detail
