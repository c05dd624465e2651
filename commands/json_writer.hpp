// A small streaming JSON writer for machine-readable command output
// (triage -j): objects, arrays, strings escaped per RFC 8259, integers,
// booleans, null; two-space indentation. Kernel addresses are written as
// "0x..." strings by the callers, since JSON numbers lose 64-bit precision
// in most consumers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kinspect {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& string(std::string_view s);
  JsonWriter& number(int64_t v);
  JsonWriter& unsigned_number(uint64_t v);
  JsonWriter& boolean(bool b);
  JsonWriter& null();
  // key + value in one call.
  JsonWriter& field(std::string_view k, std::string_view s) { return key(k).string(s); }
  JsonWriter& field(std::string_view k, const char* s) { return key(k).string(s); }
  JsonWriter& field(std::string_view k, const std::string& s) { return key(k).string(s); }
  JsonWriter& field(std::string_view k, bool b) { return key(k).boolean(b); }
  JsonWriter& field(std::string_view k, int v) { return key(k).number(v); }
  JsonWriter& field(std::string_view k, int64_t v) { return key(k).number(v); }
  JsonWriter& field(std::string_view k, uint64_t v) { return key(k).unsigned_number(v); }
  JsonWriter& field(std::string_view k, std::optional<uint64_t> v) {
    key(k);
    return v ? unsigned_number(*v) : null();
  }
  JsonWriter& field(std::string_view k, std::optional<bool> v) {
    key(k);
    return v ? boolean(*v) : null();
  }
  JsonWriter& string_array(std::string_view k, const std::vector<std::string>& v);

  // The document, with a final newline once the outermost value is closed.
  const std::string& str() const { return out_; }

 private:
  void before_value();
  void newline();
  std::string out_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool after_key_ = false;
};

std::string json_escape(std::string_view s);

}  // namespace kinspect
