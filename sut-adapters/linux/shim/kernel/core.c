// SPDX-License-Identifier: MIT
/*
 * core.c - WARN/BUG/printk, debug_locks, module parameters and small library functions of the shim.
 */
#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/refcount.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <shim/host.h>
#include <shim/kernel.h>

int shim_console_loglevel = 6;	/* KERN_INFO and more important */
unsigned long shim_warn_generation;
static unsigned long warn_count;
static __thread unsigned long thread_warn_count;	/* the ops of a concurrent block count their own */

int debug_locks = 1;
int debug_locks_silent;

int debug_locks_off(void)
{
	return __atomic_exchange_n(&debug_locks, 0, __ATOMIC_SEQ_CST);
}

unsigned long shim_warn_count(void) { return __atomic_load_n(&warn_count, __ATOMIC_SEQ_CST); }
unsigned long shim_thread_warn_count(void) { return thread_warn_count; }
const char *shim_last_bug(void) { return shim_host_bug_message(); }

void shim_reset_debug_state(void)
{
	shim_warn_generation++;
	__atomic_store_n(&debug_locks, 1, __ATOMIC_SEQ_CST);
}

static void shim_print(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > shim_console_loglevel)
		return;
	va_start(ap, fmt);
	shim_host_vprint(level, fmt, ap);
	va_end(ap);
}

/* "drivers/dma-buf/dma-resv.c" rather than the absolute path of the tree */
static const char *short_file(const char *file)
{
	static const char *const anchors[] = { "/drivers/", "/include/", "/shim/", "/adapter/" };
	for (unsigned int i = 0; i < ARRAY_SIZE(anchors); i++) {
		const char *p = file, *hit = NULL;
		size_t n = strlen(anchors[i]);
		for (; *p; p++)
			if (!strncmp(p, anchors[i], n))
				hit = p + 1;
		if (hit)
			return hit;
	}
	return file;
}

void shim_warn(const char *file, int line, const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	__atomic_fetch_add(&warn_count, 1, __ATOMIC_SEQ_CST);
	thread_warn_count++;
	if (4 > shim_console_loglevel)
		return;	/* counted only: formatting a splat nobody prints costs more than the op */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	shim_print(4, "------------[ cut here ]------------\nWARNING: at %s:%d: %s\n",
		   short_file(file), line, msg);
}

void shim_bug(const char *file, int line, const char *fmt, ...)
{
	char msg[384], report[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(report, sizeof(report), "%s:%d: %s", short_file(file), line, msg);
	shim_host_set_bug_message(report);
	shim_print(0, "kernel BUG at %s\n", report);
	shim_host_bug_jump();
}

int printk(const char *fmt, ...)
{
	int level = 4;	/* default_message_loglevel */
	va_list ap;

	if (fmt[0] == KERN_SOH[0] && fmt[1]) {
		level = fmt[1] == 'c' ? 6 : fmt[1] - '0';
		fmt += 2;
	}
	if (level > shim_console_loglevel)
		return 0;
	va_start(ap, fmt);
	shim_host_vprint(level, fmt, ap);
	va_end(ap);
	return 0;
}

void refcount_warn_saturate(refcount_t *r, enum refcount_saturation_type t)
{
	static const char *const what[] = {
		[REFCOUNT_ADD_NOT_ZERO_OVF] = "saturated; leaking memory",
		[REFCOUNT_ADD_OVF] = "saturated; leaking memory",
		[REFCOUNT_ADD_UAF] = "addition on 0; use-after-free",
		[REFCOUNT_SUB_UAF] = "underflow; use-after-free",
		[REFCOUNT_DEC_LEAK] = "decrement hit 0; leaking memory",
	};
	refcount_set(r, REFCOUNT_SATURATED);
	WARN(1, "refcount_t: %s.\n", what[t]);
}

/* ---- module parameters ---- */
static struct {
	const char *name;
	void *var;
	enum shim_param_kind kind;
} params[64];
static unsigned int nr_params;

void shim_register_param(const char *name, void *var, enum shim_param_kind kind)
{
	if (nr_params == ARRAY_SIZE(params))
		shim_host_abort("too many module parameters");
	params[nr_params].name = name;
	params[nr_params].var = var;
	params[nr_params].kind = kind;
	nr_params++;
}

static int param_store(unsigned int i, const char *value)
{
	switch (params[i].kind) {
	case __shim_param_kind_bool:
		*(bool *)params[i].var = value[0] == '1' || value[0] == 'y' || value[0] == 'Y';
		return 0;
	case __shim_param_kind_charp:
		*(char **)params[i].var = kstrdup(value, GFP_KERNEL);
		return 0;
	case __shim_param_kind_int: {
		int v = 0, neg = *value == '-';
		for (value += neg; *value >= '0' && *value <= '9'; value++)
			v = v * 10 + (*value - '0');
		*(int *)params[i].var = neg ? -v : v;
		return 0;
	}
	}
	return -EINVAL;
}

int shim_param_set(const char *name, const char *value)
{
	for (unsigned int i = 0; i < nr_params; i++)
		if (!strcmp(params[i].name, name))
			return param_store(i, value);
	return -ENOENT;
}

int shim_param_set_suffix(const char *suffix, const char *value)
{
	size_t n = strlen(suffix);
	int found = -ENOENT;

	for (unsigned int i = 0; i < nr_params; i++) {
		size_t m = strlen(params[i].name);
		if (m >= n && !strcmp(params[i].name + m - n, suffix))
			found = param_store(i, value);
	}
	return found;
}

void shim_param_list(void (*fn)(const char *name, void *arg), void *arg)
{
	for (unsigned int i = 0; i < nr_params; i++)
		fn(params[i].name, arg);
}

/* ---- small library pieces ---- */
char *kstrdup(const char *s, gfp_t gfp)
{
	size_t n;
	char *p;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	p = kmalloc(n, gfp);
	if (p)
		memcpy(p, s, n);
	return p;
}

ssize_t strscpy(char *dst, const char *src, size_t count)
{
	size_t n = strlen(src);

	if (!count)
		return -E2BIG;
	if (n >= count) {
		memcpy(dst, src, count - 1);
		dst[count - 1] = 0;
		return -E2BIG;
	}
	memcpy(dst, src, n + 1);
	return n;
}

int scnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || !size)
		return 0;
	return (size_t)n >= size ? (int)size - 1 : n;
}

void seq_printf(struct seq_file *m, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (m->count >= m->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(m->buf + m->count, m->size - m->count, fmt, ap);
	va_end(ap);
	if (n > 0)
		m->count = min(m->count + n, m->size);
}

void seq_puts(struct seq_file *m, const char *s) { seq_printf(m, "%s", s); }

void sort(void *base, size_t num, size_t size, cmp_func_t cmp_func, swap_func_t swap_func)
{
	(void)swap_func;	/* qsort swaps bytes itself */
	shim_host_qsort(base, num, size, cmp_func);
}

u32 get_random_u32(void) { return shim_host_random_u32(); }
unsigned int num_online_cpus(void) { return shim_host_nr_cpus(); }
