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
  // Set when --temp was given, so an explicit value equal to the default still overrides
  // the config file.
  CLI::Option* temperature_option = nullptr;
  bool temperature_given() const { return temperature_option != nullptr && temperature_option->count() > 0; }
};

void add_sampling_flags(CLI::App& app, SamplingFlags& flags);
// The sampler configuration; a seed from the system when none was given.
SamplerConfig sampler_config(const SamplingFlags& flags);

}  // namespace loco::cli
