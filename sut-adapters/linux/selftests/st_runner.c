// SPDX-License-Identifier: MIT
/*
 * st_runner.c - runs the tree's drivers/dma-buf selftests (selftest.c + st-dma-*.c, unmodified)
 * the way `modprobe dmabuf_selftests` would: module parameters from the command line, then the
 * module's init function. Kernel-side TU.
 *
 *   linux-selftests-6.12 [GROUP...] [PARAM=VALUE...]
 *     GROUP: sanitycheck, dma_fence, dma_fence_chain, dma_fence_unwrap, dma_resv (default: all)
 *     PARAM: st_filter=dma_fence/test_wait,... (selftest.c's subtest filter)
 *     --allow-warnings: do not fail on WARN splats
 * Exit status 0 when the module init returned 0 and no WARN fired.
 */
#include <linux/kernel.h>
#include <linux/rcupdate.h>
#include <shim/host.h>
#include <shim/kernel.h>

int shim_module_init(void);

static int run(void *unused)
{
	return shim_module_init();
}

int main(int argc, char **argv)
{
	bool allow_warnings = false;
	unsigned long warns;
	int i, ret, bugged;

	shim_console_loglevel = 6;
	for (i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		char suffix[128];

		if (!strcmp(argv[i], "--allow-warnings")) {
			allow_warnings = true;
			continue;
		}
		if (eq) {
			*eq = 0;
			if (shim_param_set(argv[i], eq + 1)) {
				pr_err("unknown module parameter %s\n", argv[i]);
				return 2;
			}
			continue;
		}
		snprintf(suffix, sizeof(suffix), "__%s", argv[i]);
		if (shim_param_set_suffix(suffix, "1")) {
			pr_err("unknown selftest group %s\n", argv[i]);
			return 2;
		}
	}

	ret = shim_host_guarded_call(run, NULL, &bugged);
	rcu_barrier();
	warns = shim_warn_count();
	if (bugged) {
		pr_err("selftests: BUG: %s\n", shim_last_bug());
		return 1;
	}
	pr_info("selftests: module init returned %d, %lu WARN splat(s)\n", ret, warns);
	if (ret)
		return 1;
	if (warns && !allow_warnings)
		return 1;
	return 0;
}
