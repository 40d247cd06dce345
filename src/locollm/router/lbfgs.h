// Limited-memory BFGS for smooth unconstrained minimisation (the router's logistic
// regression). Deterministic: the same objective and start give the same iterates.
#pragma once

#include <functional>
#include <vector>

namespace loco::router {

// Returns f(x) and writes its gradient (resized to x.size()).
using Objective = std::function<double(const std::vector<double>& x, std::vector<double>& grad)>;

struct LbfgsOptions {
  int max_iterations = 500;
  int memory = 10;                   // (s, y) pairs kept
  double gradient_tolerance = 1e-6;  // stop when max |grad| falls below this
};

struct LbfgsResult {
  std::vector<double> x;
  double value = 0;
  int iterations = 0;
  bool converged = false;  // the gradient tolerance was met (not just out of iterations)
};

LbfgsResult lbfgs_minimize(const Objective& f, std::vector<double> x0, const LbfgsOptions& options);

}  // namespace loco::router
