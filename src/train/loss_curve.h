// The loss curve of a training run, beside the adapter: a CSV of every step and an SVG
// drawing of the training loss and the validation loss against the step, written by loco
// itself so a run needs no plotting tools.
#pragma once

#include <string>
#include <vector>

#include "train/lora_trainer.h"

namespace loco::train {

// Columns: step, epoch, train_loss, val_loss (empty when not measured), lr, grad_norm, tokens.
std::string loss_curve_csv(const std::vector<LossPoint>& history);

// A standalone SVG document: training loss as a line, validation loss as points joined
// by a dashed line, axes with rounded ticks, the title and subtitle (XML-escaped). An
// empty history draws the axes and "no steps yet". Never contains NaN or infinity.
std::string loss_curve_svg(const std::vector<LossPoint>& history, const std::string& title,
                           const std::string& subtitle);

}  // namespace loco::train
