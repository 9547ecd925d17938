// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu -verify-diagnostics | FileCheck %s --check-prefix=ACC
// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu="f32-precision=fast" 2>%t.fast.err | FileCheck %s --check-prefix=FAST
// RUN: FileCheck %s --check-prefix=FASTREMARK --input-file=%t.fast.err
// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu="f32-precision=host" 2>%t.host.err | FileCheck %s --check-prefix=HOST
// RUN: FileCheck %s --check-prefix=HOSTREMARK --input-file=%t.host.err
// RUN: rm -rf %t.m && fa2-opt %s --split-input-file --fa2-to-ptx="manifest-dir=%t.m" -o /dev/null 2>/dev/null
// RUN: FileCheck %s --check-prefix=MANIFEST --input-file=%t.m/fa2_attention_f32_0.json
// RUN: rm -rf %t.f && fa2-opt %s --split-input-file --fa2-to-ptx="manifest-dir=%t.f f32-precision=fast" -o /dev/null 2>/dev/null
// RUN: FileCheck %s --check-prefix=MANIFESTFAST --input-file=%t.f/fa2_attention_f32_0.json
// P's f16 pieces need P·2^(15 - threshold) below 65504: every block
// rescaling (P <= 1) splits P·2^15, a threshold of 16 is refused for f32
// inputs under accurate (not under fast, nor for 16-bit inputs).
// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu="schedule=rescale_threshold=-1" 2>/dev/null | FileCheck %s --check-prefix=EVERY
// RUN: not fa2-opt %s --split-input-file --fa2-lower-to-gpu="schedule=rescale_threshold=16" 2>&1 >/dev/null | FileCheck %s --check-prefix=THR16
// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu="schedule=rescale_threshold=16 f32-precision=fast" -o /dev/null 2>&1 | FileCheck %s --check-prefix=THR16FAST
// EVERY-LABEL: gpu.func @fa2_attention_f32_0(
// EVERY:       %[[TWO15:.*]] = arith.constant 3.276800e+04 : f32
// EVERY:       math.exp2
// EVERY:       %[[PS:.*]] = arith.mulf %{{.*}}, %[[TWO15]] : f32
// EVERY-NEXT:  arith.truncf %[[PS]] : f32 to f16
// THR16: f32-precision.mlir:[[@LINE+151]]:{{.*}} error: fa2-lower-to-gpu: the schedule the options ask for cannot run this kernel: rescale-threshold 16 with split f32 operands: P up to 2^16 has no f16 pieces (f16 ends at 65504); at most 15
// THR16FAST-NOT: cannot run this kernel
// THR16FAST:     remark: fa2-lower-to-gpu: f32 inputs on 16-bit tensor cores, precision fast
// THR16FAST-NOT: cannot run this kernel
//
// f32 Q/K/V as torch-mlir, TOSA and JAX export them without autocast get a
// GPU kernel under the f32-precision policy. Both modes stage Q, K and V
// through registers (a 32-byte f32 chunk loaded, converted, stored as 16-bit
// pieces: no cp.async, which cannot convert).
//
// accurate (the default): two f16 pieces of each tile in shared memory (hi,
// lo = f16 of the remainder) of the operand scaled by a power of two per
// group of 16 rows x 64 columns: the group is staged by one warp, its
// largest |x| is one integer max per chunk and a redux.sync, the factor is
// built from the exponent bits. Three f16 products per mma of Q·Kᵀ and of
// P·V, summed from zero and added to the accumulator by an FMA with the
// groups' inverse factors (read from shared memory after the barrier).
// fast: one bf16 copy, one product, no scaling.

