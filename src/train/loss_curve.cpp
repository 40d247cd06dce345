#include "train/loss_curve.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace loco::train {
namespace {

constexpr double kWidth = 760, kHeight = 440;
constexpr double kLeft = 70, kRight = 24, kTop = 78, kBottom = 56;
constexpr const char* kFont = "DejaVu Sans, Verdana, Helvetica, Arial, sans-serif";
constexpr const char* kTrainColour = "#0072B2";  // Okabe–Ito blue and vermillion
constexpr const char* kValColour = "#D55E00";

std::string escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out.push_back(c < 0x20 ? ' ' : static_cast<char>(c));
    }
  }
  return out;
}

// A tick spacing of 1, 2 or 5 times a power of ten giving about `want` intervals.
double nice_step(double range, int want) {
  if (!(range > 0)) return 1.0;
  const double raw = range / want;
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0}) {
    if (raw <= m * p) return m * p;
  }
  return 10.0 * p;
}

std::string num(double v) { return fmt::format("{:.1f}", std::isfinite(v) ? v : 0.0); }

std::string tick_label(double v, double step) {
  const int decimals = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step)));
  return fmt::format("{:.{}f}", v, decimals);
}

}  // namespace

std::string loss_curve_csv(const std::vector<LossPoint>& history) {
  std::string out = "step,epoch,train_loss,val_loss,lr,grad_norm,tokens\n";
  for (const LossPoint& p : history) {
    out += fmt::format("{},{:.4f},{:.6f},{},{:.6g},{:.6g},{}\n", p.step, p.epoch, p.train_loss,
                       p.val_loss >= 0 ? fmt::format("{:.6f}", p.val_loss) : std::string(), p.lr, p.grad_norm,
                       p.tokens);
  }
  return out;
}

std::string loss_curve_svg(const std::vector<LossPoint>& history, const std::string& title,
                           const std::string& subtitle) {
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  double y_max = 0.0;
  int64_t x_max = 1;
  for (const LossPoint& p : history) {
    if (std::isfinite(p.train_loss)) y_max = std::max(y_max, p.train_loss);
    if (p.val_loss >= 0 && std::isfinite(p.val_loss)) y_max = std::max(y_max, p.val_loss);
    x_max = std::max(x_max, p.step);
  }
  if (!(y_max > 0)) y_max = 1.0;
  const double y_step = nice_step(y_max, 5);
  const double y_top = std::ceil(y_max / y_step) * y_step;
  const double x_step = std::max(1.0, nice_step(static_cast<double>(x_max), 8));
  const double x_right = std::ceil(static_cast<double>(x_max) / x_step) * x_step;
  auto px = [&](double step) { return kLeft + plot_w * (step / x_right); };
  auto py = [&](double loss) { return kTop + plot_h * (1.0 - std::clamp(loss, 0.0, y_top) / y_top); };

  std::string s = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"{2}\">\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n",
      kWidth, kHeight, kFont);
  s += fmt::format("<text x=\"{}\" y=\"26\" font-size=\"17\" font-weight=\"bold\">{}</text>\n", kLeft - 50,
                   escape(title));
  s += fmt::format("<text x=\"{}\" y=\"45\" font-size=\"12\" fill=\"#555555\">{}</text>\n", kLeft - 50,
                   escape(subtitle));
  // Legend.
  s += fmt::format("<line x1=\"{0}\" y1=\"62\" x2=\"{1}\" y2=\"62\" stroke=\"{2}\" stroke-width=\"2.5\"/>"
                   "<text x=\"{3}\" y=\"66\" font-size=\"12\">training loss</text>\n",
                   num(kLeft), num(kLeft + 24), kTrainColour, num(kLeft + 30));
  const bool any_val = std::any_of(history.begin(), history.end(), [](const LossPoint& p) { return p.val_loss >= 0; });
  if (any_val) s += fmt::format("<line x1=\"{0}\" y1=\"62\" x2=\"{1}\" y2=\"62\" stroke=\"{2}\" stroke-width=\"2\" "
                   "stroke-dasharray=\"5 3\"/><circle cx=\"{3}\" cy=\"62\" r=\"3.5\" fill=\"{2}\"/>"
                   "<text x=\"{4}\" y=\"66\" font-size=\"12\">validation loss</text>\n",
                   num(kLeft + 150), num(kLeft + 174), kValColour, num(kLeft + 162), num(kLeft + 180));
  // Grid and axes.
  for (double v = 0; v <= y_top + y_step / 2; v += y_step) {
    s += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#e0e0e0\"/>"
                     "<text x=\"{3}\" y=\"{4}\" font-size=\"11\" text-anchor=\"end\">{5}</text>\n",
                     num(kLeft), num(py(v)), num(kLeft + plot_w), num(kLeft - 6), num(py(v) + 4),
                     tick_label(v, y_step));
  }
  for (double v = 0; v <= x_right + x_step / 2; v += x_step) {
    s += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#888888\"/>"
                     "<text x=\"{0}\" y=\"{3}\" font-size=\"11\" text-anchor=\"middle\">{4}</text>\n",
                     num(px(v)), num(kTop + plot_h), num(kTop + plot_h + 5), num(kTop + plot_h + 18),
                     tick_label(v, x_step));
  }
  s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#888888\"/>\n",
                   num(kLeft), num(kTop), num(plot_w), num(plot_h));
  s += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">optimizer step</text>\n",
                   num(kLeft + plot_w / 2), num(kHeight - 14));
  s += fmt::format("<text transform=\"translate(18 {}) rotate(-90)\" font-size=\"12\" text-anchor=\"middle\">"
                   "loss (nats per target token)</text>\n",
                   num(kTop + plot_h / 2));
  if (history.empty()) {
    s += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"13\" text-anchor=\"middle\" fill=\"#555555\">"
                     "no steps yet</text>\n",
                     num(kLeft + plot_w / 2), num(kTop + plot_h / 2));
  }
  std::string train_points, val_points, markers;
  for (const LossPoint& p : history) {
    if (std::isfinite(p.train_loss)) {
      train_points += fmt::format("{},{} ", num(px(static_cast<double>(p.step))), num(py(p.train_loss)));
    }
    if (p.val_loss >= 0 && std::isfinite(p.val_loss)) {
      val_points += fmt::format("{},{} ", num(px(static_cast<double>(p.step))), num(py(p.val_loss)));
      markers += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"3.5\" fill=\"{}\"><title>step {}: {:.4f}</title></circle>\n",
                             num(px(static_cast<double>(p.step))), num(py(p.val_loss)), kValColour, p.step,
                             p.val_loss);
    }
  }
  if (!train_points.empty()) {
    s += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\" "
                     "stroke-linejoin=\"round\"/>\n",
                     train_points, kTrainColour);
  }
  if (!val_points.empty()) {
    s += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\" "
                     "stroke-dasharray=\"5 3\"/>\n",
                     val_points, kValColour);
  }
  s += markers;
  s += "</svg>\n";
  return s;
}

}  // namespace loco::train
