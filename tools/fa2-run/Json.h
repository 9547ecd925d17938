//===- Json.h - a small JSON reader for kernel manifests --------*- C++ -*-===//
//
// fa2-run must build on machines that have CUDA but no LLVM (the device
// machines), so it cannot use llvm::json. Manifests are small and trusted to be
// JSON, but not trusted to be well-formed: every error names its byte offset.
//
//===----------------------------------------------------------------------===//
#ifndef FA2_RUN_JSON_H
#define FA2_RUN_JSON_H

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace fa2run {

/// One JSON value. Objects keep their keys sorted (std::map): manifests never
/// depend on key order.
struct JsonValue {
  enum class Kind { Null, Bool, Number, String, Array, Object };
  Kind kind = Kind::Null;
  bool boolean = false;
  double number = 0;
  /// The number exactly as written, so that integers above 2^53 and literal
  /// expressions ("0.125") survive.
  std::string text;
  std::vector<JsonValue> array;
  std::map<std::string, JsonValue> object;

  bool isNull() const { return kind == Kind::Null; }
  bool isString() const { return kind == Kind::String; }
  bool isNumber() const { return kind == Kind::Number; }
  bool isObject() const { return kind == Kind::Object; }
  bool isArray() const { return kind == Kind::Array; }
  bool isBool() const { return kind == Kind::Bool; }
  /// The member `key` of an object, or nullptr.
  const JsonValue *get(const std::string &key) const;
  static const char *kindName(Kind kind);
};

/// Parses `text`. On error returns false and sets `error` to a message that
/// names the byte offset and what was expected.
bool parseJson(const std::string &text, JsonValue &result, std::string &error);

} // namespace fa2run

#endif // FA2_RUN_JSON_H
