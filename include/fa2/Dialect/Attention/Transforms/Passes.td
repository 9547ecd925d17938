//===- Passes.td - fa2 dialect transformation passes -------*- tablegen -*-===//
#ifndef FA2_DIALECT_ATTENTION_TRANSFORMS_PASSES_TD
#define FA2_DIALECT_ATTENTION_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def FA2RaiseAttention : Pass<"fa2-raise-attention", "::mlir::ModuleOp"> {
  let summary = "Replace attention chains of tensor ops with fa2.attention";
  let description = [{
    Finds matmul → (scale, mask) → softmax → matmul chains by structure
    (contraction dimensions read from indexing maps, reductions by iterator
    type and combiner, elementwise bodies by what they compute) in linalg,
    TOSA, tensor and math form, and replaces each with one `fa2.attention`.
    Chains whose intermediate values have other users, or whose softmax
    does not reduce over the key dimension, are left alone. With
    `explain=true` every candidate that began to match and stopped gets a
    remark naming the reason.
  }];
  let dependentDialects = [
    "::fa2::FA2Dialect", "::mlir::tensor::TensorDialect",
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect"
  ];
  let options = [
    Option<"explain", "explain", "bool", /*default=*/"false",
           "Emit a remark on each near miss saying why it was not raised">
  ];
}

def FA2LowerToLoops : Pass<"fa2-lower-to-loops", "::mlir::ModuleOp"> {
  let summary = "Lower fa2.attention to the blocked online-softmax algorithm as loops";
  let description = [{
    Replaces each `fa2.attention` with FlashAttention-2's algorithm written in
    scf/arith/math on memrefs: blocks of query rows × blocks of keys, a
    running max and sum in f32, the accumulator rescaled when the max grows,
    one final division, and the log-sum-exp. Causal blocks above the diagonal
    are skipped; tails that are not block multiples are exact.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::tensor::TensorDialect"
  ];
  let options = [
    Option<"blockQ", "block-q", "int64_t", /*default=*/"16",
           "Query rows per block">,
    Option<"blockK", "block-k", "int64_t", /*default=*/"32",
           "Keys per block">
  ];
}

#endif // FA2_DIALECT_ATTENTION_TRANSFORMS_PASSES_TD
