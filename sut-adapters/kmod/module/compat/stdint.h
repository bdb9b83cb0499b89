/* The ABI header's <stdint.h> inside the kernel: the fixed-width types come from linux/types.h. */
#include <linux/types.h>
