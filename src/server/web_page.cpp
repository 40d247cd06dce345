// The chat page: src/server/web/index.html, embedded at build time by cmake/EmbedText.cmake
// (src/CMakeLists.txt regenerates server/web_page_data.h whenever the page changes).
#include "server/web_page.h"

#include "server/web_page_data.h"

namespace loco::server {

std::string_view web_page() { return {reinterpret_cast<const char*>(kWebPage), kWebPage_size}; }

}  // namespace loco::server
