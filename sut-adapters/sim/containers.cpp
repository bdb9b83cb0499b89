// containers.cpp - the sim's fence containers: dma_fence_chain links (init, walk with garbage
// collection, find_seqno), dma_fence_array (polled signalling, the pending-error marker),
// dma_fence_unwrap iteration and merge, the private stub (Linux 6.12 behaviour, real reference
// counts: a container owns one reference on every fence it points at).

#include <algorithm>

#include "detail/sim_state.h"

namespace resvcheck::sim::detail {

namespace {
constexpr int64_t kPendingError = 1; /* an array's error until it signals */
} // namespace

uint32_t Sim::new_fence(int64_t h, FenceType t)
{
	Fence &fe = fence(h);
	fe = Fence{};
	fe.type = t;
	fe.refcount = 1;
	fe.harness_refs = 1;
	fe.live = true;
	allocated_++;
	fe.seqno64 = true;
	return static_cast<uint32_t>(h);
}

// dma_fence_is_signaled: the flag, else ops->signaled (containers only), which signals it.
bool Sim::fence_is_signaled(uint32_t f)
{
	if (fences_[f].signaled)
		return true;
	if (fences_[f].type == FenceType::Harness || !container_signaled(f))
		return false;
	fence_signal(f);
	return true;
}

bool Sim::container_signaled(uint32_t f)
{
	switch (fences_[f].type) {
	case FenceType::Array: {
		const bool any = fences_[f].signal_on_any && !is(Fault::ArrayAnyAsAll);
		int pending = any ? 1 : static_cast<int>(fences_[f].members.size());
		for (size_t i = 0; i < fences_[f].members.size(); ++i)
			if (fence_is_signaled(fences_[f].members[i]) && --pending == 0) {
				if (fences_[f].error == kPendingError)
					fences_[f].error = 0; // clear the marker: nothing is propagated on the polled path
				return true;
			}
		return false;
	}
	case FenceType::Chain: {
		// dma_fence_chain_for_each over the contained fences: any pending one means not signalled
		fence_get(f);
		for (int32_t it = static_cast<int32_t>(f); it != kNone; it = chain_walk(static_cast<uint32_t>(it))) {
			const Fence &l = fences_[it];
			const uint32_t c = l.type == FenceType::Chain ? static_cast<uint32_t>(l.contained) : static_cast<uint32_t>(it);
			if (!fence_is_signaled(c)) {
				fence_put(static_cast<uint32_t>(it));
				return false;
			}
		}
		return true;
	}
	default:
		return true; // the stub is born signalled
	}
}

void Sim::chain_init(int64_t h, uint32_t contained, int64_t prev, uint64_t seqno)
{
	const bool prev_chain = prev >= 0 && fences_[prev].type == FenceType::Chain;
	uint64_t context;
	uint64_t prev_seqno = 0;
	if (prev_chain && (seqno > fences_[prev].seqno || is(Fault::ChainSeqnoBackwards))) {
		context = fences_[prev].context;
		prev_seqno = fences_[prev].seqno;
	} else {
		context = next_context_++;
		if (prev_chain)
			seqno = std::max(fences_[prev].seqno, seqno);
	}
	// the adapter hands the link one new reference on each of prev and the contained fence
	fence_get(contained);
	if (prev >= 0)
		fence_get(static_cast<uint32_t>(prev));
	const uint32_t f = new_fence(h, FenceType::Chain);
	Fence &l = fences_[f];
	l.context = context;
	l.seqno = seqno;
	l.prev_seqno = prev_seqno;
	l.contained = static_cast<int32_t>(contained);
	l.prev = static_cast<int32_t>(prev);
	if (fences_[contained].type == FenceType::Chain)
		warn(); // WARN_ON(dma_fence_is_chain(fence))
}

// dma_fence_chain_walk: consumes the reference on f, returns the next fence with one, unlinking
// the links whose contained fence has signalled on the way.
int32_t Sim::chain_walk(uint32_t f)
{
	if (fences_[f].type != FenceType::Chain) {
		fence_put(f);
		return kNone;
	}
	int32_t p;
	for (;;) {
		p = fences_[f].prev;
		if (p == kNone)
			break;
		fence_get(static_cast<uint32_t>(p));
		int32_t replacement = kNone;
		if (fences_[p].type == FenceType::Chain) {
			if (!fence_is_signaled(static_cast<uint32_t>(fences_[p].contained)))
				break;
			replacement = fences_[p].prev;
		} else if (!fence_is_signaled(static_cast<uint32_t>(p))) {
			break;
		}
		if (is(Fault::ChainWalkNoUnlink)) {
			// step past it without unlinking: the chain keeps it, and its reference
			fence_put(f);
			f = static_cast<uint32_t>(p);
			continue;
		}
		if (replacement != kNone)
			fence_get(static_cast<uint32_t>(replacement));
		fences_[f].prev = replacement;
		if (!is(Fault::ChainWalkLeak))
			fence_put(static_cast<uint32_t>(p)); // the chain's old reference
		fence_put(static_cast<uint32_t>(p));     // ours
	}
	fence_put(f);
	return p;
}

void Sim::chain_for_each(uint32_t head)
{
	fence_get(head);
	for (int32_t it = static_cast<int32_t>(head); it != kNone; it = chain_walk(static_cast<uint32_t>(it)))
		note_fence(static_cast<uint32_t>(it), 0);
}

int64_t Sim::chain_find_seqno(int32_t &pf, uint64_t seqno)
{
	if (seqno == 0)
		return 0;
	const uint32_t head = static_cast<uint32_t>(pf);
	if (fences_[head].type != FenceType::Chain)
		return kEINVAL;
	if (fences_[head].seqno < seqno && !is(Fault::FindSeqnoFutureHead))
		return kEINVAL;
	fence_get(head);
	for (pf = static_cast<int32_t>(head); pf != kNone; pf = chain_walk(static_cast<uint32_t>(pf))) {
		const Fence &l = fences_[pf];
		if (l.context != fences_[head].context)
			break;
		if (is(Fault::FindSeqnoOffByOne) ? l.prev_seqno <= seqno : l.prev_seqno < seqno)
			break;
	}
	fence_put(head);
	return 0;
}

int64_t Sim::array_create(int64_t h, const int64_t *m, bool signal_on_any)
{
	if (alloc_fails()) /* NULL: the caller keeps its references */
		return kENOMEM;
	std::vector<uint32_t> members;
	for (int i = 0; i < 4; ++i)
		if (m[i] >= 0) {
			fence(m[i]);
			fence_get(static_cast<uint32_t>(m[i])); // the array owns these
			members.push_back(static_cast<uint32_t>(m[i]));
		}
	const uint32_t f = new_fence(h, FenceType::Array);
	Fence &a = fences_[f];
	a.context = next_context_++;
	a.seqno = 1;
	a.seqno64 = false;
	a.signal_on_any = signal_on_any;
	a.error = kPendingError;
	a.members = std::move(members);
	for (uint32_t x : a.members)
		if (is_container(x))
			warn(); // WARN_ON(dma_fence_is_container(member))
	return 0;
}

void Sim::container_release(uint32_t f)
{
	Fence &fe = fences_[f];
	if (fe.type == FenceType::Chain) {
		const int32_t prev = fe.prev, contained = fe.contained;
		fe.prev = fe.contained = kNone;
		if (prev != kNone && !is(Fault::ChainReleaseLeaksPrev))
			fence_put(static_cast<uint32_t>(prev));
		fence_put(static_cast<uint32_t>(contained));
	} else if (fe.type == FenceType::Array) {
		std::vector<uint32_t> members = std::move(fe.members);
		size_t n = members.size();
		if (is(Fault::ArrayReleaseLeaksMember))
			--n;
		for (size_t i = 0; i < n; ++i)
			fence_put(members[i]);
	}
}

// dma_fence_unwrap_for_each: leaves of every fence the chain walk visits.
void Sim::unwrap(uint32_t head, std::vector<uint32_t> &out)
{
	fence_get(head);
	for (int32_t it = static_cast<int32_t>(head); it != kNone; it = chain_walk(static_cast<uint32_t>(it))) {
		const Fence &l = fences_[it];
		const uint32_t c = l.type == FenceType::Chain ? static_cast<uint32_t>(l.contained) : static_cast<uint32_t>(it);
		if (fences_[c].type == FenceType::Array)
			out.insert(out.end(), fences_[c].members.begin(), fences_[c].members.end());
		else
			out.push_back(c);
	}
}

// __dma_fence_unwrap_merge with the adapter's handling of the result: reports its leaves, drops it.
int64_t Sim::unwrap_merge(const int64_t *in)
{
	std::vector<uint32_t> leaves, pending;
	for (int i = 0; i < 4; ++i)
		if (in[i] >= 0)
			unwrap(static_cast<uint32_t>(in[i]), leaves);
	for (uint32_t l : leaves)
		if (!fence_is_signaled(l) || is(Fault::MergeKeepsSignaled))
			pending.push_back(l);
	if (pending.empty()) // a stub, dropped at once
		return is(Fault::MergeNullWhenEmpty) || alloc_fails() ? kENOMEM : 2;
	if (alloc_fails()) // the table of pending leaves
		return kENOMEM;
	for (uint32_t l : pending)
		fence_get(l);
	// by context, the latest first (a guarded insertion sort: 32-bit seqnos that wrap around do not
	// order consistently, and std::sort may then run off the array)
	auto before = [&](uint32_t a, uint32_t b) {
		if (fences_[a].context != fences_[b].context)
			return fences_[a].context < fences_[b].context;
		if (is(Fault::MergeKeepsEarlier))
			std::swap(a, b);
		return seqno_is_later(fences_[a].seqno, fences_[b].seqno, fences_[a].seqno64);
	};
	for (size_t i = 1; i < pending.size(); ++i)
		for (size_t k = i; k > 0 && before(pending[k], pending[k - 1]); --k)
			std::swap(pending[k], pending[k - 1]);
	size_t j = 0;
	for (size_t i = 1; i < pending.size(); ++i) {
		if (fences_[pending[i]].context == fences_[pending[j]].context)
			fence_put(pending[i]);
		else
			pending[++j] = pending[i];
	}
	pending.resize(j + 1);
	const bool array = pending.size() > 1 || is(Fault::MergeSingleAsArray);
	if (array && alloc_fails()) { // the array: what merge took is dropped again
		if (!is(Fault::MergeEnomemLeaksRefs))
			for (uint32_t l : pending)
				fence_put(l);
		return kENOMEM;
	}
	for (uint32_t l : pending)
		note_fence(l, 0);
	if (array)
		next_context_++; // dma_fence_array_create(.., dma_fence_context_alloc(1), 1, false)
	for (uint32_t l : pending) // dropping the result drops these
		fence_put(l);
	return array ? 1 : 0;
}

} // namespace resvcheck::sim::detail
