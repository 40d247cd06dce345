// Two-loop recursion (Nocedal & Wright, Numerical Optimization, algorithm 7.4) with a
// backtracking line search on the Armijo condition. Pairs whose curvature s·y is not
// positive are skipped, which keeps the implied Hessian positive definite.
#include "locollm/router/lbfgs.h"

#include <algorithm>
#include <cmath>
#include <deque>

namespace loco::router {
namespace {

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

double max_abs(const std::vector<double>& a) {
  double m = 0;
  for (double v : a) m = std::max(m, std::abs(v));
  return m;
}

struct Pair {
  std::vector<double> s, y;
  double rho;
};

}  // namespace

LbfgsResult lbfgs_minimize(const Objective& f, std::vector<double> x0,
                           const LbfgsOptions& options) {
  const size_t n = x0.size();
  LbfgsResult r;
  r.x = std::move(x0);
  std::vector<double> g(n), g_new(n), x_new(n), d(n), alpha;
  r.value = f(r.x, g);
  std::deque<Pair> memory;

  for (r.iterations = 0; r.iterations < options.max_iterations; ++r.iterations) {
    if (max_abs(g) <= options.gradient_tolerance) {
      r.converged = true;
      return r;
    }
    // d = -H g by the two-loop recursion.
    for (size_t i = 0; i < n; ++i) d[i] = -g[i];
    alpha.assign(memory.size(), 0.0);
    for (size_t k = memory.size(); k-- > 0;) {
      alpha[k] = memory[k].rho * dot(memory[k].s, d);
      for (size_t i = 0; i < n; ++i) d[i] -= alpha[k] * memory[k].y[i];
    }
    double gamma = 1.0;
    if (!memory.empty()) {
      const Pair& last = memory.back();
      gamma = dot(last.s, last.y) / dot(last.y, last.y);
    } else {
      gamma = 1.0 / std::max(1.0, std::sqrt(dot(g, g)));  // first step: unit length at most
    }
    for (size_t i = 0; i < n; ++i) d[i] *= gamma;
    for (size_t k = 0; k < memory.size(); ++k) {
      const double beta = memory[k].rho * dot(memory[k].y, d);
      for (size_t i = 0; i < n; ++i) d[i] += memory[k].s[i] * (alpha[k] - beta);
    }
    double slope = dot(g, d);
    if (!(slope < 0)) {  // not a descent direction (numerical trouble): restart from -g
      memory.clear();
      for (size_t i = 0; i < n; ++i) d[i] = -g[i];
      slope = -dot(g, g);
    }

    double step = 1.0;
    double value_new = 0;
    bool accepted = false;
    for (int tries = 0; tries < 60; ++tries) {
      for (size_t i = 0; i < n; ++i) x_new[i] = r.x[i] + step * d[i];
      value_new = f(x_new, g_new);
      if (std::isfinite(value_new) && value_new <= r.value + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) return r;  // no decrease possible at this precision: x is as good as it gets

    Pair p{x_new, g_new, 0.0};
    for (size_t i = 0; i < n; ++i) {
      p.s[i] -= r.x[i];
      p.y[i] -= g[i];
    }
    const double sy = dot(p.s, p.y);
    if (sy > 1e-12 * std::sqrt(dot(p.s, p.s) * dot(p.y, p.y))) {
      p.rho = 1.0 / sy;
      memory.push_back(std::move(p));
      if (static_cast<int>(memory.size()) > options.memory) memory.pop_front();
    }
    r.x.swap(x_new);
    g.swap(g_new);
    r.value = value_new;
  }
  r.converged = max_abs(g) <= options.gradient_tolerance;
  return r;
}

}  // namespace loco::router
