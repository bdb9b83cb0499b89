// SPDX-License-Identifier: MIT
/*
 * runner.c - the shim's KUnit runner: runs every suite the binary links (kunit_test_suite() puts
 * them in section kunit_suites) and prints KTAP on stdout in the kernel's layout, so kunit.py
 * parses it; the kernel's own messages (printk) go to stderr. Host-side TU (libc).
 *
 *   linux-kunit-7.2 [--allow-warnings] [GLOB...]    GLOB: suite or suite.case (fnmatch), default all
 * Each case runs under the shim's BUG guard: a failed assertion, a BUG() or a fault ends it. A WARN
 * splat during a case fails it (as the selftest runner does) unless --allow-warnings.
 * Exit status 0 when no case failed.
 */
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <kunit/runtime.h>
#include <shim/host.h>
#include <shim/lockdep.h>

unsigned long shim_warn_count(void);	/* kernel-side, shim/kernel/core.c */

extern struct kunit_suite *__start_kunit_suites[], *__stop_kunit_suites[];

static int assertion_jump;	/* the guard was left by a failed assertion or kunit_skip, not a BUG */
static int allow_warnings;

void kunit_copy_desc(char *desc, const char *from)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", from);
}

void kunit_report_failure(struct kunit *test, int abort, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	char msg[1024];
	const char *base = strstr(file, "drivers/");

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("%*s# %s: %s FAILED at %s:%d", test->indent, "", test->name, abort ? "ASSERTION" : "EXPECTATION",
	       base ? base : file, line);
	for (char *l = msg, *nl; l; l = nl) {	/* each message line a KTAP diagnostic */
		nl = strchr(l, '\n');
		if (nl)
			*nl++ = 0;
		if (*l)
			printf("\n%*s%s", test->indent, "", l);
	}
	printf("\n");
	test->status = KUNIT_FAILURE;
	if (abort) {
		assertion_jump = 1;
		shim_host_bug_jump();
	}
}

void kunit_report_skip(struct kunit *test, int abort, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(test->status_comment, sizeof(test->status_comment), fmt, ap);
	va_end(ap);
	test->status = KUNIT_SKIPPED;
	if (abort) {
		assertion_jump = 1;
		shim_host_bug_jump();
	}
}

struct run {
	struct kunit_suite *suite;
	struct kunit_case *kcase;
	struct kunit *test;
};

static int run_case_body(void *arg)
{
	struct run *r = arg;

	if (r->suite->init && r->suite->init(r->test)) {
		kunit_report_failure(r->test, 0, __FILE__, __LINE__, "\nthe suite's init failed");
		return 0;
	}
	r->kcase->run_case(r->test);
	return 0;
}

/* Runs one case (or one parameter of it) and prints its result line; returns its status. */
static enum kunit_status run_one(struct kunit_suite *suite, struct kunit_case *kcase, struct kunit *test, int number)
{
	struct run r = { suite, kcase, test };
	unsigned long warns = shim_warn_count();
	int bugged;

	assertion_jump = 0;
	shim_host_guarded_call(run_case_body, &r, &bugged);
	if (bugged && !assertion_jump) {
		printf("%*s# %s: BUG: %s\n", test->indent, "", test->name, shim_host_bug_message());
		test->status = KUNIT_FAILURE;
	}
	if (suite->exit)
		suite->exit(test);
	shim_host_rcu_barrier();	/* the case's RCU-freed objects go before the next case */
	if (shim_warn_count() != warns && !allow_warnings) {
		printf("%*s# %s: %lu WARN splat(s) (see stderr)\n", test->indent, "", test->name, shim_warn_count() - warns);
		test->status = KUNIT_FAILURE;
	}
	if (test->status == KUNIT_SKIPPED)
		printf("%*sok %d %s # SKIP %s\n", test->indent, "", number, test->name, test->status_comment);
	else
		printf("%*s%s %d %s\n", test->indent, "", test->status == KUNIT_SUCCESS ? "ok" : "not ok", number, test->name);
	fflush(stdout);
	return test->status;
}

static int wanted(int nglobs, char **globs, const char *suite, const char *kcase)
{
	char full[512];

	if (!nglobs)
		return 1;
	snprintf(full, sizeof(full), "%s.%s", suite, kcase ? kcase : "");
	for (int i = 0; i < nglobs; i++)
		if (!fnmatch(globs[i], suite, 0) || (kcase && !fnmatch(globs[i], full, 0)))
			return 1;
	return 0;
}

