// interrupt.h - SIGINT/SIGTERM as a request to stop: check and fuzz poll interrupted(), finish
// the finding they are writing, print the report so far and exit with its verdict. A second
// signal terminates at once (the default action is restored after the first).
#pragma once

namespace resvcheck::cli {

void catch_interrupts();
bool interrupted();
// "SIGINT" or "SIGTERM" once interrupted(), else nullptr.
const char* interrupt_name();

}  // namespace resvcheck::cli
