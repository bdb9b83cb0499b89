// SPDX-License-Identifier: MIT
/*
 * kunit_runtime_test.c - the shim's KUnit runtime tested the way the dma-buf suites use it:
 * passing comparisons of each kind, a parameterised case, skips, a failed expectation (the case
 * goes on), a failed assertion and a BUG() (the case ends there), the suite's init. Kernel-side TU.
 * linux.kunit.runtime expects kunit.py to count 11 tests: 6 passed, 3 failed, 2 skipped.
 */
#include <kunit/test.h>

static int after_expectation, after_assertion;

static void passes(struct kunit *test)
{
	int x = 3;
	void *p = &x;

	KUNIT_EXPECT_EQ(test, 1 + 1, 2);
	KUNIT_EXPECT_NE(test, x, 4);
	KUNIT_EXPECT_LT(test, x, 4);
	KUNIT_EXPECT_GE(test, x, 3);
	KUNIT_EXPECT_PTR_EQ(test, p, &x);
	KUNIT_EXPECT_TRUE(test, x == 3);
	KUNIT_EXPECT_FALSE(test, x == 4);
	KUNIT_EXPECT_NULL(test, NULL);
	KUNIT_EXPECT_NOT_NULL(test, p);
	KUNIT_EXPECT_NOT_ERR_OR_NULL(test, p);
	KUNIT_ASSERT_EQ_MSG(test, x, 3, "x is %d", x);
}

struct param {
	int value;
	const char *desc;
};
static const struct param params[] = { { 1, "one" }, { 2, "two" }, { 3, "three" } };
KUNIT_ARRAY_PARAM_DESC(runtime, params, desc);

static void parameterised(struct kunit *test)
{
	const struct param *p = test->param_value;

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, p->value, (int)(p - params) + 1);
}

static void skipped(struct kunit *test)
{
	kunit_skip(test, "skipped on purpose");
	KUNIT_FAIL(test, "kunit_skip did not end the case");
}

static void marked_skipped(struct kunit *test)
{
	kunit_mark_skipped(test, "marked on purpose");
	KUNIT_EXPECT_EQ(test, 1, 1);
}

static int init_case(struct kunit *test)
{
	test->priv = (void *)&after_expectation;
	return 0;
}

static void init_ran(struct kunit *test)
{
	KUNIT_EXPECT_PTR_EQ(test, test->priv, (void *)&after_expectation);
}

static struct kunit_case passing_cases[] = {
	KUNIT_CASE(passes),
	KUNIT_CASE_PARAM(parameterised, runtime_gen_params),
	KUNIT_CASE(skipped),
	KUNIT_CASE(marked_skipped),
	KUNIT_CASE(init_ran),
	{}
};

static struct kunit_suite passing_suite = {
	.name = "kunit-runtime-pass",
	.init = init_case,
	.test_cases = passing_cases,
};

static void expectation_fails(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 1, 2);
	after_expectation = 1;
}

static void assertion_fails(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, 1, 2);
	after_assertion = 1;
}

static void bug_fails(struct kunit *test)
{
	BUG();
}

static void what_ran(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, after_expectation, 1);
	KUNIT_EXPECT_EQ(test, after_assertion, 0);
}

static struct kunit_case failing_cases[] = {
	KUNIT_CASE(expectation_fails),
	KUNIT_CASE(assertion_fails),
	KUNIT_CASE(bug_fails),
	KUNIT_CASE(what_ran),
	{}
};

static struct kunit_suite failing_suite = {
	.name = "kunit-runtime-fail",
	.test_cases = failing_cases,
};

kunit_test_suites(&passing_suite, &failing_suite);
