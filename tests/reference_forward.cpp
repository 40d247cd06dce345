#include "reference_forward.h"

#include <cmath>
#include <stdexcept>

#include "loco/quantize.h"

namespace loco::test {
namespace {

using Vec = std::vector<double>;

struct Weights {
  const GgufFile& file;

  bool has(const std::string& name) const { return file.find_tensor(name) != nullptr; }

  // The tensor as doubles, rows of ne[0] values.
  Vec get(const std::string& name) const {
    const GgufTensor* t = file.find_tensor(name);
    if (t == nullptr) throw std::runtime_error("reference: missing tensor " + name);
    std::vector<float> row(static_cast<size_t>(t->ne[0]));
    Vec out;
    out.reserve(static_cast<size_t>(t->n_elements()));
    for (int64_t r = 0; r < t->n_rows(); ++r) {
      dequantize_row(t->type, t->row(r), row.data(), t->ne[0]);
      out.insert(out.end(), row.begin(), row.end());
    }
    return out;
  }
};

// y = W x, W with n_out rows of n_in values.
Vec matvec(const Vec& w, const Vec& x, size_t n_out) {
  const size_t n_in = x.size();
  Vec y(n_out, 0.0);
  for (size_t r = 0; r < n_out; ++r) {
    double s = 0.0;
    for (size_t i = 0; i < n_in; ++i) s += w[r * n_in + i] * x[i];
    y[r] = s;
  }
  return y;
}

Vec rms_norm(const Vec& x, const Vec& w, double eps, size_t offset = 0, size_t n = 0) {
  if (n == 0) n = x.size();
  double ss = 0.0;
  for (size_t i = 0; i < n; ++i) ss += x[offset + i] * x[offset + i];
  const double scale = 1.0 / std::sqrt(ss / static_cast<double>(n) + eps);
  Vec out(n);
  for (size_t i = 0; i < n; ++i) out[i] = x[offset + i] * scale * w[i];
  return out;
}

}  // namespace

std::vector<std::vector<double>> reference_forward(const GgufFile& file,
                                                   const std::vector<TokenId>& tokens) {
  const std::string arch = file.get_string("general.architecture");
  auto key = [&](const char* k) { return arch + "." + k; };
  const size_t n_embd = file.get_uint(key("embedding_length"));
  const size_t n_layer = file.get_uint(key("block_count"));
  const size_t n_head = file.get_uint(key("attention.head_count"));
  const size_t n_head_kv = file.optional_uint(key("attention.head_count_kv")).value_or(n_head);
  const size_t hd = file.optional_uint(key("attention.key_length")).value_or(n_embd / n_head);
  const size_t n_ff = file.get_uint(key("feed_forward_length"));
  const double eps = file.get_float(key("attention.layer_norm_rms_epsilon"));
  const double base = file.optional_float(key("rope.freq_base")).value_or(10000.0);
  double position_scale = 1.0;
  if (file.optional_string(key("rope.scaling.type")).value_or("none") == "linear") {
    position_scale = 1.0 / file.get_float(key("rope.scaling.factor"));
  }
  const bool neox = arch != "llama";

  Weights w{file};
  const Vec embd = w.get("token_embd.weight");
  const size_t n_vocab = embd.size() / n_embd;
  const Vec out_w = w.has("output.weight") ? w.get("output.weight") : embd;
  const Vec freq_factors = w.has("rope_freqs.weight") ? w.get("rope_freqs.weight") : Vec{};

  const size_t n = tokens.size();
  std::vector<Vec> x(n);
  for (size_t t = 0; t < n; ++t) {
    x[t].assign(embd.begin() + static_cast<long>(tokens[t] * n_embd),
                embd.begin() + static_cast<long>((tokens[t] + 1) * n_embd));
  }

  auto rope = [&](Vec& v, size_t n_heads, size_t pos) {
    for (size_t h = 0; h < n_heads; ++h) {
      for (size_t i = 0; i < hd / 2; ++i) {
        double theta = static_cast<double>(pos) * position_scale *
                       std::pow(base, -2.0 * static_cast<double>(i) / static_cast<double>(hd));
        if (!freq_factors.empty()) theta /= freq_factors[i];
        const size_t a = h * hd + (neox ? i : 2 * i);
        const size_t b = h * hd + (neox ? i + hd / 2 : 2 * i + 1);
        const double x0 = v[a], x1 = v[b];
        v[a] = x0 * std::cos(theta) - x1 * std::sin(theta);
        v[b] = x0 * std::sin(theta) + x1 * std::cos(theta);
      }
    }
  };

  for (size_t il = 0; il < n_layer; ++il) {
    const std::string p = "blk." + std::to_string(il) + ".";
    const Vec attn_norm = w.get(p + "attn_norm.weight");
    const Vec wq = w.get(p + "attn_q.weight"), wk = w.get(p + "attn_k.weight"),
              wv = w.get(p + "attn_v.weight"), wo = w.get(p + "attn_output.weight");
    const bool bias = w.has(p + "attn_q.bias");
    const Vec bq = bias ? w.get(p + "attn_q.bias") : Vec{}, bk = bias ? w.get(p + "attn_k.bias") : Vec{},
              bv = bias ? w.get(p + "attn_v.bias") : Vec{};
    const bool qk_norm = w.has(p + "attn_q_norm.weight");
    const Vec qn = qk_norm ? w.get(p + "attn_q_norm.weight") : Vec{};
    const Vec kn = qk_norm ? w.get(p + "attn_k_norm.weight") : Vec{};

    std::vector<Vec> q(n), k(n), v(n);
    for (size_t t = 0; t < n; ++t) {
      const Vec xn = rms_norm(x[t], attn_norm, eps);
      q[t] = matvec(wq, xn, n_head * hd);
      k[t] = matvec(wk, xn, n_head_kv * hd);
      v[t] = matvec(wv, xn, n_head_kv * hd);
      for (size_t i = 0; bias && i < q[t].size(); ++i) q[t][i] += bq[i];
      for (size_t i = 0; bias && i < k[t].size(); ++i) k[t][i] += bk[i], v[t][i] += bv[i];
      if (qk_norm) {
        for (size_t h = 0; h < n_head; ++h) {
          Vec r = rms_norm(q[t], qn, eps, h * hd, hd);
          std::copy(r.begin(), r.end(), q[t].begin() + static_cast<long>(h * hd));
        }
        for (size_t h = 0; h < n_head_kv; ++h) {
          Vec r = rms_norm(k[t], kn, eps, h * hd, hd);
          std::copy(r.begin(), r.end(), k[t].begin() + static_cast<long>(h * hd));
        }
      }
      rope(q[t], n_head, t);
      rope(k[t], n_head_kv, t);
    }
    for (size_t t = 0; t < n; ++t) {
      Vec att(n_head * hd, 0.0);
      for (size_t h = 0; h < n_head; ++h) {
        const size_t g = h / (n_head / n_head_kv);
        Vec s(t + 1);
        double mx = -1e300;
        for (size_t j = 0; j <= t; ++j) {
          double d = 0.0;
          for (size_t i = 0; i < hd; ++i) d += q[t][h * hd + i] * k[j][g * hd + i];
          s[j] = d / std::sqrt(static_cast<double>(hd));
          mx = std::max(mx, s[j]);
        }
        double sum = 0.0;
        for (double& e : s) sum += (e = std::exp(e - mx));
        for (size_t j = 0; j <= t; ++j) {
          for (size_t i = 0; i < hd; ++i) att[h * hd + i] += s[j] / sum * v[j][g * hd + i];
        }
      }
      const Vec o = matvec(wo, att, n_embd);
      for (size_t i = 0; i < n_embd; ++i) x[t][i] += o[i];
    }
    const Vec ffn_norm = w.get(p + "ffn_norm.weight");
    const Vec gate = w.get(p + "ffn_gate.weight"), up = w.get(p + "ffn_up.weight"),
              down = w.get(p + "ffn_down.weight");
    for (size_t t = 0; t < n; ++t) {
      const Vec xn = rms_norm(x[t], ffn_norm, eps);
      Vec g = matvec(gate, xn, n_ff);
      const Vec u = matvec(up, xn, n_ff);
      for (size_t i = 0; i < n_ff; ++i) g[i] = g[i] / (1.0 + std::exp(-g[i])) * u[i];
      const Vec d = matvec(down, g, n_embd);
      for (size_t i = 0; i < n_embd; ++i) x[t][i] += d[i];
    }
  }
  const Vec out_norm = w.get("output_norm.weight");
  std::vector<Vec> logits(n);
  for (size_t t = 0; t < n; ++t) logits[t] = matvec(out_w, rms_norm(x[t], out_norm, eps), n_vocab);
  return logits;
}

}  // namespace loco::test
