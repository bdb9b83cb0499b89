# KUnit.cmake - the kernel's own KUnit tests on the shim. Since 7.x the dma-buf tests
# (drivers/dma-buf/st-*.c) are KUnit suites; the shim's runtime (shim/include/kunit/test.h, the
# runner shim/kunit/runner.c) runs them in userspace and prints KTAP, which ctest checks with the
# kernel's kunit.py (extracted by the kunit-tool fixture of tests/report into build/kunit-tool).
#
# resvcheck_linux_kunit(V TREE VIEW): for a tree whose st-*.c are KUnit tests, the executable
#   linux-kunit-V and one test linux.kunit.V.SUITE per suite (label linux). The first tree also
#   gets linux-kunit-runtime, the runtime's own test (passing, failing, aborted, skipped and
#   parameterised cases, their KTAP as kunit.py reads it); 6.12 gets linux.kunit.export.6.12 (an
#   exported finding fails on its mutant, passes on the tree).

set(RESVCHECK_KUNIT_TOOL ${CMAKE_BINARY_DIR}/kunit-tool)
set(_kunit_tests ${CMAKE_CURRENT_LIST_DIR}/../tests)
set(_kunit_check ${_kunit_tests}/kunit_check.sh)

# host half of the runtime: libc for printing, the shim's BUG guard for ending a case
add_library(linux-shim-kunit OBJECT ${SHIM_DIR}/kunit/runner.c)
target_include_directories(linux-shim-kunit PRIVATE ${SHIM_DIR}/include)

function(resvcheck_linux_kunit v tree view)
  if(NOT TARGET linux-kunit-runtime)
    add_executable(linux-kunit-runtime ${_kunit_tests}/kunit_runtime_test.c)
    resvcheck_linux_kernel_flags(linux-kunit-runtime ${view} OFF)
    target_link_libraries(linux-kunit-runtime PRIVATE linux-shim-kunit linux-kernel-${v} linux-shim-host ${RESVCHECK_LINUX_HOST_LIBS})
    add_test(NAME linux.kunit.runtime COMMAND ${_kunit_check} $<TARGET_FILE:linux-kunit-runtime> ${RESVCHECK_KUNIT_TOOL} 1
             "Ran 11 tests: passed: 6, failed: 3, skipped: 2")
    set_tests_properties(linux.kunit.runtime PROPERTIES LABELS linux TIMEOUT 60 FIXTURES_REQUIRED kunit-tool)
  endif()
  if(v STREQUAL "6.12")   # the tree of mutants.txt
    resvcheck_linux_kunit_export_test(${v} ${tree})
  endif()

  file(GLOB tests ${tree}/drivers/dma-buf/st-*.c)
  set(suites "")
  foreach(f IN LISTS tests)
    file(READ ${f} text)
    if(NOT text MATCHES "#include <kunit/test.h>")
      return()   # a selftest-framework tree (6.1, 6.12): linux-selftests-V runs it
    endif()
    string(REGEX MATCHALL "struct kunit_suite [a-z0-9_]+ = {[^}]*\\.name = \"[^\"]+\"" found "${text}")
    foreach(s IN LISTS found)
      string(REGEX REPLACE ".*\\.name = \"([^\"]+)\"" "\\1" name "${s}")
      list(APPEND suites ${name})
    endforeach()
  endforeach()
  if(NOT tests)
    return()
  endif()
  set(exe linux-kunit-${v})
  add_executable(${exe} ${tests})
  resvcheck_linux_kernel_flags(${exe} ${view} OFF)
  target_link_libraries(${exe} PRIVATE linux-shim-kunit linux-kernel-${v} linux-shim-host ${RESVCHECK_LINUX_HOST_LIBS})
  foreach(s IN LISTS suites)
    add_test(NAME linux.kunit.${v}.${s} COMMAND ${_kunit_check} $<TARGET_FILE:${exe}> ${RESVCHECK_KUNIT_TOOL} 0 "tests: passed:" ${s})
    # the tree's own tests leave some of their mock fences allocated (7.2's unwrap suite): that is
    # the test code's business, not the contract's; leaks in the dma-buf code itself are the
    # adapter's accounting (ALLOC-NO-LEAK, the reference rules)
    set_tests_properties(linux.kunit.${v}.${s} PROPERTIES LABELS linux TIMEOUT 120 FIXTURES_REQUIRED kunit-tool
                         ENVIRONMENT "ASAN_OPTIONS=detect_leaks=0")
  endforeach()
endfunction()

# kunit-build.sh TREE OUT TEST.c...: builds KUnit tests against any tree (a mutant copy, say) the
# way linux-kunit-V is built; for tests that build exported cases (resvcheck export --kunit).
set(KFLAGS "")
foreach(fl IN LISTS RESVCHECK_LINUX_KERNEL_FLAGS)
  string(REGEX REPLACE "^SHELL:" "" fl "${fl}")
  string(APPEND KFLAGS " ${fl}")
endforeach()
string(REPLACE ";" " " KSRCS "${RESVCHECK_LINUX_TREE_SOURCES}")
list(TRANSFORM RESVCHECK_LINUX_SHIM_KERNEL_SOURCES PREPEND ${SHIM_DIR}/ OUTPUT_VARIABLE _shim_srcs)
string(REPLACE ";" " " SHIM_SRCS "${_shim_srcs}")
string(REPLACE ";" " " KHEADERS "${RESVCHECK_LINUX_TREE_HEADERS}")
set(KLIBS "${RESVCHECK_URCU_BP_LIB}")
set(CC "${CMAKE_C_COMPILER}")
set(SANITIZE "")
if(RESVCHECK_SANITIZE)   # as add_compile_options/add_link_options give every target
  set(SANITIZE "-fsanitize=${RESVCHECK_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=undefined")
endif()
set(HOST_OBJECTS "$<JOIN:$<TARGET_OBJECTS:linux-shim-host>, > $<JOIN:$<TARGET_OBJECTS:linux-shim-kunit>, >")
configure_file(${_kunit_tests}/kunit-build.sh.in ${CMAKE_CURRENT_BINARY_DIR}/kunit-build.sh.gen @ONLY)
file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/kunit-build.sh INPUT ${CMAKE_CURRENT_BINARY_DIR}/kunit-build.sh.gen
     FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

# A finding exported with `resvcheck export --kunit` fails on its mutant and passes on the pristine tree.
function(resvcheck_linux_kunit_export_test v tree)
  add_test(NAME linux.kunit.export.${v} COMMAND ${_kunit_tests}/export_kunit.sh $<TARGET_FILE:resvcheck> ${tree}
           ${CMAKE_CURRENT_BINARY_DIR}/kunit-export-${v} ${CMAKE_BINARY_DIR}/kunit-build.sh ${RESVCHECK_KUNIT_TOOL})
  set_tests_properties(linux.kunit.export.${v} PROPERTIES LABELS linux TIMEOUT 300 FIXTURES_REQUIRED kunit-tool)
endfunction()
