// Naming the pulled base model as the default in config.yaml, so that `loco query` and
// `loco chat` need no -m. A line-level edit: the user's comments and other keys stay.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "loco/atomic_file.h"
#include "loco/model_store.h"
#include "loco/user_config.h"

namespace loco {

namespace {

std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path, std::ios::binary);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// A top-level `model:` key (not indented, not a comment).
bool is_model_line(const std::string& line) {
  if (line.rfind("model", 0) != 0) return false;
  size_t i = 5;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  return i < line.size() && line[i] == ':';
}

void write_lines(const std::string& path, const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& l : lines) text += l + "\n";
  write_file_atomically(path, text);
}

}  // namespace

bool set_default_model(const std::string& config_file, const std::string& model_path, bool replace) {
  // Parsing first refuses to edit a config that loco itself could not read.
  const SettingsLayer current = load_config(config_file);
  if (current.model && !replace) return false;
  if (current.model && *current.model == model_path) return false;
  std::vector<std::string> lines = read_lines(config_file);
  std::erase_if(lines, is_model_line);
  // A JSON string is a valid YAML double-quoted scalar: any path survives.
  lines.push_back("model: " + nlohmann::json(model_path).dump());
  write_lines(config_file, lines);
  return true;
}

bool clear_default_model(const std::string& config_file, const std::string& model_path) {
  if (!std::filesystem::exists(config_file)) return false;
  const SettingsLayer current = load_config(config_file);
  if (!current.model) return false;
  std::error_code ec;
  const bool same = *current.model == model_path || std::filesystem::equivalent(*current.model, model_path, ec);
  if (!same) return false;
  std::vector<std::string> lines = read_lines(config_file);
  std::erase_if(lines, is_model_line);
  write_lines(config_file, lines);
  return true;
}

}  // namespace loco
