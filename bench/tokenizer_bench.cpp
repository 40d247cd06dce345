// Tokenizer throughput on ~10 KB of English prose with real vocabularies.
// Finds the shared test data through LOCO_TESTDATA, else ../shared/testdata.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "loco/gguf.h"
#include "loco/tokenizer.h"

namespace {

std::string vocab_path(const char* file) {
  const char* dir = std::getenv("LOCO_TESTDATA");
  return std::string(dir != nullptr ? dir : "../shared/testdata") + "/tokenizer/" + file;
}

std::string english_text() {
  const std::string paragraph =
      "The quick brown fox jumps over the lazy dog, while 42 curious onlookers "
      "wonder why it isn't tired yet. Tokenizers split text into pieces: words, "
      "numbers like 3.14159, punctuation (\"quotes\", brackets) and whitespace.\n";
  std::string text;
  while (text.size() < 10 * 1024) text += paragraph;
  return text;
}

std::optional<loco::Tokenizer> load(benchmark::State& state, const char* file) {
  try {
    return loco::Tokenizer::from_gguf(loco::GgufFile::open(vocab_path(file)));
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return std::nullopt;
  }
}

void encode_bench(benchmark::State& state, const char* file) {
  const std::optional<loco::Tokenizer> tok = load(state, file);
  if (!tok) return;
  const std::string text = english_text();
  size_t n_tokens = 0;
  for (auto _ : state) {
    const std::vector<loco::TokenId> ids = tok->encode(text, false, false);
    n_tokens = ids.size();
    benchmark::DoNotOptimize(ids.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  state.counters["tokens"] = static_cast<double>(n_tokens);
}

void load_bench(benchmark::State& state, const char* file) {
  if (!load(state, file)) return;
  const loco::GgufFile gguf = loco::GgufFile::open(vocab_path(file));
  for (auto _ : state) {
    loco::Tokenizer tok = loco::Tokenizer::from_gguf(gguf);
    benchmark::DoNotOptimize(tok.n_vocab());
  }
}

BENCHMARK_CAPTURE(encode_bench, qwen3, "ggml-vocab-qwen3.gguf")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(encode_bench, llama3, "ggml-vocab-llama3.gguf")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(encode_bench, llama_spm, "ggml-vocab-llama-spm.gguf")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(load_bench, qwen3, "ggml-vocab-qwen3.gguf")->Unit(benchmark::kMillisecond);

}  // namespace
