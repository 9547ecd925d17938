// RUN: fa2-opt %s --split-input-file --fa2-lower-to-loops | FileCheck %s --check-prefixes=CHECK,DEF
// RUN: fa2-opt %s --split-input-file --fa2-lower-to-loops="block-q=8 block-k=4" | FileCheck %s --check-prefixes=CHECK,SMALL
// RUN: not fa2-opt %s --split-input-file --fa2-lower-to-loops="block-q=0" 2>&1 | FileCheck %s --check-prefix=INVALID
// RUN: not fa2-opt %s --split-input-file --fa2-lower-to-loops="block-q=4611686018427387904" 2>&1 | FileCheck %s --check-prefix=HUGE
//
// fa2.attention to FlashAttention-2's loops. The two block shapes give the
// same loop nest with other tile sizes and steps (16 x 32 by default, 8 x 4);
// test/Integration/CPU/lower-to-loops/ shows that the numbers agree.

// Located at the options, not at the module (0:0); huge blocks (stack tiles) too.
// INVALID: fa2-lower-to-loops{block-q=0 block-k=32}:1:20: error: fa2-lower-to-loops: block-q and block-k must be 1 to 1024 with at most 65536 scores per block, got 0 and 32
// HUGE: fa2-lower-to-loops{block-q=4611686018427387904 block-k=32}:1:20: error: fa2-lower-to-loops: block-q and block-k must be 1 to 1024

// CHECK-LABEL: func.func @mha
// CHECK-SAME: (%[[Q:.*]]: tensor<2x4x24x16xf32>, %[[K:.*]]: tensor<2x4x24x16xf32>, %[[V:.*]]: tensor<2x4x24x16xf32>)
// The scratch tiles sit at the function entry, outside every loop.
// DEF:         %[[S:.*]] = memref.alloca() : memref<16x32xf32>
// SMALL:       %[[S:.*]] = memref.alloca() : memref<8x4xf32>
// DEF:         %[[M:.*]] = memref.alloca() : memref<16xf32>
// SMALL:       %[[M:.*]] = memref.alloca() : memref<8xf32>
// DEF:         %[[L:.*]] = memref.alloca() : memref<16xf32>
// SMALL:       %[[L:.*]] = memref.alloca() : memref<8xf32>
// DEF:         %[[ACC:.*]] = memref.alloca() : memref<16x16xf32>
// SMALL:       %[[ACC:.*]] = memref.alloca() : memref<8x16xf32>
// DEF-DAG:   %[[BQ:.*]] = arith.constant 16 : index
// DEF-DAG:   %[[BK:.*]] = arith.constant 32 : index
// SMALL-DAG: %[[BQ:.*]] = arith.constant 8 : index
// SMALL-DAG: %[[BK:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-DAG: %[[QB:.*]] = bufferization.to_buffer %[[Q]] read_only : tensor<2x4x24x16xf32> to memref<2x4x24x16xf32, strided<[?, ?, ?, ?], offset: ?>>
// CHECK-DAG: %[[KB:.*]] = bufferization.to_buffer %[[K]] read_only
// CHECK-DAG: %[[VB:.*]] = bufferization.to_buffer %[[V]] read_only
// CHECK:     %[[OUT:.*]] = memref.alloc() : memref<2x4x24x16xf32>
// Batch, head, then blocks of query rows.
// CHECK:       scf.for %[[B:.*]] = %{{.*}} to %{{.*}} step
// CHECK:         scf.for %[[H:.*]] = %{{.*}} to %{{.*}} step
// CHECK:           scf.for %[[Q0:.*]] = %{{.*}} to %{{.*}} step %[[BQ]]
// CHECK:             %[[ROWS:.*]] = arith.minsi %[[BQ]], %{{.*}} : index
// Running max -inf, sum 0, accumulator 0.
// CHECK:             scf.for
// CHECK:               memref.store %[[NEGINF]], %[[M]]
// Blocks of keys; per block the score tile, then the online-softmax update.
// CHECK:             scf.for %[[K0:.*]] = %{{.*}} to %{{.*}} step %[[BK]]
// CHECK:               %[[COLS:.*]] = arith.minsi %[[BK]], %{{.*}} : index
// CHECK:               scf.for %{{.*}} = %{{.*}} to %[[ROWS]]
// CHECK:                 scf.for %{{.*}} = %{{.*}} to %[[COLS]]
// CHECK:                   memref.load %[[QB]][%[[B]], %[[H]], %{{.*}}, %{{.*}}]
// CHECK:                   memref.load %[[KB]][%[[B]], %{{.*}}, %{{.*}}, %{{.*}}]
// CHECK:                   arith.mulf
// CHECK:                   memref.store %{{.*}}, %[[S]]
// CHECK:               scf.for %{{.*}} = %{{.*}} to %[[ROWS]]
// CHECK:                 arith.maximumf
// CHECK:                 %[[MNEW:.*]] = arith.maximumf
// CHECK:                 %[[EMPTY:.*]] = arith.cmpf oeq, %[[MNEW]], %[[NEGINF]]
// CHECK:                 %[[MREF:.*]] = arith.select %[[EMPTY]], %{{.*}}, %[[MNEW]]
// CHECK:                 %[[DM:.*]] = arith.subf %{{.*}}, %[[MREF]]
// CHECK:                 %[[ALPHA:.*]] = math.exp %[[DM]]
// CHECK:                 math.exp
// CHECK:                 memref.store %{{.*}}, %[[L]]
// CHECK:                 memref.store %[[MNEW]], %[[M]]
// CHECK:                 arith.mulf %{{.*}}, %[[ALPHA]]
// CHECK:                   memref.load %[[VB]]
// Epilogue: one division per element.
// CHECK:             scf.for
// CHECK:               arith.cmpf oeq
// CHECK:                 arith.divf
// CHECK:                 memref.store %{{.*}}, %[[OUT]]
// CHECK:     %[[RES:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK:     return %[[RES]]
func.func @mha(%q: tensor<2x4x24x16xf32>, %k: tensor<2x4x24x16xf32>, %v: tensor<2x4x24x16xf32>) -> tensor<2x4x24x16xf32> {
  %o = fa2.attention %q, %k, %v scale(0.25) : tensor<2x4x24x16xf32>, tensor<2x4x24x16xf32>, tensor<2x4x24x16xf32> -> tensor<2x4x24x16xf32>
  return %o : tensor<2x4x24x16xf32>
}

