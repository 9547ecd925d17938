// A linalg.softmax on integers verifies, but softmax has no integer
// meaning: both pipelines report it at the op instead of crashing in the
// float decomposition.
// RUN: not fa2-opt %s --fa2-to-cpu 2>&1 | FileCheck %s
// RUN: not fa2-opt %s --fa2-to-ptx 2>&1 | FileCheck %s
// CHECK: integer-softmax.mlir:[[# @LINE + 4]]:8: error: fa2: linalg.softmax on 'i32' elements cannot be lowered: softmax is defined on floating-point types only
// CHECK-NOT: PLEASE submit
func.func @int_softmax(%x: tensor<2x16xi32>) -> tensor<2x16xi32> {
  %e = tensor.empty() : tensor<2x16xi32>
  %s = linalg.softmax dimension(1) ins(%x : tensor<2x16xi32>) outs(%e : tensor<2x16xi32>) -> tensor<2x16xi32>
  return %s : tensor<2x16xi32>
}
