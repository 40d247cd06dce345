// Saving what training produced: the adapter as a GGUF LoRA file (the layout loco and
// llama.cpp load: general.type = adapter, tensors blk.N.<matrix>.weight.lora_a with
// ne = [n_in, rank] and .lora_b with ne = [rank, n_out], adapter.lora.alpha) or as a PEFT
// directory (adapter_config.json + adapter_model.safetensors), and gradients in the
// adapter's own tensor names and shapes (`loco train grad`).
#pragma once

#include <map>
#include <string>

#include "loco/model.h"
#include "train/trainable_adapter.h"

namespace loco::train {

// Extra string metadata written into the GGUF file as `loco.train.<key>` (and into the
// PEFT config under "loco_train"): the data's sha256, settings, final losses.
using ExportNotes = std::map<std::string, std::string>;

// Every pair must share one rank and the scale alpha / rank (true of a fresh adapter).
void write_gguf_adapter(const TrainableAdapter& adapter, const Model& base, const std::string& path,
                        const ExportNotes& notes = {});
void write_peft_adapter(const TrainableAdapter& adapter, const Model& base, const std::string& dir,
                        const ExportNotes& notes = {});

// The gradients as F32 tensors named and shaped like the adapter's GGUF tensors.
void write_gguf_gradients(const TrainableAdapter& adapter, const AdapterGrads& grads, const Model& base,
                          const std::string& path);

}  // namespace loco::train
