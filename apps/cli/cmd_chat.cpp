// `loco chat`: a multi-turn conversation with line editing (libedit). Everything that
// enters the prompt counts against the context window; past 90% the oldest turns are left
// out (fit_prompt) and the answer says so, so no turn fails for the length of the
// conversation. Slash commands change the adapter, votes and RE2, and save or load the
// conversation.
#include <editline/readline.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <algorithm>
#include <sstream>

#include "answer_report.h"
#include "assistant_setup.h"
#include "builtin_model.h"
#include "commands.h"
#include "loco/error.h"
#include "loco/nudges.h"
#include "loco/prompt_builder.h"

namespace loco::cli {
namespace {

struct ChatFlags {
  AssistantFlags assistant;
  std::string system;
  bool no_nudges = false;
};

const char* kHelp =
    "Commands:\n"
    "  /adapter NAME|auto|none  choose the adapter (auto: the router picks)\n"
    "  /votes N                 sample N answers and vote (1 = a single streamed answer)\n"
    "  /reread on|off           repeat each question (RE2)\n"
    "  /save FILE               save the conversation and settings as JSON\n"
    "  /load FILE               load a conversation saved with /save\n"
    "  /clear                   forget the conversation\n"
    "  /context add FILE|DIR    add a rubric, specification, template or excerpt to every question\n"
    "  /context list            the context documents, and what the last answer used of them\n"
    "  /context drop N          remove context document N (as numbered by /context list)\n"
    "  /stats                   tokens and speed of the last turn and of the session\n"
    "  /nudges on|off           a suggestion after each answer of how to engage with it\n"
    "  /help                    this list\n"
    "  /quit                    leave (Ctrl-D works too)\n";

// Reads a line with libedit when stdin is a terminal, plainly otherwise.
std::optional<std::string> read_line(const char* prompt, bool tty) {
  if (tty) {
    char* raw = readline(prompt);
    if (raw == nullptr) return std::nullopt;
    std::string line(raw);
    std::free(raw);
    if (!line.empty()) add_history(line.c_str());
    return line;
  }
  std::string line;
  if (!std::getline(std::cin, line)) return std::nullopt;
  return line;
}

std::string trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t\r\n") - a + 1);
}

// Tokens and seconds of the turns so far (/stats).
struct TurnStats {
  uint64_t prompt_tokens = 0;  // run through the model (a reused prefix is not counted)
  uint64_t generated_tokens = 0;
  double prompt_seconds = 0, generate_seconds = 0;
  int32_t context_tokens = 0;  // the prompt's length
  void add(const TurnStats& t) {
    prompt_tokens += t.prompt_tokens;
    generated_tokens += t.generated_tokens;
    prompt_seconds += t.prompt_seconds;
    generate_seconds += t.generate_seconds;
  }
};

std::string rate_text(uint64_t tokens, double seconds) {
  return seconds > 0 ? fmt::format("{:.1f} tokens/s", static_cast<double>(tokens) / seconds) : "-";
}

struct Conversation {
  std::vector<ChatMessage> history;
  QueryOptions options;
  bool nudges = true;
  int turns = 0;
  TurnStats last, session;
  ContextSelection last_context;  // what the last turn's prompt held of options.context
  int32_t n_ctx = 0;

  nlohmann::json to_json() const {
    nlohmann::json messages = nlohmann::json::array();
    for (const ChatMessage& m : history) messages.push_back({{"role", m.role}, {"content", m.content}});
    return {{"format", "loco-chat"},
            {"version", 1},
            {"adapter", options.adapter},
            {"votes", options.votes},
            {"reread", options.reread},
            {"messages", messages}};
  }

