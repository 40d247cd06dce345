# Writes a file's bytes into a C++ header as an array, so that a text file (the chat page
# of `loco serve`) is built into the binary. Run as a script at build time:
#
#   cmake -DINPUT=page.html -DOUTPUT=page.inc.h -DNAME=kPage -P EmbedText.cmake
#
# The header defines `inline constexpr unsigned char NAME[]` holding the bytes (no
# terminating zero is added). Bytes are written as hex numbers, so no content can end a
# literal early.
foreach(var INPUT OUTPUT NAME)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "EmbedText.cmake: -D${var}=... is required")
  endif()
endforeach()

file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_length)
math(EXPR size "${hex_length} / 2")
if(size EQUAL 0)
  message(FATAL_ERROR "EmbedText.cmake: ${INPUT} is empty")
endif()
# 0xAB, for each byte; a line break after every 16 bytes keeps the header readable.
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){16})" "\\1\n  " bytes "${bytes}")

get_filename_component(input_name "${INPUT}" NAME)
set(content "// Generated from ${input_name} by cmake/EmbedText.cmake at build time: do not edit.
#pragma once

#include <cstddef>

inline constexpr unsigned char ${NAME}[] = {
  ${bytes}
};
inline constexpr std::size_t ${NAME}_size = ${size};
")
file(WRITE "${OUTPUT}" "${content}")
