# Project-wide compile options, applied through the loco_options interface target
# so third-party targets found with find_package are not affected.
add_library(loco_options INTERFACE)
target_compile_options(loco_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow
  -Wnon-virtual-dtor -Wcast-align -Wunused -Woverloaded-virtual -Wnull-dereference)
if(LOCO_WERROR)
  target_compile_options(loco_options INTERFACE -Werror)
endif()
if(LOCO_SANITIZE)
  target_compile_options(loco_options INTERFACE -fsanitize=address,undefined
    -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(loco_options INTERFACE -fsanitize=address,undefined)
endif()
if(LOCO_FUZZ)
  target_compile_options(loco_options INTERFACE -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
    -fno-omit-frame-pointer)
  target_link_options(loco_options INTERFACE -fsanitize=address,undefined)
endif()
