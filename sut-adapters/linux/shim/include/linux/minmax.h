#ifndef _SHIM_LINUX_MINMAX_H
#define _SHIM_LINUX_MINMAX_H
/* the kernel's min/max also reject mixed signedness at compile time; these only compute */
#define min(x, y) ({ typeof(x) __x = (x); typeof(y) __y = (y); __x < __y ? __x : __y; })
#define max(x, y) ({ typeof(x) __x = (x); typeof(y) __y = (y); __x > __y ? __x : __y; })
#define min_t(type, x, y) ({ type __x = (x); type __y = (y); __x < __y ? __x : __y; })
#define max_t(type, x, y) ({ type __x = (x); type __y = (y); __x > __y ? __x : __y; })
#define clamp(val, lo, hi) min(max(val, lo), hi)
#define swap(a, b) do { typeof(a) __tmp = (a); (a) = (b); (b) = __tmp; } while (0)
#endif
