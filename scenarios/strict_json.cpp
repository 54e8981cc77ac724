#include "scenarios/strict_json.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <exception>
#include <iterator>
#include <set>
#include <vector>

namespace flopcast::scenarios {

std::string pointer_append(const std::string& parent, std::string_view token) {
  std::string out = parent + "/";
  for (char c : token) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::size_t first_invalid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    if (c < 0x80) { ++i; continue; }
    std::size_t len = 0;
    unsigned lo = 0x80, hi = 0xBF;  // allowed range of the second byte (RFC 3629 table)
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c == 0xE0) { len = 3; lo = 0xA0; }
    else if (c >= 0xE1 && c <= 0xEC) len = 3;
    else if (c == 0xED) { len = 3; hi = 0x9F; }  // no UTF-16 surrogates
    else if (c >= 0xEE && c <= 0xEF) len = 3;
    else if (c == 0xF0) { len = 4; lo = 0x90; }
    else if (c >= 0xF1 && c <= 0xF3) len = 4;
    else if (c == 0xF4) { len = 4; hi = 0x8F; }
    else return i;
    if (i + len > n) return i;
    if (p[i + 1] < lo || p[i + 1] > hi) return i;
    for (std::size_t k = 2; k < len; ++k)
      if (p[i + k] < 0x80 || p[i + k] > 0xBF) return i;
    i += len;
  }
  return std::string_view::npos;
}

namespace {

// An input iterator over the text that publishes how far the lexer has read, so the SAX
// callbacks know where they are (the lexer reads at most one character ahead).
class CountingIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  CountingIterator(const char* p, std::size_t* counter) : p_(p), counter_(counter) {}
  reference operator*() const { return *p_; }
  CountingIterator& operator++() {
    ++p_;
    ++*counter_;
    return *this;
  }
  CountingIterator operator++(int) {
    CountingIterator t = *this;
    ++*this;
    return t;
  }
  bool operator==(const CountingIterator& o) const { return p_ == o.p_; }
  bool operator!=(const CountingIterator& o) const { return p_ != o.p_; }

 private:
  const char* p_;
  std::size_t* counter_;
};

using ojson = nlohmann::ordered_json;

class Handler : public nlohmann::json_sax<ojson> {
 public:
  explicit Handler(const std::size_t* pos) : pos_(pos) {}

  struct Frame {
    ojson* value;
    std::string pointer;
    bool is_object;
    std::set<std::string> keys;
    std::string pending_key;
    std::size_t next_index = 0;
  };

  ojson root;
  std::map<std::string, std::size_t> offsets;
  std::vector<Frame> stack;
  bool has_root = false;

  // Set when the handler itself stops the parse.
  bool failed = false;
  std::string fail_pointer;
  std::string fail_message;
  std::size_t fail_offset = 0;

  // Pointer of the value being parsed now (for errors raised by the lexer).
  std::string current_pointer() const {
    if (stack.empty()) return "";
    const Frame& f = stack.back();
    if (f.is_object) return f.pending_key.empty() && !key_seen_ ? f.pointer : pointer_append(f.pointer, f.pending_key);
    return pointer_append(f.pointer, std::to_string(f.next_index));
  }

  bool null() override { return put(ojson(nullptr)); }
  bool boolean(bool v) override { return put(ojson(v)); }
  bool number_integer(number_integer_t v) override { return put(ojson(v)); }
  bool number_unsigned(number_unsigned_t v) override { return put(ojson(v)); }
  bool number_float(number_float_t v, const string_t&) override {
    if (!std::isfinite(v)) return fail(current_pointer(), "expected a finite number");
    return put(ojson(v));
  }
  bool string(string_t& v) override { return put(ojson(v)); }
  bool binary(binary_t&) override { return fail(current_pointer(), "binary values are not JSON"); }

