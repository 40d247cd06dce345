// The chat page served at `/`: one self-contained HTML file (src/server/web/index.html),
// built into the binary so that it works offline.
#pragma once

#include <string_view>

namespace loco::server {

std::string_view web_page();

}  // namespace loco::server
