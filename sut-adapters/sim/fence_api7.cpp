// fence_api7.cpp - the sim's share of the dma_fence API newer kernels add: dedup_array (6.15).
// (check_and_signal, the name helpers and was_initialized are one line each in plugin.cpp.)

#include <algorithm>

#include "detail/sim_state.h"

namespace resvcheck::sim::detail {

// Sorts by context, the later fence of a context first, and keeps the first of each context;
// the array's references of the dropped entries are put.
uint32_t Sim::fence_dedup_array(uint32_t (&f)[4])
{
	std::stable_sort(std::begin(f), std::end(f), [&](uint32_t a, uint32_t b) {
		if (fences_[a].context != fences_[b].context)
			return fences_[a].context < fences_[b].context;
		return seqno_is_later(fences_[a].seqno, fences_[b].seqno, fences_[a].seqno64);
	});
	uint32_t kept = 0;
	for (uint32_t i = 0; i < 4; i++) {
		if (kept && fences_[f[i]].context == fences_[f[kept - 1]].context)
			continue;
		f[kept++] = f[i];
	}
	return kept;
}

}  // namespace resvcheck::sim::detail
