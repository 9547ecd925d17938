//===- Manifest.cpp - the kernel manifest (schema version 1) --------------===//
#include "Manifest.h"

#include "Json.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

using namespace fa2run;

const char *const fa2run::kDimNames[7] = {"batch",  "heads_q",  "heads_kv",
                                          "seq_q",  "seq_k",    "head_dim",
                                          "head_dim_v"};

const char *fa2run::dtypeName(DType t) {
  switch (t) {
  case DType::F16:
    return "f16";
  case DType::BF16:
    return "bf16";
  case DType::F32:
    return "f32";
  case DType::I1:
    return "i1";
  case DType::I32:
    return "i32";
  }
  return "?";
}

int64_t fa2run::dtypeBytes(DType t) {
  switch (t) {
  case DType::F16:
  case DType::BF16:
    return 2;
  case DType::F32:
    return 4;
  case DType::I1:
    return 1;
  case DType::I32:
    return 4;
  }
  return 0;
}

static bool parseDType(const std::string &s, DType &t) {
  if (s == "f16")
    t = DType::F16;
  else if (s == "bf16")
    t = DType::BF16;
  else if (s == "f32")
    t = DType::F32;
  else if (s == "i1")
    t = DType::I1;
  else if (s == "i32")
    t = DType::I32;
  else
    return false;
  return true;
}

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

namespace {
/// Recursive descent over:
///   expr   := term (('+' | '-') term)*
///   term   := factor (('*' | '/') factor)*
///   factor := integer | name | ('ceildiv' | 'min' | 'max') '(' expr ',' expr ')'
///           | '(' expr ')'
/// With `checkOnly`, names are only checked to exist and division by zero is
/// not an error (all names evaluate to 1).
class ExprParser {
public:
  ExprParser(const std::string &text, const std::map<std::string, int64_t> &env,
             bool checkOnly)
      : text(text), env(env), checkOnly(checkOnly) {}

  bool parse(int64_t &out) {
    if (!parseExpr(out))
      return false;
    skip();
    if (pos != text.size())
      return fail("unexpected '" + text.substr(pos) + "'");
    return true;
  }
  std::string error;

private:
  const std::string &text;
  const std::map<std::string, int64_t> &env;
  bool checkOnly;
  size_t pos = 0;

  bool fail(const std::string &what) {
    if (error.empty())
      error = "in expression \"" + text + "\": " + what;
    return false;
  }
  void skip() {
    while (pos < text.size() && std::isspace(static_cast<unsigned char>(text[pos])))
      ++pos;
  }
  bool peek(char c) {
    skip();
    return pos < text.size() && text[pos] == c;
  }
  bool divide(int64_t a, int64_t b, bool ceil, int64_t &out) {
    if (b == 0) {
      if (checkOnly) {
        out = 1;
        return true;
      }
      return fail("division by zero");
    }
    if (a < 0 || b < 0)
      return fail("division of a negative value");
    out = ceil ? (a + b - 1) / b : a / b;
    return true;
  }
  bool parseExpr(int64_t &out) {
    if (!parseTerm(out))
      return false;
    while (peek('+') || peek('-')) {
      char op = text[pos++];
      int64_t rhs;
      if (!parseTerm(rhs))
        return false;
      out = op == '+' ? out + rhs : out - rhs;
    }
    return true;
  }
  bool parseTerm(int64_t &out) {
    if (!parseFactor(out))
      return false;
    while (peek('*') || peek('/')) {
      char op = text[pos++];
      int64_t rhs;
      if (!parseFactor(rhs))
        return false;
      if (op == '*')
        out *= rhs;
      else if (!divide(out, rhs, /*ceil=*/false, out))
        return false;
    }
    return true;
  }
  bool parseFactor(int64_t &out) {
    skip();
    if (pos >= text.size())
      return fail("unexpected end, expected a number, a name or '('");
    char c = text[pos];
    if (c == '(') {
      ++pos;
      if (!parseExpr(out))
        return false;
      if (!peek(')'))
        return fail("expected ')'");
      ++pos;
      return true;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) {
      size_t start = pos;
      while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])))
        ++pos;
      out = std::strtoll(text.substr(start, pos - start).c_str(), nullptr, 10);
      return true;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t start = pos;
      while (pos < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[pos])) || text[pos] == '_'))
        ++pos;
      std::string name = text.substr(start, pos - start);
      if (name == "ceildiv" || name == "min" || name == "max") {
        int64_t a, b;
        if (!peek('('))
          return fail("expected '(' after " + name);
        ++pos;
        if (!parseExpr(a))
          return false;
        if (!peek(','))
          return fail("expected ',' in " + name);
        ++pos;
        if (!parseExpr(b))
          return false;
        if (!peek(')'))
          return fail("expected ')' after " + name + "'s arguments");
        ++pos;
        if (name == "min" || name == "max") {
          out = name == "min" ? std::min(a, b) : std::max(a, b);
          return true;
        }
        return divide(a, b, /*ceil=*/true, out);
      }
      auto it = env.find(name);
      if (it == env.end())
        return fail("unknown name '" + name + "'");
      out = checkOnly ? 1 : it->second;
      return true;
    }
    return fail(std::string("unexpected '") + c + "'");
  }
};
} // namespace

