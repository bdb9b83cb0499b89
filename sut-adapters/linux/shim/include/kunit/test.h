/*
 * kunit/test.h - the part of the kernel's KUnit API the dma-buf tests use (7.x st-*.c): suites,
 * cases, parameterised cases, the KUNIT_* expectations and assertions, skips. The runner in
 * shim/kunit/runner.c runs every suite a test binary links and prints KTAP as the kernel does,
 * so tools/testing/kunit/kunit.py parses it. An assertion ends the case through the shim's BUG
 * guard, as a failed KUnit assertion ends the test's kthread.
 */
#ifndef _KUNIT_TEST_H
#define _KUNIT_TEST_H

#include <linux/kernel.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <kunit/runtime.h>

#define KUNIT_CASE(fn) { .run_case = fn, .name = #fn }
#define KUNIT_CASE_PARAM(fn, gen) { .run_case = fn, .name = #fn, .generate_params = gen }

/* Registration: a pointer in section kunit_suites, which the runner walks. */
#define kunit_test_suites(...)                                                              \
	static struct kunit_suite *__kunit_suites_##__LINE__[]                              \
		__attribute__((used, section("kunit_suites"), aligned(sizeof(void *)))) = { __VA_ARGS__ }
#define kunit_test_suite(suite) kunit_test_suites(&suite)

/* A generator over an array; each element's `desc_member` names the parameter. */
#define KUNIT_ARRAY_PARAM_DESC(name, array, desc_member)                                    \
	static const void *name##_gen_params(const void *prev, char *desc)                   \
	{                                                                                     \
		typeof((array)[0]) *__next = prev ? ((typeof(__next))prev) + 1 : (array);     \
		if (__next - (array) < ARRAY_SIZE((array))) {                                 \
			kunit_copy_desc(desc, __next->desc_member);                            \
			return __next;                                                         \
		}                                                                             \
		return NULL;                                                                  \
	}

#define kunit_mark_skipped(test, fmt, ...) kunit_report_skip(test, 0, fmt, ##__VA_ARGS__)
#define kunit_skip(test, fmt, ...) kunit_report_skip(test, 1, fmt, ##__VA_ARGS__)

