// RUN: fa2-opt %s --split-input-file --verify-diagnostics --fa2-to-cpu | FileCheck %s --check-prefix=CPU
// RUN: fa2-opt %s --split-input-file --verify-diagnostics --fa2-to-ptx | FileCheck %s --check-prefix=PTX
//
// A memref.dim / tensor.dim of a dimension outside [0, rank) verifies (it is
// undefined behaviour at run time), but the pipelines' canonicalizations
// crash on a negative one: the GPU dialect's memref.dim(gpu.alloc) pattern,
// registered whenever the GPU dialect is loaded, checks the index against the
// rank only from above and reads the shape at -1 (found by fa2-fuzz as a
// --fa2-to-cpu crash). Both pipelines refuse such a dim at the op, whether
// the index is a literal or folds to one, before any pattern runs; in-range
// dims (the last chunk) still compile.

// The fuzzer's input: a module with a gpu.module (so the GPU dialect's
// patterns are in the canonicalizer), a launch on a buffer sized by dim -1.
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @k(%a: memref<?xf16>, %o: memref<?xf16>) kernel {
      %c0 = arith.constant 0 : index
      %x = memref.load %a[%c0] : memref<?xf16>
      memref.store %x, %o[%c0] : memref<?xf16>
      gpu.return
    }
  }
  func.func @returned(%a: memref<?xf16>) -> memref<?xf16> {
    %c0 = arith.constant -1 : index
    %c1 = arith.constant 1 : index
    // expected-error @+1 {{asks for dimension -1 of a rank-1 'memref<?xf16>': undefined behaviour}}
    %n = memref.dim %a, %c0 : memref<?xf16>
    %t = memref.alloc(%n) : memref<?xf16>
    gpu.launch_func @k::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<?xf16>, %t : memref<?xf16>)
    memref.copy %t, %a : memref<?xf16> to memref<?xf16>
    return %t : memref<?xf16>
  }
}

// -----

// A front end that passes PyTorch's dim=-1 through without normalizing it:
// the size of the last dimension of a dynamic-length score row, for the
// softmax's output. tensor.dim becomes memref.dim when bufferized.
func.func @softmax_last_dim(%scores: tensor<2x?xf32>) -> tensor<2x?xf32> {
  %last = arith.constant -1 : index
  // expected-error @+1 {{asks for dimension -1 of a rank-2 'tensor<2x?xf32>': undefined behaviour}}
  %n = tensor.dim %scores, %last : tensor<2x?xf32>
  %e = tensor.empty(%n) : tensor<2x?xf32>
  %p = linalg.softmax dimension(1) ins(%scores : tensor<2x?xf32>) outs(%e : tensor<2x?xf32>) -> tensor<2x?xf32>
  return %p : tensor<2x?xf32>
}

// -----

// The same, the index computed as rank - 3 of a wrongly assumed rank 2: the
// canonicalizer folds it to -1 before it visits the dim, so the check folds
// it too.
func.func @softmax_folded_dim(%scores: tensor<2x?xf32>) -> tensor<2x?xf32> {
  %rank = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %last = arith.subi %rank, %c3 : index
  // expected-error @+1 {{asks for dimension -1 of a rank-2 'tensor<2x?xf32>': undefined behaviour}}
  %n = tensor.dim %scores, %last : tensor<2x?xf32>
  %e = tensor.empty(%n) : tensor<2x?xf32>
  %p = linalg.softmax dimension(1) ins(%scores : tensor<2x?xf32>) outs(%e : tensor<2x?xf32>) -> tensor<2x?xf32>
  return %p : tensor<2x?xf32>
}

// -----

// In range (dim=-1 normalized to 1): compiled to the LLVM dialect.
// CPU: llvm.func @softmax_normalized_dim(
// CPU:   llvm.call @expf
// PTX: llvm.func @softmax_normalized_dim(
func.func @softmax_normalized_dim(%scores: tensor<2x?xf32>) -> tensor<2x?xf32> {
  %rank = arith.constant 2 : index
  %minus1 = arith.constant -1 : index
  %last = arith.addi %rank, %minus1 : index
  %n = tensor.dim %scores, %last : tensor<2x?xf32>
  %e = tensor.empty(%n) : tensor<2x?xf32>
  %p = linalg.softmax dimension(1) ins(%scores : tensor<2x?xf32>) outs(%e : tensor<2x?xf32>) -> tensor<2x?xf32>
  return %p : tensor<2x?xf32>
}
