// `loco bench -m MODEL -p 512 -n 128 -t 2 [--batch N] [--json]`: prompt processing,
// generation and batched generation speed, each the median of several runs, next to the
// memory-bandwidth limit measured in the same run.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>

#include "commands.h"
#include "common_options.h"
#include "loco/error.h"
#include "loco/lora.h"
#include "loco/session.h"
#include "loco/thread_pool.h"
#include "loco/kernel_info.h"

namespace loco::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct BenchFlags {
  std::string model;
  int32_t n_prompt = 512;
  int32_t n_gen = 128;
  int32_t batch = 0;
  int32_t shared_prompt = 64;
  int reps = 3;
  bool json = false;
  std::vector<std::string> loras;
  EngineFlags engine;
};

struct Stat {
  double median = 0, min = 0, max = 0;
};

Stat summarize(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  Stat s;
  s.min = v.front();
  s.max = v.back();
  s.median = v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
  return s;
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Peak and current resident memory of this process, in bytes.
std::pair<uint64_t, uint64_t> resident_memory() {
  std::ifstream status("/proc/self/status");
  uint64_t rss = 0, hwm = 0;
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) rss = std::stoull(line.substr(6)) * 1024;
    if (line.rfind("VmHWM:", 0) == 0) hwm = std::stoull(line.substr(6)) * 1024;
  }
  return {rss, hwm};
}

// Read bandwidth of main memory: every thread sums its part of a 1 GiB buffer.
double measure_read_bandwidth(ThreadPool& pool) {
  const size_t n = (size_t{1} << 30) / sizeof(uint64_t);
  std::vector<uint64_t> buffer(n, 1);
  const int64_t chunks = 64;
  std::vector<uint64_t> sums(static_cast<size_t>(chunks));
  double best = 0.0;
  for (int rep = 0; rep < 4; ++rep) {
    auto t0 = Clock::now();
    pool.parallel_for(chunks, [&](int64_t c, int) {
      const uint64_t* p = buffer.data() + static_cast<size_t>(c) * (n / chunks);
      uint64_t a = 0, b = 0, d = 0, e = 0;
      for (size_t i = 0; i < n / chunks; i += 4) {
        a += p[i];
        b += p[i + 1];
        d += p[i + 2];
        e += p[i + 3];
      }
      sums[static_cast<size_t>(c)] = a + b + d + e;
    });
    const double t = seconds_since(t0);
    if (std::accumulate(sums.begin(), sums.end(), uint64_t{0}) != n) throw Error("bandwidth check failed");
    best = std::max(best, static_cast<double>(n * sizeof(uint64_t)) / t / 1e9);
  }
  return best;
}

std::vector<TokenId> random_tokens(int32_t n, int32_t n_vocab, uint32_t seed) {
  std::vector<TokenId> t(static_cast<size_t>(n));
  uint32_t x = seed * 2654435761u + 1;
  for (TokenId& id : t) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    id = static_cast<TokenId>(x % static_cast<uint32_t>(std::min(n_vocab, 32000)));
  }
  return t;
}

