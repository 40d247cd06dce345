// Reference quantizers of the K-quants. Rounding every value with the plain max-based
// scale wastes levels, so each sub-block's scale (and minimum) is chosen by a small
// search that minimizes a weighted squared (or absolute) error, then the per-sub-block
// scales are themselves quantized to 4, 6 or 8 bits against one fp16 super-block
// scale, and finally every value is re-rounded with the scale it will really be
// decoded with. These are the searches of ggml's reference quantizers (the ideas of
// make_qx_quants / make_q3_quants / make_qkx2_quants), so `loco quantize` writes files
// of the same quality as llama.cpp does without an importance matrix.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/ref/ref.h"
#include "tensor/blocks.h"
#include "tensor/fp16.h"
#include "tensor/kquant_scales.h"

namespace loco::kernels::ref {
namespace {

// Below this a group counts as all zero (a scale of ~0 would only produce noise).
constexpr float kGroupMaxEps = 1e-15f;

int nearest(float v) { return round_even_clamped(v, -(1 << 24), 1 << 24); }

// Symmetric levels −nmax..nmax−1 for x ≈ scale·l, written as l + nmax into L.
// The scale's sign follows the value of largest magnitude so that value can take the
// extra negative level. Tries 19 scales around nmax / max and keeps the one whose
// least-squares scale explains most of the signal, weighting each value by x².
// Returns the least-squares scale of the chosen levels.
float fit_symmetric(int n, int nmax, const float* x, int8_t* L) {
  float amax = 0.0f;
  float max = 0.0f;
  for (int i = 0; i < n; ++i) {
    if (std::fabs(x[i]) > amax) {
      amax = std::fabs(x[i]);
      max = x[i];
    }
  }
  if (amax < kGroupMaxEps) {
    std::memset(L, 0, static_cast<size_t>(n));
    return 0.0f;
  }
  // For a fixed set of levels the best scale is Σwxl / Σwl², and the error it leaves
  // is Σwx² − (Σwxl)² / Σwl²: the candidate with the largest (Σwxl)² / Σwl² wins.
  auto score = [&](float iscale, float* sumlx, float* suml2) {
    *sumlx = 0.0f;
    *suml2 = 0.0f;
    for (int i = 0; i < n; ++i) {
      const int l = std::clamp(nearest(iscale * x[i]), -nmax, nmax - 1);
      const float w = x[i] * x[i];
      *sumlx += w * x[i] * static_cast<float>(l);
      *suml2 += w * static_cast<float>(l * l);
    }
  };
  auto assign = [&](float iscale) {
    for (int i = 0; i < n; ++i) {
      L[i] = static_cast<int8_t>(nmax + std::clamp(nearest(iscale * x[i]), -nmax, nmax - 1));
    }
  };
  float iscale = -static_cast<float>(nmax) / max;
  float sumlx = 0.0f;
  float suml2 = 0.0f;
  score(iscale, &sumlx, &suml2);
  assign(iscale);
  float scale = suml2 != 0.0f ? sumlx / suml2 : 0.0f;
  float best = scale * sumlx;
  for (int step = -9; step <= 9; ++step) {
    if (step == 0) continue;
    iscale = -(static_cast<float>(nmax) + 0.1f * static_cast<float>(step)) / max;
    score(iscale, &sumlx, &suml2);
    if (suml2 > 0.0f && sumlx * sumlx > best * suml2) {
      assign(iscale);
      scale = sumlx / suml2;
      best = scale * sumlx;
    }
  }
  return scale;
}

// As fit_symmetric for few levels (Q3_K: −4..3), where rounding at one scale is far
// from optimal: start from nmax / max, then move single values to the level that the
// current least-squares scale prefers while that lowers the x²-weighted error.
float fit_symmetric_refined(int n, int nmax, const float* x, int8_t* L) {
  float amax = 0.0f;
  float max = 0.0f;
  for (int i = 0; i < n; ++i) {
    if (std::fabs(x[i]) > amax) {
      amax = std::fabs(x[i]);
      max = x[i];
    }
  }
  if (amax < kGroupMaxEps) {
    std::memset(L, 0, static_cast<size_t>(n));
    return 0.0f;
  }
  const float iscale = -static_cast<float>(nmax) / max;
  float sumlx = 0.0f;
  float suml2 = 0.0f;
  for (int i = 0; i < n; ++i) {
    const int l = std::clamp(nearest(iscale * x[i]), -nmax, nmax - 1);
    L[i] = static_cast<int8_t>(l);
    const float w = x[i] * x[i];
    sumlx += w * x[i] * static_cast<float>(l);
    suml2 += w * static_cast<float>(l * l);
  }
  for (int pass = 0; pass < 5; ++pass) {
    int changed = 0;
    for (int i = 0; i < n; ++i) {
      const float w = x[i] * x[i];
      // The sums without value i; its best level under their scale is x·Σl²/Σxl.
      float slx = sumlx - w * x[i] * static_cast<float>(L[i]);
      if (!(slx > 0.0f)) continue;
      float sl2 = suml2 - w * static_cast<float>(L[i] * L[i]);
      const int candidate = std::clamp(nearest(x[i] * sl2 / slx), -nmax, nmax - 1);
      if (candidate == L[i]) continue;
      slx += w * x[i] * static_cast<float>(candidate);
      sl2 += w * static_cast<float>(candidate * candidate);
      // Keep the move if it raises (Σwxl)²/Σwl², i.e. lowers the remaining error.
      if (sl2 > 0.0f && slx * slx * suml2 > sumlx * sumlx * sl2) {
        L[i] = static_cast<int8_t>(candidate);
        sumlx = slx;
        suml2 = sl2;
        ++changed;
      }
    }
    if (changed == 0) break;
  }
  for (int i = 0; i < n; ++i) L[i] = static_cast<int8_t>(L[i] + nmax);
  return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
}

// Levels 0..nmax for x ≈ scale·l − min_out (min_out >= 0), minimizing Σ w·err² (or
// Σ w·|err| with use_abs). Starts from the range [min(x, 0), max(x)], then tries
// nstep + 1 level assignments from the scales (nmax + rmin + rdelta·k) / range and
// fits scale and offset to each by weighted least squares, keeping the best.
struct OffsetSearch {
  float rmin;
  float rdelta;
  int nstep;
  bool use_abs;
};

float fit_with_offset(int n, int nmax, const float* x, const float* weights, uint8_t* L,
                      float* min_out, const OffsetSearch& search) {
  float min = x[0];
  float max = x[0];
  float sum_w = 0.0f;
  float sum_x = 0.0f;
  for (int i = 0; i < n; ++i) {
    min = std::min(min, x[i]);
    max = std::max(max, x[i]);
    sum_w += weights[i];
    sum_x += weights[i] * x[i];
  }
  // The offset only ever shifts down: a group of positive values keeps min = 0.
  min = std::min(min, 0.0f);
  if (!(max > min)) {
    std::memset(L, 0, static_cast<size_t>(n));
    *min_out = -min;
    return 0.0f;
  }
  auto error_of = [&](const uint8_t* levels, float scale, float offset) {
    float err = 0.0f;
    for (int i = 0; i < n; ++i) {
      const float diff = scale * static_cast<float>(levels[i]) + offset - x[i];
      err += weights[i] * (search.use_abs ? std::fabs(diff) : diff * diff);
    }
    return err;
  };
  const float range = max - min;
  float iscale = static_cast<float>(nmax) / range;
  float scale = 1.0f / iscale;
  for (int i = 0; i < n; ++i) {
    L[i] = static_cast<uint8_t>(std::clamp(nearest(iscale * (x[i] - min)), 0, nmax));
  }
  float best_error = error_of(L, scale, min);

  uint8_t trial[32];
  for (int k = 0; k <= search.nstep; ++k) {
    iscale = (search.rmin + search.rdelta * static_cast<float>(k) + static_cast<float>(nmax)) / range;
    float sum_l = 0.0f;
    float sum_l2 = 0.0f;
    float sum_xl = 0.0f;
    for (int i = 0; i < n; ++i) {
      const int l = std::clamp(nearest(iscale * (x[i] - min)), 0, nmax);
      trial[i] = static_cast<uint8_t>(l);
      const float w = weights[i];
      sum_l += w * static_cast<float>(l);
      sum_l2 += w * static_cast<float>(l * l);
      sum_xl += w * static_cast<float>(l) * x[i];
    }
    // Weighted least squares for x ≈ s·l + o over the trial levels.
    const float det = sum_w * sum_l2 - sum_l * sum_l;
    if (!(det > 0.0f)) continue;
    float trial_scale = (sum_w * sum_xl - sum_x * sum_l) / det;
    float trial_offset = (sum_l2 * sum_x - sum_l * sum_xl) / det;
    if (trial_offset > 0.0f) {  // an offset above zero cannot be stored; refit without
      trial_offset = 0.0f;
      trial_scale = sum_xl / sum_l2;
    }
    const float err = error_of(trial, trial_scale, trial_offset);
    if (err < best_error) {
      std::memcpy(L, trial, static_cast<size_t>(n));
      best_error = err;
      scale = trial_scale;
      min = trial_offset;
    }
  }
  *min_out = -min;
  return scale;
}

}  // namespace

// ---- Q2_K: 16 groups of 16, 2-bit levels, 4-bit scales and minimums ----

void quantize_q2_k(const float* src, void* dst, int64_t n) {
  auto* blocks = static_cast<BlockQ2_K*>(dst);
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    const float* x = src + b * kQK_K;
    BlockQ2_K& y = blocks[b];
    uint8_t L[kQK_K];
    float scales[16];
    float mins[16];
    float weights[16];
    float max_scale = 0.0f;
    float max_min = 0.0f;
    for (int j = 0; j < 16; ++j) {
      // With only four levels, weighting by |x| and fitting absolute errors keeps
      // the large values, which matter most, close.
      for (int l = 0; l < 16; ++l) weights[l] = std::fabs(x[16 * j + l]);
      scales[j] = fit_with_offset(16, 3, x + 16 * j, weights, L + 16 * j, &mins[j],
                                  {-0.5f, 0.1f, 15, true});
      max_scale = std::max(max_scale, scales[j]);
      max_min = std::max(max_min, mins[j]);
    }
    std::memset(y.scales, 0, sizeof(y.scales));
    y.d = float_to_half(0.0f);
    y.dmin = float_to_half(0.0f);
    if (max_scale > 0.0f) {
      const float iscale = 15.0f / max_scale;
      for (int j = 0; j < 16; ++j) {
        y.scales[j] = static_cast<uint8_t>(std::clamp(nearest(iscale * scales[j]), 0, 15));
      }
      y.d = float_to_half(max_scale / 15.0f);
    }
    if (max_min > 0.0f) {
      const float iscale = 15.0f / max_min;
      for (int j = 0; j < 16; ++j) {
        const int m = std::clamp(nearest(iscale * mins[j]), 0, 15);
        y.scales[j] = static_cast<uint8_t>(y.scales[j] | (m << 4));
      }
      y.dmin = float_to_half(max_min / 15.0f);
    }
    // Re-round every value with the scale and minimum it will be decoded with.
    for (int j = 0; j < 16; ++j) {
      const float d = half_to_float(y.d) * static_cast<float>(y.scales[j] & 15);
      if (d == 0.0f) continue;
      const float m = half_to_float(y.dmin) * static_cast<float>(y.scales[j] >> 4);
      for (int l = 0; l < 16; ++l) {
        L[16 * j + l] = static_cast<uint8_t>(std::clamp(nearest((x[16 * j + l] + m) / d), 0, 3));
      }
    }
    // Bits 2s..2s+1 of byte k of half h hold value 128·h + 32·s + k.
    for (int h = 0; h < 2; ++h) {
      for (int k = 0; k < 32; ++k) {
        const uint8_t* v = L + 128 * h + k;
        y.qs[32 * h + k] = static_cast<uint8_t>(v[0] | (v[32] << 2) | (v[64] << 4) | (v[96] << 6));
      }
    }
  }
}

