//===- Manifest.h - the JSON kernel manifest (schema version 1) -*- C++ -*-===//
//
// The contract between fa2's compiler and the runners (tools/fa2-run, the
// benchmarks): one JSON file per kernel describing its buffers, parameters,
// launch shape and schedule. docs/manifest.md documents every field.
//
//===----------------------------------------------------------------------===//
#ifndef FA2_CONVERSION_ATTENTIONTOGPU_MANIFEST_H
#define FA2_CONVERSION_ATTENTIONTOGPU_MANIFEST_H

#include "fa2/Conversion/AttentionToGPU/KernelBuilder.h"

#include "llvm/Support/Error.h"
#include "mlir/IR/Attributes.h"
#include "llvm/Support/JSON.h"

namespace fa2 {

/// The manifest's schema version.
constexpr int64_t kManifestVersion = 1;

/// The manifest of `spec`'s kernel, without the two keys of its binary file
/// ("binary", "format"): fa2-lower-to-gpu carries it in the IR
/// (`manifestAttr`) and fa2-write-kernels, which sees the binary, completes
/// and writes it (`completeManifest`, `writeManifest`).
llvm::json::Object buildManifest(const AttentionKernelSpec &spec);

/// The grid as manifest expressions: ceildiv(seq_q, Br), batch * heads_q, 1.
llvm::SmallVector<std::string, 3>
gridExpressions(const AttentionKernelSpec &spec);

/// A JSON value as an attribute and back: objects are dictionaries, arrays
/// arrays, strings strings, booleans bool attributes, integers i64 and other
/// numbers f64 attributes, null a unit attribute. The round trip prints the
/// same JSON.
mlir::Attribute manifestAttr(mlir::MLIRContext *ctx,
                             const llvm::json::Value &value);
llvm::json::Value manifestJSON(mlir::Attribute attr);

/// Adds the keys of the binary file `<kernel>.<format>` ("ptx", "cubin", or
/// another extension) to a manifest.
void completeManifest(llvm::json::Object &manifest, llvm::StringRef kernel,
                      llvm::StringRef format);

/// Writes `dir/<kernel>.json` (creating `dir` if needed).
llvm::Error writeManifest(const llvm::json::Object &manifest,
                          llvm::StringRef kernel, llvm::StringRef dir);

} // namespace fa2

#endif // FA2_CONVERSION_ATTENTIONTOGPU_MANIFEST_H
