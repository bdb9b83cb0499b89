// fuzz-parser: the trace text parser on arbitrary text. It must never crash, and what it accepts
// must survive printing: print(parse(print(t))) == print(t) (a property of the text format).
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "text_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto parsed = resvcheck::parse_trace(text, "<fuzz>");
    if (!parsed) {
        (void)parsed.error().text();
        return 0;
    }
    const auto& t = (*parsed);
    std::string printed = resvcheck::print_trace(t);
    auto again = resvcheck::parse_trace(printed, "<printed>");
    if (!again) {
        fprintf(stderr, "fuzz-parser: printed trace does not parse: %s\n--- printed:\n%s\n", again.error().text().c_str(), printed.c_str());
        std::abort();
    }
    const auto& t2 = (*again);
    std::string printed2 = resvcheck::print_trace(t2);
    if (printed2 != printed || t2.steps.size() != t.steps.size()) {
        fprintf(stderr, "fuzz-parser: print/parse round trip changed the trace\n--- first:\n%s\n--- second:\n%s\n", printed.c_str(),
                printed2.c_str());
        std::abort();
    }
    for (size_t i = 0; i < t.steps.size(); ++i)
        if (!(t.steps[i].op == t2.steps[i].op)) {
            fprintf(stderr, "fuzz-parser: op %zu changed in the round trip: %s\n", i, resvcheck::print_op(t.steps[i].op).c_str());
            std::abort();
        }
    return 0;
}