// ---- Q3_K: 16 groups of 16, levels −4..3, signed 6-bit scales ----

void quantize_q3_k(const float* src, void* dst, int64_t n) {
  auto* blocks = static_cast<BlockQ3_K*>(dst);
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    const float* x = src + b * kQK_K;
    BlockQ3_K& y = blocks[b];
    int8_t L[kQK_K];
    float scales[16];
    float max_scale = 0.0f;  // the scale of largest magnitude, with its sign
    for (int j = 0; j < 16; ++j) {
      scales[j] = fit_symmetric_refined(16, 4, x + 16 * j, L + 16 * j);
      if (std::fabs(scales[j]) > std::fabs(max_scale)) max_scale = scales[j];
    }
    std::memset(y.scales, 0, sizeof(y.scales));
    y.d = float_to_half(0.0f);
    if (max_scale != 0.0f) {
      const float iscale = -32.0f / max_scale;
      for (int j = 0; j < 16; ++j) {
        pack_scale_q3k(y.scales, j, std::clamp(nearest(iscale * scales[j]), -32, 31) + 32);
      }
      y.d = float_to_half(1.0f / iscale);
    }
    for (int j = 0; j < 16; ++j) {
      const float d = half_to_float(y.d) * static_cast<float>(unpack_scale_q3k(y.scales, j));
      if (d == 0.0f) continue;
      for (int l = 0; l < 16; ++l) {
        L[16 * j + l] = static_cast<int8_t>(std::clamp(nearest(x[16 * j + l] / d), -4, 3) + 4);
      }
    }
    // Levels 0..7 here; the third bit goes to hmask (bit v/32 of hmask[v%32]) and is
    // stored set for levels >= 4, which decode as their low 2 bits.
    std::memset(y.hmask, 0, sizeof(y.hmask));
    for (int v = 0; v < kQK_K; ++v) {
      if (L[v] > 3) {
        y.hmask[v % 32] = static_cast<uint8_t>(y.hmask[v % 32] | (1 << (v / 32)));
        L[v] = static_cast<int8_t>(L[v] - 4);
      }
    }
    for (int h = 0; h < 2; ++h) {
      for (int k = 0; k < 32; ++k) {
        const int8_t* v = L + 128 * h + k;
        y.qs[32 * h + k] = static_cast<uint8_t>(v[0] | (v[32] << 2) | (v[64] << 4) | (v[96] << 6));
      }
    }
  }
}

