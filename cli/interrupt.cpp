#include "interrupt.h"

#include <signal.h>

namespace resvcheck::cli {
namespace {

volatile sig_atomic_t g_signal = 0;

void on_signal(int sig) {
    g_signal = sig;
    signal(sig, SIG_DFL);
}

}  // namespace

void catch_interrupts() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;  // reads and waits go on; poll() still returns early
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

bool interrupted() { return g_signal != 0; }

const char* interrupt_name() { return g_signal == SIGINT ? "SIGINT" : g_signal == SIGTERM ? "SIGTERM" : nullptr; }

}  // namespace resvcheck::cli
