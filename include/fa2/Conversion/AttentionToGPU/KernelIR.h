//===- KernelIR.h - the scalar IR every kernel builder writes ---*- C++ -*-===//
//
// The small builders the GPU kernel builders (KernelBuilder.cpp,
// HopperKernelBuilder.cpp, CombineBuilder.cpp) and their building blocks
// (MmaSync, AsyncCopy, OnlineSoftmax) share: index and f32 constants, index
// arithmetic that folds constants as it goes, the f32 math of the softmax
// (fast exp2, fma, max) and warp shuffles. One definition, so that the IR of
// "x + k" or "exp2(x)" is the same wherever a kernel writes it: the kernels'
// PTX depends on exactly which ops (and fast-math flags) are built.
//
//===----------------------------------------------------------------------===//
#ifndef FA2_CONVERSION_ATTENTIONTOGPU_KERNELIR_H
#define FA2_CONVERSION_ATTENTIONTOGPU_KERNELIR_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/ArrayRef.h"

namespace fa2 {

/// An OpBuilder and the Location every op of one kernel is built at, with
/// the arithmetic the kernel builders write. Index arithmetic folds
/// (createOrFold: `x + 0` is `x`); float arithmetic is built as written.
/// Kernel emitters derive from it, so that their code reads `add(x, y)`.
class KernelIRBuilder {
public:
  KernelIRBuilder(mlir::OpBuilder &b, mlir::Location loc) : b(b), loc(loc) {}

  //===--- constants ------------------------------------------------------===//
  /// An index constant.
  mlir::Value c(int64_t v);
  /// An f32 constant.
  mlir::Value cf(double v);
  /// The member mask of warp-wide votes and syncs: every lane (i32 -1).
  mlir::Value allLanes();

  //===--- index arithmetic (folding) -------------------------------------===//
  mlir::Value add(mlir::Value x, mlir::Value y);
  /// x + k (x itself for k = 0).
  mlir::Value addc(mlir::Value x, int64_t k);
  mlir::Value sub(mlir::Value x, mlir::Value y);
  mlir::Value mul(mlir::Value x, mlir::Value y);
  /// x · k (x itself for k = 1).
  mlir::Value mulc(mlir::Value x, int64_t k);
  /// Unsigned x / k and x % k.
  mlir::Value divc(mlir::Value x, int64_t k);
  mlir::Value remc(mlir::Value x, int64_t k);
  /// Unsigned x / y, x % y, min and max.
  mlir::Value divu(mlir::Value x, mlir::Value y);
  mlir::Value remu(mlir::Value x, mlir::Value y);
  mlir::Value minu(mlir::Value x, mlir::Value y);
  mlir::Value maxu(mlir::Value x, mlir::Value y);
  mlir::Value cmp(mlir::arith::CmpIPredicate p, mlir::Value x, mlir::Value y);

  //===--- f32 math -------------------------------------------------------===//
  mlir::Value fadd(mlir::Value x, mlir::Value y);
  mlir::Value fmul(mlir::Value x, mlir::Value y);
  /// maxnum (a NaN operand gives the other one).
  mlir::Value fmax(mlir::Value x, mlir::Value y);
  /// 2^x with afn: PTX's ex2.approx (GPUMathToNVVM.cpp).
  mlir::Value exp2(mlir::Value x);
  /// x·y + z in one rounding.
  mlir::Value fma(mlir::Value x, mlir::Value y, mlir::Value z);
  mlir::Value select(mlir::Value cond, mlir::Value x, mlir::Value y);

  //===--- warps and vectors ----------------------------------------------===//
  /// The value of lane (this lane ^ offset), over the whole warp.
  mlir::Value shuffleXor(mlir::Value x, int32_t offset);
  mlir::Value extract(mlir::Value vec, llvm::ArrayRef<int64_t> pos);

protected:
  mlir::OpBuilder &b;
  mlir::Location loc;
};

} // namespace fa2

#endif // FA2_CONVERSION_ATTENTIONTOGPU_KERNELIR_H
