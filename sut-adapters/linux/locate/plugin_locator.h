// plugin_locator.h - where the linux adapter's plugin comes from: prebuilt, or built now from a tree.
//
// The `linux` adapter is the kernel's own drivers/dma-buf compiled as a resvcheck plugin. With no
// kernel tree given, locate() returns the plugin built with resvcheck (Debian's 6.12 sources, or
// 6.1 or 7.2 when the profile asks for it). Given a tree (--kernel-src DIR / $KERNEL_SRC) of any
// version, it checks the tree, probes its features (tree_features.h: they pick the glue's compat
// paths and the profile), and compiles the tree's five files + the shim + the glue with the
// compiler and flags recorded when resvcheck was configured, into a plugin cached
// under $RESVCHECK_CACHE_DIR, $XDG_CACHE_HOME/resvcheck or ~/.cache/resvcheck, keyed by a hash of
// every input. A second call with the same inputs reuses the plugin (no compiler run).
//
//   auto loc = linux_adapter::locate("/usr/src/linux-6.12", false);
//   if (!loc) die(loc.error().text());           // says what to do; the compiler's message if any
//   load_plugin(loc->path, "");
#pragma once

#include <string>
#include <vector>

#include "error.h"

namespace resvcheck::linux_adapter {

struct Located {
    std::string path;     // the plugin (.so)
    std::string version;  // "6.12", "6.1": the tree's VERSION.PATCHLEVEL
    std::string kernel;   // "7.2.13": the full version from the tree's Makefile
    std::string profile;  // the profile the plugin claims ("linux-7.2", "contract"), and why
    std::string why;
    std::string tree;     // the tree it was built from
    bool built = false;   // true when this call ran the compiler (cache miss)
    double seconds = 0;   // time locate() took for a --kernel-src tree (hashing, and building on a miss)
};

// kernel_src empty: the prebuilt plugin; `version` ("6.12" default, "6.1", "7.2") picks the tree.
// debug_mutexes: the CONFIG_DEBUG_MUTEXES variant (profile linux-V-debug).
Expected<Located> locate(const std::string& kernel_src, bool debug_mutexes, const std::string& version = "");

// Every tree-relative file locate() reads from a --kernel-src tree: the Makefile, the sources and
// headers it compiles (those only some trees have among them) and what the feature probes read.
// A copy of the tree with these files (`resvcheck mutate`) builds and probes like the tree itself.
std::vector<std::string> tree_files();

// The versions of the prebuilt trees (each has an exact model profile); --kernel-src takes any 5.19+.
const char* supported_versions();

}  // namespace resvcheck::linux_adapter