// -----

// Causal: the key loop stops at the diagonal of the block's last row,
// min(Sk, q0 + rows + (Sk - Sq)) clamped at 0. Each key block is classified
// (MaskSemantics): masked iff its last key k0 + cols - 1 lies above the first
// row's diagonal q0 + (Sk - Sq); only then does the tile mask
// j > i + (Sk - Sq), the unmasked tile has no positional select.
// CHECK-LABEL: func.func @causal_sq_ne_sk
// CHECK-DAG: %[[SQ:.*]] = arith.constant 20 : index
// CHECK-DAG: %[[SK:.*]] = arith.constant 52 : index
// CHECK:     %[[OFF:.*]] = arith.subi %[[SK]], %[[SQ]] : index
// CHECK:     scf.for %[[Q0:.*]] = %{{.*}} to %[[SQ]] step
// CHECK:       %[[ROWS:.*]] = arith.minsi
// CHECK:       %[[LAST:.*]] = arith.addi %[[Q0]], %[[ROWS]] : index
// CHECK:       %[[END:.*]] = arith.addi %[[LAST]], %[[OFF]] : index
// CHECK:       %[[CLIP:.*]] = arith.minsi %[[SK]], %[[END]] : index
// CHECK:       %[[KEND:.*]] = arith.maxsi %{{.*}}, %[[CLIP]] : index
// CHECK:       scf.for %[[K0:.*]] = %{{.*}} to %[[KEND]] step
// CHECK:         %[[COLS:.*]] = arith.minsi
// CHECK:         %[[KSTOP:.*]] = arith.addi %[[K0]], %[[COLS]] : index
// CHECK:         %[[DIAG0:.*]] = arith.addi %[[Q0]], %[[OFF]] : index
// CHECK:         %[[FIRST:.*]] = arith.addi %[[DIAG0]], %{{.*}} : index
// CHECK:         %[[NEEDS:.*]] = arith.cmpi sgt, %[[KSTOP]], %[[FIRST]] : index
// CHECK:         scf.if %[[NEEDS]] {
// CHECK:             %[[LIM:.*]] = arith.addi %{{.*}}, %[[OFF]] : index
// CHECK:             %[[HIDE:.*]] = arith.cmpi sgt, %{{.*}}, %[[LIM]] : index
// CHECK:             arith.select %[[HIDE]], %{{.*}}, %{{.*}} : f32
// CHECK:         } else {
// CHECK:             arith.mulf
// CHECK-NOT:         arith.select
// CHECK:             memref.store
// CHECK:         }
func.func @causal_sq_ne_sk(%q: tensor<2x20x8xf32>, %k: tensor<2x52x8xf32>, %v: tensor<2x52x8xf32>) -> tensor<2x20x8xf32> {
  %o = fa2.attention %q, %k, %v scale(0.5) causal : tensor<2x20x8xf32>, tensor<2x52x8xf32>, tensor<2x52x8xf32> -> tensor<2x20x8xf32>
  return %o : tensor<2x20x8xf32>
}

