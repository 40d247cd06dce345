// The two kinds of remote backend (connect_remote picks one).
#pragma once

#include <memory>

#include "loco/remote.h"

namespace loco::remote {

std::shared_ptr<RemoteBackend> make_openai_backend(const RemoteSpec& spec, const RemoteOptions& options);
std::shared_ptr<RemoteBackend> make_anthropic_backend(const RemoteSpec& spec, const RemoteOptions& options);

}  // namespace loco::remote
