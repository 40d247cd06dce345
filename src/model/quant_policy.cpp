// File types and the per-tensor choices of the usual quantization mixes. The rules follow
// llama.cpp's for the mixes users download (Q4_K_M above all), simplified where they only
// matter for architectures loco does not run.
#include <array>
#include <cctype>

#include "loco/model_tools.h"

namespace loco {
namespace {

struct FileTypeName {
  FileType type;
  const char* name;
};
constexpr std::array kFileTypes = {
    FileTypeName{FileType::F32, "F32"},       FileTypeName{FileType::F16, "F16"},
    FileTypeName{FileType::BF16, "BF16"},     FileTypeName{FileType::Q8_0, "Q8_0"},
    FileTypeName{FileType::Q4_0, "Q4_0"},     FileTypeName{FileType::Q4_1, "Q4_1"},
    FileTypeName{FileType::Q5_0, "Q5_0"},     FileTypeName{FileType::Q5_1, "Q5_1"},
    FileTypeName{FileType::Q2_K, "Q2_K"},     FileTypeName{FileType::Q3_K_M, "Q3_K_M"},
    FileTypeName{FileType::Q4_K_S, "Q4_K_S"}, FileTypeName{FileType::Q4_K_M, "Q4_K_M"},
    FileTypeName{FileType::Q5_K_S, "Q5_K_S"}, FileTypeName{FileType::Q5_K_M, "Q5_K_M"},
    FileTypeName{FileType::Q6_K, "Q6_K"},
};

// llama.cpp's choice of layers that get more bits in the _M mixes: the first and last
// eighth, and every third layer in between.
bool use_more_bits(int layer, int n_layer) {
  return layer < n_layer / 8 || layer >= 7 * n_layer / 8 || (layer - n_layer / 8) % 3 == 2;
}

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

GgmlType base_type(FileType type) {
  switch (type) {
    case FileType::F32: return GgmlType::F32;
    case FileType::F16: return GgmlType::F16;
    case FileType::BF16: return GgmlType::BF16;
    case FileType::Q8_0: return GgmlType::Q8_0;
    case FileType::Q4_0: return GgmlType::Q4_0;
    case FileType::Q4_1: return GgmlType::Q4_1;
    case FileType::Q5_0: return GgmlType::Q5_0;
    case FileType::Q5_1: return GgmlType::Q5_1;
    case FileType::Q2_K: return GgmlType::Q2_K;
    case FileType::Q3_K_M: return GgmlType::Q3_K;
    case FileType::Q4_K_S: case FileType::Q4_K_M: return GgmlType::Q4_K;
    case FileType::Q5_K_S: case FileType::Q5_K_M: return GgmlType::Q5_K;
    case FileType::Q6_K: return GgmlType::Q6_K;
  }
  return GgmlType::F16;
}

// K-quants need rows of 256; other rows get the nearest 32-value type.
GgmlType fit_row(GgmlType type, int64_t row_length) {
  const TypeInfo& info = type_info(type);
  if (row_length % info.block_size == 0) return type;
  GgmlType fallback = GgmlType::F16;
  switch (type) {
    case GgmlType::Q2_K: case GgmlType::Q3_K: fallback = GgmlType::Q4_0; break;
    case GgmlType::Q4_K: fallback = GgmlType::Q5_0; break;
    case GgmlType::Q5_K: fallback = GgmlType::Q5_1; break;
    case GgmlType::Q6_K: fallback = GgmlType::Q8_0; break;
    default: break;
  }
  return row_length % type_info(fallback).block_size == 0 ? fallback : GgmlType::F16;
}

}  // namespace

std::optional<FileType> file_type_from_name(std::string_view name) {
  for (const FileTypeName& f : kFileTypes) {
    std::string_view candidate(f.name);
    if (candidate.size() != name.size()) continue;
    bool equal = true;
    for (size_t i = 0; i < name.size() && equal; ++i) {
      equal = std::toupper(static_cast<unsigned char>(name[i])) == candidate[i];
    }
    if (equal) return f.type;
  }
  return std::nullopt;
}

std::string_view file_type_name(FileType type) {
  for (const FileTypeName& f : kFileTypes) {
    if (f.type == type) return f.name;
  }
  return "unknown";
}

std::vector<std::string_view> file_type_names() {
  std::vector<std::string_view> names;
  for (const FileTypeName& f : kFileTypes) names.emplace_back(f.name);
  return names;
}

GgmlType tensor_type_for(FileType type, const TensorPlace& p) {
  if (p.n_dims < 2) return GgmlType::F32;
  GgmlType t = base_type(type);
  const bool float_file = type == FileType::F32 || type == FileType::F16 || type == FileType::BF16;
  const bool is_output = p.name == "output.weight" || (!p.has_output && p.name == "token_embd.weight");
  if (!float_file) {
    if (is_output) {
      if (type != FileType::Q8_0) t = GgmlType::Q6_K;
    } else if (contains(p.name, "attn_v.weight")) {
      if ((type == FileType::Q4_K_M || type == FileType::Q5_K_M) && use_more_bits(p.layer, p.n_layer)) {
        t = GgmlType::Q6_K;
      } else if (type == FileType::Q3_K_M) {
        t = p.layer < 2 ? GgmlType::Q5_K : GgmlType::Q4_K;
      } else if (type == FileType::Q2_K) {
        t = GgmlType::Q3_K;
      }
    } else if (contains(p.name, "ffn_down.weight")) {
      if ((type == FileType::Q4_K_M || type == FileType::Q5_K_M) && use_more_bits(p.layer, p.n_layer)) {
        t = GgmlType::Q6_K;
      } else if (type == FileType::Q3_K_M || type == FileType::Q2_K) {
        t = type == FileType::Q3_K_M ? GgmlType::Q4_K : GgmlType::Q3_K;
      }
    } else if (contains(p.name, "attn_output.weight")) {
      if (type == FileType::Q3_K_M) t = GgmlType::Q4_K;
      if (type == FileType::Q2_K) t = GgmlType::Q3_K;
    }
  }
  return fit_row(t, p.row_length);
}

}  // namespace loco
