#ifndef _SHIM_LINUX_SORT_H
#define _SHIM_LINUX_SORT_H
#include <linux/types.h>
/* The C library's qsort; lib/sort.c's heapsort differs only in the order of equal elements. */
typedef int (*cmp_func_t)(const void *a, const void *b);
typedef void (*swap_func_t)(void *a, void *b, int size);
void sort(void *base, size_t num, size_t size, cmp_func_t cmp_func, swap_func_t swap_func);
#endif