// ACC-LABEL: gpu.func @fa2_attention_f32_0(
// ACC-SAME:   %[[Q:.*]]: memref<16384xf32>, %[[K:.*]]: memref<16384xf32>, %[[V:.*]]: memref<16384xf32>, %[[O:.*]]: memref<16384xf32>, %[[LSE:.*]]: memref<256xf32>) kernel
// ACC-SAME:   q_in_registers = false
// ACC-SAME:   stages = 2
// ACC-SAME:   warps = 8
// P's factor 2^(15 - 8), and P·2^7 is what is split (below).
// ACC:        %[[TWO7:.*]] = arith.constant 1.280000e+02 : f32
// The Q tile (128 x 64) twice, then K and V (2 stages x 64 x 64) twice
// each, then the K and V factors (2 stages x 4 row groups x 1 column group,
// for K and for V).
// ACC:        %[[SQ:.*]] = memref.view %{{.*}}[%c0][] {{.*}} to memref<16384xf16, #gpu.address_space<workgroup>>
// ACC:        %[[SK:.*]] = memref.view %{{.*}}[%c32768][] {{.*}} to memref<16384xf16, #gpu.address_space<workgroup>>
// ACC:        %[[SV:.*]] = memref.view %{{.*}}[%c65536][] {{.*}} to memref<16384xf16, #gpu.address_space<workgroup>>
// ACC:        %[[SF:.*]] = memref.view %{{.*}}[%c98304][] {{.*}} to memref<16xf32, #gpu.address_space<workgroup>>
// ACC-NOT:    nvgpu.device_async_copy
// Q: the warp's 16 rows x 8 chunks, 4 chunks a lane, all loaded first.
// ACC:        %[[X:.*]] = vector.load %[[Q]][%{{.*}}] {alignment = 16 : i64} : memref<16384xf32>, vector<8xf32>
// ACC-NEXT:   vector.load %[[Q]]
// ACC-NEXT:   vector.load %[[Q]]
// ACC-NEXT:   vector.load %[[Q]]
// ACC-NEXT:   %[[XB:.*]] = vector.bitcast %[[X]] : vector<8xf32> to vector<8xi32>
// ACC-NEXT:   %[[XA:.*]] = arith.andi %[[XB]], %{{.*}} : vector<8xi32>
// ACC-NEXT:   vector.reduction <maxui>, %[[XA]] : vector<8xi32> into i32
// ACC:        %[[WMAX:.*]] = nvvm.redux.sync  umax %{{.*}}, %c-1_i32 : i32 -> i32
// The factor 2^(141 - e) from the biased exponent e (inf/NaN: 141, at least
// 30), its inverse 2^(e - 141).
// ACC-NEXT:   %[[E:.*]] = arith.shrui %[[WMAX]], %c23_i32 : i32
// ACC-NEXT:   %[[NF:.*]] = arith.cmpi eq, %[[E]], %c255_i32 : i32
// ACC-NEXT:   %[[E1:.*]] = arith.select %[[NF]], %c141_i32, %[[E]] : i32
// ACC-NEXT:   %[[E2:.*]] = arith.maxui %[[E1]], %c30_i32 : i32
// ACC-NEXT:   %[[SE:.*]] = arith.subi %c268_i32, %[[E2]] : i32
// ACC-NEXT:   %[[SB:.*]] = arith.shli %[[SE]], %c23_i32 : i32
// ACC-NEXT:   %[[SCALE:.*]] = arith.bitcast %[[SB]] : i32 to f32
// ACC-NEXT:   %[[IE:.*]] = arith.subi %[[E2]], %c14_i32 : i32
// ACC-NEXT:   %[[IB:.*]] = arith.shli %[[IE]], %c23_i32 : i32
// ACC-NEXT:   %[[QINV:.*]] = arith.bitcast %[[IB]] : i32 to f32
// ACC-NEXT:   %[[SV8:.*]] = vector.broadcast %[[SCALE]] : f32 to vector<8xf32>
// ACC-NEXT:   %[[XS:.*]] = arith.mulf %[[X]], %[[SV8]] : vector<8xf32>
// ACC-NEXT:   %[[HI:.*]] = arith.truncf %[[XS]] : vector<8xf32> to vector<8xf16>
// ACC-NEXT:   %[[HIX:.*]] = arith.extf %[[HI]] : vector<8xf16> to vector<8xf32>
// ACC-NEXT:   %[[R1:.*]] = arith.subf %[[XS]], %[[HIX]] : vector<8xf32>
// ACC-NEXT:   %[[LO:.*]] = arith.truncf %[[R1]] : vector<8xf32> to vector<8xf16>
// ACC-NEXT:   vector.store %[[HI]], %[[SQ]][%[[OFF:.*]]] {alignment = 16 : i64}
// ACC-NEXT:   %[[OFF1:.*]] = arith.addi %[[OFF]], %c8192
// ACC-NEXT:   vector.store %[[LO]], %[[SQ]][%[[OFF1]]] {alignment = 16 : i64}
// K's groups, by warps 0-3 (the prologue's block), their factor to SF.
// ACC-NOT:    nvgpu.device_async_copy
// ACC:        scf.if
// ACC:        vector.load %[[K]]
// ACC:        nvvm.redux.sync  umax
// ACC:        vector.store %{{.*}}, %[[SK]]
// ACC:        memref.store %{{.*}}, %[[SF]]
// ACC-NOT:    nvgpu.device_async_copy
// ACC:        vector.load %[[V]]
// ACC:        nvvm.redux.sync  umax
// ACC:        vector.store %{{.*}}, %[[SV]]
// ACC:        memref.store %{{.*}}, %[[SF]]
// In the loop, Q·Kᵀ: the K factors of the block's 4 key groups times Q's,
// then three f16 products per accumulator (1 m16 x 8 n8 x 4 k16 x 3 = 96
// mma: 8 warps of one m16 tile), the small ones first, summed from zero and
// added to S by an FMA with the factor; then P·V the same (4 k16 x 8 n8 x 3
// = 96), P split as P·2^7 (rescale threshold 8).
// ACC:        scf.for
// ACC:        %[[KINV:.*]] = memref.load %[[SF]]
// ACC:        %[[F:.*]] = arith.mulf %[[QINV]], %[[KINV]] : f32
// ACC:        %[[P10:.*]] = nvgpu.mma.sync(%{{.*}}, %{{.*}}, %[[ZERO:.*]]) {mmaShape = [16, 8, 16]} : (vector<4x2xf16>, vector<2x2xf16>, vector<2x2xf32>) -> vector<2x2xf32>
// ACC-NEXT:   %[[P01:.*]] = nvgpu.mma.sync(%{{.*}}, %{{.*}}, %[[P10]])
// ACC-NEXT:   %[[P00:.*]] = nvgpu.mma.sync(%{{.*}}, %{{.*}}, %[[P01]])
// ACC-NEXT:   %[[FV:.*]] = vector.broadcast %[[F]] : f32 to vector<2x2xf32>
// ACC-NEXT:   math.fma %[[P00]], %[[FV]], %{{.*}} : vector<2x2xf32>
// ACC-COUNT-93: nvgpu.mma.sync
// ACC-NOT:    nvgpu.mma.sync
// ACC:        nvvm.vote.sync any
// ACC:        math.exp2
// ACC:        %[[PS:.*]] = arith.mulf %{{.*}}, %[[TWO7]] : f32
// ACC-NEXT:   %[[PHI:.*]] = arith.truncf %[[PS]] : f32 to f16
// ACC-NEXT:   %[[PHIX:.*]] = arith.extf %[[PHI]] : f16 to f32
// ACC-NEXT:   %[[PR:.*]] = arith.subf %[[PS]], %[[PHIX]] : f32
// ACC-NEXT:   arith.truncf %[[PR]] : f32 to f16
// ACC:        memref.load %[[SF]]
// ACC:        nvgpu.ldmatrix %[[SV]]{{.*}}transpose = true
// ACC:        nvgpu.ldmatrix %[[SV]]{{.*}}transpose = true
// ACC-COUNT-3: nvgpu.mma.sync
// ACC-NEXT:   vector.broadcast
// ACC-NEXT:   math.fma
// ACC-COUNT-93: nvgpu.mma.sync
// ACC-NOT:    nvgpu.mma.sync
// ACC-LABEL: func.func @f32(
// ACC:        gpu.launch_func @fa2_attention_f32_0::@fa2_attention_f32_0 {{.*}} dynamic_shared_memory_size %c98368_i32

