// The ABI face: identity, options, supports, reset, fault table.
#include "sim_harness.h"

#include <cstring>
#include <set>
#include <string>

namespace resvcheck::sim::test {
namespace {

TEST(SimPlugin, Identity)
{
	const resvcheck_plugin *p = plugin();
	EXPECT_EQ(p->abi_version, uint32_t{RESVCHECK_PLUGIN_ABI_VERSION});
	EXPECT_STREQ(p->name, "sim");
	EXPECT_STREQ(p->profile, "linux-6.12");
	ASSERT_NE(p->last_error, nullptr);
}

TEST(SimPlugin, OptionsCleanAndFault)
{
	const resvcheck_plugin *p = plugin();
	char err[4096] = "";
	for (const char *o : {static_cast<const char *>(nullptr), "", "fault=add-no-seqno-check"}) {
		void *s = p->create(o, err, sizeof err);
		ASSERT_NE(s, nullptr) << (o ? o : "NULL");
		p->destroy(s);
	}
	EXPECT_EQ(p->create("fault=nope", err, sizeof err), nullptr);
	EXPECT_NE(std::strstr(err, "unknown fault 'nope'"), nullptr);
	for (const FaultInfo &f : faults())
		EXPECT_NE(std::strstr(err, f.name), nullptr) << f.name;
	EXPECT_EQ(p->create("bogus", err, sizeof err), nullptr);
	EXPECT_NE(std::strstr(err, "fault=NAME"), nullptr);
}

TEST(SimPlugin, FaultTable)
{
	std::set<std::string> names;
	for (const FaultInfo &f : faults()) {
		EXPECT_TRUE(names.insert(f.name).second) << f.name;
		EXPECT_GT(std::strlen(f.description), 10u);
	}
	EXPECT_GE(names.size(), 15u);
}

TEST(SimPlugin, SupportsEveryOpAndRejectsUnknown)
{
	const resvcheck_plugin *p = plugin();
	void *s = p->create(nullptr, nullptr, 0);
	for (uint32_t k = 1; k <= 13; ++k)
		EXPECT_TRUE(p->supports(s, k));
	for (uint32_t k = 30; k <= 57; ++k)
		EXPECT_TRUE(p->supports(s, k));
	EXPECT_FALSE(p->supports(s, 14));
	EXPECT_FALSE(p->supports(s, 99));
	resvcheck_op op{99, 0, {}};
	resvcheck_obs obs{};
	EXPECT_EQ(p->apply(s, &op, &obs), RC_APPLY_UNSUPPORTED);
	p->destroy(s);
}

TEST(SimPlugin, ResetForgetsEverything)
{
	Harness h;
	h.ready(0);
	h.ctx(0);
	h.fence(0, 0, 1);
	h.add(0, 0, W);
	h.reset();
	h.init(0);
	EXPECT_TRUE(h.locked(0).empty());
	EXPECT_EQ(h.ret(RC_OP_RESV_IS_LOCKED, {0}), 0);
}

TEST(SimPlugin, BadHandleIsBugNotCrash)
{
	Harness h;
	EXPECT_EQ(h.op(RC_OP_RESV_INIT, {-5}), RC_APPLY_BUG);
}

} // namespace
} // namespace resvcheck::sim::test
