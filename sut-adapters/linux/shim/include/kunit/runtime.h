/*
 * kunit/runtime.h - what the shim's KUnit macros (kunit/test.h, kernel-side) and the runner
 * (shim/kunit/runner.c, host-side) share: the suite and case structures and the failure calls.
 * Freestanding on purpose: both halves include it, so only primitive types appear here.
 */
#ifndef SHIM_KUNIT_RUNTIME_H
#define SHIM_KUNIT_RUNTIME_H

#define KUNIT_PARAM_DESC_SIZE 128

enum kunit_status { KUNIT_SUCCESS, KUNIT_FAILURE, KUNIT_SKIPPED };

struct kunit {
	const char *name;		/* the case's name (or its parameter's description) */
	const void *param_value;	/* KUNIT_CASE_PARAM: the current parameter */
	void *priv;			/* for the suite's init/exit */
	enum kunit_status status;
	char status_comment[256];	/* why it was skipped */
	int indent;			/* spaces before this case's KTAP lines */
};

struct kunit_case {
	void (*run_case)(struct kunit *test);
	const char *name;
	const void *(*generate_params)(const void *prev, char *desc);
};

struct kunit_suite {
	const char *name;
	int (*suite_init)(struct kunit_suite *suite);
	void (*suite_exit)(struct kunit_suite *suite);
	int (*init)(struct kunit *test);
	void (*exit)(struct kunit *test);
	struct kunit_case *test_cases;
};

/* A failed expectation (abort == 0) or assertion (abort != 0: the case ends here). */
void kunit_report_failure(struct kunit *test, int abort, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* kunit_mark_skipped(); with abort, kunit_skip(). */
void kunit_report_skip(struct kunit *test, int abort, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Copies a parameter's description (KUNIT_ARRAY_PARAM_DESC). */
void kunit_copy_desc(char *desc, const char *from);

#endif
