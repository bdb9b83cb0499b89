#ifndef _SHIM_LINUX_MMU_NOTIFIER_H
#define _SHIM_LINUX_MMU_NOTIFIER_H
/* The pseudo-lock mm/mmu_notifier.c holds around invalidate_range_start callbacks (lockdep class
 * "mmu_notifier_invalidate_range_start"); defined in shim/kernel/slab.c next to fs_reclaim. */
#include <linux/lockdep.h>
extern struct lockdep_map __mmu_notifier_invalidate_range_start_map;
#endif
