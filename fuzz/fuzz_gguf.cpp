// libFuzzer target: any byte string given to the GGUF reader must parse or throw a
// loco::Error; a crash, hang, leak or sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "loco/error.h"
#include "loco/gguf.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    loco::GgufFile file = loco::GgufFile::from_bytes(std::vector<uint8_t>(data, data + size));
    // Touch every tensor's first and last byte: the reader promised they are in bounds.
    volatile uint8_t sink = 0;
    for (const loco::GgufTensor& t : file.tensors()) {
      sink = sink + t.data[0] + t.data[t.nbytes - 1];
    }
  } catch (const loco::Error&) {
  }
  return 0;
}
