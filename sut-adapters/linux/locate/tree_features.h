// tree_features.h - what a kernel tree's drivers/dma-buf provides, and the model profile that
// judges it: probed from the tree's text (features.def), never decided by its version number.
//
// probe() reads the tree, select_profile() picks the exact profile whose behaviour switches are
// the tree's (or `contract`, with the reason), features_header() writes what the glue is compiled
// with. The same code serves the prebuilt trees (resvcheck-linux-probe, run by the build) and
// --kernel-src trees (the locator), so both choose alike.
//
//   auto f = probe("/usr/src/linux-7.2");           // Setup error for a tree older than 5.19
//   auto p = select_profile(*f, false);               // {"linux-7.2", "exact: ..."}
//   write(features_header(*f, p));
#pragma once

#include <string>
#include <vector>

#include "error.h"

namespace resvcheck::linux_adapter {

struct TreeFeatures {
    std::string version;                // "7.2.13", "6.12.117", "7.3.0-rc7": from the Makefile
    std::string major_minor;            // "7.2"
    std::vector<std::string> present;   // names of features.def found, in its order
    bool has(const std::string& name) const;
};

struct ProfileChoice {
    std::string name;  // "linux-7.2", "linux-6.12-debug", "contract"
    std::string why;   // one line: why this profile
};

Expected<TreeFeatures> probe(const std::string& tree);
// The tree-relative files probe() reads (besides the Makefile).
std::vector<std::string> probe_files();
ProfileChoice select_profile(const TreeFeatures& f, bool debug_mutexes);
// -D lines for the glue: RC_LINUX_HAVE_<NAME>, RESVCHECK_LINUX_PROFILE, RESVCHECK_LINUX_KERNEL.
std::string features_header(const TreeFeatures& f, const ProfileChoice& p);

}  // namespace resvcheck::linux_adapter
