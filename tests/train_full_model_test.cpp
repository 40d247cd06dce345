// Full training (`loco train model`): every weight's gradient against directional
// differences, a float32 copy of a model reproducing its reference logits, a written
// model loading in the engine with the trainer's logits, a tiny model from scratch
// learning its data, and the configuration's errors.
#include <gtest/gtest.h>

#include <cmath>

#include "kernel_random_data.h"
#include "logits_reference.h"
#include "loco/error.h"
#include "loco/session.h"
#include "test_paths.h"
#include "train/full_model.h"
#include "train/model_trainer.h"
#include "train/train_data.h"

namespace loco::train {
namespace {

std::vector<TokenId> sequence(const char* name) {
  return test::manifest()["sequences"][name].get<std::vector<TokenId>>();
}

TEST(FullModel, CopyReproducesTheReferenceLogits) {
  for (const test::LogitsCase& c : test::logits_cases(false)) {
    if (c.model != "tiny-qwen3-f32.gguf" && c.model != "tiny-llama-f16.gguf") continue;
    SCOPED_TRACE(c.name);
    auto model = Model::load(test::model_path(c.model));
    std::unique_ptr<FullModel> full = full_model_from(*model);
    ThreadPool pool(2);
    const std::vector<float> got = model_logits(full->config, full->weights, next_token_batch(c.tokens), pool);
    const std::vector<float> ref = test::read_reference_logits(c);
    const size_t nv = ref.size() / c.tokens.size();
    for (size_t p = 0; p < c.tokens.size(); ++p) {
      EXPECT_LE(test::relative_rms(got.data() + p * nv, ref.data() + p * nv, nv), c.tolerance) << p;
    }
  }
}

// Every tensor of the model (embeddings, every norm, every matrix, the output) moved along
// a random direction: the loss changes by ε·⟨g, v⟩.
TEST(FullModel, EveryGradientMatchesDirectionalDifferences) {
  for (const char* file : {"tiny-qwen3-f32.gguf", "tiny-llama-f16.gguf"}) {
    SCOPED_TRACE(file);
    auto loaded = Model::load(test::model_path(file));
    std::unique_ptr<FullModel> m = full_model_from(*loaded);
    ThreadPool pool(2);
    const PackedBatch b = next_token_batch(sequence("short"));
    PassOptions o;
    o.loss_weight = 1.0f / static_cast<float>(b.n_targets());
    ModelGrads g(m->config);
    model_pass(m->config, m->weights, nullptr, b, o, nullptr, &g, pool);
    auto loss = [&] {
      return model_pass(m->config, m->weights, nullptr, b, o, nullptr, nullptr, pool).loss_sum /
             static_cast<double>(b.n_targets());
    };
    std::vector<FullModel::Tensor> tensors = m->tensors();
    std::vector<std::vector<float>*> grads = g.all();
    ASSERT_EQ(tensors.size(), grads.size());
    kernel_test::Rng rng(17);
    int checked = 0;
    for (size_t k = 0; k < tensors.size(); ++k) {
      // The first two layers' tensors and the shared ones (the rest repeat the same code).
      if (tensors[k].name.rfind("blk.", 0) == 0 && tensors[k].name.rfind("blk.0.", 0) != 0 &&
          tensors[k].name.rfind("blk.3.", 0) != 0) {
        continue;
      }
      std::span<float> param = tensors[k].values;
      const std::vector<float>& grad = *grads[k];
      ASSERT_EQ(param.size(), grad.size()) << tensors[k].name;
      std::vector<float> v(param.size()), kept(param.begin(), param.end());
      double norm2 = 0.0, param2 = 0.0, predicted = 0.0;
      for (size_t i = 0; i < v.size(); ++i) {
        v[i] = rng.normal();
        norm2 += static_cast<double>(v[i]) * v[i];
        param2 += static_cast<double>(kept[i]) * kept[i];
        predicted += static_cast<double>(grad[i]) * v[i];
      }
      const double eps = 1e-2 * std::sqrt(param2 / norm2);
      for (size_t i = 0; i < v.size(); ++i) param[i] = kept[i] + static_cast<float>(eps) * v[i];
      const double up = loss();
      for (size_t i = 0; i < v.size(); ++i) param[i] = kept[i] - static_cast<float>(eps) * v[i];
      const double down = loss();
      std::copy(kept.begin(), kept.end(), param.begin());
      const double numeric = (up - down) / (2.0 * eps);
      EXPECT_NEAR(predicted, numeric, 2e-2 * std::fabs(numeric) + 1e-4) << tensors[k].name;
      ++checked;
    }
    EXPECT_GE(checked, 20);
  }
}

TEST(FullModel, WrittenModelRunsInTheEngine) {
  auto loaded = Model::load(test::model_path("tiny-qwen3-f32.gguf"));
  std::unique_ptr<FullModel> m = full_model_from(*loaded);
  // Change the weights so the file cannot just echo the source model.
  for (FullModel::Tensor& t : m->tensors()) t.values[0] += 0.5f;
  const std::string path = test::temp_dir() + "/written.gguf";
  write_full_model(*m, loaded->file(), path, GgmlType::F32, {{"steps", "0"}});
  auto back = Model::load(path);
  EXPECT_EQ(back->config().n_layer, m->config.n_layer);
  const std::vector<TokenId> tokens = sequence("medium");
  ThreadPool pool(2);
  const std::vector<float> want = model_logits(m->config, m->weights, next_token_batch(tokens), pool);
  SessionOptions so;
  so.n_ctx = 256;
  so.n_threads = 2;
  so.kv_type = KvType::F32;
  Session session(back, so);
  session.decode_sequence(0, tokens, true);
  const size_t nv = static_cast<size_t>(back->config().n_vocab);
  for (size_t p = 0; p < tokens.size(); ++p) {
    EXPECT_LE(test::relative_rms(session.logits(static_cast<int32_t>(p)).data(), want.data() + p * nv, nv), 1e-5)
        << p;
  }
  EXPECT_EQ(back->file().optional_string("loco.train.steps").value_or(""), "0");
  EXPECT_THROW(write_full_model(*m, loaded->file(), path, GgmlType::Q8_0), Error);
}

TEST(FullModel, TinyModelFromScratchLearnsItsData) {
  auto vocab_model = Model::load(test::model_path("tiny-qwen3-f32.gguf"));
  const Tokenizer tok = Tokenizer::from_gguf(vocab_model->file());
  const ModelConfig c = parse_model_config("arch: qwen3\nn_embd: 64\nn_layer: 2\nn_head: 2\nn_ff: 128\n", "tiny.yaml",
                                           vocab_model->config().n_vocab);
  std::vector<TrainExample> examples;
  for (const char* text : {"one cat sat on the mat", "two dogs ran in the park", "three suns are hot today"}) {
    TrainExample e;
    e.tokens = tok.encode(text, false, false);
    e.target.assign(e.tokens.size(), 1);
    e.target[0] = 0;
    e.where = "inline";
    examples.push_back(e);
  }
  TrainSettings s;
  s.lr = 1e-2;
  s.epochs = 100;
  s.batch_tokens = 64;
  s.warmup = 5;
  ThreadPool pool(2);
  ModelTrainer trainer(init_full_model(c, 1), examples, examples, s, pool);
  const double before = trainer.validate();
  while (!trainer.done()) trainer.step();
  const double after = trainer.validate();
  EXPECT_NEAR(before, std::log(static_cast<double>(c.n_vocab)), 0.5);  // an untrained model is near uniform
  EXPECT_LT(after, 0.3) << "from " << before;  // each sentence starts differently: all is learnable
}

TEST(FullModel, ConfigurationErrorsNameTheKey) {
  EXPECT_NO_THROW(parse_model_config("n_embd: 64\nn_layer: 2\nn_head: 2\nn_ff: 128\n", "c.yaml", 100));
  for (const char* bad : {"n_layer: 2\nn_head: 2\nn_ff: 128\n", "n_embd: 64\nn_layer: 2\nn_head: 2\nn_ff: 128\nfoo: 1\n",
                          "n_embd: 64\nn_layer: -2\nn_head: 2\nn_ff: 128\n", "n_embd: 64\nn_layer: 2\nn_head: 3\nn_ff: 128\n",
                          "n_embd: x\nn_layer: 2\nn_head: 2\nn_ff: 128\n", "arch: gpt2\nn_embd: 64\nn_layer: 2\nn_head: 2\nn_ff: 128\n",
                          "[1, 2]", "n_embd: 64\nn_layer: 2\nn_head: 2\nn_ff: 100\n"}) {
    try {
      parse_model_config(bad, "c.yaml", 100);
      ADD_FAILURE() << "accepted: " << bad;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("c.yaml"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace loco::train
