/*
 * shim/lockdep.h - the lock-dependency recorder, seen from the adapter glue and the tests.
 *
 * kernel/lockdep.c is a small userspace lockdep with the kernel's semantics where they matter
 * for the dma-fence rules:
 *  - every task keeps a stack of held locks (class, exclusive / read / recursive read, trylock,
 *    nest lock, and where it was taken: trace position and kernel function); a lock taken with a
 *    subclass N (lock_acquire's second argument) is of the class "NAME/N", apart from NAME's;
 *  - a blocking acquisition adds a dependency from each held lock down to and including the most
 *    recent non-trylock one (lockdep's check_prevs_add); a trylock adds no dependency into the lock
 *    it takes; an acquisition of a class already held, nested under its held nest lock (all
 *    reservation locks under one ww_acquire_ctx), adds none;
 *  - a new dependency that closes a cycle is reported unless the cycle is weak (lockdep's
 *    read/recursive-read rule: a -(*R)-> dependency followed by a -(S*)-> one cannot deadlock);
 *    taking a class already held without its nest lock (and not as a recursive read) is reported as
 *    recursive locking; releasing a lock not held is reported as unbalanced.
 * A "forbidden acquisition inside a signalling section" is a cycle through dma_fence_map: the
 * primed order makes it one, as in the kernel.
 * Problems among ww classes alone (reservation locks, acquire contexts) are not reported, as the
 * harness's dma-buf API ops stand for several tasks (wait-die traces use many contexts in one
 * thread): recursion there counts as nested, such a cycle's dependency is not recorded, such an
 * unbalanced release is ignored. The first line of a report is "lockdep: cycle HELD -> TAKEN",
 * "lockdep: recursive CLASS" or "lockdep: unbalanced CLASS" (resvcheck_plugin.h RC_OBS_LOCKDEP).
 *
 * The order is primed at boot by running the tree's own initcalls (dma_resv_lockdep() of
 * dma-resv.c) through the recorder; shim_lockdep_reset() goes back to exactly that state. Like
 * lockdep, the recorder reports the first problem and then stops checking until the next reset.
 * Reports are not WARNs: they are kept here for the adapter to return.
 */
#ifndef SHIM_LOCKDEP_H
#define SHIM_LOCKDEP_H
#include <linux/types.h>

enum shim_lockdep_kind {
	SHIM_LOCKDEP_NONE = 0,
	SHIM_LOCKDEP_CYCLE,		/* circular dependency */
	SHIM_LOCKDEP_RECURSIVE,		/* class already held, no nest lock */
	SHIM_LOCKDEP_UNBALANCED,	/* release of a lock not held */
};

/* The trace position (op index) of what runs next; -1 is boot (the priming). */
void shim_lockdep_set_op(long op);
/* Forget every dependency not from the priming, every report and the current task's held locks. */
void shim_lockdep_reset(void);
/* Turn the recorder on or off (its cost can then be measured). On by default. */
void shim_lockdep_enable(bool on);
/* Reports since the last reset (0 or 1: the recorder stops after one) and the last one's text. */
enum shim_lockdep_kind shim_lockdep_report(const char **text);
/* Whether a direct dependency from class `from` to class `to` is recorded, and by which function
 * the acquisition of `to` was made (NULL if none). */
const char *shim_lockdep_dependency(const char *from, const char *to);
#endif