int run_bench(const BenchFlags& opt) {
  const auto load_start = Clock::now();
  auto model = Model::load(opt.model);
  const double load_seconds = seconds_since(load_start);
  const ModelConfig& c = model->config();
  const int32_t n_seq = std::max(1, opt.batch);
  const int32_t per_seq = std::max(opt.n_prompt, opt.shared_prompt) + opt.n_gen + 8;
  SessionOptions so = session_options(opt.engine, per_seq);
  so.n_seq = n_seq;
  so.n_ctx_total = so.n_ctx + (n_seq - 1) * (opt.n_gen + KvCache::kBlockSize);
  Session session(model, so);
  ThreadPool pool(so.n_threads > 0 ? so.n_threads : ThreadPool::default_threads());
  const int threads = pool.size();

  // Fault the weights in before timing anything (the first token reads every weight).
  const auto first_start = Clock::now();
  session.decode_sequence(0, random_tokens(1, c.n_vocab, 99));
  const double first_token_seconds = seconds_since(first_start);
  session.decode_sequence(0, random_tokens(7, c.n_vocab, 98));
  session.kv_cache().clear(0);

  nlohmann::json out;
  out["model"] = opt.model;
  out["model_bytes"] = model->weight_bytes();
  out["threads"] = threads;
  out["kernels"] = kernel_isa();
  out["reps"] = opt.reps;
  out["load_seconds"] = load_seconds;
  out["first_token_seconds"] = first_token_seconds;

  if (opt.n_prompt > 0) {
    std::vector<double> rates;
    for (int r = 0; r < opt.reps; ++r) {
      auto tokens = random_tokens(opt.n_prompt, c.n_vocab, static_cast<uint32_t>(r));
      session.kv_cache().clear(0);
      auto t0 = Clock::now();
      session.decode_sequence(0, tokens);
      rates.push_back(opt.n_prompt / seconds_since(t0));
    }
    Stat s = summarize(rates);
    out["prompt_tokens"] = opt.n_prompt;
    out["prompt_tokens_per_s"] = s.median;
    out["prompt_tokens_per_s_min"] = s.min;
    out["prompt_tokens_per_s_max"] = s.max;
  }
  if (opt.n_gen > 0) {
    std::vector<double> rates;
    for (int r = 0; r < opt.reps; ++r) {
      auto tokens = random_tokens(opt.n_gen, c.n_vocab, 100 + static_cast<uint32_t>(r));
      session.kv_cache().clear(0);
      auto t0 = Clock::now();
      for (TokenId t : tokens) session.decode_sequence(0, std::span<const TokenId>(&t, 1));
      rates.push_back(opt.n_gen / seconds_since(t0));
    }
    Stat s = summarize(rates);
    out["gen_tokens"] = opt.n_gen;
    out["gen_tokens_per_s"] = s.median;
    out["gen_tokens_per_s_min"] = s.min;
    out["gen_tokens_per_s_max"] = s.max;
  }
  if (opt.batch > 0 && opt.n_gen > 0) {
    std::vector<double> rates;
    for (int r = 0; r < opt.reps; ++r) {
      for (int32_t s = 0; s < n_seq; ++s) session.kv_cache().clear(s);
      session.decode_sequence(0, random_tokens(opt.shared_prompt, c.n_vocab, 200));
      for (int32_t s = 1; s < n_seq; ++s) session.kv_cache().fork(0, s);
      std::vector<BatchToken> step(static_cast<size_t>(n_seq));
      auto t0 = Clock::now();
      for (int32_t i = 0; i < opt.n_gen; ++i) {
        for (int32_t s = 0; s < n_seq; ++s) {
          step[static_cast<size_t>(s)] = {static_cast<TokenId>((i * 31 + s * 7) % 1000), s, true};
        }
        session.decode(step);
      }
      rates.push_back(static_cast<double>(n_seq) * opt.n_gen / seconds_since(t0));
    }
    Stat s = summarize(rates);
    out["batch"] = n_seq;
    out["batch_gen_tokens_per_s"] = s.median;
    out["batch_gen_tokens_per_s_min"] = s.min;
    out["batch_gen_tokens_per_s_max"] = s.max;
  }
  if (!opt.loras.empty()) {
    // Loading each adapter (from the page cache after the first run), switching a sequence
    // between resident adapters, and generation speed with an adapter bound.
    std::vector<double> load_ms, swap_us;
    std::vector<std::shared_ptr<const LoraAdapter>> resident;
    for (int r = 0; r < opt.reps; ++r) {
      resident.clear();
      for (const std::string& path : opt.loras) {
        auto t0 = Clock::now();
        resident.push_back(LoraAdapter::load(path, *model));
        load_ms.push_back(seconds_since(t0) * 1e3);
      }
    }
    for (int i = 0; i < 100; ++i) {
      auto t0 = Clock::now();
      session.set_adapter(0, resident[static_cast<size_t>(i) % resident.size()], 1.0f);
      swap_us.push_back(seconds_since(t0) * 1e6);
    }
    out["lora_adapters"] = opt.loras.size();
    out["lora_bytes"] = resident[0]->bytes();
    out["lora_max_rank"] = resident[0]->max_rank();
    out["lora_load_ms"] = summarize(load_ms).median;
    out["lora_swap_us"] = summarize(swap_us).median;
    if (opt.n_gen > 0) {
      std::vector<double> rates;
      for (int r = 0; r < opt.reps; ++r) {
        session.set_adapter(0, resident[static_cast<size_t>(r) % resident.size()], 1.0f);
        auto tokens = random_tokens(opt.n_gen, c.n_vocab, 300 + static_cast<uint32_t>(r));
        session.kv_cache().clear(0);
        auto t0 = Clock::now();
        for (TokenId t : tokens) session.decode_sequence(0, std::span<const TokenId>(&t, 1));
        rates.push_back(opt.n_gen / seconds_since(t0));
      }
      out["lora_gen_tokens_per_s"] = summarize(rates).median;
    }
    session.set_adapter(0, nullptr);
  }
  auto [rss, hwm] = resident_memory();
  out["rss_bytes"] = rss;
  out["peak_rss_bytes"] = hwm;
  out["ctx"] = so.n_ctx;
  const double bw = measure_read_bandwidth(pool);
  out["mem_read_gb_per_s"] = bw;
  out["bandwidth_limit_tokens_per_s"] = bw * 1e9 / static_cast<double>(model->weight_bytes());

  if (!opt.json) {
    fmt::print("model      {} ({:.2f} GiB, {})\n", opt.model, model->weight_bytes() / double(1 << 30),
               c.arch_name);
    fmt::print("threads    {}  kernels {}\n", threads, kernel_isa());
    fmt::print("load       {:.3f} s to map and check the file, {:.3f} s for the first token (weights faulted in)\n",
               load_seconds, first_token_seconds);
    if (out.contains("prompt_tokens_per_s")) {
      fmt::print("prompt     {:>4} tokens  {:8.2f} tokens/s  (min {:.2f}, max {:.2f}, {} runs)\n",
                 opt.n_prompt, out["prompt_tokens_per_s"].get<double>(),
                 out["prompt_tokens_per_s_min"].get<double>(), out["prompt_tokens_per_s_max"].get<double>(),
                 opt.reps);
    }
    if (out.contains("gen_tokens_per_s")) {
      fmt::print("generate   {:>4} tokens  {:8.2f} tokens/s  (min {:.2f}, max {:.2f}; {:.0f}% of the bandwidth limit)\n",
                 opt.n_gen, out["gen_tokens_per_s"].get<double>(), out["gen_tokens_per_s_min"].get<double>(),
                 out["gen_tokens_per_s_max"].get<double>(),
                 100.0 * out["gen_tokens_per_s"].get<double>() / out["bandwidth_limit_tokens_per_s"].get<double>());
    }
    if (out.contains("batch_gen_tokens_per_s")) {
      fmt::print("batch x{:<2}  {:>4} steps   {:8.2f} tokens/s aggregate  (min {:.2f}, max {:.2f})\n", n_seq,
                 opt.n_gen, out["batch_gen_tokens_per_s"].get<double>(),
                 out["batch_gen_tokens_per_s_min"].get<double>(), out["batch_gen_tokens_per_s_max"].get<double>());
    }
    if (out.contains("lora_load_ms")) {
      fmt::print("lora       {} adapter(s), {:.1f} MiB each (rank {}): load {:.1f} ms, switch {:.2f} us, generate "
                 "{:.2f} tokens/s with one bound\n",
                 opt.loras.size(), out["lora_bytes"].get<double>() / (1 << 20), out["lora_max_rank"].get<int>(),
                 out["lora_load_ms"].get<double>(), out["lora_swap_us"].get<double>(),
                 out.value("lora_gen_tokens_per_s", 0.0));
    }
    fmt::print("memory     read {:.1f} GB/s -> bandwidth limit {:.2f} tokens/s; peak RSS {:.0f} MiB (file {:.0f} MiB)\n",
               bw, out["bandwidth_limit_tokens_per_s"].get<double>(), hwm / double(1 << 20),
               model->weight_bytes() / double(1 << 20));
  }
  fmt::print("{}\n", out.dump());
  return 0;
}

}  // namespace

