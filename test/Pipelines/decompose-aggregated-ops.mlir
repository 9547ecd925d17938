// RUN: fa2-opt %s --fa2-decompose-aggregated-ops --split-input-file --verify-diagnostics | FileCheck %s

// A softmax on tensors, as an attention chain that fa2 did not raise leaves
// it (the scores of a slot-attention softmax over the query axis): it becomes
// linalg.generic reductions and maps; the consumer reads the decomposition.
// CHECK-LABEL: func.func @softmax_on_tensors
// CHECK-NOT:     linalg.softmax
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "reduction"]
// CHECK:           arith.maxnumf
// CHECK:         math.exp
// CHECK:         arith.addf
// CHECK:         %[[NORM:.+]] = linalg.generic
// CHECK:           arith.divf
// CHECK:         %[[ADD:.+]] = linalg.add ins(%[[NORM]], %[[NORM]]
// CHECK:         return %[[ADD]]
func.func @softmax_on_tensors(%s: tensor<2x8x16xf32>) -> tensor<2x8x16xf32> {
  %e = tensor.empty() : tensor<2x8x16xf32>
  %p = linalg.softmax dimension(2) ins(%s : tensor<2x8x16xf32>) outs(%e : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %e2 = tensor.empty() : tensor<2x8x16xf32>
  %r = linalg.add ins(%p, %p : tensor<2x8x16xf32>, tensor<2x8x16xf32>) outs(%e2 : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  return %r : tensor<2x8x16xf32>
}

// -----

// On buffers there is no result to replace: the op stays for
// convert-linalg-to-loops' own handling (or its error), untouched here.
// CHECK-LABEL: func.func @softmax_on_buffers
// CHECK:         linalg.softmax dimension(1) ins(%{{.*}} : memref<4x8xf32>)
func.func @softmax_on_buffers(%s: memref<4x8xf32>, %o: memref<4x8xf32>) {
  linalg.softmax dimension(1) ins(%s : memref<4x8xf32>) outs(%o : memref<4x8xf32>)
  return
}

// -----

// Softmax on integers verifies but has no decomposition: an error at the op.
func.func @softmax_on_integers(%s: tensor<4x8xi32>) -> tensor<4x8xi32> {
  %e = tensor.empty() : tensor<4x8xi32>
  // expected-error @+1 {{linalg.softmax on 'i32' elements cannot be lowered: softmax is defined on floating-point types only}}
  %p = linalg.softmax dimension(1) ins(%s : tensor<4x8xi32>) outs(%e : tensor<4x8xi32>) -> tensor<4x8xi32>
  return %p : tensor<4x8xi32>
}
