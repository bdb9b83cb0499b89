/* The ABI header's <stddef.h> inside the kernel. */
#include <linux/stddef.h>