  void load_json(const nlohmann::json& j, const std::string& path) {
    try {
      if (!j.is_object() || j.value("format", "") != "loco-chat") throw Error(path + ": not a conversation saved by loco chat");
      std::vector<ChatMessage> loaded;
      for (const auto& m : j.at("messages")) {
        ChatMessage msg{m.at("role").get<std::string>(), m.at("content").get<std::string>()};
        if (msg.role != "user" && msg.role != "assistant" && msg.role != "system") {
          throw Error(path + ": unknown role '" + msg.role + "'");
        }
        loaded.push_back(std::move(msg));
      }
      const int votes = j.value("votes", 1);
      if (votes < 1 || votes > 64) throw Error(path + ": votes must be between 1 and 64");
      history = std::move(loaded);
      options.adapter = j.value("adapter", std::string("auto"));
      options.votes = votes;
      options.reread = j.value("reread", true);
    } catch (const nlohmann::json::exception& e) {
      throw Error(path + ": malformed conversation (" + std::string(e.what()) + ")");
    }
  }
};

// /context add FILE|DIR, /context list, /context drop N. The documents go with every
// question; each turn fits them to what the conversation leaves of the budget.
void context_command(const std::string& arg, Conversation& c) {
  std::istringstream in(arg);
  std::string sub, rest;
  in >> sub;
  std::getline(in, rest);
  rest = trim(rest);
  std::vector<ContextDocument>& docs = c.options.context;
  if (sub == "add") {
    if (rest.empty()) throw Error("usage: /context add FILE|DIR");
    std::vector<ContextDocument> added = load_context_files({rest});
    size_t sections = 0;
    for (const ContextDocument& d : added) sections += d.sections.size();
    fmt::print("context: added {} document(s) from {} ({} section(s)); {} in all\n", added.size(), rest, sections,
               docs.size() + added.size());
    docs.insert(docs.end(), std::make_move_iterator(added.begin()), std::make_move_iterator(added.end()));
  } else if (sub == "list" || sub.empty()) {
    if (docs.empty()) {
      fmt::print("no context documents; add one with /context add FILE\n");
      return;
    }
    for (size_t i = 0; i < docs.size(); ++i) {
      const ContextDocument& d = docs[i];
      size_t used = 0;
      for (const ContextSectionChoice& s : c.last_context.sections) {
        if (s.used && s.source == d.source) ++used;
      }
      fmt::print("{:>3}. {} ({}{}, {} section(s){})\n", i + 1, d.source, context_kind_name(d.kind),
                 d.mandatory ? ", mandatory" : "", d.sections.size(),
                 c.turns > 0 ? fmt::format("; last answer used {}", used) : std::string());
    }
    if (const std::string summary = context_summary(c.last_context); c.turns > 0 && !summary.empty()) {
      fmt::print("last answer: {}\n", summary);
    }
  } else if (sub == "drop") {
    size_t n = 0;
    try {
      n = static_cast<size_t>(std::stoul(rest));
    } catch (const std::exception&) {
    }
    if (n < 1 || n > docs.size()) {
      fmt::print("usage: /context drop N (1 to {}; see /context list)\n", docs.size());
      return;
    }
    fmt::print("context: dropped {}. {}\n", n, docs[n - 1].source);
    docs.erase(docs.begin() + static_cast<long>(n - 1));
  } else {
    fmt::print("usage: /context add FILE|DIR, /context list, /context drop N\n");
  }
}

bool handle_command(const std::string& line, Conversation& c, const Assistant& a) {
  std::istringstream in(line);
  std::string cmd, arg;
  in >> cmd;
  std::getline(in, arg);
  arg = trim(arg);
  if (cmd == "/help") {
    fmt::print("{}", kHelp);
  } else if (cmd == "/adapter") {
    if (arg.empty()) {
      fmt::print("adapter: {}\n", c.options.adapter);
    } else if (arg == "auto" || arg == "none" || a.registry().find(arg) || a.registry().active_for(arg)) {
      c.options.adapter = arg;
      fmt::print("adapter: {}\n", arg);
    } else {
      fmt::print("no adapter or domain named '{}' (see `loco adapters list`)\n", arg);
    }
  } else if (cmd == "/votes") {
    int n = 0;
    try {
      n = std::stoi(arg);
    } catch (const std::exception&) {
    }
    if (n < 1 || n > 64) {
      fmt::print("usage: /votes N (1 to 64)\n");
    } else {
      c.options.votes = n;
      fmt::print("votes: {}\n", n);
    }
  } else if (cmd == "/reread") {
    if (arg != "on" && arg != "off") {
      fmt::print("usage: /reread on|off (now {})\n", c.options.reread ? "on" : "off");
    } else {
      c.options.reread = arg == "on";
      fmt::print("reread: {}\n", arg);
    }
  } else if (cmd == "/save") {
    if (arg.empty()) throw Error("usage: /save FILE");
    std::ofstream out(arg);
    if (!out) throw Error(arg + ": cannot write");
    out << c.to_json().dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    fmt::print("saved {} messages to {}\n", c.history.size(), arg);
  } else if (cmd == "/load") {
    if (arg.empty()) throw Error("usage: /load FILE");
    std::ifstream in_file(arg);
    if (!in_file) throw Error(arg + ": cannot open");
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(in_file);
    } catch (const nlohmann::json::exception&) {
      throw Error(arg + ": not valid JSON");
    }
    c.load_json(j, arg);
    fmt::print("loaded {} messages from {}\n", c.history.size(), arg);
  } else if (cmd == "/clear") {
    c.history.erase(std::remove_if(c.history.begin(), c.history.end(),
                                   [](const ChatMessage& m) { return m.role != "system"; }),
                    c.history.end());
    fmt::print("conversation cleared\n");
  } else if (cmd == "/stats") {
    if (c.turns == 0) {
      fmt::print("no turns yet\n");
    } else {
      fmt::print("last turn: prompt {} tokens of {} in the context ({} evaluated, {}), answer {} tokens ({})\n",
                 c.last.context_tokens, c.n_ctx, c.last.prompt_tokens,
                 rate_text(c.last.prompt_tokens, c.last.prompt_seconds), c.last.generated_tokens,
                 rate_text(c.last.generated_tokens, c.last.generate_seconds));
      fmt::print("session: {} turn(s), prompts {} tokens evaluated ({}), answers {} tokens ({})\n", c.turns,
                 c.session.prompt_tokens, rate_text(c.session.prompt_tokens, c.session.prompt_seconds),
                 c.session.generated_tokens, rate_text(c.session.generated_tokens, c.session.generate_seconds));
    }
  } else if (cmd == "/nudges") {
    if (arg != "on" && arg != "off") {
      fmt::print("usage: /nudges on|off (now {})\n", c.nudges ? "on" : "off");
    } else {
      c.nudges = arg == "on";
      fmt::print("nudges: {}\n", arg);
    }
  } else if (cmd == "/context") {
    context_command(arg, c);
  } else if (cmd == "/quit" || cmd == "/exit") {
    return false;
  } else {
    fmt::print("unknown command {}; /help lists them\n", cmd);
  }
  return true;
}

