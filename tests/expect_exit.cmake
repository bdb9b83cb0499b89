# Runs CMD (a ;-list) and checks its exit status is EXIT and, if given, that its output matches
# REGEX. ctest only knows pass/fail; the CLI's exit statuses carry meaning (0 conforms, 1 violated,
# 2 set-up error, 3 unsupported). ABSENT: a file that must not exist afterwards (removed first).
if(DEFINED ABSENT)
  file(REMOVE "${ABSENT}")
endif()
execute_process(COMMAND ${CMD} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(REPLACE ";" " " shown "${CMD}")
if(NOT rc EQUAL EXIT)
  message(FATAL_ERROR "${shown}\nexited ${rc}, expected ${EXIT}\nstdout:\n${out}\nstderr:\n${err}")
endif()
if(DEFINED REGEX AND NOT "${out}${err}" MATCHES "${REGEX}")
  message(FATAL_ERROR "${shown}\noutput does not match '${REGEX}':\n${out}${err}")
endif()
if(DEFINED ABSENT AND EXISTS "${ABSENT}")
  message(FATAL_ERROR "${shown}\nwrote ${ABSENT}, which it must not")
endif()
