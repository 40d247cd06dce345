// libFuzzer target for every other parser that reads user-supplied bytes: the PEFT
// safetensors reader, the adapter registry (YAML), the config file, saved router files
// (JSON), labelled query files and training data (JSONL), evaluation sets and results,
// answer extraction, the tokenizers, PEFT tensor names, and `loco pull`'s model catalogue
// and adapter indexes (JSON), and the remote backends' replies (OpenAI and Anthropic JSON,
// their server-sent event streams) and keys.yaml. The first
// input byte picks the parser; the rest is its input. Each must return or throw a
// loco::Error; a crash, hang, leak or sanitizer report is a bug. Two properties are checked
// as well: a registry that parses writes YAML that parses back to the same YAML, and a
// tokenizer's encode → decode gives back the text it was given when that text is UTF-8,
// and a server-sent event stream gives the same events however it is split.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "lora/peft_names.h"
#include "lora/safetensors.h"
#include "remote/reply_parsing.h"
#include "train/train_data.h"
#include "loco/answer.h"
#include "loco/context.h"
#include "loco/catalogue.h"
#include "loco/error.h"
#include "loco/eval/eval_set.h"
#include "loco/eval/results.h"
#include "loco/eval/scoring.h"
#include "loco/eval_type.h"
#include "loco/gguf.h"
#include "loco/lora.h"
#include "loco/registry.h"
#include "loco/remote.h"
#include "loco/router_data.h"
#include "loco/router_learned.h"
#include "loco/tokenizer.h"
#include "loco/user_config.h"

namespace {

[[noreturn]] void broken(const char* what) {
  std::fprintf(stderr, "fuzz_inputs: %s\n", what);
  std::abort();
}

std::vector<std::unique_ptr<loco::Tokenizer>>& tokenizers() {
  static std::vector<std::unique_ptr<loco::Tokenizer>> all;
  return all;
}

std::string scratch_path() {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/loco-fuzz-" + std::to_string(getpid());
}

void write_file(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    }
    i += n;
  }
  return true;
}

void registry_round_trip(std::string_view text) {
  std::string first;
  try {
    first = loco::Registry::parse(text, "/fuzz/registry.yaml").to_yaml();
  } catch (const loco::Error&) {
    return;
  }
  // What loco wrote must read back and write the same text again.
  if (loco::Registry::parse(first, "/fuzz/registry.yaml").to_yaml() != first) {
    broken("registry YAML is not stable under parse -> to_yaml");
  }
}

// A PEFT tensor name against a 36-layer base: parsed, or a loco::Error; a parsed name
// must name a layer below 36 and one of the seven projections.
void peft_name(const std::string& name) {
  try {
    const loco::PeftTensorName parsed = loco::parse_peft_tensor_name(name, 36, "fuzz");
    if (parsed.layer < 0 || parsed.layer >= 36 || parsed.target < 0 || parsed.target >= loco::kLoraTargets) {
      broken("PEFT name parsed to an impossible layer or target");
    }
  } catch (const loco::Error&) {
  }
}

void tokenizer_round_trip(std::string_view text) {
  for (const auto& tokenizer : tokenizers()) {
    std::vector<loco::TokenId> ids;
    try {
      ids = tokenizer->encode(text, /*add_bos=*/false, /*parse_special=*/false);
    } catch (const loco::Error&) {
      continue;
    }
    const std::string back = tokenizer->decode(ids);
    if (valid_utf8(text) && tokenizer->model_kind() == "gpt2" && back != text) {
      broken("byte-level tokenizer: decode(encode(text)) != text");
    }
  }
}

}  // namespace

// Tokenizers come from the vocabulary files named in LOCO_FUZZ_VOCABS (colon-separated).
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* list = std::getenv("LOCO_FUZZ_VOCABS")) {
    std::string paths(list);
    size_t start = 0;
    while (start <= paths.size()) {
      size_t end = paths.find(':', start);
      if (end == std::string::npos) end = paths.size();
      if (end > start) {
        loco::GgufFile file = loco::GgufFile::open(paths.substr(start, end - start));
        tokenizers().push_back(std::make_unique<loco::Tokenizer>(loco::Tokenizer::from_gguf(file)));
      }
      start = end + 1;
    }
  }
  return 0;
}

// A context file, read as Markdown and as code; selecting from it never passes the budget
// and always keeps what is mandatory.
static void context_selection(std::string_view text) {
  for (const char* name : {"fuzz.md", "fuzz.py"}) {
    loco::ContextDocument doc;
    try {
      doc = loco::parse_context(text, name);
    } catch (const loco::Error&) {
      continue;
    }
    const loco::TokenCounter count = [](std::string_view t) { return static_cast<int64_t>(t.size() / 4 + 1); };
    const std::vector<loco::ContextDocument> docs = {doc};
    for (int64_t budget : {int64_t{0}, int64_t{64}, int64_t{1024}}) {
      try {
        const loco::ContextSelection sel = loco::select_context(docs, "what does the text say about it", budget, count);
        if (sel.used_tokens > budget) broken("a context selection passed its budget");
        if (doc.mandatory && sel.used_count() != sel.sections.size()) broken("a mandatory section was left out");
      } catch (const loco::Error&) {
        if (!doc.mandatory) broken("an optional context failed to fit instead of being cut");
      }
    }
  }
}