int run_chat(const ChatFlags& opt) {
  AssistantSetup setup = make_assistant(opt.assistant);
  Assistant& a = *setup.assistant;
  Conversation c;
  c.options = setup.query;
  if (!opt.system.empty()) c.history.push_back({"system", opt.system});
  c.nudges = !opt.no_nudges;
  c.n_ctx = setup.n_ctx;
  const bool tty = isatty(STDIN_FILENO) != 0;
  if (a.is_remote()) {
    fmt::print("loco chat: {}. /help for commands, /quit to leave.\n", setup.model_path);
  } else {
    fmt::print("loco chat: {} ({}). /help for commands, /quit to leave.\n", a.model().config().name,
               a.model().config().arch_name);
  }
  if (setup.builtin) fmt::print("model: {}\n", kBuiltinNotice);
  std::fflush(stdout);
  for (;;) {
    std::optional<std::string> line = read_line("> ", tty);
    if (!line) break;
    const std::string text = trim(*line);
    if (text.empty()) continue;
    try {
      if (text[0] == '/') {
        if (!handle_command(text, c, a)) break;
        std::fflush(stdout);
        continue;
      }
      QueryOptions q = c.options;
      q.history = c.history;
      const bool stream = q.votes == 1;
      QueryResult r = a.ask(text, q, stream ? AnswerStream([](std::string_view piece) {
        std::fwrite(piece.data(), 1, piece.size(), stdout);
        std::fflush(stdout);
        return true;
      }) : AnswerStream());
      if (!stream) fmt::print("{}", r.text);
      fmt::print("\n{}", answer_footer(r));
      if (c.nudges) {
        const AdapterEntry* entry = r.adapter.empty() ? nullptr : a.registry().find(r.adapter);
        if (auto nudge = nudge_for(r.eval_type, entry ? entry->nudges : std::nullopt, c.turns)) {
          fmt::print("-- try: {}\n", *nudge);
        }
      }
      fmt::print("\n");
      c.last = TurnStats{r.prompt_tokens_evaluated, r.generated_tokens, r.prompt_seconds, r.generate_seconds,
                         r.prompt_tokens};
      c.session.add(c.last);
      c.last_context = r.context;
      ++c.turns;
      // The prompt left out the oldest turns to fit the context: so does the conversation.
      for (int i = 0; i < r.history_turns_dropped; ++i) drop_oldest_turn(c.history);
      c.history.push_back({"user", text});
      c.history.push_back({"assistant", r.text});
    } catch (const Error& e) {
      fmt::print("error: {}\n", e.what());
    }
    std::fflush(stdout);
  }
  fmt::print("\n");
  return 0;
}

}  // namespace

Command register_chat(CLI::App& root) {
  auto opt = std::make_shared<ChatFlags>();
  CLI::App* app = root.add_subcommand("chat", "Talk with the assistant: multi-turn, with adapters, votes and RE2");
  app->add_option("--system", opt->system, "System message for the conversation");
  app->add_flag("--no-nudges", opt->no_nudges, "No suggestion after each answer of how to engage with it");
  add_assistant_flags(*app, opt->assistant);
  return {app, [opt] { return run_chat(*opt); }};
}

}  // namespace loco::cli
