#include "host/model/text_protocol.hpp"

#include <sstream>

#include "host/common/errors.hpp"
#include "host/io/input_file.hpp"

namespace airtp {

namespace {

std::string strip(const std::string& s) {
  const char* ws = " \t\r\n\f\v";
  const size_t a = s.find_first_not_of(ws);
  if (a == std::string::npos) return "";
  const size_t b = s.find_last_not_of(ws);
  return s.substr(a, b - a + 1);
}

const char* const kNormalised = "leading BOM dropped, CRLF -> LF";

}  // namespace

std::string normalize_text(std::string text) {
  size_t i = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  size_t o = 0;
  for (; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    text[o++] = text[i];
  }
  text.resize(o);
  return text;
}

std::string read_text_file(const std::string& path) {
  return normalize_text(read_input_file(path, "text file", kMaxTextBytes));
}

std::vector<std::string> split_stories(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line, cur;
  auto flush = [&] {
    const std::string s = strip(cur);
    if (!s.empty()) out.push_back(s);
    cur.clear();
  };
  while (std::getline(in, line)) {
    if (strip(line) == "<|endoftext|>") {
      flush();
    } else {
      cur += line;
      cur += '\n';
    }
  }
  flush();
  return out;
}

ScoredText stories_protocol(const std::string& text_in, const Tokenizer& tok, int context, int max_sequences,
                            const std::string& origin) {
  if (context < 2) throw InputError(origin + ": context of " + std::to_string(context) + " tokens is too short to score");
  std::vector<std::string> stories = split_stories(normalize_text(text_in));
  const size_t n_stories = stories.size();
  if (max_sequences > 0 && (int)stories.size() > max_sequences) stories.resize(max_sequences);
  ScoredText out;
  long truncated = 0, scored = 0;
  for (const std::string& s : stories) {
    std::vector<int> t = tok.encode(s, tok.add_bos(), false);
    if ((int)t.size() > context) {
      t.resize(context);
      ++truncated;
    }
    if (t.size() < 2) continue;
    scored += long(t.size()) - 1;
    out.sequences.push_back({std::move(t), 1});
  }
  if (out.sequences.empty()) throw InputError(origin + ": no story with at least one token to score");
  out.description = "stories: split at lines holding only <|endoftext|>, each stripped (" + std::string(kNormalised) +
                    "); tokens = " + (tok.add_bos() ? "BOS + " : "") + "encode(story) truncated to " +
                    std::to_string(context) + " (" + std::to_string(truncated) + " truncated); every token after the first scored; " +
                    std::to_string(out.sequences.size()) + " of " + std::to_string(n_stories) + " stories, " +
                    std::to_string(scored) + " scored tokens";
  return out;
}

ScoredText windows_protocol(const std::string& text, const Tokenizer& tok, int context, int score_from,
                            int max_sequences, const std::string& origin) {
  const bool bos = tok.add_bos();
  if (context < 2) throw InputError(origin + ": context of " + std::to_string(context) + " tokens is too short to score");
  if (score_from < 1 || score_from >= context) {
    throw InputError(origin + ": score_from " + std::to_string(score_from) + " must lie in [1, context - 1 = " +
                     std::to_string(context - 1) + "]");
  }
  const std::vector<int> all = tok.encode(normalize_text(text), false, false);
  const size_t step = size_t(context) - (bos ? 1 : 0);  // text tokens per window
  ScoredText out;
  long scored = 0;
  auto add = [&](size_t begin, size_t n) {
    ScoredSequence s;
    if (bos) s.tokens.push_back(tok.bos());
    s.tokens.insert(s.tokens.end(), all.begin() + long(begin), all.begin() + long(begin + n));
    s.score_from = score_from;
    scored += long(s.tokens.size()) - score_from;
    out.sequences.push_back(std::move(s));
  };
  const size_t full = all.size() / step;
  for (size_t w = 0; w < full && (max_sequences <= 0 || (int)w < max_sequences); ++w) add(w * step, step);
  if (full == 0 && all.size() + (bos ? 1 : 0) > size_t(score_from)) add(0, all.size());
  if (out.sequences.empty()) {
    throw InputError(origin + ": " + std::to_string(all.size()) + " tokens leave nothing to score from position " +
                     std::to_string(score_from));
  }
  out.description = "windows: whole text tokenized once (" + std::string(kNormalised) + "), " +
                    std::to_string(all.size()) + " tokens cut into consecutive windows of " + std::to_string(context) +
                    (bos ? " (BOS + " + std::to_string(step) + " text tokens)" : "") + ", tokens from position " +
                    std::to_string(score_from) + " on scored; " + std::to_string(out.sequences.size()) + " of " +
                    std::to_string(std::max<size_t>(full, 1)) + " windows, " + std::to_string(scored) + " scored tokens";
  return out;
}

ScoredText load_scored_text(const std::string& path, const std::string& protocol, const Tokenizer& tok, int context,
                            int max_sequences, int score_from) {
  if (protocol != "stories" && protocol != "windows")
    throw InputError("text protocol '" + protocol + "' is not known (stories, windows)");
  const std::string text = read_text_file(path);
  const std::string origin = "text file '" + path + "'";
  if (protocol == "stories") return stories_protocol(text, tok, context, max_sequences, origin);
  return windows_protocol(text, tok, context, score_from, max_sequences, origin);
}

std::vector<std::vector<int>> load_story_tokens(const std::string& path, const Tokenizer& tok, int max_len,
                                                int max_stories) {
  ScoredText st = stories_protocol(read_text_file(path), tok, max_len, max_stories, "text file '" + path + "'");
  std::vector<std::vector<int>> seqs;
  for (auto& s : st.sequences) seqs.push_back(std::move(s.tokens));
  return seqs;
}

}  // namespace airtp
