// RUN: fa2-opt %s --split-input-file --fa2-to-cpu | FileCheck %s
// RUN: fa2-opt %s --split-input-file --fa2-to-cpu="block-q=4 block-k=2" | FileCheck %s --check-prefix=BLOCKS
// RUN: fa2-opt %s --split-input-file --fa2-to-cpu | FileCheck %s --check-prefix=LLVM-ONLY
//
// fa2-to-cpu takes func/linalg/tensor/arith/math/tosa modules, with or
// without fa2 ops, to the LLVM dialect alone (test/Integration/CPU runs the
// results). Nothing but llvm.* ops, blocks and the module may remain.
// LLVM-ONLY-NOT: {{^ *(%[^ ]+ = )?"?(fa2|linalg|tensor|memref|bufferization|scf|cf|arith|math|func|tosa|affine|index|builtin.unrealized_conversion_cast)[. ]}}

// CHECK-LABEL: module
// CHECK-DAG:   llvm.func @expf(f32) -> f32
// CHECK-DAG:   llvm.func @logf(f32) -> f32
// CHECK:       llvm.func @attention(
// The 16 x 32 score tile of the default blocks, on the stack.
// CHECK:         %[[TILE:.*]] = llvm.mlir.constant(512 : index) : i64
// CHECK-NEXT:    llvm.alloca %[[TILE]] x f32
// bf16 is handled with integer ops (arith-expand), f32 in between.
// CHECK:         llvm.bitcast %{{.*}} : bf16 to i16
// CHECK:         llvm.call @expf
// CHECK:         llvm.bitcast %{{.*}} : i16 to bf16
// CHECK:         llvm.call @logf
// The block options reach fa2-lower-to-loops: a 4 x 2 tile, not 16 x 32.
// BLOCKS-LABEL: llvm.func @attention(
// BLOCKS-NOT:     llvm.mlir.constant(512 : index)
// BLOCKS:         llvm.alloca
// BLOCKS-NOT:     llvm.mlir.constant(512 : index)
func.func @attention(%q: tensor<2x4x8xbf16>, %k: tensor<2x6x8xbf16>, %v: tensor<2x6x8xbf16>, %m: tensor<4x6xi1>) -> (tensor<2x4x8xbf16>, tensor<2x4xf32>) {
  %o, %l = fa2.attention %q, %k, %v mask(%m) scale(0.125) causal : tensor<2x4x8xbf16>, tensor<2x6x8xbf16>, tensor<2x6x8xbf16>, tensor<4x6xi1> -> tensor<2x4x8xbf16>, tensor<2x4xf32>
  return %o, %l : tensor<2x4x8xbf16>, tensor<2x4xf32>
}

// -----

// linalg.softmax is decomposed (AggregatedOpInterface), then lowered; the
// temporary buffers are freed.
// CHECK-LABEL: module
// CHECK:       llvm.func @softmax(
// CHECK:         llvm.call @expf
// CHECK:         llvm.fdiv
// CHECK:         llvm.call @free
// BLOCKS-LABEL: llvm.func @softmax(
func.func @softmax(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %e = tensor.empty() : tensor<4x16xf32>
  %s = linalg.softmax dimension(1) ins(%x : tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %s : tensor<4x16xf32>
}

// -----

// TOSA goes through tosa-to-linalg(-named), tosa-to-arith and tosa-to-tensor;
// f16 arithmetic on tensors through convert-elementwise-to-linalg.
// CHECK-LABEL: module
// CHECK:       llvm.func @tosa_and_f16(
// CHECK:         llvm.fmul
// CHECK:         llvm.call @expf
// CHECK:         llvm.fpext %{{.*}} : f16 to f32
// BLOCKS-LABEL: llvm.func @tosa_and_f16(
func.func @tosa_and_f16(%a: tensor<1x4x8xf32>, %b: tensor<1x8x4xf32>, %h: tensor<4xf16>) -> (tensor<1x4x1xf32>, tensor<4xf32>) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %mm = tosa.matmul %a, %b, %zp, %zp : (tensor<1x4x8xf32>, tensor<1x8x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4xf32>
  %e = tosa.exp %mm : (tensor<1x4x4xf32>) -> tensor<1x4x4xf32>
  %r = tosa.reduce_max %e {axis = 2 : i32} : (tensor<1x4x4xf32>) -> tensor<1x4x1xf32>
  %w = arith.extf %h : tensor<4xf16> to tensor<4xf32>
  return %r, %w : tensor<1x4x1xf32>, tensor<4xf32>
}

// -----

// Regression: an fa2.attention followed by more work in the same function
// (here an elementwise op on its result). The scratch tiles must not sit in a
// region that scf-to-cf later splits into several blocks.
// CHECK-LABEL: module
// CHECK:       llvm.func @attention_then_more(
// CHECK:         llvm.alloca
// CHECK:         llvm.call @expf
// CHECK:         llvm.return
func.func @attention_then_more(%q: tensor<2x8x16xf32>) -> tensor<2x8x16xf32> {
  %o = fa2.attention %q, %q, %q scale(0.25) : tensor<2x8x16xf32>, tensor<2x8x16xf32>, tensor<2x8x16xf32> -> tensor<2x8x16xf32>
  %e = tensor.empty() : tensor<2x8x16xf32>
  %r = linalg.add ins(%o, %o : tensor<2x8x16xf32>, tensor<2x8x16xf32>) outs(%e : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  return %r : tensor<2x8x16xf32>
}
