#ifndef _SHIM_LINUX_STRING_H
#define _SHIM_LINUX_STRING_H
/* Declarations only: the C library's implementations are linked in (as in tools/testing). */
#include <linux/types.h>
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *s, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
char *strsep(char **stringp, const char *delim);
char *kstrdup(const char *s, gfp_t gfp);
ssize_t strscpy(char *dst, const char *src, size_t count);
#endif
