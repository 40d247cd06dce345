#include "loco/sample_many.h"

#include "loco/error.h"
#include "loco/generate_batch.h"

namespace loco {

SampleManyResult sample_many(Session& session, const Tokenizer& tokenizer, std::span<const TokenId> prompt,
                             int32_t n, const GenerateOptions& options, const SampleFinished& on_finished) {
  SampleGroup group;
  group.adapter = session.adapter(0);
  group.scale = session.adapter_scale(0);
  group.count = n;
  return sample_groups(session, tokenizer, prompt, std::span<const SampleGroup>(&group, 1), options, on_finished);
}

SampleManyResult sample_groups(Session& session, const Tokenizer& tokenizer, std::span<const TokenId> prompt,
                               std::span<const SampleGroup> groups, const GenerateOptions& options,
                               const SampleFinished& on_finished) {
  // One prompt per group (keys and values depend on the adapter); sample i of the whole
  // run draws with seed + i, whichever group it is in.
  std::vector<BatchPrompt> prompts;
  uint64_t offset = 0;
  for (const SampleGroup& g : groups) {
    if (g.count < 1) throw Error("every sample group needs at least one sample");
    if (prompt.empty()) throw Error("the prompt is empty");
    prompts.push_back({std::vector<TokenId>(prompt.begin(), prompt.end()), g.adapter, g.scale, g.count,
                       options.sampling.seed + offset});
    offset += static_cast<uint64_t>(g.count);
  }
  if (prompts.empty()) throw Error("the number of samples must be at least 1");
  return generate_batch(session, tokenizer, prompts, options, on_finished);
}

}  // namespace loco