// ---- Q4_K / Q5_K: 8 groups of 32, 6-bit scales and minimums ----

namespace {

// Chooses levels (0..nmax) and the packed scales of one super-block; returns d, dmin
// through the block and the levels through L.
template <typename Block>
void quantize_q45_k_levels(const float* x, int nmax, const OffsetSearch& search, Block* y,
                           uint8_t* L) {
  float scales[8];
  float mins[8];
  float weights[32];
  float max_scale = 0.0f;
  float max_min = 0.0f;
  for (int j = 0; j < 8; ++j) {
    // Weight = rms of the group + |x|: every value counts, the large ones more.
    float sum_x2 = 0.0f;
    for (int l = 0; l < 32; ++l) sum_x2 += x[32 * j + l] * x[32 * j + l];
    const float av_x = std::sqrt(sum_x2 / 32.0f);
    for (int l = 0; l < 32; ++l) weights[l] = av_x + std::fabs(x[32 * j + l]);
    scales[j] = fit_with_offset(32, nmax, x + 32 * j, weights, L + 32 * j, &mins[j], search);
    max_scale = std::max(max_scale, scales[j]);
    max_min = std::max(max_min, mins[j]);
  }
  const float inv_scale = max_scale > 0.0f ? 63.0f / max_scale : 0.0f;
  const float inv_min = max_min > 0.0f ? 63.0f / max_min : 0.0f;
  std::memset(y->scales, 0, sizeof(y->scales));
  for (int j = 0; j < 8; ++j) {
    pack_scale_min_k4(y->scales, j, std::clamp(nearest(inv_scale * scales[j]), 0, 63),
                      std::clamp(nearest(inv_min * mins[j]), 0, 63));
  }
  y->d = float_to_half(max_scale / 63.0f);
  y->dmin = float_to_half(max_min / 63.0f);
  for (int j = 0; j < 8; ++j) {
    const ScaleMin sm = unpack_scale_min_k4(y->scales, j);
    const float d = half_to_float(y->d) * static_cast<float>(sm.scale);
    if (d == 0.0f) continue;
    const float m = half_to_float(y->dmin) * static_cast<float>(sm.min);
    for (int l = 0; l < 32; ++l) {
      L[32 * j + l] = static_cast<uint8_t>(std::clamp(nearest((x[32 * j + l] + m) / d), 0, nmax));
    }
  }
}

// Low nibbles: run r of 32 bytes holds group 2r (low nibble) and 2r+1 (high nibble).
void pack_nibbles_k(const uint8_t* L, uint8_t* qs) {
  for (int r = 0; r < 4; ++r) {
    for (int k = 0; k < 32; ++k) {
      qs[32 * r + k] = static_cast<uint8_t>((L[64 * r + k] & 15) | ((L[64 * r + 32 + k] & 15) << 4));
    }
  }
}

}  // namespace

