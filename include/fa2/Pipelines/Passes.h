//===- Passes.h - the passes of fa2's pipelines -----------------*- C++ -*-===//
#ifndef FA2_PIPELINES_PASSES_H
#define FA2_PIPELINES_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace fa2 {

#define GEN_PASS_DECL
#include "fa2/Pipelines/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "fa2/Pipelines/Passes.h.inc"

} // namespace fa2

#endif // FA2_PIPELINES_PASSES_H
