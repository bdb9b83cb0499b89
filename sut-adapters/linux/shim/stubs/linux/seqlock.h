#ifndef _SHIM_LINUX_SEQLOCK_H
#define _SHIM_LINUX_SEQLOCK_H
/* dma-resv.h includes it but (since 5.17) uses no seqcount; empty so any use fails to compile. */
#endif
