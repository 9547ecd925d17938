//===- Passes.h - fa2 dialect transformation passes -------------*- C++ -*-===//
#ifndef FA2_DIALECT_ATTENTION_TRANSFORMS_PASSES_H
#define FA2_DIALECT_ATTENTION_TRANSFORMS_PASSES_H

#include "fa2/Dialect/Attention/IR/AttentionOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace fa2 {

#define GEN_PASS_DECL
#include "fa2/Dialect/Attention/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "fa2/Dialect/Attention/Transforms/Passes.h.inc"

} // namespace fa2

#endif // FA2_DIALECT_ATTENTION_TRANSFORMS_PASSES_H