// FAST-LABEL: gpu.func @fa2_attention_f32_0(
// FAST-SAME:   q_in_registers = false
// FAST:        %[[SQ:.*]] = memref.view %{{.*}}[%c0][] {{.*}} to memref<8192xbf16, #gpu.address_space<workgroup>>
// FAST-NOT:    nvgpu.device_async_copy
// FAST:        %[[X:.*]] = vector.load %{{.*}} : memref<16384xf32>, vector<8xf32>
// FAST-NEXT:   vector.load
// FAST-NEXT:   vector.load
// FAST-NEXT:   vector.load
// FAST-NEXT:   %[[HI:.*]] = arith.truncf %[[X]] : vector<8xf32> to vector<8xbf16>
// FAST-NEXT:   vector.store %[[HI]], %[[SQ]]
// FAST-NOT:    arith.subf
// Q·Kᵀ of a block: 2 m16 tiles x 8 n8 tiles x 4 k16 steps, one mma each.
// FAST:        scf.for
// FAST-COUNT-64: nvvm.mma.sync
// FAST-NOT:    nvvm.mma.sync
// FAST:        nvvm.vote.sync any
// FAST-LABEL: func.func @f32(
// FAST:        dynamic_shared_memory_size %c49152_i32

// FASTREMARK: remark: fa2-lower-to-gpu: f32 inputs on 16-bit tensor cores, precision fast (f32-precision=fast, asked for): Q, K, V and P are rounded to bf16 (nearest even), one mma per product accumulated in f32: bf16-level error

