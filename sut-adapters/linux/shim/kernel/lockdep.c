// SPDX-License-Identifier: MIT
/*
 * lockdep.c - the shim's lock-dependency recorder (what it checks: include/shim/lockdep.h).
 *
 * Written from Documentation/locking/lockdep-design.rst and the behaviour of kernel/locking/
 * lockdep.c, not from its code. Classes are interned by name (at most MAX_CLASSES); the graph is
 * an adjacency bit matrix plus, per dependency, the sites that first recorded it; one global
 * spinning lock guards it (acquisitions are rare next to the ops' own work). Held locks are per
 * host thread.
 */
#include <linux/kernel.h>
#include <linux/init.h>
#include <linux/lockdep.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <shim/host.h>
#include <shim/lockdep.h>

#define MAX_CLASSES 64
#define MAX_HELD 64
#define REPORT_LEN 1024

struct site {
	long op;		/* trace position, -1: boot */
	const char *fn;		/* kernel function */
};

struct held_lock {
	const struct lockdep_map *map;
	const void *nest;
	int cls;
	int read;
	bool trylock;
	struct site at;
};

/* types of one dependency A -> B: A held exclusive/shared, B taken non-recursive/recursive-read */
enum { DEP_EN = 1, DEP_ER = 2, DEP_SN = 4, DEP_SR = 8 };
#define DEP_S(t) ((t) & (DEP_SN | DEP_SR))
#define DEP_R(t) ((t) & (DEP_ER | DEP_SR))

struct dep {
	u8 types;
	u8 boot_types;		/* what the priming recorded: reset goes back to it */
	bool dirty;		/* changed since boot: in added[] */
	struct site from, to;	/* where A and B were taken when it was first recorded */
};

static const char *class_name[MAX_CLASSES];
static bool class_ww[MAX_CLASSES];
static int nr_classes;
static u64 adj[MAX_CLASSES];			/* bit j of adj[i]: dependency i -> j */
static struct dep deps[MAX_CLASSES][MAX_CLASSES];
static u16 added[MAX_CLASSES * MAX_CLASSES];	/* i * MAX_CLASSES + j of dependencies since boot */
static int nr_added;
static bool booted, booting, enabled = true, stopped;
static enum shim_lockdep_kind report_kind;
static char report[REPORT_LEN];
static __thread long cur_op;	/* of the calling thread's op */
static int graph_lock;

/* per thread, on the heap: a dlopen'ed plugin has little static TLS room; freed as the thread ends */
struct held_stack {
	int n;
	struct held_lock h[MAX_HELD];
};
static __thread struct held_stack *task_held __attribute__((tls_model("initial-exec")));

static void free_stack(void)
{
	shim_host_free(task_held);
	task_held = NULL;
}

static struct held_stack *stack(void)
{
	if (unlikely(!task_held)) {
		task_held = shim_host_malloc(sizeof(*task_held));
		if (!task_held)
			shim_host_abort("lockdep: out of memory");
		task_held->n = 0;
		shim_host_at_thread_exit(free_stack);
	}
	return task_held;
}
#define nr_held (stack()->n)
#define held (stack()->h)

static void glock(void)
{
	while (__atomic_exchange_n(&graph_lock, 1, __ATOMIC_ACQUIRE))
		;
}

static void gunlock(void) { __atomic_store_n(&graph_lock, 0, __ATOMIC_RELEASE); }

/* A map's class; a subclass (lock_acquire's second argument) is a class of its own, "name/N",
 * as in lockdep, so dependencies recorded under one do not meet those of another. */
static int class_of(struct lockdep_map *map, unsigned int subclass)
{
	static char sub_names[MAX_CLASSES][64];
	const char *name = map->name;
	char buf[64];
	int i;

	if (!subclass && map->class_idx)
		return map->class_idx - 1;
	if (subclass) {
		scnprintf(buf, sizeof(buf), "%s/%u", map->name, subclass);
		name = buf;
	}
	for (i = 0; i < nr_classes; i++)
		if (!strcmp(class_name[i], name))
			break;
	if (i == nr_classes) {
		if (nr_classes == MAX_CLASSES)
			return -1;
		if (subclass)
			name = memcpy(sub_names[nr_classes], buf, sizeof(buf));
		class_ww[nr_classes] = map->ww;
		class_name[nr_classes++] = name;
	}
	if (!subclass)
		map->class_idx = i + 1;
	return i;
}

static int site_str(char *buf, int len, struct site s)
{
	if (s.op < 0)
		return scnprintf(buf, len, "boot (%s)", s.fn);
	return scnprintf(buf, len, "op %ld (%s)", s.op, s.fn);
}