void quantize_q4_k(const float* src, void* dst, int64_t n) {
  auto* blocks = static_cast<BlockQ4_K*>(dst);
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    uint8_t L[kQK_K];
    quantize_q45_k_levels(src + b * kQK_K, 15, {-1.0f, 0.1f, 20, false}, &blocks[b], L);
    pack_nibbles_k(L, blocks[b].qs);
  }
}

void quantize_q5_k(const float* src, void* dst, int64_t n) {
  auto* blocks = static_cast<BlockQ5_K*>(dst);
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    uint8_t L[kQK_K];
    quantize_q45_k_levels(src + b * kQK_K, 31, {-0.5f, 0.1f, 15, false}, &blocks[b], L);
    pack_nibbles_k(L, blocks[b].qs);
    // Bit j of qh[k] is the fifth bit of value k of group j.
    std::memset(blocks[b].qh, 0, sizeof(blocks[b].qh));
    for (int v = 0; v < kQK_K; ++v) {
      blocks[b].qh[v % 32] = static_cast<uint8_t>(blocks[b].qh[v % 32] | ((L[v] >> 4) << (v / 32)));
    }
  }
}

// ---- Q6_K: 16 groups of 16, levels −32..31, int8 scales ----

void quantize_q6_k(const float* src, void* dst, int64_t n) {
  auto* blocks = static_cast<BlockQ6_K*>(dst);
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    const float* x = src + b * kQK_K;
    BlockQ6_K& y = blocks[b];
    int8_t L[kQK_K];
    float scales[16];
    float max_scale = 0.0f;  // the scale of largest magnitude, with its sign
    for (int j = 0; j < 16; ++j) {
      scales[j] = fit_symmetric(16, 32, x + 16 * j, L + 16 * j);
      if (std::fabs(scales[j]) > std::fabs(max_scale)) max_scale = scales[j];
    }
    std::memset(&y, 0, sizeof(y));
    if (std::fabs(max_scale) < kGroupMaxEps) continue;  // all zero (d = +0)
    // −128 / max puts the largest scale on the int8 level −128, the one with no
    // positive twin, as the symmetric types do with their values.
    const float iscale = -128.0f / max_scale;
    y.d = float_to_half(1.0f / iscale);
    for (int j = 0; j < 16; ++j) {
      y.scales[j] = static_cast<int8_t>(std::clamp(nearest(iscale * scales[j]), -128, 127));
    }
    for (int j = 0; j < 16; ++j) {
      const float d = half_to_float(y.d) * static_cast<float>(y.scales[j]);
      if (d == 0.0f) continue;
      for (int l = 0; l < 16; ++l) {
        L[16 * j + l] = static_cast<int8_t>(std::clamp(nearest(x[16 * j + l] / d), -32, 31) + 32);
      }
    }
    // Per half of 128: value w's low nibble goes to ql[w] (w < 64) or the high nibble
    // of ql[w − 64]; its top 2 bits to bits 2·(w/32) of qh[w % 32].
    for (int h = 0; h < 2; ++h) {
      const int8_t* v = L + 128 * h;
      uint8_t* ql = y.ql + 64 * h;
      uint8_t* qh = y.qh + 32 * h;
      for (int k = 0; k < 64; ++k) ql[k] = static_cast<uint8_t>((v[k] & 15) | ((v[k + 64] & 15) << 4));
      for (int k = 0; k < 32; ++k) {
        qh[k] = static_cast<uint8_t>((v[k] >> 4) | ((v[k + 32] >> 4) << 2) | ((v[k + 64] >> 4) << 4) |
                                     ((v[k + 96] >> 4) << 6));
      }
    }
  }
}

}  // namespace loco::kernels::ref