// -----

// Without causal the key loop runs to Sk.
// CHECK-LABEL: func.func @non_causal_full_key_range
// CHECK-DAG: %[[SK:.*]] = arith.constant 52 : index
// CHECK-NOT: arith.maxsi
// CHECK:     scf.for %{{.*}} = %{{.*}} to %[[SK]] step
func.func @non_causal_full_key_range(%q: tensor<2x20x8xf32>, %k: tensor<2x52x8xf32>, %v: tensor<2x52x8xf32>) -> tensor<2x20x8xf32> {
  %o = fa2.attention %q, %k, %v scale(0.5) : tensor<2x20x8xf32>, tensor<2x52x8xf32>, tensor<2x52x8xf32> -> tensor<2x20x8xf32>
  return %o : tensor<2x20x8xf32>
}

// -----

// GQA by index arithmetic: K/V head = h / (Hq / Hkv); layout<bshd> swaps the
// sequence and head indices; f16 loads are widened and the output rounded
// once; a float mask [Hq, 1, Sk] reads index 0 in its size-1 dimension and is
// added; the LSE is stored at [b, h, i] (+inf when the row saw no key).
// CHECK-LABEL: func.func @gqa_bshd_f16_mask_lse
// DEF-DAG:   %[[BK:.*]] = arith.constant 32 : index
// SMALL-DAG: %[[BK:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[POSINF:.*]] = arith.constant 0x7F800000 : f32
// CHECK-DAG: %[[HQ:.*]] = arith.constant 6 : index
// CHECK-DAG: %[[HKV:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[QB:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<2x10x6x8xf16>
// CHECK-DAG: %[[KB:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<2x14x2x8xf16>
// CHECK-DAG: %[[MB:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<6x1x14xf32>
// CHECK:     %[[GROUP:.*]] = arith.divui %[[HQ]], %[[HKV]] : index
// CHECK:     %[[OUT:.*]] = memref.alloc() : memref<2x10x6x6xf16>
// CHECK:     %[[LSE:.*]] = memref.alloc() : memref<2x6x10xf32>
// CHECK:     scf.for %[[B:.*]] =
// CHECK:       scf.for %[[H:.*]] =
// CHECK:         scf.for %[[Q0:.*]] =
// CHECK:           %[[G:.*]] = arith.divui %[[H]], %[[GROUP]] : index
// CHECK:           scf.for %[[K0:.*]] = %{{.*}} to %{{.*}} step %[[BK]]
// CHECK:             scf.for %[[R:.*]] =
// CHECK:               %[[I:.*]] = arith.addi %[[Q0]], %[[R]] : index
// CHECK:               scf.for %[[C:.*]] =
// CHECK:                 %[[J:.*]] = arith.addi %[[K0]], %[[C]] : index
// CHECK:                     %[[QV:.*]] = memref.load %[[QB]][%[[B]], %[[I]], %[[H]], %{{.*}}]
// CHECK:                     arith.extf %[[QV]] : f16 to f32
// CHECK:                     %[[KV:.*]] = memref.load %[[KB]][%[[B]], %[[J]], %[[G]], %{{.*}}]
// CHECK:                     arith.extf %[[KV]] : f16 to f32
// CHECK:                   %[[MV:.*]] = memref.load %[[MB]][%[[H]], %{{.*}}, %[[J]]]
// CHECK:                   arith.addf %{{.*}}, %[[MV]] : f32
// CHECK:             arith.divf
// CHECK:             %[[T:.*]] = arith.truncf %{{.*}} : f32 to f16
// CHECK:             memref.store %[[T]], %[[OUT]][%[[B]], %{{.*}}, %[[H]], %{{.*}}]
// CHECK:           math.log
// CHECK:           %[[LV:.*]] = arith.select %{{.*}}, %[[POSINF]], %{{.*}} : f32
// CHECK:           memref.store %[[LV]], %[[LSE]][%[[B]], %[[H]], %{{.*}}]
// CHECK:     bufferization.to_tensor %[[OUT]] restrict writable : memref<2x10x6x6xf16> to tensor<2x10x6x6xf16>
// CHECK:     bufferization.to_tensor %[[LSE]] restrict writable : memref<2x6x10xf32> to tensor<2x6x10xf32>
func.func @gqa_bshd_f16_mask_lse(%q: tensor<2x10x6x8xf16>, %k: tensor<2x14x2x8xf16>, %v: tensor<2x14x2x6xf16>, %m: tensor<6x1x14xf32>) -> (tensor<2x10x6x6xf16>, tensor<2x6x10xf32>) {
  %o, %l = fa2.attention %q, %k, %v mask(%m) scale(0.125) causal layout<bshd> : tensor<2x10x6x8xf16>, tensor<2x14x2x8xf16>, tensor<2x14x2x6xf16>, tensor<6x1x14xf32> -> tensor<2x10x6x6xf16>, tensor<2x6x10xf32>
  return %o, %l : tensor<2x10x6x6xf16>, tensor<2x6x10xf32>
}