// host keeps f32 ops for the CPU lowering (the 16-bit ones still lower).
// HOST-LABEL: func.func @f32(
// HOST:        fa2.attention {{.*}} -> tensor<1x2x128x64xf32>
// HOSTREMARK:     remark: fa2-lower-to-gpu: not lowered to a GPU kernel: f32 inputs are left for the CPU lowering (f32-precision=host)
// HOSTREMARK-NOT: remark: fa2-lower-to-gpu: f32 inputs on 16-bit tensor cores

// MANIFEST: "dtype": "f32"
// MANIFEST: "f32_precision": {
// MANIFEST-NEXT: "mode": "accurate",
// MANIFEST-NEXT: "operand_pieces": 2,
// MANIFEST-NEXT: "products": 3,
// MANIFEST-NEXT: "reason": "precision accurate (f32-precision=accurate, the default): Q, K, V and P are scaled by a power of two per 16 rows and split into two f16 pieces
// MANIFEST: "out_dtype": "f32"

// MANIFESTFAST: "f32_precision": {
// MANIFESTFAST-NEXT: "mode": "fast",
// MANIFESTFAST-NEXT: "operand_pieces": 1,
// MANIFESTFAST-NEXT: "products": 1,

func.func @f32(%q: tensor<1x2x128x64xf32>, %k: tensor<1x2x128x64xf32>, %v: tensor<1x2x128x64xf32>) -> (tensor<1x2x128x64xf32>, tensor<1x2x128xf32>) {
  // expected-remark @+1 {{fa2-lower-to-gpu: f32 inputs on 16-bit tensor cores, precision accurate (f32-precision=accurate, the default)}}
  %o, %lse = fa2.attention %q, %k, %v scale(0.125) : tensor<1x2x128x64xf32>, tensor<1x2x128x64xf32>, tensor<1x2x128x64xf32> -> tensor<1x2x128x64xf32>, tensor<1x2x128xf32>
  return %o, %lse : tensor<1x2x128x64xf32>, tensor<1x2x128xf32>
}

// -----

// Mixed precision as exporters write it: f32 Q/K/V with a bf16 output (O
// goes out through the Q tile's bytes, seen as bf16: the first piece's rows), and f16 inputs with
// an f32 output (no policy: the 16-bit kernel, cp.async and no remark).

