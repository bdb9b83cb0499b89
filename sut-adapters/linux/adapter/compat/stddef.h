/* The plugin ABI header wants <stddef.h>; in a -nostdinc kernel-side TU the kernel's serve. */
#include <linux/types.h>
#include <linux/stddef.h>
