#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build: CC, CXX, CFLAGS, CXXFLAGS, LIB_FUZZING_ENGINE, FUZZING_ENGINE,
# SANITIZER and OUT come from the environment. Builds fuzz-sim, fuzz-parser and (if the kernel
# tarball or KERNEL_SRC is there) fuzz-linux, with their seed corpora and the parser dictionary.

# RapidCheck with the same toolchain (libc++)
cmake -S $SRC/rapidcheck -B $WORK/rapidcheck -G Ninja -DCMAKE_BUILD_TYPE=Release -DRC_ENABLE_TESTS=OFF \
      -DRC_ENABLE_EXAMPLES=OFF -DCMAKE_INSTALL_PREFIX=$WORK/prefix -DCMAKE_POSITION_INDEPENDENT_CODE=ON
cmake --build $WORK/rapidcheck && cmake --install $WORK/rapidcheck

LINUX=OFF
if [ -e /usr/src/linux-source-6.12.tar.xz ] || [ -n "${KERNEL_SRC:-}" ]; then LINUX=ON; fi

cmake -S $SRC/resvcheck -B $WORK/build -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH=$WORK/prefix -DBOOST_ROOT=/opt/boost_1_81_0 \
      -DRESVCHECK_FUZZ=ON -DRESVCHECK_FUZZ_ENGINE=external "-DRESVCHECK_FUZZ_ENGINE_FLAGS=$LIB_FUZZING_ENGINE" \
      -DRESVCHECK_FUZZ_CUSTOM_MUTATOR=$([ "$FUZZING_ENGINE" = libfuzzer ] && echo ON || echo OFF) \
      -DRESVCHECK_LINUX=$LINUX -DRESVCHECK_TESTS=OFF -DRESVCHECK_BENCH=OFF
targets="fuzz-sim fuzz-parser"
[ "$LINUX" = ON ] && targets="$targets fuzz-linux"
cmake --build $WORK/build --target $targets

for t in $targets; do
  cp $WORK/build/fuzz/$t $OUT/
done
# fuzz-linux dlopens the adapter plugin from the build tree: ship it next to the target
if [ "$LINUX" = ON ]; then
  find $WORK/build/sut-adapters/linux -name 'resvcheck-linux-*.so' -exec cp {} $OUT/ \;
fi

# seed corpora and the parser dictionary
(cd $SRC/resvcheck/corpora/seeds/sim && zip -q -j $OUT/fuzz-sim_seed_corpus.zip *)
cp $OUT/fuzz-sim_seed_corpus.zip $OUT/fuzz-linux_seed_corpus.zip
(cd $SRC/resvcheck/corpora/seeds/parser && zip -q -j $OUT/fuzz-parser_seed_corpus.zip *)
cp $SRC/resvcheck/corpora/seeds/parser.dict $OUT/fuzz-parser.dict
# 256 records of 8 bytes at most
for t in fuzz-sim fuzz-linux; do printf '[libfuzzer]\nmax_len = 2048\ntimeout = 10\n' > $OUT/$t.options; done
