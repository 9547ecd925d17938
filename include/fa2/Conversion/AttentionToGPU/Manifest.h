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
#include "llvm/Support/JSON.h"

namespace fa2 {

/// The manifest's schema version.
constexpr int64_t kManifestVersion = 1;

/// The manifest of `spec`'s kernel; `format` is "ptx" or "cubin".
llvm::json::Value buildManifest(const AttentionKernelSpec &spec,
                                llvm::StringRef format);

/// The grid as manifest expressions: ceildiv(seq_q, Br), batch * heads_q, 1.
llvm::SmallVector<std::string, 3>
gridExpressions(const AttentionKernelSpec &spec);

/// Writes `dir/<kernel>.json` (creating `dir` if needed).
llvm::Error writeManifest(const AttentionKernelSpec &spec, llvm::StringRef dir,
                          llvm::StringRef format);

} // namespace fa2

#endif // FA2_CONVERSION_ATTENTIONTOGPU_MANIFEST_H