Command register_bench(CLI::App& root) {
  auto opt = std::make_shared<BenchFlags>();
  CLI::App* app = root.add_subcommand("bench", "Measure prompt, generation and batched generation speed");
  app->add_option("-m,--model", opt->model, "GGUF model file")->required();
  app->add_option("-p,--n-prompt", opt->n_prompt, "Prompt tokens (0: skip)")->capture_default_str()->check(CLI::Range(0, 65536));
  app->add_option("-n,--n-gen", opt->n_gen, "Generated tokens (0: skip)")->capture_default_str()->check(CLI::Range(0, 65536));
  app->add_option("--batch", opt->batch, "Also decode this many sequences together")->check(CLI::Range(0, 256));
  app->add_option("--shared-prompt", opt->shared_prompt, "Prompt tokens the batch sequences share")
      ->capture_default_str()->check(CLI::Range(1, 65536));
  app->add_option("-r,--reps", opt->reps, "Runs of each test; the median is reported")->capture_default_str()->check(CLI::Range(1, 100));
  app->add_flag("--json", opt->json, "Only print the JSON line");
  app->add_option("--lora-swap", opt->loras, "Also time loading, switching and generating with these adapters");
  add_engine_flags(*app, opt->engine);
  return {app, [opt] { return run_bench(*opt); }};
}

}  // namespace loco::cli
