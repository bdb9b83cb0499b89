// linux-locate [--debug] [--expect-cached|--expect-built] KERNEL_SRC
// Builds (or finds in the cache) the linux adapter plugin for a kernel tree, as
// `resvcheck --adapter linux --kernel-src KERNEL_SRC` does, and prints its path and the build time.
// Exit 0 on success, 1 if an --expect-* does not hold, 2 on a set-up error (message on stderr).
#include <cstdio>
#include <cstring>
#include <string>

#include "plugin_locator.h"

int main(int argc, char** argv) {
    bool debug = false;
    int expect = -1;  // 0 cached, 1 built
    std::string src;
    for (int i = 1; i < argc; ++i) {
        if (!strcmp(argv[i], "--debug")) debug = true;
        else if (!strcmp(argv[i], "--expect-cached")) expect = 0;
        else if (!strcmp(argv[i], "--expect-built")) expect = 1;
        else src = argv[i];
    }
    auto found = resvcheck::linux_adapter::locate(src, debug);
    if (!found) {
        fprintf(stderr, "%s\n", found.error().text().c_str());
        return 2;
    }
    const auto& loc = *found;
    printf("%s\nlinux %s: %s%.2f s\n", loc.path.c_str(), loc.version.c_str(), loc.built ? "built in " : "cached, ",
           loc.seconds);
    if (expect >= 0 && expect != static_cast<int>(loc.built)) {
        fprintf(stderr, "expected the plugin to be %s\n", expect ? "built" : "cached");
        return 1;
    }
    return 0;
}