// -----

// Dynamic sizes come from memref.dim; a dynamic mask dimension broadcasts
// when it is 1 at run time; a bool mask selects -inf; no batch dimension.
// CHECK-LABEL: func.func @dynamic_bool_mask
// CHECK-SAME: (%[[Q:.*]]: tensor<?x?x?xbf16>, %[[K:.*]]: tensor<?x?x?xbf16>, %[[V:.*]]: tensor<?x?x?xbf16>, %[[M:.*]]: tensor<?x?xi1>)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-DAG: %[[QB:.*]] = bufferization.to_buffer %[[Q]] read_only : tensor<?x?x?xbf16> to memref<?x?x?xbf16, strided<[?, ?, ?], offset: ?>>
// CHECK-DAG: %[[VB:.*]] = bufferization.to_buffer %[[V]] read_only
// CHECK-DAG: %[[MB:.*]] = bufferization.to_buffer %[[M]] read_only
// CHECK-DAG: %[[HQ:.*]] = memref.dim %[[QB]], %[[C0]]
// CHECK-DAG: %[[SQ:.*]] = memref.dim %[[QB]], %[[C1]]
// CHECK-DAG: %[[DV:.*]] = memref.dim %[[VB]], %[[C2]]
// CHECK-DAG: %[[MD0:.*]] = memref.dim %[[MB]], %[[C0]]
// CHECK-DAG: %[[BC0:.*]] = arith.cmpi eq, %[[MD0]], %[[C1]] : index
// CHECK:     %[[OUT:.*]] = memref.alloc(%[[HQ]], %[[SQ]], %[[DV]]) : memref<?x?x?xf32>
// CHECK:     memref.alloca(%[[DV]]) : memref<{{[0-9]+}}x?xf32>
// CHECK:       %[[MI:.*]] = arith.select %[[BC0]], %{{.*}}, %{{.*}} : index
// CHECK:       %[[MV:.*]] = memref.load %[[MB]][%[[MI]], %{{.*}}]
// CHECK:       arith.select %[[MV]], %{{.*}}, %[[NEGINF]] : f32
func.func @dynamic_bool_mask(%q: tensor<?x?x?xbf16>, %k: tensor<?x?x?xbf16>, %v: tensor<?x?x?xbf16>, %m: tensor<?x?xi1>) -> tensor<?x?x?xf32> {
  %o = fa2.attention %q, %k, %v mask(%m) scale(1.0) : tensor<?x?x?xbf16>, tensor<?x?x?xbf16>, tensor<?x?x?xbf16>, tensor<?x?xi1> -> tensor<?x?x?xf32>
  return %o : tensor<?x?x?xf32>
}

// -----

// Functions without fa2.attention are left alone.
// CHECK-LABEL: func.func @negative_no_attention
// CHECK-NOT: bufferization
// CHECK:     return %arg0
func.func @negative_no_attention(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// -----

// An fa2.attention in a caller's loop: its scratch tiles are allocated once at
// the function entry, not in the loop body (scf.for is an allocation scope,
// but once lowered to branches nothing frees its allocas).
// CHECK-LABEL: func.func @in_caller_loop
// CHECK:       memref.alloca() : memref<{{[0-9]+}}x{{[0-9]+}}xf32>
// CHECK:       scf.for
// CHECK-NOT:   memref.alloca
// CHECK:       return
func.func @in_caller_loop(%q: tensor<1x2x64xf32>, %k: tensor<1x3x64xf32>, %n: index) -> tensor<1x2x64xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %q) -> tensor<1x2x64xf32> {
    %o = fa2.attention %acc, %k, %k scale(0.5) : tensor<1x2x64xf32>, tensor<1x3x64xf32>, tensor<1x3x64xf32> -> tensor<1x2x64xf32>
    scf.yield %o : tensor<1x2x64xf32>
  }
  return %r : tensor<1x2x64xf32>
}