bool fa2run::evalExpr(const std::string &expr,
                      const std::map<std::string, int64_t> &env, int64_t &result,
                      std::string &error) {
  ExprParser parser(expr, env, /*checkOnly=*/false);
  if (parser.parse(result))
    return true;
  error = parser.error;
  return false;
}

static bool checkExpr(const std::string &expr,
                      const std::map<std::string, int64_t> &names,
                      std::string &error) {
  ExprParser parser(expr, names, /*checkOnly=*/true);
  int64_t ignored;
  if (parser.parse(ignored))
    return true;
  error = parser.error;
  return false;
}

//===----------------------------------------------------------------------===//
// Manifest
//===----------------------------------------------------------------------===//

namespace {
/// Field accessors that produce "manifest F: field 'x': ..." messages.
struct Reader {
  std::string &error;

  bool fail(const std::string &what) {
    error = what;
    return false;
  }
  const JsonValue *require(const JsonValue &obj, const std::string &key,
                           JsonValue::Kind kind, const std::string &where) {
    const JsonValue *v = obj.get(key);
    if (!v) {
      fail("missing field '" + where + key + "'");
      return nullptr;
    }
    if (v->kind != kind) {
      fail("field '" + where + key + "' must be " + JsonValue::kindName(kind) +
           ", not " + JsonValue::kindName(v->kind));
      return nullptr;
    }
    return v;
  }
  /// An expression written as a string or as a JSON number.
  bool expr(const JsonValue &v, const std::string &where, std::string &out) {
    if (v.isString())
      out = v.text;
    else if (v.isNumber())
      out = v.text;
    else
      return fail("field '" + where + "' must be an expression (string or number), not " +
                  JsonValue::kindName(v.kind));
    if (out.empty())
      return fail("field '" + where + "' is an empty expression");
    return true;
  }
};
} // namespace

/// The "schedule" object of `root` as "key=value,..." (empty without one).
static std::string scheduleText(const JsonValue &root) {
  std::string text;
  const JsonValue *v = root.get("schedule");
  if (!v || !v->isObject())
    return text;
  for (const auto &kv : v->object) {
    if (!text.empty())
      text += ",";
    text += kv.first + "=" + (kv.second.isString() ? kv.second.text
                              : kv.second.isNumber() ? kv.second.text
                              : kv.second.isBool() ? (kv.second.boolean ? "true" : "false")
                                                   : "?");
  }
  return text;
}

