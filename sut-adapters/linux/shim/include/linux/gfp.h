#ifndef _SHIM_LINUX_GFP_H
#define _SHIM_LINUX_GFP_H
/* Allocation context flags are accepted and ignored (no reclaim, no atomic pools). */
#define __GFP_ZERO 0x100u
#define __GFP_NOWARN 0x200u
#define __GFP_RETRY_MAYFAIL 0x400u
#define __GFP_NOFAIL 0x800u
#define GFP_KERNEL 0x1u
#define GFP_ATOMIC 0x2u
#define GFP_NOWAIT 0x4u
#define GFP_NOFS 0x8u
#endif
