#ifndef _SHIM_LINUX_GFP_H
#define _SHIM_LINUX_GFP_H
/*
 * Allocation context flags. The allocator ignores them (no reclaim, no atomic pools); the reclaim
 * bits matter to fs_reclaim_acquire() (linux/sched/mm.h), which the lockdep recorder sees: like
 * the kernel's masks, GFP_KERNEL/NOFS/NOIO may enter direct reclaim, GFP_NOWAIT/ATOMIC may not.
 */
#define __GFP_ZERO 0x100u
#define __GFP_NOWARN 0x200u
#define __GFP_RETRY_MAYFAIL 0x400u
#define __GFP_NOFAIL 0x800u
#define __GFP_DIRECT_RECLAIM 0x1000u
#define __GFP_KSWAPD_RECLAIM 0x2000u
#define __GFP_IO 0x4000u
#define __GFP_FS 0x8000u
#define __GFP_HIGH 0x10000u
#define __GFP_RECLAIM (__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)
#define GFP_KERNEL (__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_NOFS (__GFP_RECLAIM | __GFP_IO)
#define GFP_NOIO (__GFP_RECLAIM)
#define GFP_NOWAIT (__GFP_KSWAPD_RECLAIM)
#define GFP_ATOMIC (__GFP_HIGH | __GFP_KSWAPD_RECLAIM)
#endif
