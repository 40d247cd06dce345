#include "sampling_flags.h"

#include <random>

namespace loco::cli {

void add_sampling_flags(CLI::App& app, SamplingFlags& flags) {
  SamplerConfig& c = flags.config;
  flags.temperature_option = app.add_option("--temp,--temperature", c.temperature, "Sampling temperature; 0 = greedy")
      ->capture_default_str()->check(CLI::Range(0.0, 100.0));
  app.add_option("--top-k", c.top_k, "Keep the k most likely tokens; 0 = off")->capture_default_str();
  app.add_option("--top-p", c.top_p, "Nucleus sampling threshold; 1 = off")
      ->capture_default_str()->check(CLI::Range(0.0, 1.0));
  app.add_option("--min-p", c.min_p, "Drop tokens below min-p times the top probability; 0 = off")
      ->capture_default_str()->check(CLI::Range(0.0, 1.0));
  app.add_option("--repeat-penalty", c.repeat_penalty, "Repetition penalty; 1 = off")
      ->capture_default_str()->check(CLI::Range(0.01, 10.0));
  app.add_option("--repeat-last-n", c.repeat_last_n, "Tokens of history penalised; -1 = all")
      ->capture_default_str()->check(CLI::Range(-1, 1 << 20));
  app.add_option("--presence-penalty", c.presence_penalty, "Presence penalty")->capture_default_str();
  app.add_option("--frequency-penalty", c.frequency_penalty, "Frequency penalty")->capture_default_str();
  app.add_option("-s,--seed", flags.seed, "Random seed: the same seed gives the same text");
  app.add_flag("--greedy", flags.greedy, "Always take the most likely token (same as --temp 0)");
}

SamplerConfig sampler_config(const SamplingFlags& flags) {
  SamplerConfig c = flags.config;
  if (flags.greedy) c.temperature = 0.0f;
  if (flags.seed) {
    c.seed = *flags.seed;
  } else {
    std::random_device rd;
    c.seed = (static_cast<uint64_t>(rd()) << 32) | rd();
  }
  return c;
}

}  // namespace loco::cli