#define KUNIT_FAIL(test, fmt, ...) \
	kunit_report_failure(test, 0, __FILE__, __LINE__, "\n" fmt, ##__VA_ARGS__)

/* One comparison, both sides evaluated once; the message prints them as the kernel does. */
#define __KUNIT_BINARY(test, abort, left, op, right, fmt, ...)                                        \
	do {                                                                                            \
		typeof(left) __l = (left);                                                              \
		typeof(right) __r = (right);                                                            \
		if (!(__l op __r))                                                                      \
			kunit_report_failure(test, abort, __FILE__, __LINE__,                           \
					     "\nExpected " #left " " #op " " #right ", but\n" #left " == %lld (0x%llx)\n" \
					     #right " == %lld (0x%llx)\n" fmt,                          \
					     (long long)__l, (unsigned long long)__l, (long long)__r,  \
					     (unsigned long long)__r, ##__VA_ARGS__);                    \
	} while (0)
#define __KUNIT_PTR(test, abort, left, op, right, fmt, ...)                                           \
	do {                                                                                            \
		const void *__l = (left), *__r = (right);                                              \
		if (!(__l op __r))                                                                      \
			kunit_report_failure(test, abort, __FILE__, __LINE__,                           \
					     "\nExpected " #left " " #op " " #right ", but\n" #left " == %p\n" #right " == %p\n" fmt, \
					     __l, __r, ##__VA_ARGS__);                                  \
	} while (0)
#define __KUNIT_TRUTH(test, abort, cond, want, fmt, ...)                                              \
	do {                                                                                            \
		if ((!!(cond)) != (want))                                                               \
			kunit_report_failure(test, abort, __FILE__, __LINE__,                           \
					     "\nExpected " #cond " to be %s, but is %s\n" fmt, (want) ? "true" : "false", \
					     (want) ? "false" : "true", ##__VA_ARGS__);                 \
	} while (0)
#define __KUNIT_NULLNESS(test, abort, ptr, want_null, fmt, ...)                                       \
	do {                                                                                            \
		const void *__p = (ptr);                                                                \
		if ((__p == NULL) != (want_null))                                                       \
			kunit_report_failure(test, abort, __FILE__, __LINE__,                           \
					     "\nExpected " #ptr " %s NULL, but " #ptr " == %p\n" fmt,  \
					     (want_null) ? "==" : "!=", __p, ##__VA_ARGS__);            \
	} while (0)
#define __KUNIT_NOT_ERR_OR_NULL(test, abort, ptr, fmt, ...)                                           \
	do {                                                                                            \
		const void *__p = (ptr);                                                                \
		if (IS_ERR_OR_NULL(__p))                                                                \
			kunit_report_failure(test, abort, __FILE__, __LINE__,                           \
					     "\nExpected " #ptr " is not error or NULL, but is %s (%ld)\n" fmt, \
					     __p ? "an error" : "NULL", PTR_ERR(__p), ##__VA_ARGS__);    \
	} while (0)

/* EXPECT (go on) and ASSERT (end the case) of each comparison, with and without _MSG. */
#define KUNIT_EXPECT_EQ_MSG(t, l, r, fmt, ...) __KUNIT_BINARY(t, 0, l, ==, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_NE_MSG(t, l, r, fmt, ...) __KUNIT_BINARY(t, 0, l, !=, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_LT_MSG(t, l, r, fmt, ...) __KUNIT_BINARY(t, 0, l, <, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_LE_MSG(t, l, r, fmt, ...) __KUNIT_BINARY(t, 0, l, <=, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_GT_MSG(t, l, r, fmt, ...) __KUNIT_BINARY(t, 0, l, >, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_GE_MSG(t, l, r, fmt, ...) __KUNIT_BINARY(t, 0, l, >=, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_PTR_EQ_MSG(t, l, r, fmt, ...) __KUNIT_PTR(t, 0, l, ==, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_PTR_NE_MSG(t, l, r, fmt, ...) __KUNIT_PTR(t, 0, l, !=, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_TRUE_MSG(t, c, fmt, ...) __KUNIT_TRUTH(t, 0, c, 1, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_FALSE_MSG(t, c, fmt, ...) __KUNIT_TRUTH(t, 0, c, 0, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_NULL_MSG(t, p, fmt, ...) __KUNIT_NULLNESS(t, 0, p, 1, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_NOT_NULL_MSG(t, p, fmt, ...) __KUNIT_NULLNESS(t, 0, p, 0, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_NOT_ERR_OR_NULL_MSG(t, p, fmt, ...) __KUNIT_NOT_ERR_OR_NULL(t, 0, p, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_EQ_MSG(t, l, r, fmt, ...) __KUNIT_BINARY(t, 1, l, ==, r, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_NE_MSG(t, l, r, fmt, ...) __KUNIT_BINARY(t, 1, l, !=, r, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_LT_MSG(t, l, r, fmt, ...) __KUNIT_BINARY(t, 1, l, <, r, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_LE_MSG(t, l, r, fmt, ...) __KUNIT_BINARY(t, 1, l, <=, r, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_GT_MSG(t, l, r, fmt, ...) __KUNIT_BINARY(t, 1, l, >, r, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_GE_MSG(t, l, r, fmt, ...) __KUNIT_BINARY(t, 1, l, >=, r, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_PTR_EQ_MSG(t, l, r, fmt, ...) __KUNIT_PTR(t, 1, l, ==, r, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_PTR_NE_MSG(t, l, r, fmt, ...) __KUNIT_PTR(t, 1, l, !=, r, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_TRUE_MSG(t, c, fmt, ...) __KUNIT_TRUTH(t, 1, c, 1, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_FALSE_MSG(t, c, fmt, ...) __KUNIT_TRUTH(t, 1, c, 0, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_NULL_MSG(t, p, fmt, ...) __KUNIT_NULLNESS(t, 1, p, 1, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_NOT_NULL_MSG(t, p, fmt, ...) __KUNIT_NULLNESS(t, 1, p, 0, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_NOT_ERR_OR_NULL_MSG(t, p, fmt, ...) __KUNIT_NOT_ERR_OR_NULL(t, 1, p, fmt, ##__VA_ARGS__)

#define KUNIT_EXPECT_EQ(t, l, r) KUNIT_EXPECT_EQ_MSG(t, l, r, "")
#define KUNIT_EXPECT_NE(t, l, r) KUNIT_EXPECT_NE_MSG(t, l, r, "")
#define KUNIT_EXPECT_LT(t, l, r) KUNIT_EXPECT_LT_MSG(t, l, r, "")
#define KUNIT_EXPECT_LE(t, l, r) KUNIT_EXPECT_LE_MSG(t, l, r, "")
#define KUNIT_EXPECT_GT(t, l, r) KUNIT_EXPECT_GT_MSG(t, l, r, "")
#define KUNIT_EXPECT_GE(t, l, r) KUNIT_EXPECT_GE_MSG(t, l, r, "")
#define KUNIT_EXPECT_PTR_EQ(t, l, r) KUNIT_EXPECT_PTR_EQ_MSG(t, l, r, "")
#define KUNIT_EXPECT_PTR_NE(t, l, r) KUNIT_EXPECT_PTR_NE_MSG(t, l, r, "")
#define KUNIT_EXPECT_TRUE(t, c) KUNIT_EXPECT_TRUE_MSG(t, c, "")
#define KUNIT_EXPECT_FALSE(t, c) KUNIT_EXPECT_FALSE_MSG(t, c, "")
#define KUNIT_EXPECT_NULL(t, p) KUNIT_EXPECT_NULL_MSG(t, p, "")
#define KUNIT_EXPECT_NOT_NULL(t, p) KUNIT_EXPECT_NOT_NULL_MSG(t, p, "")
#define KUNIT_EXPECT_NOT_ERR_OR_NULL(t, p) KUNIT_EXPECT_NOT_ERR_OR_NULL_MSG(t, p, "")
#define KUNIT_ASSERT_EQ(t, l, r) KUNIT_ASSERT_EQ_MSG(t, l, r, "")
#define KUNIT_ASSERT_NE(t, l, r) KUNIT_ASSERT_NE_MSG(t, l, r, "")
#define KUNIT_ASSERT_LT(t, l, r) KUNIT_ASSERT_LT_MSG(t, l, r, "")
#define KUNIT_ASSERT_LE(t, l, r) KUNIT_ASSERT_LE_MSG(t, l, r, "")
#define KUNIT_ASSERT_GT(t, l, r) KUNIT_ASSERT_GT_MSG(t, l, r, "")
#define KUNIT_ASSERT_GE(t, l, r) KUNIT_ASSERT_GE_MSG(t, l, r, "")
#define KUNIT_ASSERT_PTR_EQ(t, l, r) KUNIT_ASSERT_PTR_EQ_MSG(t, l, r, "")
#define KUNIT_ASSERT_PTR_NE(t, l, r) KUNIT_ASSERT_PTR_NE_MSG(t, l, r, "")
#define KUNIT_ASSERT_TRUE(t, c) KUNIT_ASSERT_TRUE_MSG(t, c, "")
#define KUNIT_ASSERT_FALSE(t, c) KUNIT_ASSERT_FALSE_MSG(t, c, "")
#define KUNIT_ASSERT_NULL(t, p) KUNIT_ASSERT_NULL_MSG(t, p, "")
#define KUNIT_ASSERT_NOT_NULL(t, p) KUNIT_ASSERT_NOT_NULL_MSG(t, p, "")
#define KUNIT_ASSERT_NOT_ERR_OR_NULL(t, p) KUNIT_ASSERT_NOT_ERR_OR_NULL_MSG(t, p, "")

#endif
