// Arbitrary op sequences (preconditions not respected) never crash the sim: every apply ends in
// RC_APPLY_OK, RC_APPLY_BUG or RC_APPLY_UNSUPPORTED, in the clean sim and under every fault.
#include "sim_harness.h"

#include <random>

namespace resvcheck::sim::test {
namespace {

void random_ops(const char *options, uint32_t seed, int n)
{
	const resvcheck_plugin *p = plugin();
	void *s = p->create(options, nullptr, 0);
	ASSERT_NE(s, nullptr);
	auto obs = std::make_unique<resvcheck_obs>();
	std::mt19937 rng(seed);
	auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
	static const uint32_t kinds[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 20, 21, 22, 30, 31, 32, 33, 34,
	                                 35, 36, 37, 38, 39, 40, 41, 41, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51,
	                                 52, 53, 54, 55, 56, 56, 57, 40, 3};
	p->reset(s);
	for (int i = 0; i < n; ++i) {
		resvcheck_op op{};
		op.kind = kinds[pick(0, static_cast<int>(std::size(kinds)) - 1)];
		op.nargs = RC_OP_MAX_ARGS;
		for (auto &a : op.args)
			a = pick(-1, 4);
		if (op.kind == RC_OP_FENCE_INIT)
			op.args[2] = static_cast<int64_t>(rng()) - (1ll << 31);
		if (op.kind == RC_OP_FENCE_WAIT_TIMEOUT || op.kind == RC_OP_RESV_WAIT_TIMEOUT)
			op.args[3] = op.args[2] = pick(0, 3);
		const int st = p->apply(s, &op, obs.get());
		ASSERT_TRUE(st == RC_APPLY_OK || st == RC_APPLY_BUG || st == RC_APPLY_UNSUPPORTED);
		ASSERT_LE(obs->n_fences, uint32_t{RC_OBS_MAX});
		if (st == RC_APPLY_BUG || pick(0, 200) == 0)
			p->reset(s);
	}
	p->destroy(s);
}

TEST(SimRobustness, RandomOpsClean) { random_ops(nullptr, 1, 50000); }

TEST(SimRobustness, RandomOpsEveryFault)
{
	for (const FaultInfo &f : faults()) {
		const std::string opt = std::string("fault=") + f.name;
		random_ops(opt.c_str(), 2, 5000);
	}
}

} // namespace
} // namespace resvcheck::sim::test
