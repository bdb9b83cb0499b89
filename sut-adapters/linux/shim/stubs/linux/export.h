#ifndef _SHIM_LINUX_EXPORT_H
#define _SHIM_LINUX_EXPORT_H
/* No module loader: exports are plain (hidden-visibility) symbols. */
#define EXPORT_SYMBOL(sym)
#define EXPORT_SYMBOL_GPL(sym)
#define EXPORT_SYMBOL_NS_GPL(sym, ns)
#define EXPORT_TRACEPOINT_SYMBOL(sym)
#define EXPORT_TRACEPOINT_SYMBOL_GPL(sym)
#endif
