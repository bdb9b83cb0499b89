#ifndef _SHIM_LINUX_SEQ_FILE_H
#define _SHIM_LINUX_SEQ_FILE_H
#include <linux/types.h>
#include <linux/compiler.h>
/* A seq_file is a caller-provided text buffer (dma_resv_describe / dma_fence_describe). */
struct seq_file {
	char *buf;
	size_t size;
	size_t count;
};
void seq_printf(struct seq_file *m, const char *fmt, ...) __printf(2, 3);
void seq_puts(struct seq_file *m, const char *s);
#endif