/// The fields of one launch (params, grid, block, dynamic shared memory) in
/// `root`, whose path in the manifest is `at` ("" or "combine.").
static bool parseLaunch(const JsonValue &root, const std::string &at,
                        const std::map<std::string, BufferSpec> &buffers,
                        const std::map<std::string, int64_t> &names, Reader &r,
                        std::string &error, LaunchSpec &out) {
  const JsonValue *params = r.require(root, "params", JsonValue::Kind::Array, at);
  if (!params)
    return false;
  for (size_t i = 0; i < params->array.size(); ++i) {
    const JsonValue &p = params->array[i];
    std::string where = at + "params[" + std::to_string(i) + "].";
    if (!p.isObject())
      return r.fail("'" + at + "params[" + std::to_string(i) + "]' must be an object");
    ParamSpec spec;
    const JsonValue *n = r.require(p, "name", JsonValue::Kind::String, where);
    if (!n)
      return false;
    spec.name = n->text;
    const JsonValue *t = r.require(p, "type", JsonValue::Kind::String, where);
    if (!t)
      return false;
    if (t->text == "ptr")
      spec.type = ParamType::Ptr;
    else if (t->text == "i32")
      spec.type = ParamType::I32;
    else if (t->text == "i64")
      spec.type = ParamType::I64;
    else if (t->text == "f32")
      spec.type = ParamType::F32;
    else if (t->text == "tensor_map")
      spec.type = ParamType::TensorMap;
    else
      return r.fail("parameter '" + spec.name + "' has unknown type '" + t->text +
                    "' (expected ptr, i32, i64, f32 or tensor_map)");
    if (spec.type == ParamType::TensorMap) {
      const JsonValue *b = r.require(p, "buffer", JsonValue::Kind::String, where);
      if (!b)
        return false;
      spec.buffer = b->text;
      if (!buffers.count(spec.buffer))
        return r.fail("parameter '" + spec.name + "' maps unknown buffer '" + spec.buffer + "'");
      const JsonValue *dims = r.require(p, "dims", JsonValue::Kind::Array, where);
      const JsonValue *strides = dims ? r.require(p, "strides", JsonValue::Kind::Array, where) : nullptr;
      const JsonValue *box = strides ? r.require(p, "box", JsonValue::Kind::Array, where) : nullptr;
      const JsonValue *swizzle = box ? r.require(p, "swizzle", JsonValue::Kind::String, where) : nullptr;
      if (!swizzle)
        return false;
      if (swizzle->text != "128b")
        return r.fail("parameter '" + spec.name + "': swizzle '" + swizzle->text +
                      "' (expected 128b)");
      size_t rank = dims->array.size();
      if (rank < 1 || rank > 5 || strides->array.size() + 1 != rank || box->array.size() != rank)
        return r.fail("parameter '" + spec.name +
                      "': a tensor map has 1 to 5 dims, one stride fewer and one box entry per dim");
      for (size_t k = 0; k < rank; ++k) {
        std::string e;
        if (!r.expr(dims->array[k], where + "dims", e))
          return false;
        if (!checkExpr(e, names, error))
          return r.fail("parameter '" + spec.name + "': " + error);
        spec.mapDims.push_back(e);
        const JsonValue &bx = box->array[k];
        if (bx.kind != JsonValue::Kind::Number || bx.number < 1 || bx.number > 256)
          return r.fail("parameter '" + spec.name + "': box entries are integers 1 to 256");
        spec.mapBox.push_back(static_cast<int64_t>(bx.number));
      }
      for (const JsonValue &sv : strides->array) {
        std::string e;
        if (!r.expr(sv, where + "strides", e))
          return false;
        if (!checkExpr(e, names, error))
          return r.fail("parameter '" + spec.name + "': " + error);
        spec.mapStrides.push_back(e);
      }
    } else if (spec.type == ParamType::Ptr) {
      const JsonValue *b = r.require(p, "buffer", JsonValue::Kind::String, where);
      if (!b)
        return false;
      spec.buffer = b->text;
      if (!buffers.count(spec.buffer))
        return r.fail("parameter '" + spec.name + "' points to unknown buffer '" +
                      spec.buffer + "'");
    } else {
      const JsonValue *val = p.get("value");
      if (!val)
        return r.fail("missing field '" + where + "value' (parameter '" + spec.name + "')");
      if (!r.expr(*val, where + "value", spec.value))
        return false;
      if (spec.type == ParamType::F32) {
        char *end = nullptr;
        std::strtod(spec.value.c_str(), &end);
        if (!end || *end != '\0')
          return r.fail("parameter '" + spec.name + "' (f32) must be a number, not '" +
                        spec.value + "'");
      } else if (!checkExpr(spec.value, names, error)) {
        return r.fail("parameter '" + spec.name + "': " + error);
      }
    }
    out.params.push_back(spec);
  }
  if (out.params.empty())
    return r.fail("field '" + at + "params' is empty");

  for (const char *key : {"grid", "block"}) {
    const JsonValue *arr = r.require(root, key, JsonValue::Kind::Array, at);
    if (!arr)
      return false;
    if (arr->array.size() != 3)
      return r.fail("field '" + at + key + "' must have 3 entries");
    for (int i = 0; i < 3; ++i) {
      std::string where = at + key + "[" + std::to_string(i) + "]";
      std::string &e = std::string(key) == "grid" ? out.grid[i] : out.block[i];
      if (!r.expr(arr->array[i], where, e))
        return false;
      if (!checkExpr(e, names, error))
        return r.fail("'" + where + "': " + error);
    }
  }
  const JsonValue *v =
      r.require(root, "dynamic_shared_memory_bytes", JsonValue::Kind::Number, at);
  if (!v)
    return false;
  if (v->number < 0 || v->text.find_first_of(".eE-") != std::string::npos)
    return r.fail("'" + at + "dynamic_shared_memory_bytes' must be a non-negative integer");
  out.dynamicSharedBytes = std::strtoll(v->text.c_str(), nullptr, 10);
  return true;

}

