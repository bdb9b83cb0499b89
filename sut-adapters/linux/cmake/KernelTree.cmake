# KernelTree.cmake - find the kernel trees the linux adapter is built from.
#
# resvcheck_linux_tree_from_tarball(TARBALL OUT_DIR): extract only the files the adapter needs
#   (drivers/dma-buf sources and selftests, include/linux/dma-*.h, Makefile) into OUT_DIR once;
#   a stamp file records which tarball it came from, so later configures skip the ~10 s untar.
# resvcheck_linux_tree_version(DIR OUT_VAR): "6.12" from the tree's Makefile VERSION/PATCHLEVEL.
# resvcheck_linux_tree_check(DIR): fail with a clear message if the tree lacks a needed file
#   (the old selftest files only where the tree has selftest.c).

set(RESVCHECK_LINUX_TREE_SOURCES
  drivers/dma-buf/dma-fence.c drivers/dma-buf/dma-fence-array.c drivers/dma-buf/dma-fence-chain.c
  drivers/dma-buf/dma-fence-unwrap.c drivers/dma-buf/dma-resv.c)
set(RESVCHECK_LINUX_TREE_SELFTESTS
  drivers/dma-buf/selftest.c drivers/dma-buf/st-dma-fence.c drivers/dma-buf/st-dma-fence-chain.c
  drivers/dma-buf/st-dma-fence-unwrap.c drivers/dma-buf/st-dma-resv.c)
# The only kernel headers taken from the tree; everything else comes from the shim.
set(RESVCHECK_LINUX_TREE_HEADERS
  include/linux/dma-fence.h include/linux/dma-fence-array.h include/linux/dma-fence-chain.h
  include/linux/dma-fence-unwrap.h include/linux/dma-resv.h)
# Files only some trees have (drm_exec: 6.5+), compiled and viewed where they exist; the glue
# knows from the probed features (features.def).
set(RESVCHECK_LINUX_TREE_OPTIONAL_SOURCES drivers/gpu/drm/drm_exec.c)
set(RESVCHECK_LINUX_TREE_OPTIONAL_HEADERS include/drm/drm_exec.h)

function(resvcheck_linux_tree_check dir)
  # the selftests are optional: 7.x has KUnit tests instead of selftest.c
  foreach(f Makefile ${RESVCHECK_LINUX_TREE_SOURCES} ${RESVCHECK_LINUX_TREE_HEADERS})
    if(NOT EXISTS "${dir}/${f}")
      message(FATAL_ERROR "linux adapter: kernel tree ${dir} has no ${f}.\n"
        "Point KERNEL_SRC at the top of a Linux source tree (the directory holding Makefile, "
        "drivers/ and include/), or install Debian's sources: apt-get install linux-source-6.12 linux-source-6.1")
    endif()
  endforeach()
  if(NOT EXISTS "${dir}/drivers/dma-buf/selftest.c")
    return()
  endif()
  foreach(f ${RESVCHECK_LINUX_TREE_SELFTESTS} drivers/dma-buf/selftest.h drivers/dma-buf/selftests.h)
    if(NOT EXISTS "${dir}/${f}")
      message(FATAL_ERROR "linux adapter: kernel tree ${dir} has selftest.c but no ${f}")
    endif()
  endforeach()
endfunction()

function(resvcheck_linux_tree_version dir out_var)
  file(STRINGS "${dir}/Makefile" head LIMIT_COUNT 10)
  set(ver "")
  set(patch "")
  foreach(line IN LISTS head)
    if(line MATCHES "^VERSION = ([0-9]+)")
      set(ver "${CMAKE_MATCH_1}")
    elseif(line MATCHES "^PATCHLEVEL = ([0-9]+)")
      set(patch "${CMAKE_MATCH_1}")
    endif()
  endforeach()
  if(ver STREQUAL "" OR patch STREQUAL "")
    message(FATAL_ERROR "linux adapter: cannot read VERSION/PATCHLEVEL from ${dir}/Makefile")
  endif()
  set(${out_var} "${ver}.${patch}" PARENT_SCOPE)
endfunction()

function(resvcheck_linux_tree_from_tarball tarball out_dir)
  file(TIMESTAMP "${tarball}" stamp_value "%s" UTC)
  set(stamp_value "${tarball} ${stamp_value} ${RESVCHECK_LINUX_TREE_OPTIONAL_SOURCES}")
  set(stamp "${out_dir}/.resvcheck-extracted")
  if(EXISTS "${stamp}")
    file(READ "${stamp}" old)
    if(old STREQUAL stamp_value)
      return()
    endif()
  endif()
  get_filename_component(top "${tarball}" NAME)
  string(REGEX REPLACE "\\.tar(\\.[a-z0-9]+)?$" "" top "${top}")
  set(patterns "")
  foreach(f Makefile drivers/dma-buf/*.c drivers/dma-buf/*.h ${RESVCHECK_LINUX_TREE_HEADERS})
    list(APPEND patterns "${top}/${f}")
  endforeach()
  set(optional "")
  foreach(f ${RESVCHECK_LINUX_TREE_OPTIONAL_SOURCES} ${RESVCHECK_LINUX_TREE_OPTIONAL_HEADERS})
    list(APPEND optional "${top}/${f}")
  endforeach()
  message(STATUS "linux adapter: extracting drivers/dma-buf from ${tarball} (once)")
  file(REMOVE_RECURSE "${out_dir}")
  file(MAKE_DIRECTORY "${out_dir}")
  # one pass over the tarball (each pass decompresses all of it: ~20 s for 7.2's 164 MB); a tree
  # without the optional files (6.1 has no drm_exec) makes tar fail on just those names: that is fine
  execute_process(
    COMMAND tar -xaf "${tarball}" -C "${out_dir}" --strip-components=1 --wildcards ${patterns} ${optional}
    RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    set(other "${err}")
    foreach(f IN LISTS optional)
      string(REPLACE "tar: ${f}: Not found in archive\n" "" other "${other}")
    endforeach()
    string(REPLACE "tar: Exiting with failure status due to previous errors\n" "" other "${other}")
    if(NOT other STREQUAL "")
      message(FATAL_ERROR "linux adapter: extracting ${tarball} failed: ${err}")
    endif()
  endif()
  file(WRITE "${stamp}" "${stamp_value}")
endfunction()