/* The first problem is reported; the recorder then stops, like lockdep turning itself off. */
static int report_start(enum shim_lockdep_kind kind, const char *title)
{
	report_kind = kind;
	stopped = true;
	return scnprintf(report, REPORT_LEN, "lockdep: %s", title);
}

#define APPEND(n, ...) ((n) += scnprintf(report + (n), REPORT_LEN - (n), __VA_ARGS__))

static int append_site(int n, struct site s)
{
	return n + site_str(report + n, REPORT_LEN - n, s);
}

static void report_done(void)
{
	printk(KERN_WARNING "%s\n", report);
}

/*
 * Is there a path next ~> prev that, closed by prev -(t)-> next, makes a strong cycle? BFS over
 * (class, last dependency was *R) states; parent[] keeps the path for the report.
 */
static bool find_cycle(int prev, int next, u8 t, int *path, int *len)
{
	int parent[MAX_CLASSES * 2], queue[MAX_CLASSES * 2], head = 0, tail = 0;
	bool seen[MAX_CLASSES * 2] = { false };
	int start = next * 2 + (DEP_R(t) ? 1 : 0);

	queue[tail++] = start;
	seen[start] = true;
	parent[start] = -1;
	while (head < tail) {
		int st = queue[head++], u = st / 2;
		bool last_r = st & 1;

		if (u == prev && !(last_r && DEP_S(t))) {
			*len = 0;
			for (int s = st; s >= 0; s = parent[s])
				path[(*len)++] = s / 2;
			return true;
		}
		for (u64 m = adj[u]; m; m &= m - 1) {
			int v = __builtin_ctzll(m);
			u8 ty = deps[u][v].types;

			for (int r = 0; r < 2; r++) {
				/* some type of u -> v with R-ness r that may follow the previous one */
				u8 want = r ? (DEP_ER | DEP_SR) : (DEP_EN | DEP_SN);
				u8 ok = ty & want & (last_r ? (DEP_EN | DEP_ER) : 0xff);
				int ns = v * 2 + r;

				if (ok && !seen[ns]) {
					seen[ns] = true;
					parent[ns] = st;
					queue[tail++] = ns;
				}
			}
		}
	}
	return false;
}

static void report_cycle(const struct held_lock *h, int next, struct site at, const int *path, int len)
{
	int n = report_start(SHIM_LOCKDEP_CYCLE, "cycle ");

	APPEND(n, "%s -> %s (possible circular locking dependency)\n", class_name[h->cls], class_name[next]);
	APPEND(n, "  new: %s taken at ", class_name[next]);
	n = append_site(n, at);
	APPEND(n, " while holding %s taken at ", class_name[h->cls]);
	n = append_site(n, h->at);
	APPEND(n, "\n  existing path:");
	/* path is prev .. next (reversed BFS chain): print next -> ... -> prev */
	for (int i = len - 1; i > 0; i--) {
		const struct dep *d = &deps[path[i]][path[i - 1]];

		APPEND(n, "\n    %s -> %s: ", class_name[path[i]], class_name[path[i - 1]]);
		n = append_site(n, d->from);
		APPEND(n, " then ");
		n = append_site(n, d->to);
	}
	report_done();
}

static void add_dep(const struct held_lock *h, int next, int read, struct site at)
{
	u8 t = (h->read ? (read == 2 ? DEP_SR : DEP_SN) : (read == 2 ? DEP_ER : DEP_EN));
	struct dep *d = &deps[h->cls][next];
	int path[MAX_CLASSES * 2], len;

	if (d->types & t)
		return;
	if (find_cycle(h->cls, next, t, path, &len)) {
		bool all_ww = true;

		for (int i = 0; i < len; i++)
			all_ww &= class_ww[path[i]];
		if (!all_ww)
			report_cycle(h, next, at, path, len);
		return;
	}
	if (!d->types) {
		d->from = h->at;
		d->to = at;
	}
	d->types |= t;
	if (booting) {
		d->boot_types = d->types;
	} else if (!d->dirty) {
		d->dirty = true;
		added[nr_added++] = h->cls * MAX_CLASSES + next;
	}
	adj[h->cls] |= 1ull << next;
}

static bool held_map(const void *map)
{
	for (int i = 0; i < nr_held; i++)
		if (held[i].map == map)
			return true;
	return false;
}

static void boot(void);

