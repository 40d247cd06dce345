// A deliberately naive float64 forward pass written for the tests, independent of the
// engine's ops, matmul and KV cache: weights are dequantized with dequantize_row (itself
// checked against the shared files) and every step is a plain loop. It is validated
// against the shared reference logits, then used as the oracle for cases the shared data
// does not cover (qwen2 biases, Llama 3.1 rope frequency factors, linear rope scaling).
#pragma once

#include <string>
#include <vector>

#include "loco/gguf.h"
#include "loco/session.h"

namespace loco::test {

// Logits of every position, [n_tokens][n_vocab], for the model in `file`.
std::vector<std::vector<double>> reference_forward(const GgufFile& file,
                                                   const std::vector<TokenId>& tokens);

}  // namespace loco::test
