// How a text becomes the token sequences that perplexity scores (SPEC §7).
//
// Every text is normalised first: a leading UTF-8 byte order mark is dropped and CRLF line
// ends become LF (a lone CR is kept), so a file saved on Windows scores like its Unix copy.
//
// Protocol "stories" (TinyStories-style files): the text is split at lines holding only
// <|endoftext|>, each story is stripped of surrounding white space, and its tokens are
// [BOS if the tokenizer adds BOS] + encode(story), truncated to the model's context. Every
// token after the first is scored (position t predicts token t + 1): score_from = 1.
//
// Protocol "windows" (long texts such as Moby-Dick): the whole text is tokenized once and cut
// into consecutive, non-overlapping windows of `context` tokens, each [BOS if the tokenizer
// adds BOS] + the next context - 1 (or context, without BOS) text tokens. Tokens from
// position score_from on are scored: 1 scores every token after the first; context / 2 is
// llama.cpp's perplexity style (only the second half, each predicted with at least half a
// window of history). Only full windows are used, except that a text shorter than one window
// gives one shorter window.
#pragma once
#include <string>
#include <vector>

#include "host/model/tokenizer.hpp"

namespace airtp {

// tokens[k] for k >= score_from is scored, predicted from the logits at position k - 1.
struct ScoredSequence {
  std::vector<int> tokens;
  int score_from = 1;
};

struct ScoredText {
  std::vector<ScoredSequence> sequences;
  std::string description;  // one line for result files: protocol, normalisation, counts
};

// Leading BOM dropped, CRLF -> LF.
std::string normalize_text(std::string text);
// read_input_file (kMaxTextBytes) + normalize_text; InputError naming the file.
std::string read_text_file(const std::string& path);

std::vector<std::string> split_stories(const std::string& text);

// `origin` names the text in errors. max_sequences <= 0: all.
ScoredText stories_protocol(const std::string& text, const Tokenizer& tok, int context, int max_sequences,
                            const std::string& origin = "text");
ScoredText windows_protocol(const std::string& text, const Tokenizer& tok, int context, int score_from,
                            int max_sequences, const std::string& origin = "text");

// Reads the file and applies protocol "stories" or "windows" (anything else: InputError).
// score_from applies to "windows" only.
ScoredText load_scored_text(const std::string& path, const std::string& protocol, const Tokenizer& tok, int context,
                            int max_sequences, int score_from = 1);

// Protocol "stories" on a file, the token lists only (the interface before ScoredSequence).
std::vector<std::vector<int>> load_story_tokens(const std::string& path, const Tokenizer& tok, int max_len,
                                                int max_stories);

}  // namespace airtp
