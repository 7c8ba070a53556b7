#include "host/config/toml_read.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>

#include "host/common/errors.hpp"

namespace airtp {

toml::table parse_toml_file(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) throw InputError("config '" + path + "': no such file");
  try {
    return toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    throw InputError("config '" + path + "' line " + std::to_string(b.line) + ", column " +
                     std::to_string(b.column) + ": " + std::string(e.description()));
  }
}

toml::table parse_toml_text(const std::string& text, const std::string& source) {
  try {
    return toml::parse(text);
  } catch (const toml::parse_error& e) {
    throw InputError(source + ": not valid TOML (" + std::string(e.description()) + ")");
  }
}

std::string exact_double(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (std::isnan(v)) return "nan";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

void TomlReader::fail(const std::string& key, const std::string& what) const {
  throw InputError("config '" + file_ + "': field '" + key + "' " + what);
}

const toml::node* TomlReader::find(const std::string& key) {
  seen_.insert(key);
  return root_.at_path(key).node();
}

static double as_double(const toml::node& n, bool& ok) {
  ok = true;
  if (auto v = n.as_floating_point()) return v->get();
  if (auto v = n.as_integer()) return (double)v->get();
  ok = false;
  return 0;
}

void TomlReader::get(const std::string& key, double& out) {
  const toml::node* n = find(key);
  if (!n) return;
  bool ok;
  const double v = as_double(*n, ok);
  if (!ok) fail(key, "must be a number");
  out = v;
}

void TomlReader::get(const std::string& key, long& out) {
  const toml::node* n = find(key);
  if (!n) return;
  if (auto v = n->as_integer()) {
    out = (long)v->get();
    return;
  }
  fail(key, "must be an integer");
}

void TomlReader::get(const std::string& key, int& out) {
  long v = out;
  get(key, v);
  if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) fail(key, "is out of range");
  out = (int)v;
}

void TomlReader::get(const std::string& key, uint64_t& out) {
  const toml::node* n = find(key);
  if (!n) return;
  auto v = n->as_integer();
  if (!v) fail(key, "must be an integer");
  if (v->get() < 0) fail(key, "must not be negative");
  out = (uint64_t)v->get();
}

void TomlReader::get(const std::string& key, std::string& out) {
  const toml::node* n = find(key);
  if (!n) return;
  auto v = n->as_string();
  if (!v) fail(key, "must be a string");
  out = v->get();
}

void TomlReader::get(const std::string& key, bool& out) {
  const toml::node* n = find(key);
  if (!n) return;
  auto v = n->as_boolean();
  if (!v) fail(key, "must be true or false");
  out = v->get();
}

void TomlReader::get(const std::string& key, std::vector<double>& out) {
  const toml::node* n = find(key);
  if (!n) return;
  std::vector<double> r;
  bool ok;
  if (auto a = n->as_array()) {
    for (auto& e : *a) {
      const double v = as_double(e, ok);
      if (!ok) fail(key, "must be a list of numbers");
      r.push_back(v);
    }
  } else {
    r.push_back(as_double(*n, ok));
    if (!ok) fail(key, "must be a number or a list of numbers");
  }
  if (r.empty()) fail(key, "must not be an empty list");
  out = r;
}

void TomlReader::get(const std::string& key, std::vector<int>& out) {
  const toml::node* n = find(key);
  if (!n) return;
  std::vector<int> r;
  auto one = [&](const toml::node& e) {
    auto v = e.as_integer();
    if (!v) fail(key, "must be an integer or a list of integers");
    if (v->get() < std::numeric_limits<int>::min() || v->get() > std::numeric_limits<int>::max())
      fail(key, "is out of range");
    r.push_back((int)v->get());
  };
  if (auto a = n->as_array())
    for (auto& e : *a) one(e);
  else
    one(*n);
  if (r.empty()) fail(key, "must not be an empty list");
  out = r;
}

void TomlReader::get(const std::string& key, std::vector<std::string>& out) {
  const toml::node* n = find(key);
  if (!n) return;
  std::vector<std::string> r;
  auto one = [&](const toml::node& e) {
    auto v = e.as_string();
    if (!v) fail(key, "must be a string or a list of strings");
    r.push_back(v->get());
  };
  if (auto a = n->as_array())
    for (auto& e : *a) one(e);
  else
    one(*n);
  if (r.empty()) fail(key, "must not be an empty list");
  out = r;
}

void TomlReader::reject_unknown() const {
  // Walk every leaf key (tables recursively) and compare against what was asked for.
  std::vector<std::pair<std::string, const toml::table*>> stack{{"", &root_}};
  while (!stack.empty()) {
    auto [prefix, t] = stack.back();
    stack.pop_back();
    for (auto& [k, v] : *t) {
      const std::string full = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
      if (auto sub = v.as_table()) {
        stack.push_back({full, sub});
      } else if (!seen_.count(full)) {
        throw InputError("config '" + file_ + "': unknown field '" + full + "'");
      }
    }
  }
}

}  // namespace airtp