  bool start_object(std::size_t) override { return open(true); }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(false); }
  bool end_array() override { return close(); }

  bool key(string_t& k) override {
    Frame& f = stack.back();
    if (!f.keys.insert(k).second)
      return fail(pointer_append(f.pointer, k), "duplicate key \"" + k + "\": expected each key once per object");
    f.pending_key = k;
    key_seen_ = true;
    return true;
  }

  bool parse_error(std::size_t position, const std::string& last_token,
                   const nlohmann::detail::exception& ex) override {
    lexer_error = true;
    lexer_position = position;
    lexer_token = last_token;
    lexer_id = ex.id;
    lexer_what = ex.what();
    lexer_pointer = current_pointer();
    return false;
  }

  bool lexer_error = false;
  std::size_t lexer_position = 0;
  std::string lexer_token;
  int lexer_id = 0;
  std::string lexer_what;
  std::string lexer_pointer;

 private:
  bool fail(const std::string& pointer, const std::string& message) {
    failed = true;
    fail_pointer = pointer;
    fail_message = message;
    fail_offset = *pos_;
    return false;
  }

  // Insert a value at the current position; returns its address.
  ojson* insert(ojson v, std::string& pointer_out) {
    if (stack.empty()) {
      root = std::move(v);
      has_root = true;
      pointer_out = "";
      return &root;
    }
    Frame& f = stack.back();
    if (f.is_object) {
      pointer_out = pointer_append(f.pointer, f.pending_key);
      ojson& slot = (*f.value)[f.pending_key];
      slot = std::move(v);
      key_seen_ = false;
      f.pending_key.clear();
      return &slot;
    }
    pointer_out = pointer_append(f.pointer, std::to_string(f.next_index++));
    f.value->push_back(std::move(v));
    return &f.value->back();
  }

  bool put(ojson v) {
    std::string ptr;
    const std::size_t at = *pos_;
    insert(std::move(v), ptr);
    offsets.emplace(ptr, at);
    return true;
  }

  bool open(bool is_object) {
    if (stack.size() + 1 > static_cast<std::size_t>(kMaxJsonDepth))
      return fail(current_pointer(), "nesting deeper than " + std::to_string(kMaxJsonDepth) +
                                         " levels: expected at most " + std::to_string(kMaxJsonDepth));
    std::string ptr;
    const std::size_t at = *pos_;
    ojson* slot = insert(is_object ? ojson::object() : ojson::array(), ptr);
    offsets.emplace(ptr, at);
    stack.push_back(Frame{slot, ptr, is_object, {}, {}, 0});
    key_seen_ = false;
    return true;
  }

  bool close() {
    stack.pop_back();
    key_seen_ = false;
    return true;
  }

  const std::size_t* pos_;
  bool key_seen_ = false;
};

// Is the token the parser stopped at a NaN / Infinity literal (which JSON does not have)?
std::string non_finite_word(std::string_view text, std::size_t position, const std::string& token) {
  // Find a letter near where the lexer stopped, then take the whole word around it.
  const auto alpha = [&](std::size_t i) { return std::isalpha(static_cast<unsigned char>(text[i])) != 0; };
  const std::size_t lo = position > token.size() + 2 ? position - token.size() - 2 : 0;
  const std::size_t hi = std::min(text.size(), position + 2);
  // The lexer's token text can reach back to the key, so take the letter closest to the stop.
  std::size_t at = hi;
  for (std::size_t i = hi; i > lo; --i)
    if (alpha(i - 1)) {
      at = i - 1;
      break;
    }
  if (at >= hi) return "";
  while (at > 0 && alpha(at - 1)) --at;
  std::string word;
  while (at < text.size() && alpha(at)) word += static_cast<char>(std::tolower(static_cast<unsigned char>(text[at++])));
  if (word != "nan" && word != "inf" && word != "infinity") return "";
  std::size_t start = at - word.size();
  if (start > 0 && (text[start - 1] == '-' || text[start - 1] == '+')) --start;
  return std::string(text.substr(start, at - start));
}

}  // namespace

StrictParse parse_strict(std::string_view text, const std::string& origin) {
  StrictParse out;
  out.error.file = origin;
  auto fail_at = [&](std::size_t offset, const std::string& pointer, const std::string& message) {
    out.ok = false;
    out.error.pointer = pointer;
    out.error.message = message;
    line_column(text, offset, out.error.line, out.error.column);
    return out;
  };
  try {
    const std::size_t bad_utf8 = first_invalid_utf8(text);
    std::size_t pos = 0;
    Handler h(&pos);
    CountingIterator first(text.data(), &pos);
    CountingIterator last(text.data() + text.size(), &pos);
    const bool parsed = nlohmann::ordered_json::sax_parse(first, last, &h,
                                                          nlohmann::detail::input_format_t::json, true);
    if (bad_utf8 != std::string_view::npos) {
      // Report it where the parser stood when it met the byte (or the document, if it got past).
      std::string ptr = h.failed ? h.fail_pointer : h.lexer_error ? h.lexer_pointer : "";
      return fail_at(bad_utf8, ptr, "invalid UTF-8 (byte offset " + std::to_string(bad_utf8) +
                                        "): expected UTF-8 text");
    }
    if (h.failed) return fail_at(h.fail_offset > 0 ? h.fail_offset - 1 : 0, h.fail_pointer, h.fail_message);
    if (h.lexer_error) {
      const std::size_t at = h.lexer_position > 0 ? h.lexer_position - 1 : 0;
      if (h.lexer_id == 406)
        return fail_at(at, h.lexer_pointer,
                       "number '" + h.lexer_token + "' overflows a double: expected a finite number");
      if (const std::string word = non_finite_word(text, h.lexer_position, h.lexer_token); !word.empty())
        return fail_at(at, h.lexer_pointer, "non-finite number " + word + ": expected a finite number");
      return fail_at(at, h.lexer_pointer,
                     "invalid JSON: " + hwprofiles::strip_json_exception_prefix(h.lexer_what));
    }
    if (!parsed || !h.has_root) return fail_at(0, "", "invalid JSON: expected a JSON document");
    out.ok = true;
    out.doc = std::move(h.root);
    out.offsets = std::move(h.offsets);
    return out;
  } catch (const std::exception& e) {
    return fail_at(0, "", std::string("could not parse: ") + e.what());
  } catch (...) {
    return fail_at(0, "", "could not parse: unknown error");
  }
}

}  // namespace flopcast::scenarios