// -----

// A causal window (MaskSemantics' diagonal bounds [-5, 0]): the key loop
// starts at the first row's window, max(0, q0 + (Sk - Sq) - 5), and ends at
// the causal diagonal of the last row. A key block is masked iff its last key
// lies above the first row's diagonal or its first key more than 5 below the
// last row's; only then does the tile remove keys above the diagonal or more
// than 5 below it.
// CHECK-LABEL: func.func @causal_window
// CHECK-DAG: %[[SQ:.*]] = arith.constant 20 : index
// CHECK-DAG: %[[SK:.*]] = arith.constant 52 : index
// CHECK-DAG: %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK:     %[[OFF:.*]] = arith.subi %[[SK]], %[[SQ]] : index
// CHECK:     scf.for %[[Q0:.*]] = %{{.*}} to %[[SQ]] step
// CHECK:       %[[KEND:.*]] = arith.maxsi %{{.*}}, %{{.*}} : index
// CHECK:       %[[DIAG0:.*]] = arith.addi %[[Q0]], %[[OFF]] : index
// CHECK:       %[[LO0:.*]] = arith.addi %[[DIAG0]], %{{.*}} : index
// CHECK:       %[[KBEGIN:.*]] = arith.maxsi %{{.*}}, %[[LO0]] : index
// CHECK:       scf.for %[[K0:.*]] = %[[KBEGIN]] to %[[KEND]] step
// CHECK:         %[[ABOVE0:.*]] = arith.cmpi sgt, %{{.*}}, %{{.*}} : index
// CHECK:         %[[BELOW0:.*]] = arith.cmpi slt, %[[K0]], %{{.*}} : index
// CHECK:         %[[NEEDS:.*]] = arith.ori %[[ABOVE0]], %[[BELOW0]] : i1
// CHECK:         scf.if %[[NEEDS]] {
// CHECK:             %[[DIAG:.*]] = arith.addi %{{.*}}, %[[OFF]] : index
// CHECK:             %[[ABOVE:.*]] = arith.cmpi sgt, %[[J:.*]], %[[DIAG]] : index
// CHECK:             %[[LO:.*]] = arith.addi %[[DIAG]], %{{.*}} : index
// CHECK:             %[[BELOW:.*]] = arith.cmpi slt, %[[J]], %[[LO]] : index
// CHECK:             %[[OUT:.*]] = arith.ori %[[ABOVE]], %[[BELOW]] : i1
// CHECK:             arith.select %[[OUT]], %[[NINF]], %{{.*}} : f32
func.func @causal_window(%q: tensor<2x20x8xf32>, %k: tensor<2x52x8xf32>, %v: tensor<2x52x8xf32>) -> tensor<2x20x8xf32> {
  %o = fa2.attention %q, %k, %v scale(0.5) causal window(5, 0) : tensor<2x20x8xf32>, tensor<2x52x8xf32>, tensor<2x52x8xf32> -> tensor<2x20x8xf32>
  return %o : tensor<2x20x8xf32>
}

// -----

// A finite fill: every key block is visited (0 to Sk), removed scores are the
// fill, and the float mask is added after it.
// CHECK-LABEL: func.func @window_fill_float_mask
// CHECK-DAG: %[[SK:.*]] = arith.constant 52 : index
// CHECK-DAG: %[[FILL:.*]] = arith.constant -1.000000e+09 : f32
// CHECK:     scf.for %{{.*}} = %[[C0:.*]] to %[[SK]] step
// CHECK:             %[[M:.*]] = memref.load {{.*}} : memref<20x52xf32
// CHECK:             %[[OUT:.*]] = arith.ori %{{.*}}, %{{.*}} : i1
// CHECK:             %[[S:.*]] = arith.select %[[OUT]], %[[FILL]], %{{.*}} : f32
// CHECK:             arith.addf %[[S]], %[[M]] : f32
func.func @window_fill_float_mask(%q: tensor<2x20x8xf32>, %k: tensor<2x52x8xf32>, %v: tensor<2x52x8xf32>, %m: tensor<20x52xf32>) -> tensor<2x20x8xf32> {
  %o = fa2.attention %q, %k, %v mask(%m) scale(0.5) window(5, 2) fill(-1.0e9) : tensor<2x20x8xf32>, tensor<2x52x8xf32>, tensor<2x52x8xf32>, tensor<20x52xf32> -> tensor<2x20x8xf32>
  return %o : tensor<2x20x8xf32>
}
