//===- Passes.h - fa2 conversion passes -------------------------*- C++ -*-===//
#ifndef FA2_CONVERSION_PASSES_H
#define FA2_CONVERSION_PASSES_H

#include "fa2/Dialect/Attention/IR/AttentionOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace fa2 {

#define GEN_PASS_DECL
#include "fa2/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "fa2/Conversion/Passes.h.inc"

} // namespace fa2

#endif // FA2_CONVERSION_PASSES_H
