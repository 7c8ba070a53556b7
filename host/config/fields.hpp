// One table of fields per command: every configurable quantity is declared once, with its
// TOML key, its flag, its type, its bounds, its unit and its help text. From that table come
//   - reading a TOML config (unknown keys rejected, types and bounds checked),
//   - the flag overlay (a flag given on the command line overrides the file),
//   - the validation messages, which always name both the key and the flag,
//   - the resolved configuration written as TOML into every result file (and read back by
//     `airtp merge`), and
//   - `--help`, with defaults and units.
// Commands build their table from shared pieces (host/scenario/scenario_fields.hpp and
// friends), so the same quantity has the same key, flag and unit in every command.
//
// Values from the command line are parsed by the same rules as values from TOML: numbers must
// be finite (unless a field allows -inf), integers must be whole and in range (no silent
// wrap-around), seeds are 0 ... 2^64 - 1, lists are comma-separated ("2,4,8") or ranges
// "start:stop:step", and every element of a list is checked.
#pragma once
#include <CLI/CLI.hpp>
#include <toml++/toml.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace airtp {

class FieldTable;

struct Field {
  using Target = std::variant<int*, long*, uint64_t*, double*, bool*, std::string*, std::vector<int>*,
                              std::vector<double>*, std::vector<std::string>*>;
  std::string key;                   // TOML key, dotted for sections: "channel.n_rx"
  std::string flag;                  // "--n-rx" (empty: config file only)
  std::string short_flag;            // "-N" (optional)
  std::vector<std::string> aliases;  // old spellings, accepted but hidden from --help
  std::string unit;                  // "dB", "Hz", "1", ... (empty: none)
  std::string help;
  Target target;
  double lo = -std::numeric_limits<double>::infinity();  // bounds of numbers (each element)
  double hi = std::numeric_limits<double>::infinity();
  bool neg_inf_ok = false;       // "-inf" accepted (e.g. Rayleigh K = -inf dB)
  bool pos_inf_ok = false;
  bool empty_ok = false;         // a list may be empty
  bool unique = false;           // list elements must be distinct (sweep axes)
  char separator = ',';          // list separator on the command line
  std::vector<std::string> choices;  // allowed texts (empty: any)
  bool flag_only = false;        // not part of the config (e.g. --output): never read from or written to TOML
  bool hidden = false;           // not shown in --help
  // Text lists only: a TOML list of numbers stands for one entry "a,b,c", and a list of such
  // lists for several (e.g. m = [0.5, 0.3, 0.2] or m = [[0.5, 0.5], "uniform"]).
  bool numbers_as_text = false;
  std::string default_text;      // the value at registration, for --help

  // Builder-style refinements, e.g. t.add(...).range(1, 128).unique_values().
  Field& range(double a, double b) { lo = a, hi = b; return *this; }
  Field& allow_neg_inf() { neg_inf_ok = true; return *this; }
  Field& allow_pos_inf() { pos_inf_ok = true; return *this; }
  Field& allow_empty() { empty_ok = true; return *this; }
  Field& unique_values() { unique = true; return *this; }
  Field& one_of(std::vector<std::string> c) { choices = std::move(c); return *this; }
  Field& alias(std::string a) { aliases.push_back(std::move(a)); return *this; }
  Field& short_name(std::string s) { short_flag = std::move(s); return *this; }
  Field& sep(char c) { separator = c; return *this; }
  Field& only_flag() { flag_only = true; return *this; }
  Field& hide() { hidden = true; return *this; }
  Field& numbers_are_text() { numbers_as_text = true; return *this; }

  // "channel.n_rx (--n-rx)": how every message names the field.
  std::string name() const;
};

class FieldTable {
 public:
  explicit FieldTable(std::string command) : command_(std::move(command)) {}
  FieldTable(const FieldTable&) = delete;
  FieldTable& operator=(const FieldTable&) = delete;

  // Registers a field bound to `target` (which holds its default). Bounds etc. by the
  // returned reference. Keys and flags must be unique within a table.
  template <class T>
  Field& add(std::string key, std::string flag, T* target, std::string unit, std::string help) {
    return add_field(std::move(key), std::move(flag), Field::Target(target), std::move(unit), std::move(help));
  }

  // A key the table does not hold itself, e.g. the [[device]] list of tables: `read` gets the
  // node when the key is present, `write` returns its TOML (a whole section text). `flag`
  // (optional) is called with the flag's text.
  struct Custom {
    std::string key, help;
    std::function<void(const toml::node&, const std::string& source)> read;
    std::function<std::string()> write;
  };
  void custom(Custom c) { customs_.push_back(std::move(c)); }

  // Reads a config; every key must be a field or a custom key. `source` names the file (or
  // "shard config") in messages. The key `command`, when present, must equal this command.
  void read(const toml::table& root, const std::string& source);
  void read_file(const std::string& path);
  void read_text(const std::string& text, const std::string& source);

  // Adds every field's flag to `app` (help text with unit and default); call apply_flags()
  // after parsing.
  void add_flags(CLI::App& app);
  // Applies the flags that were given, in table order. InputError naming flag and key.
  void apply_flags();

  // True when the field was given in the config file or by a flag.
  bool given(const std::string& key) const;
  bool flag_given(const std::string& key) const;
  const Field& field(const std::string& key) const;
  const std::vector<Field>& fields() const { return fields_; }
  const std::string& command() const { return command_; }

  // The resolved configuration (every field that is not flag-only, sections in table order,
  // numbers exact) plus the custom sections, preceded by command = "...".
  std::string to_toml() const;

  // InputError "<key> (<flag>): <what>", the one message shape of every check.
  [[noreturn]] void fail(const std::string& key, const std::string& what) const;

 private:
  Field& add_field(std::string key, std::string flag, Field::Target target, std::string unit, std::string help);
  void set_from_node(Field& f, const toml::node& n, const std::string& source);
  void set_from_text(Field& f, const std::string& text, const std::string& where);
  void check(const Field& f, const std::string& where) const;

  std::string command_;
  std::vector<Field> fields_;
  std::vector<Custom> customs_;
  std::vector<std::string> flag_text_;    // per field: the raw text of its flag
  std::vector<CLI::Option*> options_;     // per field (nullptr: no flag)
  std::vector<std::vector<CLI::Option*>> alias_options_;
  std::vector<char> from_file_, from_flag_;
  std::vector<char> bool_flag_;           // per field, for boolean flags
  std::unique_ptr<bool[]> bool_value_;    // per field: a boolean flag's value (--flag, --flag=false)
};

// Formats a double so that it reads back exactly (TOML and result metadata).
std::string exact_number(double v);
// A TOML string literal with escapes.
std::string toml_quote(const std::string& s);

}  // namespace airtp
