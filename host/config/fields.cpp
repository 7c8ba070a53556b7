#include "host/config/fields.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <sstream>

#include "host/common/errors.hpp"
#include "host/io/input_file.hpp"

namespace airtp {

namespace {

constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53

std::string trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t\r\n"), b = s.find_last_not_of(" \t\r\n");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (c == sep) {
      out.push_back(trim(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(trim(cur));
  return out;
}

bool is_integer_target(const Field::Target& t) {
  return std::holds_alternative<int*>(t) || std::holds_alternative<long*>(t) || std::holds_alternative<uint64_t*>(t) ||
         std::holds_alternative<std::vector<int>*>(t);
}
bool is_real_target(const Field::Target& t) {
  return std::holds_alternative<double*>(t) || std::holds_alternative<std::vector<double>*>(t);
}
bool is_list_target(const Field::Target& t) {
  return std::holds_alternative<std::vector<int>*>(t) || std::holds_alternative<std::vector<double>*>(t) ||
         std::holds_alternative<std::vector<std::string>*>(t);
}

std::string type_words(const Field::Target& t) {
  if (std::holds_alternative<uint64_t*>(t)) return "a whole number from 0 to 2^64 - 1";
  if (std::holds_alternative<int*>(t) || std::holds_alternative<long*>(t)) return "an integer";
  if (std::holds_alternative<std::vector<int>*>(t)) return "an integer or a list of integers";
  if (std::holds_alternative<double*>(t)) return "a number";
  if (std::holds_alternative<std::vector<double>*>(t)) return "a number or a list of numbers";
  if (std::holds_alternative<bool*>(t)) return "true or false";
  if (std::holds_alternative<std::string*>(t)) return "a string";
  return "a string or a list of strings";
}

std::string show_number(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (std::isnan(v)) return "nan";
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    char b[32];
    std::snprintf(b, sizeof b, "%.0f", v);
    return b;
  }
  char b[40];
  std::snprintf(b, sizeof b, "%.6g", v);
  return b;
}

// Levenshtein distance, for "did you mean" hints on unknown keys.
size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::string exact_number(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (std::isnan(v)) return "nan";
  // Whole numbers of a few digits plainly ("50.0", not "5e+01"); large ones stay short (3e+12).
  if (v == std::floor(v) && std::fabs(v) < 1e7) {
    char w[40];
    std::snprintf(w, sizeof w, "%.1f", v);
    return w;
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  // The shortest text that reads back exactly, so configs stay readable ("0.1", not "0.10000000000000001").
  for (int p = 1; p <= 17; ++p) {
    char t[40];
    std::snprintf(t, sizeof t, "%.*g", p, v);
    if (std::strtod(t, nullptr) == v) {
      std::string s = t;
      if (s.find_first_of(".eE") == std::string::npos) s += ".0";  // a TOML float
      return s;
    }
  }
  return buf;
}

std::string toml_quote(const std::string& s) {
  std::string o = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      o += '\\';
      o += (char)c;
    } else if (c == '\n') {
      o += "\\n";
    } else if (c == '\t') {
      o += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char b[8];
      std::snprintf(b, sizeof b, "\\u%04x", c);
      o += b;
    } else {
      o += (char)c;
    }
  }
  return o + "\"";
}

std::string Field::name() const {
  if (flag_only || key.empty()) return flag;
  if (flag.empty()) return key;
  return key + " (" + flag + ")";
}

Field& FieldTable::add_field(std::string key, std::string flag, Field::Target target, std::string unit,
                             std::string help) {
  for (const Field& f : fields_) {
    if (!key.empty() && f.key == key) throw std::logic_error("FieldTable " + command_ + ": key '" + key + "' twice");
    if (!flag.empty() && f.flag == flag) throw std::logic_error("FieldTable " + command_ + ": flag '" + flag + "' twice");
  }
  Field f;
  f.key = std::move(key);
  f.flag = std::move(flag);
  f.unit = std::move(unit);
  f.help = std::move(help);
  f.target = target;
  fields_.push_back(std::move(f));
  from_file_.push_back(0);
  from_flag_.push_back(0);
  return fields_.back();
}

void FieldTable::fail(const std::string& key, const std::string& what) const {
  for (const Field& f : fields_)
    if (f.key == key || (f.key.empty() && f.flag == key)) throw InputError(f.name() + ": " + what);
  throw InputError(key + ": " + what);
}

const Field& FieldTable::field(const std::string& key) const {
  for (const Field& f : fields_)
    if (f.key == key || (f.flag_only && f.flag == key)) return f;
  throw std::logic_error("FieldTable " + command_ + ": no field '" + key + "'");
}

bool FieldTable::given(const std::string& key) const {
  for (size_t i = 0; i < fields_.size(); ++i)
    if (fields_[i].key == key || (fields_[i].flag_only && fields_[i].flag == key)) return from_file_[i] || from_flag_[i];
  return false;
}

bool FieldTable::flag_given(const std::string& key) const {
  for (size_t i = 0; i < fields_.size(); ++i)
    if (fields_[i].key == key || (fields_[i].flag_only && fields_[i].flag == key)) return from_flag_[i];
  return false;
}

// ---- checks shared by both sources ----------------------------------------

void FieldTable::check(const Field& f, const std::string& where) const {
  auto bad = [&](const std::string& what) { throw InputError(where + f.name() + ": " + what); };
  auto check_num = [&](double v, bool list) {
    const std::string each = list ? "each value " : "";
    if (std::isnan(v)) bad("must be a number, got nan");
    if (std::isinf(v)) {
      if ((v < 0 && !f.neg_inf_ok) || (v > 0 && !f.pos_inf_ok)) bad(each + "must be finite, got " + show_number(v));
      return;
    }
    if (v < f.lo || v > f.hi) {
      std::string range;
      if (std::isfinite(f.lo) && std::isfinite(f.hi)) range = "between " + show_number(f.lo) + " and " + show_number(f.hi);
      else if (std::isfinite(f.lo)) range = "at least " + show_number(f.lo);
      else range = "at most " + show_number(f.hi);
      bad(each + "must be " + range + (f.unit.empty() || f.unit == "1" ? "" : " " + f.unit) + ", got " + show_number(v));
    }
  };
  auto check_text = [&](const std::string& s) {
    if (!f.choices.empty() && std::find(f.choices.begin(), f.choices.end(), s) == f.choices.end()) {
      std::string c;
      for (size_t i = 0; i < f.choices.size(); ++i) c += (i ? ", " : "") + f.choices[i];
      bad("must be one of " + c + ", got '" + s + "'");
    }
  };
  std::visit(
      [&](auto* p) {
        using T = std::remove_pointer_t<decltype(p)>;
        if constexpr (std::is_same_v<T, int> || std::is_same_v<T, long> || std::is_same_v<T, double>) {
          check_num((double)*p, false);
        } else if constexpr (std::is_same_v<T, uint64_t>) {
          if ((double)*p < f.lo || (double)*p > f.hi) check_num((double)*p, false);
        } else if constexpr (std::is_same_v<T, std::string>) {
          check_text(*p);
        } else if constexpr (std::is_same_v<T, bool>) {
        } else {
          if (p->empty() && !f.empty_ok) bad("must not be an empty list");
          for (size_t i = 0; i < p->size(); ++i) {
            const auto& v = (*p)[i];
            if constexpr (std::is_same_v<T, std::vector<std::string>>) {
              check_text(v);
              if (v.empty()) bad("has an empty entry");
            } else {
              check_num((double)v, true);
            }
            if (f.unique)
              for (size_t j = 0; j < i; ++j)
                if ((*p)[j] == v) {
                  if constexpr (std::is_same_v<T, std::vector<std::string>>) bad("lists '" + v + "' twice");
                  else bad("lists " + show_number((double)v) + " twice (sweep values must be distinct)");
                }
          }
        }
      },
      f.target);
}

// ---- from TOML --------------------------------------------------------------

namespace {

// A TOML number as a double; false when the node is not a number.
bool node_number(const toml::node& n, double& out) {
  if (auto v = n.as_floating_point()) return out = v->get(), true;
  if (auto v = n.as_integer()) return out = (double)v->get(), true;
  return false;
}

// A whole number from TOML: an integer, or a float with an integral value below 2^53.
bool node_integer(const toml::node& n, long long& out) {
  if (auto v = n.as_integer()) return out = v->get(), true;
  if (auto v = n.as_floating_point()) {
    const double d = v->get();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) <= kMaxExactInteger) return out = (long long)d, true;
  }
  return false;
}

}  // namespace