struct totals {
	int pass, fail, skip;
};

static void count(struct totals *t, enum kunit_status s)
{
	if (s == KUNIT_SUCCESS)
		t->pass++;
	else if (s == KUNIT_FAILURE)
		t->fail++;
	else
		t->skip++;
}

/* A case, its parameters as a nested subtest; the case's status is the worst of them. */
static enum kunit_status run_case(struct kunit_suite *suite, struct kunit_case *kcase, int number, struct totals *all)
{
	struct kunit test = { .name = kcase->name, .indent = 4 };
	struct totals t = { 0 };
	const void *param;
	int n = 0;

	if (!kcase->generate_params) {
		enum kunit_status s = run_one(suite, kcase, &test, number);
		count(all, s);
		return s;
	}
	printf("        KTAP version 1\n        # Subtest: %s\n", kcase->name);
	for (const void *prev = NULL;; prev = param) {
		char desc[KUNIT_PARAM_DESC_SIZE] = "";
		struct kunit p;

		param = kcase->generate_params(prev, desc);	/* the next parameter, and its name in desc */
		if (!param)
			break;
		if (!desc[0])
			snprintf(desc, sizeof(desc), "param-%d", n);
		p = (struct kunit){ .name = desc, .param_value = param, .indent = 8 };
		enum kunit_status s = run_one(suite, kcase, &p, ++n);
		count(&t, s);
		count(all, s);
	}
	printf("    # %s: pass:%d fail:%d skip:%d total:%d\n", kcase->name, t.pass, t.fail, t.skip, n);
	enum kunit_status s = t.fail ? KUNIT_FAILURE : t.pass || !n ? KUNIT_SUCCESS : KUNIT_SKIPPED;
	if (s == KUNIT_SKIPPED)
		printf("    ok %d %s # SKIP\n", number, kcase->name);
	else
		printf("    %s %d %s\n", s == KUNIT_SUCCESS ? "ok" : "not ok", number, kcase->name);
	return s;
}

int main(int argc, char **argv)
{
	struct kunit_suite **s;
	struct totals all = { 0 };
	int nsuites = 0, number = 0, globs = 0, failed = 0;
	char *glob[64];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--allow-warnings"))
			allow_warnings = 1;
		else if (globs < 64)
			glob[globs++] = argv[i];
	}
	/* a suite runs when one of its cases is wanted */
	for (s = __start_kunit_suites; s < __stop_kunit_suites; s++)
		for (struct kunit_case *c = (*s)->test_cases; c->run_case; c++)
			if (wanted(globs, glob, (*s)->name, c->name)) {
				nsuites++;
				break;
			}
	if (!nsuites) {
		fprintf(stderr, "kunit: no suite or case matches the filter\n");
		return 2;
	}
	shim_lockdep_reset();	/* boots: the tree's initcalls run first, as in a kernel (7.x's dma_fence stub) */
	printf("KTAP version 1\n1..%d\n", nsuites);
	for (s = __start_kunit_suites; s < __stop_kunit_suites; s++) {
		struct kunit_suite *suite = *s;
		struct totals t = { 0 };
		int ncases = 0, n = 0, suite_failed = 0;

		for (struct kunit_case *c = suite->test_cases; c->run_case; c++)
			ncases += wanted(globs, glob, suite->name, c->name);
		if (!ncases)
			continue;
		printf("    KTAP version 1\n    # Subtest: %s\n    1..%d\n", suite->name, ncases);
		fflush(stdout);
		if (suite->suite_init && suite->suite_init(suite)) {
			printf("    # %s: suite_init failed\n", suite->name);
			suite_failed = 1;
		} else {
			for (struct kunit_case *c = suite->test_cases; c->run_case; c++) {
				if (!wanted(globs, glob, suite->name, c->name))
					continue;
				enum kunit_status st = run_case(suite, c, ++n, &all);
				count(&t, st);
				suite_failed |= st == KUNIT_FAILURE;
			}
			if (suite->suite_exit)
				suite->suite_exit(suite);
		}
		printf("# %s: pass:%d fail:%d skip:%d total:%d\n", suite->name, t.pass, t.fail, t.skip, n);
		printf("%s %d %s\n", suite_failed ? "not ok" : "ok", ++number, suite->name);
		fflush(stdout);
		failed |= suite_failed;
	}
	printf("# Totals: pass:%d fail:%d skip:%d total:%d\n", all.pass, all.fail, all.skip, all.pass + all.fail + all.skip);
	return failed;
}
