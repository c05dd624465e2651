// libFuzzer target: open_dump over arbitrary bytes, seeded with kdump files
// from the fixture writers. See fuzz_harness.hpp and run.sh.
#include "tests/fuzz/fuzz_harness.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  kinspect::fuzz::maybe_write_seeds(kinspect::fuzz::kdump_seeds());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kinspect::fuzz::exercise(data, size);
  return 0;
}
