#ifndef _SHIM_LINUX_CPUMASK_H
#define _SHIM_LINUX_CPUMASK_H
unsigned int num_online_cpus(void);
#endif