// ACC-LABEL: gpu.func @fa2_attention_f32_in_bf16_out_0(
// ACC-SAME:   memref<16384xf32>, %{{.*}}: memref<16384xf32>, %{{.*}}: memref<16384xf32>, %{{.*}}: memref<16384xbf16>
// ACC:        %[[SQ:.*]] = memref.view {{.*}} to memref<16384xf16, #gpu.address_space<workgroup>>
// ACC:        %[[SO:.*]] = memref.view {{.*}} to memref<8192xbf16, #gpu.address_space<workgroup>>
// ACC:        scf.for
// ACC-NOT:    nvgpu.device_async
// ACC:        arith.truncf %{{.*}} : f32 to bf16
// ACC:        vector.store %{{.*}}, %[[SO]]
// ACC:        vector.load %[[SO]]{{.*}} vector<8xbf16>
// ACC-LABEL: gpu.func @fa2_attention_f16_in_f32_out_0(
// ACC-SAME:   memref<16384xf16>, %{{.*}}: memref<16384xf16>, %{{.*}}: memref<16384xf16>, %{{.*}}: memref<16384xf32>
// ACC:        nvgpu.device_async_copy
// ACC-NOT:    vector<8xf32>
// ACC:        nvgpu.mma.sync
func.func @f32_in_bf16_out(%q: tensor<1x2x128x64xf32>, %k: tensor<1x2x128x64xf32>, %v: tensor<1x2x128x64xf32>) -> tensor<1x2x128x64xbf16> {
  // expected-remark @+1 {{precision accurate}}
  %o = fa2.attention %q, %k, %v scale(0.125) causal : tensor<1x2x128x64xf32>, tensor<1x2x128x64xf32>, tensor<1x2x128x64xf32> -> tensor<1x2x128x64xbf16>
  return %o : tensor<1x2x128x64xbf16>
}
func.func @f16_in_f32_out(%q: tensor<1x2x128x64xf16>, %k: tensor<1x2x128x64xf16>, %v: tensor<1x2x128x64xf16>) -> tensor<1x2x128x64xf32> {
  %o = fa2.attention %q, %k, %v scale(0.125) : tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16> -> tensor<1x2x128x64xf32>
  return %o : tensor<1x2x128x64xf32>
}

// -----

// f32 masks on f16 inputs stay the 16-bit kernel; an f32 mask on f32 inputs
// is read as before. d = 256 under accurate: two copies of 128 x 64 tiles
// do not fit 227 KiB, the schedule falls back to 64 x 64, one stage.
// ACC-LABEL: gpu.func @fa2_attention_f32_mask_f16_0(
// ACC:        nvgpu.device_async_copy
// ACC:        memref.load %{{.*}} : memref<16384xf32>
// ACC-LABEL: gpu.func @fa2_attention_f32_d256_0(
// ACC-SAME:   block_m = 64, block_n = 64
// ACC-SAME:   stages = 1
// ACC:        memref.load %{{.*}} : memref<16384xf32>
func.func @f32_mask_f16(%q: tensor<1x2x128x64xf16>, %m: tensor<128x128xf32>) -> tensor<1x2x128x64xf16> {
  %o = fa2.attention %q, %q, %q mask(%m) scale(0.125) : tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16>, tensor<128x128xf32> -> tensor<1x2x128x64xf16>
  return %o : tensor<1x2x128x64xf16>
}
func.func @f32_d256(%q: tensor<1x2x128x256xf32>, %m: tensor<128x128xf32>) -> tensor<1x2x128x256xf32> {
  // expected-remark @+1 {{precision accurate}}
  %o = fa2.attention %q, %q, %q mask(%m) scale(0.0625) : tensor<1x2x128x256xf32>, tensor<1x2x128x256xf32>, tensor<1x2x128x256xf32>, tensor<128x128xf32> -> tensor<1x2x128x256xf32>
  return %o : tensor<1x2x128x256xf32>
}
