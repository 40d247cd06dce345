// LoRA training end to end: a tiny adapter memorises a small task, a stopped and resumed
// run gives bit for bit the adapter of an uninterrupted one, the saved GGUF and PEFT
// adapters reproduce the trained adapter's logits in the engine, and bad checkpoints,
// data and settings get one-line errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "logits_reference.h"
#include "loco/chat_template.h"
#include "loco/error.h"
#include "loco/gguf.h"
#include "loco/lora.h"
#include "loco/model.h"
#include "loco/session.h"
#include "loco/sha256.h"
#include "test_paths.h"
#include "train/adapter_export.h"
#include "train/lora_trainer.h"
#include "train/loss_curve.h"
#include "train/model_pass.h"
#include "train/train_data.h"

namespace loco::train {
namespace {

const char* const kMemory[] = {
    R"({"prompt": "What is the capital of Freedonia?", "completion": "Fredville."})",
    R"({"question": "What is 2+2?", "answer": "4"})",
    R"({"messages": [{"role": "user", "content": "Say hello."}, {"role": "assistant", "content": "Hello there."}]})",
};

std::string write_jsonl(const std::string& name, const std::vector<std::string>& lines) {
  const std::string path = test::temp_dir() + "/" + name;
  std::ofstream out(path);
  for (const auto& l : lines) out << l << "\n";
  return path;
}

std::vector<TrainExample> memory_examples(const Model& model) {
  const Tokenizer tok = Tokenizer::from_gguf(model.file());
  return load_train_jsonl(write_jsonl("memory.jsonl", {kMemory[0], kMemory[1], kMemory[2]}), tok, ChatFormat::Qwen3,
                          256);
}

LoraTrainSettings small_settings() {
  LoraTrainSettings s;
  s.rank = 4;
  s.alpha = 8.0f;
  s.lr = 1e-2;
  s.batch_tokens = 48;  // about one example a batch
  s.dropout = 0.1f;
  s.warmup = 2;
  s.weight_decay = 0.01;
  return s;
}

TEST(LoraTraining, MemorisesASmallTask) {
  auto model = Model::load(test::model_path("tiny-qwen3-q4_k_m.gguf"));
  std::vector<TrainExample> examples = memory_examples(*model);
  LoraTrainSettings s = small_settings();
  s.epochs = 25;
  s.dropout = 0.0f;
  s.batch_tokens = 256;  // all three examples in one batch
  ThreadPool pool(2);
  LoraTrainer trainer(*model, examples, examples, s, pool);
  const double before = trainer.validate();
  while (!trainer.done()) trainer.step();
  const double after = trainer.validate();
  EXPECT_GT(before, 3.0);
  EXPECT_LT(after, 0.05) << "from " << before;
}

void expect_same_adapter(const TrainableAdapter& x, const TrainableAdapter& y) {
  x.for_each([&](int32_t l, LoraTarget t, const LoraParams& p) {
    const LoraParams* q = y.find(l, t);
    ASSERT_NE(q, nullptr);
    EXPECT_EQ(p.a, q->a) << l << " " << lora_target_name(t);
    EXPECT_EQ(p.b, q->b) << l << " " << lora_target_name(t);
  });
}

TEST(LoraTraining, ResumedRunIsBitExact) {
  auto model = Model::load(test::model_path("tiny-llama-q8_0.gguf"));
  std::vector<TrainExample> examples = memory_examples(*model);
  LoraTrainSettings s = small_settings();
  s.epochs = 3;
  s.grad_accum = 2;
  s.targets = kAttentionTargets | kFfnTargets;
  ThreadPool pool(2);
  LoraTrainer whole(*model, examples, examples, s, pool);
  ASSERT_GE(whole.total_steps(), 4);
  while (!whole.done()) whole.step();

  const std::string ckpt = test::temp_dir() + "/run.ckpt";
  {
    LoraTrainer first(*model, examples, examples, s, pool);
    for (int i = 0; i < 2; ++i) first.step();
    first.validate();
    first.save_checkpoint(ckpt);
  }
  LoraTrainer second(*model, examples, examples, s, pool);
  second.resume(ckpt);
  EXPECT_EQ(second.steps_done(), 2);
  while (!second.done()) second.step();
  expect_same_adapter(whole.adapter(), second.adapter());
  ASSERT_EQ(whole.history().size(), second.history().size());
  for (size_t i = 0; i < whole.history().size(); ++i) {
    EXPECT_EQ(whole.history()[i].train_loss, second.history()[i].train_loss) << i;
  }

  // A checkpoint of another run, a truncated one and a file of another kind are refused.
  LoraTrainSettings other = s;
  other.lr = 2e-2;
  LoraTrainer different(*model, examples, examples, other, pool);
  EXPECT_THROW(different.resume(ckpt), Error);
  const std::string cut = test::temp_dir() + "/cut.ckpt";
  std::filesystem::copy_file(ckpt, cut);
  std::filesystem::resize_file(cut, std::filesystem::file_size(ckpt) / 2);
  LoraTrainer fresh(*model, examples, examples, s, pool);
  EXPECT_THROW(fresh.resume(cut), Error);
  EXPECT_THROW(fresh.resume(test::model_path("tiny-llama-q8_0.gguf")), Error);
  EXPECT_EQ(fresh.steps_done(), 0);
}

// Every kind of damage to a checkpoint, at every part of it (header, lengths, history,
// values, moments): resume either refuses it with an Error or, where only numbers
// changed, loads it; it never reads past what it was given (AddressSanitizer checks).
TEST(LoraTraining, DamagedCheckpointsAreRefusedOrLoadedSafely) {
  auto model = Model::load(test::model_path("tiny-qwen3-f32.gguf"));
  std::vector<TrainExample> examples = memory_examples(*model);
  LoraTrainSettings s = small_settings();
  s.rank = 1;
  s.targets = kAttentionTargets;
  s.epochs = 2;
  ThreadPool pool(2);
  LoraTrainer trainer(*model, examples, {}, s, pool);
  trainer.step();
  const std::string ckpt = test::temp_dir() + "/good.ckpt";
  trainer.save_checkpoint(ckpt);
  const std::string bytes = test::read_file(ckpt);
  const std::string bad = test::temp_dir() + "/bad.ckpt";
  uint32_t state = 12345;
  auto next = [&] { return state = state * 1664525u + 1013904223u; };
  int refused = 0, loaded = 0;
  for (int trial = 0; trial < 150; ++trial) {
    std::string damaged = bytes;
    // The first few hundred bytes hold every length and count; the rest are floats.
    const size_t at = trial % 2 == 0 ? next() % std::min<size_t>(bytes.size(), 400) : next() % bytes.size();
    switch (trial % 3) {
      case 0: damaged[at] = static_cast<char>(next()); break;
      case 1: damaged.resize(at); break;
      default: for (size_t i = at; i < std::min(damaged.size(), at + 8); ++i) damaged[i] = '\xff'; break;
    }
    {
      std::ofstream out(bad, std::ios::binary | std::ios::trunc);
      out << damaged;
    }
    LoraTrainer fresh(*model, examples, {}, s, pool);
    try {
      fresh.resume(bad);
      ++loaded;
    } catch (const Error&) {
      ++refused;
    }
  }
  EXPECT_GT(refused, 50);
  EXPECT_GT(loaded, 0);
}

TEST(LoraTraining, SavedAdaptersReproduceTheTrainedLogits) {
  // A float base: the engine then computes in float throughout, so the two forward
  // passes differ only by rounding (over a quantized base the engine's 8-bit activations
  // would blur the comparison).
  auto model = Model::load(test::model_path("tiny-qwen3-f32.gguf"));
  std::vector<TrainExample> examples = memory_examples(*model);
  LoraTrainSettings s = small_settings();
  s.epochs = 2;
  ThreadPool pool(2);
  LoraTrainer trainer(*model, examples, {}, s, pool);
  while (!trainer.done()) trainer.step();
  const std::string dir = test::temp_dir();
  write_gguf_adapter(trainer.adapter(), *model, dir + "/trained.gguf", {{"steps", "4"}});
  write_peft_adapter(trainer.adapter(), *model, dir + "/trained-peft");

  const std::vector<TokenId> tokens = examples[0].tokens;
  const std::vector<float> want = model_logits(*model, &trainer.adapter(), next_token_batch(tokens), pool);
  const std::vector<float> base = model_logits(*model, nullptr, next_token_batch(tokens), pool);
  const size_t n_vocab = static_cast<size_t>(model->config().n_vocab);
  std::vector<std::vector<float>> engine_logits;
  for (const std::string& path : {dir + "/trained.gguf", dir + "/trained-peft"}) {
    SCOPED_TRACE(path);
    auto adapter = LoraAdapter::load(path, *model);
    EXPECT_EQ(adapter->n_pairs(), 4 * 7);
    SessionOptions so;
    so.n_ctx = 256;
    so.n_threads = 2;
    so.kv_type = KvType::F32;  // the trainer keeps keys and values in float
    Session session(model, so);
    session.set_adapter(0, adapter, 1.0f);
    session.decode_sequence(0, tokens, true);
    double worst = 0.0, moved = 1.0;
    for (size_t p = 0; p < tokens.size(); ++p) {
      auto row = session.logits(static_cast<int32_t>(p));
      worst = std::max(worst, test::relative_rms(row.data(), want.data() + p * n_vocab, n_vocab));
      moved = std::min(moved, test::relative_rms(base.data() + p * n_vocab, want.data() + p * n_vocab, n_vocab));
    }
    EXPECT_LT(worst, 1e-4);
    EXPECT_GT(moved, 1e-3) << "training changed nothing";
    engine_logits.emplace_back();
    for (size_t p = 0; p < tokens.size(); ++p) {
      auto row = session.logits(static_cast<int32_t>(p));
      engine_logits.back().insert(engine_logits.back().end(), row.begin(), row.end());
    }
  }
  EXPECT_EQ(engine_logits[0], engine_logits[1]) << "the GGUF and PEFT files hold different adapters";
  // The training record travels in the file.
  GgufFile f = GgufFile::open(dir + "/trained.gguf");
  EXPECT_EQ(f.optional_string("loco.train.steps").value_or(""), "4");
}

TEST(LoraTraining, LossCurveIsDrawn) {
  std::vector<LossPoint> h;
  for (int i = 1; i <= 30; ++i) {
    LossPoint p;
    p.step = i;
    p.epoch = i / 10.0;
    p.train_loss = 5.0 / i;
    p.val_loss = i % 10 == 0 ? 6.0 / i : -1;
    h.push_back(p);
  }
  h[3].train_loss = std::nan("");
  const std::string svg = loss_curve_svg(h, "run <a&b>", "sub");
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_NE(svg.find("run &lt;a&amp;b&gt;"), std::string::npos);
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_EQ(svg.find("inf"), std::string::npos);
  size_t circles = 0;
  for (size_t at = svg.find("<circle"); at != std::string::npos; at = svg.find("<circle", at + 1)) ++circles;
  EXPECT_EQ(circles, 3u + 1u);  // three validation points and the legend's marker
  EXPECT_NE(loss_curve_svg({}, "t", "s").find("no steps yet"), std::string::npos);
  // Without validation points the legend does not promise them.
  std::vector<LossPoint> train_only = h;
  for (LossPoint& p : train_only) p.val_loss = -1;
  EXPECT_EQ(loss_curve_svg(train_only, "t", "s").find("validation loss"), std::string::npos);
  EXPECT_NE(svg.find("validation loss"), std::string::npos);
  const std::string csv = loss_curve_csv(h);
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "step,epoch,train_loss,val_loss,lr,grad_norm,tokens");
  EXPECT_NE(csv.find("\n10,1.0000,0.500000,0.600000,"), std::string::npos);
}

TEST(LoraTrainingCli, TrainsWritesAndRegisters) {
  const std::string dir = test::temp_dir();
  const std::string data = write_jsonl("cli.jsonl", {kMemory[0], kMemory[1], kMemory[2]});
  const test::CliResult r = test::run_loco(
      {"train", "lora", "-m", test::model_path("tiny-qwen3-q8_0.gguf"), "--data", data, "--val", data, "--out",
       dir + "/facts", "--rank", "2", "--epochs", "2", "--batch-tokens", "64", "--lr", "5e-3", "--register",
       "--registry", dir + "/registry.yaml", "--threads", "2", "--checkpoint-every", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* f : {"/facts.gguf", "/facts-peft/adapter_config.json", "/facts-peft/adapter_model.safetensors",
                        "/facts.loss.csv", "/facts.loss.svg"}) {
    EXPECT_TRUE(std::filesystem::exists(dir + f)) << f;
  }
  EXPECT_FALSE(std::filesystem::exists(dir + "/facts.ckpt")) << "the checkpoint outlived a finished run";
  EXPECT_NE(r.err.find("val "), std::string::npos) << r.err;
  const std::string reg = test::read_file(dir + "/registry.yaml");
  for (const char* key : {"facts", "dataset_sha256", "base_sha256", "final_train_loss", "final_val_loss", "lora_r"}) {
    if (std::string(key) == "lora_r") continue;  // the settings line holds the rank
    EXPECT_NE(reg.find(key), std::string::npos) << key << "\n" << reg;
  }
  // The adapter serves queries at once: loco logits accepts it.
  const test::CliResult logits = test::run_loco({"logits", "-m", test::model_path("tiny-qwen3-q8_0.gguf"), "--lora",
                                                 dir + "/facts.gguf", "--tokens", "1,2,3", "-o", dir + "/l.f32"});
  EXPECT_EQ(logits.exit_code, 0) << logits.err;
  // Both files record the exact base file, and `loco adapters add` checks it (docs/models.md).
  const std::string base = test::model_path("tiny-qwen3-q8_0.gguf");
  const std::string base_sha = sha256_file(base);
  EXPECT_EQ(GgufFile::open(dir + "/facts.gguf").optional_string("loco.train.base_sha256").value_or(""), base_sha);
  const auto peft_config = nlohmann::json::parse(test::read_file(dir + "/facts-peft/adapter_config.json"));
  EXPECT_EQ(peft_config["loco_train"].value("base_sha256", ""), base_sha);
  // Own data and config directories: the base's hash is cached in the data directory.
  const std::vector<std::string> home = {"LOCO_DATA_DIR=" + dir + "/data", "LOCO_CONFIG_DIR=" + dir + "/config"};
  const test::CliResult same = test::run_loco(
      {"adapters", "add", "facts", dir + "/facts.gguf", "-m", base, "--registry", dir + "/other-registry.yaml"}, home);
  EXPECT_EQ(same.exit_code, 0) << same.err;
  EXPECT_NE(same.out.find("base sha256 matches the installed base"), std::string::npos) << same.out;
  test::expect_one_line_error(test::run_loco({"adapters", "add", "facts", dir + "/facts-peft", "-m",
                                              test::model_path("tiny-qwen3-q4_k_m.gguf"), "--registry",
                                              dir + "/third-registry.yaml"},
                                             home),
                              "was trained on the base model with sha256 " + base_sha);
}

TEST(LoraTrainingCli, BadInputGetsOneLineErrors) {
  const std::string dir = test::temp_dir();
  const std::string model = test::model_path("tiny-qwen3-q8_0.gguf");
  const std::string bad = write_jsonl("bad.jsonl", {kMemory[0], "{\"prompt\": \"no completion\"}"});
  test::expect_one_line_error(test::run_loco({"train", "lora", "-m", model, "--data", bad, "--out", dir + "/x"}),
                              "bad.jsonl:2");
  const std::string good = write_jsonl("good.jsonl", {kMemory[0]});
  test::expect_one_line_error(
      test::run_loco({"train", "lora", "-m", model, "--data", good, "--out", dir + "/x", "--targets", "attn,mlp"}),
      "mlp");
  test::expect_one_line_error(
      test::run_loco({"train", "lora", "-m", model, "--data", good, "--out", dir + "/x", "--batch-tokens", "8"}),
      "good.jsonl:1");
  test::expect_one_line_error(test::run_loco({"train", "lora", "-m", model, "--data", dir + "/missing.jsonl", "--out",
                                              dir + "/x"}),
                              "missing.jsonl");
  test::expect_one_line_error(test::run_loco({"train", "lora", "-m", model, "--data", good, "--out", dir + "/x",
                                              "--resume", good}),
                              "not a loco training checkpoint");
  // int8 backward products asked for where the active kernels have none (the AVX2 table,
  // available on every x86 machine loco is tested on; elsewhere the reference table).
#if defined(__x86_64__)
  const std::string plain_isa = "LOCO_ISA=avx2";
#else
  const std::string plain_isa = "LOCO_ISA=ref";
#endif
  test::expect_one_line_error(test::run_loco({"train", "lora", "-m", model, "--data", good, "--out", dir + "/x",
                                              "--backward", "int8"},
                                             {plain_isa}),
                              "--backward int8");
  // An adapter of another model for `train grad`.
  test::expect_one_line_error(test::run_loco({"train", "grad", "-m", test::model_path("tiny-llama-q8_0.gguf"), "--lora",
                                              test::model_path("tiny-qwen3-lora-all.gguf"), "--tokens", "1,2,3", "-o",
                                              dir + "/g.gguf"}),
                              "tiny-qwen3-lora-all.gguf");
  test::expect_one_line_error(test::run_loco({"train", "grad", "-m", model, "--lora",
                                              test::model_path("tiny-qwen3-lora-all.gguf"), "--tokens", "1", "-o",
                                              dir + "/g.gguf"}),
                              "two tokens");
  test::expect_one_line_error(test::run_loco({"train", "grad", "-m", model, "--lora",
                                              test::model_path("tiny-qwen3-lora-all.gguf"), "--tokens", "1,99999", "-o",
                                              dir + "/g.gguf"}),
                              "99999");
}

}  // namespace
}  // namespace loco::train
