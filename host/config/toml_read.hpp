// Small helpers to read typed values from toml++ tables with errors that name the file and
// the field, and to reject keys nobody reads (a typo must not be silently ignored).
#pragma once
#include <toml++/toml.h>
#include <set>
#include <string>
#include <vector>

namespace airtp {

class TomlReader {
 public:
  TomlReader(const std::string& file, const toml::table& root) : file_(file), root_(root) {}
  // Each getter leaves `out` untouched when the key is absent.
  void get(const std::string& key, double& out);
  void get(const std::string& key, long& out);
  void get(const std::string& key, int& out);
  void get(const std::string& key, uint64_t& out);
  void get(const std::string& key, std::string& out);
  void get(const std::string& key, bool& out);
  // Lists accept a scalar too (a one-point axis).
  void get(const std::string& key, std::vector<double>& out);
  void get(const std::string& key, std::vector<int>& out);
  void get(const std::string& key, std::vector<std::string>& out);
  // Throws for any key present in the file but never asked for.
  void reject_unknown() const;
  [[noreturn]] void fail(const std::string& key, const std::string& what) const;
  const std::string& file() const { return file_; }

 private:
  const toml::node* find(const std::string& key);
  std::string file_;
  const toml::table& root_;
  std::set<std::string> seen_;
};

// Parses a TOML file; InputError naming the file, line and column on a syntax error.
toml::table parse_toml_file(const std::string& path);
// Parses TOML text (a config recorded in a result or shard file); InputError naming `source`.
toml::table parse_toml_text(const std::string& text, const std::string& source);

// Formats a double so that it reads back exactly (TOML and result metadata).
std::string exact_double(double v);

}  // namespace airtp
