// resvcheck-linux-probe TREE OUT.h [--debug]: writes the glue's feature header for TREE (the build
// runs it for each prebuilt tree); prints the chosen profile and why. Exit 2 on a tree it cannot use.
#include <cstdio>
#include <cstring>
#include <fstream>

#include "tree_features.h"

int main(int argc, char** argv) {
    using namespace resvcheck::linux_adapter;
    if (argc < 3 || argc > 4 || (argc == 4 && std::strcmp(argv[3], "--debug"))) {
        std::fprintf(stderr, "usage: resvcheck-linux-probe TREE OUT.h [--debug]\n");
        return 2;
    }
    auto f = probe(argv[1]);
    if (!f) {
        std::fprintf(stderr, "%s\n", f.error().text().c_str());
        return 2;
    }
    auto p = select_profile(*f, argc == 4);
    std::ofstream(argv[2]) << features_header(*f, p);
    return 0;
}