void FieldTable::set_from_node(Field& f, const toml::node& n, const std::string& source) {
  const std::string where = "config '" + source + "': ";
  auto bad = [&](const std::string& what) { throw InputError(where + f.name() + ": " + what); };
  auto as_int = [&](const toml::node& e, long long lo, long long hi) {
    long long v;
    if (!node_integer(e, v)) bad("must be " + type_words(f.target));
    if (v < lo || v > hi) bad("is out of range (" + std::to_string(v) + ")");
    return v;
  };
  auto as_real = [&](const toml::node& e) {
    double v;
    if (!node_number(e, v)) bad("must be " + type_words(f.target));
    return v;
  };
  auto as_text = [&](const toml::node& e) {
    auto v = e.as_string();
    if (!v) bad("must be " + type_words(f.target));
    return std::string(v->get());
  };
  auto each = [&](auto fn) {
    if (auto a = n.as_array()) {
      for (const toml::node& e : *a) fn(e);
    } else {
      fn(n);
    }
  };
  std::visit(
      [&](auto* p) {
        using T = std::remove_pointer_t<decltype(p)>;
        if constexpr (std::is_same_v<T, int>) {
          *p = (int)as_int(n, std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
        } else if constexpr (std::is_same_v<T, long>) {
          *p = (long)as_int(n, std::numeric_limits<long>::min(), std::numeric_limits<long>::max());
        } else if constexpr (std::is_same_v<T, uint64_t>) {
          if (auto s = n.as_string()) {
            set_from_text(f, s->get(), where);  // seeds above 2^63 - 1 as a string of digits
            return;
          }
          // As on the command line, a seed is written in digits: 1e3 or 7.0 is refused.
          if (n.is_floating_point())
            bad("'" + exact_number(n.as_floating_point()->get()) + "' is not a whole number from 0 to 2^64 - 1");
          long long v;
          if (!node_integer(n, v)) bad("must be " + type_words(f.target));
          if (v < 0) bad("must not be negative (" + std::to_string(v) + "); seeds are 0 ... 2^64 - 1");
          *p = (uint64_t)v;
        } else if constexpr (std::is_same_v<T, double>) {
          *p = as_real(n);
        } else if constexpr (std::is_same_v<T, bool>) {
          auto v = n.as_boolean();
          if (!v) bad("must be true or false");
          *p = v->get();
        } else if constexpr (std::is_same_v<T, std::string>) {
          *p = as_text(n);
        } else if constexpr (std::is_same_v<T, std::vector<int>>) {
          p->clear();
          each([&](const toml::node& e) {
            p->push_back((int)as_int(e, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
          });
        } else if constexpr (std::is_same_v<T, std::vector<double>>) {
          p->clear();
          each([&](const toml::node& e) { p->push_back(as_real(e)); });
        } else {
          p->clear();
          // A list of numbers as one text entry "a,b,c" (numbers_as_text fields).
          auto joined = [&](const toml::node& e, std::string& out) {
            const toml::array* a = e.as_array();
            if (!a || a->empty()) return false;
            out.clear();
            for (const toml::node& x : *a) {
              double v;
              if (!node_number(x, v)) return false;
              out += (out.empty() ? "" : ",") + exact_number(v);
            }
            return true;
          };
          std::string j;
          if (f.numbers_as_text && joined(n, j)) {
            p->push_back(j);
          } else {
            each([&](const toml::node& e) {
              std::string t;
              if (f.numbers_as_text && joined(e, t)) p->push_back(t);
              else p->push_back(as_text(e));
            });
          }
        }
      },
      f.target);
  check(f, where);
}

void FieldTable::read(const toml::table& root, const std::string& source) {
  if (const toml::node* c = root.get("command")) {
    auto s = c->as_string();
    if (!s) throw InputError("config '" + source + "': field 'command' must be a string");
    if (s->get() != command_)
      throw InputError("config '" + source + "': field 'command' is '" + s->get() + "', expected '" + command_ + "'");
  }
  // Every leaf key must be a field, a custom key, or a table on the way to one.
  std::set<std::string> keys, sections;
  for (const Field& f : fields_) {
    if (f.flag_only || f.key.empty()) continue;
    keys.insert(f.key);
    for (size_t d = f.key.find('.'); d != std::string::npos; d = f.key.find('.', d + 1)) sections.insert(f.key.substr(0, d));
  }
  for (const Custom& c : customs_) keys.insert(c.key);
  keys.insert("command");
  std::vector<std::pair<std::string, const toml::table*>> stack{{"", &root}};
  while (!stack.empty()) {
    auto [prefix, t] = stack.back();
    stack.pop_back();
    for (const auto& [k, v] : *t) {
      const std::string full = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
      if (keys.count(full)) continue;
      if (auto sub = v.as_table(); sub && sections.count(full)) {
        stack.push_back({full, sub});
        continue;
      }
      std::string hint, best;
      size_t bd = 4;
      for (const std::string& known : keys) {
        const size_t d = edit_distance(full, known);
        if (d < bd) bd = d, best = known;
      }
      if (!best.empty()) hint = " (did you mean '" + best + "'?)";
      throw InputError("config '" + source + "': unknown field '" + full + "'" + hint);
    }
  }
  for (size_t i = 0; i < fields_.size(); ++i) {
    Field& f = fields_[i];
    if (f.flag_only || f.key.empty()) continue;
    const toml::node* n = root.at_path(f.key).node();
    if (!n) continue;
    set_from_node(f, *n, source);
    from_file_[i] = 1;
  }
  for (const Custom& c : customs_)
    if (const toml::node* n = root.at_path(c.key).node()) c.read(*n, source);
}

void FieldTable::read_file(const std::string& path) {
  const std::string text = read_input_file(path, "config", kMaxConfigBytes);
  try {
    read(toml::parse(text, path), path);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    throw InputError("config '" + path + "' line " + std::to_string(b.line) + ", column " + std::to_string(b.column) +
                     ": " + std::string(e.description()));
  }
}

void FieldTable::read_text(const std::string& text, const std::string& source) {
  try {
    read(toml::parse(text, source), source);
  } catch (const toml::parse_error& e) {
    throw InputError(source + ": not valid TOML (" + std::string(e.description()) + ")");
  }
}

// ---- from flags -------------------------------------------------------------

namespace {

// One number from flag text; "inf"/"-inf" pass here and are judged by check().
bool text_number(const std::string& s, double& out) {
  const std::string t = trim(s);
  if (t == "inf" || t == "+inf") return out = INFINITY, true;
  if (t == "-inf" || t == "rayleigh") return out = -INFINITY, true;
  if (t.empty()) return false;
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size()) return false;
  if (std::isnan(v)) return out = v, true;  // reported as "must be a number, got nan"
  if (errno == ERANGE && std::isinf(v)) return false;
  out = v;
  return true;
}

}  // namespace

void FieldTable::set_from_text(Field& f, const std::string& text, const std::string& where) {
  auto bad = [&](const std::string& what) { throw InputError(where + f.name() + ": " + what); };
  auto number = [&](const std::string& s) {
    double v;
    if (!text_number(s, v)) bad("'" + s + "' is not a number");
    return v;
  };
  auto whole = [&](const std::string& s, double lo, double hi) {
    const double v = number(s);
    if (std::isnan(v)) bad("must be a number, got nan");
    if (!std::isfinite(v) || v != std::floor(v)) bad("'" + s + "' is not a whole number");
    if (v < lo || v > hi || std::fabs(v) > kMaxExactInteger) bad("'" + s + "' is out of range");
    return v;
  };
  // Numeric lists: comma-separated values and start:stop:step ranges.
  auto numbers = [&](const std::string& s) {
    std::vector<double> out;
    for (const std::string& item : split(s, f.separator)) {
      const size_t c1 = item.find(':', 1);
      if (c1 == std::string::npos) {
        out.push_back(number(item));
        continue;
      }
      const size_t c2 = item.find(':', c1 + 1);
      if (c2 == std::string::npos) bad("range '" + item + "' must be start:stop:step");
      const double a = number(item.substr(0, c1)), b = number(item.substr(c1 + 1, c2 - c1 - 1)),
                   st = number(item.substr(c2 + 1));
      if (!(st > 0) || !std::isfinite(a) || !std::isfinite(b) || !std::isfinite(st) || b < a)
        bad("range '" + item + "' needs finite start <= stop and a positive step");
      if ((b - a) / st > 1e6) bad("range '" + item + "' has more than 10^6 values");
      for (long k = 0; a + k * st <= b + 1e-9 * st; ++k) out.push_back(a + k * st);
    }
    return out;
  };
  std::visit(
      [&](auto* p) {
        using T = std::remove_pointer_t<decltype(p)>;
        if constexpr (std::is_same_v<T, int>) {
          *p = (int)whole(text, std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
        } else if constexpr (std::is_same_v<T, long>) {
          *p = (long)whole(text, -kMaxExactInteger, kMaxExactInteger);
        } else if constexpr (std::is_same_v<T, uint64_t>) {
          const std::string t = trim(text);
          if (t.empty() || t.find_first_not_of("0123456789") != std::string::npos)
            bad("'" + t + "' is not a whole number from 0 to 2^64 - 1");
          errno = 0;
          char* end = nullptr;
          const unsigned long long v = std::strtoull(t.c_str(), &end, 10);
          if (errno == ERANGE || end != t.c_str() + t.size()) bad("'" + t + "' is larger than 2^64 - 1");
          *p = (uint64_t)v;
        } else if constexpr (std::is_same_v<T, double>) {
          *p = number(text);
        } else if constexpr (std::is_same_v<T, bool>) {
          const std::string t = trim(text);
          if (t == "true" || t == "1" || t.empty()) *p = true;
          else if (t == "false" || t == "0") *p = false;
          else bad("must be true or false, got '" + t + "'");
        } else if constexpr (std::is_same_v<T, std::string>) {
          *p = text;
        } else if constexpr (std::is_same_v<T, std::vector<int>>) {
          p->clear();
          for (double v : numbers(text)) {
            if (!std::isfinite(v) || v != std::floor(v) || std::fabs(v) > std::numeric_limits<int>::max())
              bad("'" + show_number(v) + "' is not a whole number in range");
            p->push_back((int)v);
          }
        } else if constexpr (std::is_same_v<T, std::vector<double>>) {
          *p = numbers(text);
        } else {
          p->clear();
          if (!trim(text).empty())
            for (const std::string& s : split(text, f.separator)) p->push_back(s);
        }
      },
      f.target);
  check(f, where);
}

void FieldTable::add_flags(CLI::App& app) {
  flag_text_.assign(fields_.size(), "");
  options_.assign(fields_.size(), nullptr);
  alias_options_.assign(fields_.size(), {});
  bool_flag_.assign(fields_.size(), 0);
  bool_value_ = std::make_unique<bool[]>(fields_.size());
  for (size_t i = 0; i < fields_.size(); ++i) {
    Field& f = fields_[i];
    // The default as the resolved TOML would write it.
    std::visit(
        [&](auto* p) {
          using T = std::remove_pointer_t<decltype(p)>;
          if constexpr (std::is_same_v<T, std::string>) f.default_text = *p;
          else if constexpr (std::is_same_v<T, bool>) f.default_text = *p ? "true" : "false";
          else if constexpr (std::is_same_v<T, double>) f.default_text = show_number(*p);
          else if constexpr (std::is_same_v<T, int> || std::is_same_v<T, long> || std::is_same_v<T, uint64_t>)
            f.default_text = std::to_string(*p);
          else {
            std::string s;
            for (size_t k = 0; k < p->size(); ++k) {
              s += k ? std::string(1, f.separator) : "";
              if constexpr (std::is_same_v<T, std::vector<std::string>>) s += (*p)[k];
              else s += show_number((double)(*p)[k]);
            }
            f.default_text = s;
          }
        },
        f.target);
    if (f.flag.empty()) continue;
    std::string help = f.help;
    if (!f.unit.empty() && f.unit != "1") help += " [" + f.unit + "]";
    if (!f.choices.empty()) {
      std::string c;
      for (size_t k = 0; k < f.choices.size(); ++k) c += (k ? "|" : "") + f.choices[k];
      help += " {" + c + "}";
    }
    if (!f.flag_only) help += "; config key " + f.key;
    if (!std::holds_alternative<bool*>(f.target)) help += " (default: " + (f.default_text.empty() ? std::string("none") : f.default_text) + ")";
    const std::string names = f.short_flag.empty() ? f.flag : f.flag + "," + f.short_flag;
    CLI::Option* o;
    if (std::holds_alternative<bool*>(f.target)) {
      // --flag sets true, --flag=false (or =0) false; other values are a parse error.
      o = app.add_flag(names, bool_value_[i])->description(help);
      bool_flag_[i] = 1;
    } else {
      o = app.add_option(names, flag_text_[i], help);
      if (is_list_target(f.target) && f.separator != ',') o->type_name("LIST");
      else if (is_list_target(f.target)) o->type_name("LIST");
      else if (is_integer_target(f.target)) o->type_name("INT");
      else if (is_real_target(f.target)) o->type_name("NUM");
      else o->type_name("TEXT");
    }
    if (f.hidden) o->group("");
    options_[i] = o;
    for (const std::string& a : f.aliases) {
      CLI::Option* ao = bool_flag_[i] ? app.add_flag(a, bool_value_[i])->description("alias of " + f.flag)
                                      : app.add_option(a, flag_text_[i], "alias of " + f.flag);
      ao->group("");  // hidden: old spellings keep working without cluttering --help
      alias_options_[i].push_back(ao);
    }
  }
}

void FieldTable::apply_flags() {
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (!options_[i]) continue;
    size_t given = options_[i]->count();
    for (CLI::Option* a : alias_options_[i]) given += a->count();
    if (given == 0) continue;
    if (given > 1) throw InputError(fields_[i].name() + ": given more than once");
    if (bool_flag_[i]) {
      *std::get<bool*>(fields_[i].target) = bool_value_[i];
    } else {
      set_from_text(fields_[i], flag_text_[i], "");
    }
    from_flag_[i] = 1;
  }
}

// ---- to TOML ----------------------------------------------------------------

std::string FieldTable::to_toml() const {
  auto value = [](const Field& f) {
    std::ostringstream o;
    std::visit(
        [&](auto* p) {
          using T = std::remove_pointer_t<decltype(p)>;
          if constexpr (std::is_same_v<T, std::string>) o << toml_quote(*p);
          else if constexpr (std::is_same_v<T, bool>) o << (*p ? "true" : "false");
          else if constexpr (std::is_same_v<T, double>) o << exact_number(*p);
          else if constexpr (std::is_same_v<T, uint64_t>) {
            if (*p > (uint64_t)std::numeric_limits<int64_t>::max()) o << toml_quote(std::to_string(*p));
            else o << *p;
          } else if constexpr (std::is_same_v<T, int> || std::is_same_v<T, long>) o << *p;
          else {
            o << "[";
            for (size_t k = 0; k < p->size(); ++k) {
              if (k) o << ", ";
              if constexpr (std::is_same_v<T, std::vector<std::string>>) o << toml_quote((*p)[k]);
              else if constexpr (std::is_same_v<T, std::vector<double>>) o << exact_number((*p)[k]);
              else o << (*p)[k];
            }
            o << "]";
          }
        },
        f.target);
    return o.str();
  };
  std::ostringstream out;
  out << "command = " << toml_quote(command_) << "\n";
  std::vector<std::string> sections{""};
  for (const Field& f : fields_) {
    if (f.flag_only || f.key.empty()) continue;
    const size_t d = f.key.rfind('.');
    const std::string sec = d == std::string::npos ? "" : f.key.substr(0, d);
    if (std::find(sections.begin(), sections.end(), sec) == sections.end()) sections.push_back(sec);
  }
  for (const std::string& sec : sections) {
    if (!sec.empty()) out << "\n[" << sec << "]\n";
    for (const Field& f : fields_) {
      if (f.flag_only || f.key.empty()) continue;
      const size_t d = f.key.rfind('.');
      if ((d == std::string::npos ? "" : f.key.substr(0, d)) != sec) continue;
      out << (d == std::string::npos ? f.key : f.key.substr(d + 1)) << " = " << value(f) << "\n";
    }
  }
  for (const Custom& c : customs_)
    if (c.write) out << c.write();
  return out.str();
}

}  // namespace airtp