bool fa2run::loadManifest(const std::string &path, Manifest &m,
                          std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read the manifest file";
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  JsonValue root;
  if (!parseJson(ss.str(), root, error))
    return false;
  Reader r{error};
  if (!root.isObject())
    return r.fail("the manifest must be a JSON object");

  m = Manifest();
  m.path = path;
  const JsonValue *v;
  if (!(v = r.require(root, "version", JsonValue::Kind::Number, "")))
    return false;
  if (v->text != "1")
    return r.fail("unsupported manifest version " + v->text + " (this runner reads version 1)");

  if (!(v = r.require(root, "kernel", JsonValue::Kind::String, "")))
    return false;
  m.kernel = v->text;
  if (m.kernel.empty())
    return r.fail("field 'kernel' is empty");
  if (!(v = r.require(root, "binary", JsonValue::Kind::String, "")))
    return false;
  {
    size_t slash = path.find_last_of('/');
    std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
    m.binaryPath = (!v->text.empty() && v->text[0] == '/') ? v->text : dir + v->text;
  }
  if (!(v = r.require(root, "format", JsonValue::Kind::String, "")))
    return false;
  m.format = v->text;
  if (m.format != "ptx" && m.format != "cubin")
    return r.fail("unknown format '" + m.format + "' (expected ptx or cubin)");
  if ((v = root.get("chip")) && v->isString())
    m.chip = v->text;

  if (!(v = r.require(root, "dtype", JsonValue::Kind::String, "")))
    return false;
  if (!parseDType(v->text, m.dtype) || m.dtype == DType::I1)
    return r.fail("unknown dtype '" + v->text + "' (expected f16, bf16 or f32)");
  if (!(v = r.require(root, "out_dtype", JsonValue::Kind::String, "")))
    return false;
  if (!parseDType(v->text, m.outDtype) || m.outDtype == DType::I1)
    return r.fail("unknown out_dtype '" + v->text + "' (expected f16, bf16 or f32)");
  if (const JsonValue *prec = root.get("f32_precision")) {
    const JsonValue *mode = prec->isObject() ? prec->get("mode") : nullptr;
    if (!mode || !mode->isString() || (mode->text != "accurate" && mode->text != "fast"))
      return r.fail("'f32_precision.mode' must be \"accurate\" or \"fast\"");
    if (m.dtype != DType::F32)
      return r.fail("'f32_precision' is only for f32 inputs");
    m.f32Precision = mode->text;
  }
  if (!(v = r.require(root, "layout", JsonValue::Kind::String, "")))
    return false;
  if (v->text != "bhsd" && v->text != "bshd")
    return r.fail("unknown layout '" + v->text + "' (expected bhsd or bshd)");
  m.bshd = v->text == "bshd";
  if (!(v = r.require(root, "causal", JsonValue::Kind::Bool, "")))
    return false;
  m.causal = v->boolean;
  if (!(v = r.require(root, "scale", JsonValue::Kind::Number, "")))
    return false;
  m.scale = v->number;
  if (!(v = r.require(root, "lse", JsonValue::Kind::Bool, "")))
    return false;
  m.lse = v->boolean;
  // Optional masking keys (docs/manifest.md): both window bounds or none,
  // integers >= 0; a finite fill.
  const JsonValue *wl = root.get("window_left"), *wr = root.get("window_right");
  if (wl || wr) {
    if (!wl || !wr)
      return r.fail("window_left and window_right must come together");
    for (const JsonValue *w : {wl, wr})
      if (!w->isNumber() || !(w->number >= 0) || w->number != std::floor(w->number))
        return r.fail("window_left and window_right must be integers >= 0");
    m.hasWindow = true;
    m.windowLeft = static_cast<int64_t>(std::min(wl->number, 9.0e15));
    m.windowRight = static_cast<int64_t>(std::min(wr->number, 9.0e15));
  }
  if ((v = root.get("fill"))) {
    if (!v->isNumber() || !std::isfinite(v->number))
      return r.fail("fill must be a finite number");
    m.hasFill = true;
    m.fill = v->number;
  }

  // dims: every name present, an integer >= 1 or null.
  const JsonValue *dims = r.require(root, "dims", JsonValue::Kind::Object, "");
  if (!dims)
    return false;
  for (const char *name : kDimNames) {
    const JsonValue *d = dims->get(name);
    if (!d) {
      if (std::string(name) == "head_dim_v") {
        m.dims[name] = m.dims["head_dim"];
        continue;
      }
      return r.fail(std::string("missing field 'dims.") + name + "'");
    }
    if (d->isNull()) {
      m.dims[name] = std::nullopt;
      continue;
    }
    if (!d->isNumber() || d->text.find_first_of(".eE-") != std::string::npos ||
        d->number < 1)
      return r.fail(std::string("field 'dims.") + name +
                    "' must be a positive integer or null, not " +
                    (d->isNumber() ? d->text : JsonValue::kindName(d->kind)));
    m.dims[name] = std::strtoll(d->text.c_str(), nullptr, 10);
  }
  for (const auto &kv : dims->object)
    if (!m.dims.count(kv.first))
      return r.fail("unknown dimension 'dims." + kv.first + "'");
  std::map<std::string, int64_t> names;
  for (const auto &kv : m.dims)
    names[kv.first] = 1;
  // Split-KV: num_splits is evaluated first (it may read the device's SM
  // count) and then named by the other expressions.
  if ((v = root.get("num_splits"))) {
    if (!r.expr(*v, "num_splits", m.numSplits))
      return false;
    std::map<std::string, int64_t> withSMs = names;
    withSMs["sm_count"] = 1;
    if (!checkExpr(m.numSplits, withSMs, error))
      return r.fail("'num_splits': " + error);
    names["num_splits"] = 1;
  }

  // buffers: q, k, v, o always; lse when "lse"; mask optional.
  const JsonValue *buffers = r.require(root, "buffers", JsonValue::Kind::Object, "");
  if (!buffers)
    return false;
  for (const auto &kv : buffers->object) {
    const std::string &name = kv.first;
    // The last-CTA combine's counters, and the dynamic tile scheduler's
    // (which needs no num_splits).
    const bool tileCounter = name == "tile_counter";
    const bool counter = name == "combine_counter" || tileCounter;
    const bool partial =
        name == "o_partial" || name == "lse_partial" || counter;
    if (name != "q" && name != "k" && name != "v" && name != "o" &&
        name != "lse" && name != "mask" && !partial)
      return r.fail("unknown buffer 'buffers." + name +
                    "' (expected q, k, v, o, lse, mask, o_partial, lse_partial, combine_counter, tile_counter)");
    std::string where = "buffers." + name + ".";
    BufferSpec spec;
    if (const JsonValue *sc = kv.second.get("scratch")) {
      if (!sc->isBool())
        return r.fail("field '" + where + "scratch' must be bool, not " +
                      JsonValue::kindName(sc->kind));
      spec.scratch = sc->boolean;
    }
    if (spec.scratch != partial)
      return r.fail(partial ? "'" + where + "scratch' must be true: the runner allocates the partials"
                            : "'" + where + "scratch' is true but only o_partial, lse_partial, combine_counter and tile_counter are scratch");
    if (const JsonValue *zi = kv.second.get("zero_init")) {
      if (!zi->isBool())
        return r.fail("field '" + where + "zero_init' must be bool, not " +
                      JsonValue::kindName(zi->kind));
      spec.zeroInit = zi->boolean;
    }
    if (spec.zeroInit != counter)
      return r.fail(counter ? "'" + where + "zero_init' must be true: the kernel counts from zero"
                            : "'" + where + "zero_init' is true but only combine_counter and tile_counter start at zero");
    if (partial && !tileCounter && m.numSplits.empty())
      return r.fail("scratch buffer 'buffers." + name + "' without 'num_splits'");
    const JsonValue *t = r.require(kv.second, "dtype", JsonValue::Kind::String, where);
    if (!t)
      return false;
    if (!parseDType(t->text, spec.dtype))
      return r.fail("unknown type '" + t->text + "' in '" + where +
                    "dtype' (expected f16, bf16, f32, i1 or i32)");
    if ((spec.dtype == DType::I32) != counter)
      return r.fail(counter ? "'" + where + "dtype' must be i32"
                            : "'" + where + "dtype' is i32, which only combine_counter and tile_counter are");
    const JsonValue *shape = r.require(kv.second, "shape", JsonValue::Kind::Array, where);
    if (!shape)
      return false;
    for (size_t i = 0; i < shape->array.size(); ++i) {
      std::string e;
      if (!r.expr(shape->array[i], where + "shape[" + std::to_string(i) + "]", e))
        return false;
      if (!checkExpr(e, names, error))
        return r.fail("'" + where + "shape': " + error);
      spec.shape.push_back(e);
    }
    m.buffers[name] = spec;
  }
  for (const char *need : {"q", "k", "v", "o"})
    if (!m.buffers.count(need))
      return r.fail(std::string("missing field 'buffers.") + need + "'");
  if (m.lse && !m.buffers.count("lse"))
    return r.fail("\"lse\" is true but 'buffers.lse' is missing");
  if (!m.lse && m.buffers.count("lse"))
    return r.fail("\"lse\" is false but 'buffers.lse' is present");
  for (const char *in : {"q", "k", "v"})
    if (m.buffers[in].dtype != m.dtype)
      return r.fail(std::string("'buffers.") + in + ".dtype' is " +
                    dtypeName(m.buffers[in].dtype) + " but 'dtype' is " +
                    dtypeName(m.dtype));
  if (m.buffers["o"].dtype != m.outDtype)
    return r.fail("'buffers.o.dtype' differs from 'out_dtype'");
  if (m.lse && m.buffers["lse"].dtype != DType::F32)
    return r.fail("'buffers.lse.dtype' must be f32");
  for (const char *name : {"q", "k", "v", "o"})
    if (m.buffers[name].shape.empty())
      return r.fail(std::string("'buffers.") + name + ".shape' is empty");
  if (!m.numSplits.empty()) {
    for (const char *need : {"o_partial", "lse_partial"}) {
      if (!m.buffers.count(need))
        return r.fail(std::string("'num_splits' is given but 'buffers.") + need + "' is missing");
      if (m.buffers[need].dtype != DType::F32)
        return r.fail(std::string("'buffers.") + need + ".dtype' must be f32");
    }
  }
  if (m.buffers.count("mask") && m.buffers["mask"].shape.size() > 4)
    return r.fail("'buffers.mask.shape' has more than 4 dimensions "
                  "(batch, heads_q, seq_q, seq_k right-aligned)");

  // The first (or only) launch.
  LaunchSpec first;
  if (!parseLaunch(root, "", m.buffers, names, r, error, first))
    return false;
  m.params = std::move(first.params);
  for (int i = 0; i < 3; ++i) {
    m.grid[i] = first.grid[i];
    m.block[i] = first.block[i];
  }
  m.dynamicSharedBytes = first.dynamicSharedBytes;
  // Split-KV: the combine launch, or the last split CTA's merge.
  if ((v = root.get("combine"))) {
    if (!v->isObject())
      return r.fail(std::string("field 'combine' must be object, not ") +
                    JsonValue::kindName(v->kind));
    if (m.numSplits.empty())
      return r.fail("field 'combine' without 'num_splits'");
    std::string mode = "launch";
    if (const JsonValue *mv = v->get("mode")) {
      if (!mv->isString())
        return r.fail(std::string("field 'combine.mode' must be string, not ") +
                      JsonValue::kindName(mv->kind));
      mode = mv->text;
    }
    if (mode != "launch" && mode != "last_cta")
      return r.fail("field 'combine.mode' is '" + mode + "' (expected launch or last_cta)");
    m.lastCTACombine = mode == "last_cta";
    if (m.lastCTACombine != (m.buffers.count("combine_counter") != 0))
      return r.fail(m.lastCTACombine
                        ? "'combine.mode' is last_cta but 'buffers.combine_counter' is missing"
                        : "'buffers.combine_counter' is given but 'combine.mode' is not last_cta");
  }
  if (v && m.lastCTACombine) {
    for (const char *k : {"kernel", "params", "grid", "block"})
      if (v->get(k))
        return r.fail(std::string("field 'combine.") + k +
                      "' with 'combine.mode' last_cta: there is no combine launch");
  } else if (v) {
    const JsonValue *ck = r.require(*v, "kernel", JsonValue::Kind::String, "combine.");
    if (!ck)
      return false;
    if (ck->text.empty())
      return r.fail("field 'combine.kernel' is empty");
    if (!parseLaunch(*v, "combine.", m.buffers, names, r, error, m.combine))
      return false;
    m.combine.kernel = ck->text;
    if (const JsonValue *pdl = v->get("programmatic_dependent_launch")) {
      if (pdl->kind != JsonValue::Kind::Bool)
        return r.fail(std::string("field 'combine.programmatic_dependent_launch' must be bool, not ") +
                      JsonValue::kindName(pdl->kind));
      m.combine.programmatic = pdl->boolean;
    }
    m.hasCombine = true;
  } else if (!m.numSplits.empty()) {
    return r.fail("'num_splits' without a 'combine' launch: the partials would never be merged");
  }

  m.schedule = scheduleText(root);

  // Length variants: one launch per seq_k range, the ranges back to back
  // from 0, the last one unbounded.
  if ((v = root.get("variants"))) {
    if (!v->isArray() || v->array.empty())
      return r.fail("field 'variants' must be a non-empty array");
    if (!m.numSplits.empty())
      return r.fail("field 'variants' with 'num_splits': split-KV kernels have no length variants");
    int64_t next = 0;
    for (size_t i = 0; i < v->array.size(); ++i) {
      const JsonValue &e = v->array[i];
      const std::string at = "variants[" + std::to_string(i) + "].";
      if (!e.isObject())
        return r.fail("'variants[" + std::to_string(i) + "]' must be an object");
      LengthVariant lv;
      const JsonValue *kn = r.require(e, "kernel", JsonValue::Kind::String, at);
      if (!kn)
        return false;
      if (kn->text.empty())
        return r.fail("field '" + at + "kernel' is empty");
      const JsonValue *when = r.require(e, "when", JsonValue::Kind::Object, at);
      const JsonValue *range =
          when ? r.require(*when, "seq_k", JsonValue::Kind::Array, at + "when.") : nullptr;
      if (!range)
        return false;
      auto isCount = [](const JsonValue &x) {
        return x.isNumber() && x.number >= 0 &&
               x.text.find_first_of(".eE-") == std::string::npos;
      };
      if (range->array.size() != 2 || !isCount(range->array[0]) ||
          !(isCount(range->array[1]) || range->array[1].isNull()))
        return r.fail("field '" + at + "when.seq_k' must be [lo, hi] (integers; hi null: no upper bound)");
      lv.minSeqK = std::strtoll(range->array[0].text.c_str(), nullptr, 10);
      if (!range->array[1].isNull())
        lv.maxSeqK = std::strtoll(range->array[1].text.c_str(), nullptr, 10);
      const bool last = i + 1 == v->array.size();
      if (lv.minSeqK != next)
        return r.fail("field '" + at + "when.seq_k' starts at " + std::to_string(lv.minSeqK) +
                      ", expected " + std::to_string(next) +
                      " (the ranges follow each other from 0)");
      if (last != (lv.maxSeqK < 0))
        return r.fail("field '" + at + "when.seq_k': " +
                      (last ? "the last range has no upper bound (null)"
                            : "only the last range may be unbounded"));
      if (!last && lv.maxSeqK < lv.minSeqK)
        return r.fail("field '" + at + "when.seq_k' is an empty range");
      if (!parseLaunch(e, at, m.buffers, names, r, error, lv.launch))
        return false;
      lv.launch.kernel = kn->text;
      lv.schedule = scheduleText(e);
      next = lv.maxSeqK + 1;
      m.variants.push_back(std::move(lv));
    }
  }

  // The one-split launch: replaces the split kernel and its combine where
  // num_splits evaluates to 1.
  if ((v = root.get("one_split"))) {
    if (!v->isObject())
      return r.fail(std::string("field 'one_split' must be object, not ") +
                    JsonValue::kindName(v->kind));
    if (!m.hasCombine)
      return r.fail("field 'one_split' without a 'combine' launch");
    const JsonValue *kn = r.require(*v, "kernel", JsonValue::Kind::String, "one_split.");
    if (!kn)
      return false;
    if (kn->text.empty())
      return r.fail("field 'one_split.kernel' is empty");
    OneSplitLaunch os;
    if (!parseLaunch(*v, "one_split.", m.buffers, names, r, error, os.launch))
      return false;
    for (const ParamSpec &p : os.launch.params)
      if (p.buffer == "o_partial" || p.buffer == "lse_partial")
        return r.fail("field 'one_split.params' names the partial '" + p.buffer +
                      "': the one-split kernel writes o itself");
    os.launch.kernel = kn->text;
    os.schedule = scheduleText(*v);
    m.oneSplit = std::move(os);
  }
  return true;
}