std::vector<std::pair<std::string, std::string>> sse_events(std::string_view text, size_t cut) {
  std::vector<std::pair<std::string, std::string>> events;
  loco::SseParser parser([&](std::string_view e, std::string_view d) { events.emplace_back(e, d); });
  parser.feed(text.substr(0, cut));
  parser.feed(text.substr(cut));
  parser.finish();
  return events;
}

void remote_replies(std::string_view text) {
  const std::string body(text);
  loco::RemoteReply reply;
  try {
    loco::remote::read_openai_completion(body, "fuzz", reply);
  } catch (const loco::Error&) {
  }
  try {
    (void)loco::remote::read_anthropic_message(body, "fuzz", reply);
  } catch (const loco::Error&) {
  }
  const auto events = sse_events(text, text.size());
  if (sse_events(text, text.size() / 2) != events) broken("a server-sent event stream depends on where it is split");
  loco::remote::OpenAIStreamReader openai;
  loco::remote::AnthropicStreamReader anthropic;
  const loco::RemoteStream keep = [](std::string_view) { return true; };
  for (const auto& [event, data] : events) {
    openai.on_data(data, keep);
    anthropic.on_event(event, data, keep);
  }
  try {
    (void)openai.finish("fuzz", false);
  } catch (const loco::Error&) {
  }
  try {
    (void)anthropic.finish("fuzz", false);
  } catch (const loco::Error&) {
  }
  // The same bytes as keys.yaml (private, as loco requires).
  const std::string path = scratch_path() + "-keys.yaml";
  write_file(path, text);
  ::chmod(path.c_str(), 0600);
  try {
    (void)loco::find_api_key(loco::parse_backend_spec("anthropic"), path, [](const char*) { return nullptr; });
  } catch (const loco::Error&) {
  }
  std::remove(path.c_str());
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t selector = data[0] % 12;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    switch (selector) {
      case 0: {
        loco::SafetensorsFile file =
            loco::SafetensorsFile::from_bytes(std::vector<uint8_t>(data + 1, data + size), "fuzz");
        // The reader promised every view lies in the input: ASan checks these reads.
        for (const auto& [name, tensor] : file.tensors()) {
          peft_name(name);
          if (tensor.nbytes == 0) continue;
          volatile uint8_t sink = tensor.data[0];
          sink = tensor.data[tensor.nbytes - 1];
          (void)sink;
        }
        break;
      }
      case 1: registry_round_trip(text); break;
      case 2: (void)loco::parse_config(std::string(text), "/fuzz/config.yaml"); break;
      case 3: {
        const std::string path = scratch_path();
        write_file(path, text);
        try {
          (void)loco::ClassifierRouter::load(path);
        } catch (const loco::Error&) {
        }
        try {
          (void)loco::read_labelled_jsonl(path);
        } catch (const loco::Error&) {
        }
        try {
          (void)loco::eval::load_eval_set(path, "fuzz");
        } catch (const loco::Error&) {
        }
        try {
          (void)loco::eval::results_from_json(std::string(text), "fuzz");
        } catch (const loco::Error&) {
        }
        try {
          (void)loco::eval::item_from_json(std::string(text), "fuzz");
        } catch (const loco::Error&) {
        }
        if (!tokenizers().empty()) {
          try {
            (void)loco::train::load_train_jsonl(path, *tokenizers()[0], loco::ChatFormat::Qwen3, 4096);
          } catch (const loco::Error&) {
          }
        }
        std::remove(path.c_str());
        break;
      }
      case 4:
        for (loco::EvalType type : {loco::EvalType::Numeric, loco::EvalType::MultipleChoice,
                                    loco::EvalType::Code, loco::EvalType::FreeText}) {
          (void)loco::extract_answer(type, text);
        }
        (void)loco::code_entry_point(text);
        (void)loco::eval::strict_number(std::string(text));
        (void)loco::eval::reference_number(text);
        (void)loco::eval::evaluation_code(std::string(text));
        break;
      case 8: {
        // One PEFT tensor name per line.
        size_t start = 0;
        while (start <= text.size()) {
          size_t end = text.find('\n', start);
          if (end == std::string_view::npos) end = text.size();
          peft_name(std::string(text.substr(start, end - start)));
          start = end + 1;
        }
        break;
      }
      case 9:
        // The same bytes as a model catalogue and as an adapter index.
        try {
          (void)loco::parse_catalogue(text, "fuzz-catalogue.json");
        } catch (const loco::Error&) {
        }
        (void)loco::parse_adapter_index(text, "https://fuzz.example/index.json");
        break;
      case 10: context_selection(text); break;
      case 11: remote_replies(text); break;
      default: tokenizer_round_trip(text); break;
    }
  } catch (const loco::Error&) {
  }
  return 0;
}
