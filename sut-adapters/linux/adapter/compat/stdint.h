/* The plugin ABI header wants <stdint.h>; in a -nostdinc kernel-side TU the kernel's types serve. */
#include <linux/types.h>
