// RUN: fa2-opt %s --fa2-results-to-out-params | FileCheck %s

// The host code's calling convention (docs/runtime.md): a public function
// whose memref results are all static takes them as out-parameters, marked
// for scripts/fa2-compile.sh; the allocation is hoisted out and replaced by
// a copy into the caller's buffer.
// CHECK-LABEL: func.func @attention_layer(
// CHECK-SAME:    %[[Q:.+]]: memref<2x4x8x64xf16>, %[[OUT:.+]]: memref<2x4x8x64xf16> {bufferize.result})
// CHECK-NOT:     memref.alloc
// CHECK:         memref.copy %[[Q]], %[[OUT]]
// CHECK:         return{{$}}
func.func @attention_layer(%q: memref<2x4x8x64xf16>) -> memref<2x4x8x64xf16> {
  %o = memref.alloc() : memref<2x4x8x64xf16>
  memref.copy %q, %o : memref<2x4x8x64xf16> to memref<2x4x8x64xf16>
  return %o : memref<2x4x8x64xf16>
}

// A dynamic-shaped result cannot be allocated by the caller before the call:
// it stays a result.
// CHECK-LABEL: func.func @decode_step(
// CHECK-SAME:    %{{.+}}: memref<?x64xf16>) -> memref<?x64xf16>
func.func @decode_step(%k: memref<?x64xf16>) -> memref<?x64xf16> {
  %c0 = arith.constant 0 : index
  %n = memref.dim %k, %c0 : memref<?x64xf16>
  %o = memref.alloc(%n) : memref<?x64xf16>
  memref.copy %k, %o : memref<?x64xf16> to memref<?x64xf16>
  return %o : memref<?x64xf16>
}

// Declarations are not touched.
// CHECK-LABEL: func.func private @external() -> memref<4xf32>
func.func private @external() -> memref<4xf32>