void shim_lock_acquire(struct lockdep_map *map, unsigned int subclass, int trylock, int read, const void *nest,
		       const char *fn)
{
	struct site at = { cur_op, fn };
	struct held_lock *h;
	bool nested = false;
	int cls;

	if (!booted && !booting)
		boot();
	if (!enabled)
		return;
	glock();
	cls = class_of(map, subclass);
	if (cls < 0 || nr_held == MAX_HELD) {
		/* out of room: stop checking, as lockdep does when its tables are full */
		stopped = true;
		gunlock();
		return;
	}
	if (!stopped) {
		for (int i = nr_held - 1; i >= 0; i--) {
			if (held[i].cls != cls)
				continue;
			if ((nest && held_map(nest)) || class_ww[cls]) {
				nested = true;
			} else if (!(read == 2 && held[i].read)) {
				int n = report_start(SHIM_LOCKDEP_RECURSIVE, "recursive ");

				APPEND(n, "%s (possible recursive locking)\n", class_name[cls]);
				APPEND(n, "  %s taken at ", class_name[cls]);
				n = append_site(n, at);
				APPEND(n, "\n  already held, taken at ");
				append_site(n, held[i].at);
				report_done();
			}
			break;
		}
	}
	/* a trylock cannot block: no dependency into it; nested ww locks: none either */
	if (!stopped && !trylock && !nested) {
		for (int i = nr_held - 1; i >= 0 && !stopped; i--) {
			if (held[i].cls != cls)
				add_dep(&held[i], cls, read, at);
			if (!held[i].trylock)
				break;
		}
	}
	h = &held[nr_held++];
	h->map = map;
	h->nest = nest;
	h->cls = cls;
	h->read = read;
	h->trylock = trylock;
	h->at = at;
	gunlock();
}

void shim_lock_release(struct lockdep_map *map, const char *fn)
{
	int i;

	if (!enabled)
		return;
	for (i = nr_held - 1; i >= 0; i--)
		if (held[i].map == map)
			break;
	if (i < 0) {
		glock();
		if (!stopped && !map->ww) {
			struct site at = { cur_op, fn };
			int n = report_start(SHIM_LOCKDEP_UNBALANCED, "unbalanced ");

			APPEND(n, "%s (bad unlock balance)\n", map->name);
			APPEND(n, "  %s released at ", map->name);
			append_site(n, at);
			report_done();
		}
		gunlock();
		return;
	}
	memmove(&held[i], &held[i + 1], (nr_held - i - 1) * sizeof(held[0]));
	nr_held--;
}

int lock_is_held_type(const struct lockdep_map *map, int read)
{
	for (int i = nr_held - 1; i >= 0; i--)
		if (held[i].map == map)
			return read == -1 || held[i].read == read;
	return 0;
}

/* the tree's initcalls (subsys_initcall in linux/init.h); none in a shim-only build */
extern shim_initcall_t __start_shim_initcall[] __attribute__((weak));
extern shim_initcall_t __stop_shim_initcall[] __attribute__((weak));

static void boot(void)
{
	long op = cur_op;

	booting = true;
	cur_op = -1;
	for (shim_initcall_t *c = __start_shim_initcall; c && c < __stop_shim_initcall; c++)
		(*c)();
	cur_op = op;
	booting = false;
	booted = true;
	if (stopped)
		shim_bug(__FILE__, __LINE__, "lockdep: the tree's own priming reported: %s", report);
}

void shim_lockdep_set_op(long op) { cur_op = op; }

void shim_lockdep_reset(void)
{
	if (!booted)
		boot();
	glock();
	for (int k = 0; k < nr_added; k++) {
		int i = added[k] / MAX_CLASSES, j = added[k] % MAX_CLASSES;

		struct dep *d = &deps[i][j];

		d->dirty = false;
		d->types = d->boot_types;
		if (!d->types)
			adj[i] &= ~(1ull << j);
	}
	nr_added = 0;
	stopped = false;
	report_kind = SHIM_LOCKDEP_NONE;
	report[0] = 0;
	cur_op = 0;
	nr_held = 0;
	gunlock();
}

void shim_lockdep_enable(bool on) { enabled = on; }

enum shim_lockdep_kind shim_lockdep_report(const char **text)
{
	if (text)
		*text = report;
	return report_kind;
}

const char *shim_lockdep_dependency(const char *from, const char *to)
{
	int i, j;

	if (!booted)
		boot();
	for (i = 0; i < nr_classes && strcmp(class_name[i], from); i++)
		;
	for (j = 0; j < nr_classes && strcmp(class_name[j], to); j++)
		;
	if (i == nr_classes || j == nr_classes || !(adj[i] & (1ull << j)))
		return NULL;
	return deps[i][j].to.fn;
}
