// Sampling flags shared by the commands that generate text.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>

#include "loco/sampler.h"

namespace loco::cli {

struct SamplingFlags {
  SamplerConfig config;
  std::optional<uint64_t> seed;
  bool greedy = false;
};

void add_sampling_flags(CLI::App& app, SamplingFlags& flags);
// The sampler configuration; a seed from the system when none was given.
SamplerConfig sampler_config(const SamplingFlags& flags);

}  // namespace loco::cli
