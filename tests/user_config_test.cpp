// User directories (XDG with loco's own overrides) and config.yaml: resolution order,
// validation with one-line errors, and flags > config > defaults.
#include "loco/user_config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "loco/error.h"
#include "test_paths.h"

namespace loco {
namespace {

// A fake environment for resolve_user_paths and load_config.
struct FakeEnv {
  std::map<std::string, std::string> vars;
  EnvLookup lookup() const {
    return [this](const char* name) -> const char* {
      auto it = vars.find(name);
      return it == vars.end() ? nullptr : it->second.c_str();
    };
  }
};

TEST(UserPaths, HomeFallbacks) {
  FakeEnv env{{{"HOME", "/home/ann"}}};
  UserPaths p = resolve_user_paths("", "", env.lookup());
  EXPECT_EQ(p.config_dir, "/home/ann/.config/loco");
  EXPECT_EQ(p.config_file, "/home/ann/.config/loco/config.yaml");
  EXPECT_EQ(p.data_dir, "/home/ann/.local/share/loco");
  EXPECT_EQ(p.adapters_dir(), "/home/ann/.local/share/loco/adapters");
  EXPECT_EQ(p.registry_file(), "/home/ann/.local/share/loco/adapters/registry.yaml");
}

TEST(UserPaths, XdgThenLocoVariablesThenFlags) {
  FakeEnv env{{{"HOME", "/home/ann"}, {"XDG_CONFIG_HOME", "/xdg/config"}, {"XDG_DATA_HOME", "/xdg/data"}}};
  UserPaths p = resolve_user_paths("", "", env.lookup());
  EXPECT_EQ(p.config_dir, "/xdg/config/loco");
  EXPECT_EQ(p.data_dir, "/xdg/data/loco");

  env.vars["LOCO_CONFIG_DIR"] = "/loco/config";
  env.vars["LOCO_DATA_DIR"] = "/loco/data";
  p = resolve_user_paths("", "", env.lookup());
  EXPECT_EQ(p.config_dir, "/loco/config");
  EXPECT_EQ(p.config_file, "/loco/config/config.yaml");
  EXPECT_EQ(p.data_dir, "/loco/data");
  EXPECT_EQ(p.registry_file(), "/loco/data/adapters/registry.yaml");

  p = resolve_user_paths("/etc/loco/my.yaml", "/srv/loco", env.lookup());
  EXPECT_EQ(p.config_file, "/etc/loco/my.yaml");
  EXPECT_EQ(p.config_dir, "/etc/loco");
  EXPECT_EQ(p.data_dir, "/srv/loco");
}

TEST(UserPaths, EmptyAndRelativeXdgValuesAreIgnored) {
  // The XDG spec says relative paths in these variables are invalid and to be ignored.
  FakeEnv env{{{"HOME", "/h"}, {"XDG_CONFIG_HOME", "relative/dir"}, {"XDG_DATA_HOME", ""},
               {"LOCO_DATA_DIR", ""}}};
  UserPaths p = resolve_user_paths("", "", env.lookup());
  EXPECT_EQ(p.config_dir, "/h/.config/loco");
  EXPECT_EQ(p.data_dir, "/h/.local/share/loco");
}

TEST(UserPaths, NoHomeIsAnErrorUnlessOverridden) {
  FakeEnv env;
  EXPECT_THROW(resolve_user_paths("", "", env.lookup()), Error);
  env.vars["LOCO_CONFIG_DIR"] = "/c";
  env.vars["LOCO_DATA_DIR"] = "/d";
  EXPECT_EQ(resolve_user_paths("", "", env.lookup()).data_dir, "/d");
}

TEST(UserConfig, ReadsEveryKey) {
  FakeEnv env{{{"HOME", "/home/ann"}}};
  const SettingsLayer c = parse_config(
      "model: models/base.gguf\nreread: false\nvotes: 5\nvote_temperature: 0.9\n"
      "temperature: 0.2\nthreads: 6\nctx: 8192\nrouter: embedding\nrouter_threshold: 0.35\n",
      "/etc/loco/config.yaml", env.lookup());
  EXPECT_EQ(c.model, "/etc/loco/models/base.gguf");  // relative to the config file
  EXPECT_EQ(c.reread, false);
  EXPECT_EQ(c.votes, 5);
  EXPECT_FLOAT_EQ(*c.vote_temperature, 0.9f);
  EXPECT_FLOAT_EQ(*c.temperature, 0.2f);
  EXPECT_EQ(c.threads, 6);
  EXPECT_EQ(c.ctx, 8192);
  EXPECT_EQ(c.router, RouterKind::Embedding);
  EXPECT_FLOAT_EQ(*c.router_threshold, 0.35f);

  EXPECT_EQ(parse_config("model: ~/m.gguf\n", "/c/config.yaml", env.lookup()).model, "/home/ann/m.gguf");
  EXPECT_EQ(parse_config("model: /abs/m.gguf\n", "/c/config.yaml", env.lookup()).model, "/abs/m.gguf");
  const SettingsLayer empty = parse_config("", "/c/config.yaml");
  EXPECT_FALSE(empty.model || empty.votes || empty.router);
  EXPECT_FALSE(parse_config("votes:\n", "/c/config.yaml").votes.has_value());
}

TEST(UserConfig, FileOnDiskAndMissingFile) {
  const std::string dir = test::temp_dir();
  std::ofstream(dir + "/config.yaml") << "votes: 3\nrouter: classifier\n";
  const SettingsLayer c = load_config(dir + "/config.yaml");
  EXPECT_EQ(c.votes, 3);
  EXPECT_EQ(c.router, RouterKind::Classifier);
  const SettingsLayer none = load_config(dir + "/absent.yaml");
  EXPECT_FALSE(none.votes.has_value());
}

void expect_config_error(const std::string& text, const std::string& expected) {
  try {
    parse_config(text, "config.yaml");
    ADD_FAILURE() << "no error for: " << text;
  } catch (const FormatError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(expected), std::string::npos) << message;
    EXPECT_EQ(message.rfind("config.yaml", 0), 0u) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(UserConfig, BadValuesNameTheKey) {
  expect_config_error("votes: many\n", "config.yaml: votes must be a whole number from 1 to 64");
  expect_config_error("votes: 0\n", "votes must be a whole number from 1 to 64");
  // The same ranges as the command line (--votes 1..64, --vote-temperature 0..5).
  expect_config_error("votes: 65\n", "votes must be a whole number from 1 to 64");
  expect_config_error("vote_temperature: 5.5\n", "vote_temperature must be");
  expect_config_error("votes: 2.5\n", "votes must be a whole number");
  expect_config_error("ctx: 99999999999999999999999\n", "ctx must be a whole number");
  expect_config_error("threads: -1\n", "threads must be a whole number from 0 to 1024");
  expect_config_error("temperature: hot\n", "temperature must be a number from 0 to 10");
  expect_config_error("vote_temperature: .inf\n", "vote_temperature must be a number");
  expect_config_error("reread: sometimes\n", "reread must be true or false");
  expect_config_error("router: magic\n", "router must be keyword, classifier or embedding");
  expect_config_error("model: [a, b]\n", "model must be a single value");
  expect_config_error("temprature: 0.5\n", "'temprature' is not a setting");
  expect_config_error("votes: 2\nvotes: 3\n", "votes is given twice");
  expect_config_error("- a\n- b\n", "must be a mapping");
  expect_config_error("votes: [1\n", "line");
}

TEST(UserConfig, FlagsOverrideConfigOverrideDefaults) {
  const Settings defaults = merge_settings({}, {});
  EXPECT_EQ(defaults.model, "");
  EXPECT_TRUE(defaults.reread);
  EXPECT_EQ(defaults.votes, 1);
  EXPECT_FLOAT_EQ(defaults.vote_temperature, 0.7f);
  EXPECT_FLOAT_EQ(defaults.temperature, 0.7f);
  EXPECT_EQ(defaults.threads, 0);
  EXPECT_EQ(defaults.ctx, 4096);
  EXPECT_EQ(defaults.router, RouterKind::Keyword);
  EXPECT_FALSE(defaults.router_threshold.has_value());

  SettingsLayer config;
  config.model = "/config/model.gguf";
  config.votes = 5;
  config.reread = false;
  config.router = RouterKind::Classifier;
  SettingsLayer flags;
  flags.votes = 3;
  flags.temperature = 0.1f;
  const Settings s = merge_settings(config, flags);
  EXPECT_EQ(s.model, "/config/model.gguf");  // config only
  EXPECT_EQ(s.votes, 3);                     // flag beats config
  EXPECT_FALSE(s.reread);                    // config beats default
  EXPECT_FLOAT_EQ(s.temperature, 0.1f);      // flag beats default
  EXPECT_EQ(s.router, RouterKind::Classifier);
  EXPECT_EQ(s.ctx, 4096);                    // nobody set it

  // A flag that sets the default value explicitly still wins over the config.
  flags.reread = true;
  EXPECT_TRUE(merge_settings(config, flags).reread);
  EXPECT_EQ(parse_router_kind("keyword"), RouterKind::Keyword);
  EXPECT_FALSE(parse_router_kind("Keyword").has_value());
}

}  // namespace
}  // namespace loco