/// `m`'s first launch replaced by `launch` (built with `schedule`).
static void replaceLaunch(Manifest &m, const LaunchSpec &launch,
                          const std::string &schedule) {
  m.kernel = launch.kernel;
  m.params = launch.params;
  for (int d = 0; d < 3; ++d) {
    m.grid[d] = launch.grid[d];
    m.block[d] = launch.block[d];
  }
  m.dynamicSharedBytes = launch.dynamicSharedBytes;
  m.schedule = schedule;
}

Manifest fa2run::withOneSplit(const Manifest &m) {
  Manifest out = m;
  replaceLaunch(out, m.oneSplit->launch, m.oneSplit->schedule);
  out.numSplits.clear();
  out.hasCombine = false;
  out.combine = LaunchSpec();
  out.oneSplit.reset();
  out.buffers.erase("o_partial");
  out.buffers.erase("lse_partial");
  return out;
}

size_t fa2run::pickLengthVariant(const Manifest &m, int64_t seqK) {
  for (size_t i = 0; i < m.variants.size(); ++i)
    if (m.variants[i].maxSeqK < 0 || seqK <= m.variants[i].maxSeqK)
      return i;
  return 0;
}

Manifest fa2run::withLengthVariant(const Manifest &m, size_t i) {
  Manifest out = m;
  out.variants.clear();
  if (m.variants.empty())
    return out;
  replaceLaunch(out, m.variants[i].launch, m.variants[i].schedule);
  return out;
}
