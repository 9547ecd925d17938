// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu -verify-diagnostics | FileCheck %s --check-prefix=ACC
// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu="f32-precision=fast" 2>%t.fast.err | FileCheck %s --check-prefix=FAST
// RUN: FileCheck %s --check-prefix=FASTREMARK --input-file=%t.fast.err
// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu="f32-precision=host" 2>%t.host.err | FileCheck %s --check-prefix=HOST
// RUN: FileCheck %s --check-prefix=HOSTREMARK --input-file=%t.host.err
// RUN: rm -rf %t.m && fa2-opt %s --split-input-file --fa2-lower-to-gpu="manifest-dir=%t.m" -o /dev/null 2>/dev/null
// RUN: FileCheck %s --check-prefix=MANIFEST --input-file=%t.m/fa2_attention_f32_0.json
// RUN: rm -rf %t.f && fa2-opt %s --split-input-file --fa2-lower-to-gpu="manifest-dir=%t.f f32-precision=fast" -o /dev/null 2>/dev/null
// RUN: FileCheck %s --check-prefix=MANIFESTFAST --input-file=%t.f/fa2_attention_f32_0.json
//
// f32 Q/K/V as torch-mlir, TOSA and JAX export them without autocast get a
// GPU kernel under the f32-precision policy. Both modes stage Q, K and V
// through registers (a 32-byte f32 chunk loaded, converted, stored as bf16:
// no cp.async, which cannot convert) and run the bf16 mma.sync.
//
// accurate (the default): three bf16 pieces of each tile in shared memory
// (hi, mid, lo = bf16 of the running remainder), six piece products per
// mma of Q·Kᵀ and of P·V, P split in registers the same way.
// fast: one bf16 copy, one product.

// ACC-LABEL: gpu.func @fa2_attention_f32_0(
// ACC-SAME:   %[[Q:.*]]: memref<16384xf32>, %[[K:.*]]: memref<16384xf32>, %[[V:.*]]: memref<16384xf32>, %[[O:.*]]: memref<16384xf32>, %[[LSE:.*]]: memref<256xf32>) kernel
// ACC-SAME:   q_in_registers = false
// ACC-SAME:   stages = 2
// ACC-SAME:   warps = 8
// The Q tile (128 x 64) three times, then K and V (2 stages x 64 x 64) three
// times each.
// ACC:        %[[SQ:.*]] = memref.view %{{.*}}[%c0][] {{.*}} to memref<24576xbf16, #gpu.address_space<workgroup>>
// ACC:        %[[SK:.*]] = memref.view %{{.*}}[%c49152][] {{.*}} to memref<24576xbf16, #gpu.address_space<workgroup>>
// ACC:        %[[SV:.*]] = memref.view %{{.*}}[%c98304][] {{.*}} to memref<24576xbf16, #gpu.address_space<workgroup>>
// ACC-NOT:    nvgpu.device_async_copy
// Q's chunk: loaded as f32, split into three pieces, stored a plane apart.
// ACC:        %[[X:.*]] = vector.load %[[Q]][%{{.*}}] {alignment = 16 : i64} : memref<16384xf32>, vector<8xf32>
// ACC:        %[[HI:.*]] = arith.truncf %[[X]] : vector<8xf32> to vector<8xbf16>
// ACC:        %[[HIX:.*]] = arith.extf %[[HI]] : vector<8xbf16> to vector<8xf32>
// ACC:        %[[R1:.*]] = arith.subf %[[X]], %[[HIX]] : vector<8xf32>
// ACC:        %[[MID:.*]] = arith.truncf %[[R1]] : vector<8xf32> to vector<8xbf16>
// ACC:        %[[MIDX:.*]] = arith.extf %[[MID]] : vector<8xbf16> to vector<8xf32>
// ACC:        %[[R2:.*]] = arith.subf %[[R1]], %[[MIDX]] : vector<8xf32>
// ACC:        %[[LO:.*]] = arith.truncf %[[R2]] : vector<8xf32> to vector<8xbf16>
// ACC:        vector.store %[[HI]], %[[SQ]][%[[OFF:.*]]] {alignment = 16 : i64}
// ACC:        %[[OFF1:.*]] = arith.addi %[[OFF]], %c8192
// ACC:        vector.store %[[MID]], %[[SQ]][%[[OFF1]]] {alignment = 16 : i64}
// ACC:        %[[OFF2:.*]] = arith.addi %[[OFF]], %c16384
// ACC:        vector.store %[[LO]], %[[SQ]][%[[OFF2]]] {alignment = 16 : i64}
// ACC-NOT:    nvgpu.device_async_copy
// ACC:        vector.load %[[K]]
// ACC-NOT:    nvgpu.device_async_copy
// ACC:        vector.load %[[V]]
// In the loop, Q·Kᵀ: six bf16 products per accumulator (1 m16 x 8 n8 x 4
// k16 x 6 = 192 mma: 8 warps of one m16 tile), the small ones first, summed
// from zero and added to S; then P·V the same.
// ACC:        scf.for
// ACC:        nvvm.mma.sync {{.*}} {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>}
// ACC-COUNT-191: nvvm.mma.sync
// ACC-NOT:    nvvm.mma.sync
// ACC:        nvvm.vote.sync any
// ACC:        math.exp2
// ACC:        arith.truncf %{{.*}} : f32 to bf16
// ACC:        arith.subf
// ACC:        arith.truncf %{{.*}} : f32 to bf16
// ACC:        arith.subf
// ACC:        arith.truncf %{{.*}} : f32 to bf16
// ACC:        nvgpu.ldmatrix %[[SV]]{{.*}}transpose = true
// ACC:        nvgpu.ldmatrix %[[SV]]{{.*}}transpose = true
// ACC:        nvgpu.ldmatrix %[[SV]]{{.*}}transpose = true
// ACC-COUNT-6: nvvm.mma.sync
// ACC-LABEL: func.func @f32(
// ACC:        gpu.launch_func @fa2_attention_f32_0::@fa2_attention_f32_0 {{.*}} dynamic_shared_memory_size %c147456_i32

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

// FASTREMARK: remark: fa2-lower-to-gpu: f32 inputs on bf16 tensor cores, precision fast (f32-precision=fast, asked for): Q, K, V and P are rounded to bf16 (nearest even), one mma per product accumulated in f32: bf16-level error

// host keeps f32 ops for the CPU lowering (the 16-bit ones still lower).
// HOST-LABEL: func.func @f32(
// HOST:        fa2.attention {{.*}} -> tensor<1x2x128x64xf32>
// HOSTREMARK:     remark: fa2-lower-to-gpu: not lowered to a GPU kernel: f32 inputs are left for the CPU lowering (f32-precision=host)
// HOSTREMARK-NOT: remark: fa2-lower-to-gpu: f32 inputs on bf16 tensor cores

// MANIFEST: "dtype": "f32"
// MANIFEST: "f32_precision": {
// MANIFEST-NEXT: "mode": "accurate",
// MANIFEST-NEXT: "operand_pieces": 3,
// MANIFEST-NEXT: "products": 6,
// MANIFEST-NEXT: "reason": "precision accurate (f32-precision=accurate, the default): Q, K, V and P are split into three bf16 pieces
// MANIFEST: "out_dtype": "f32"

// MANIFESTFAST: "f32_precision": {
// MANIFESTFAST-NEXT: "mode": "fast",
// MANIFESTFAST-NEXT: "operand_pieces": 1,
// MANIFESTFAST-NEXT: "products": 1,

func.func @f32(%q: tensor<1x2x128x64xf32>, %k: tensor<1x2x128x64xf32>, %v: tensor<1x2x128x64xf32>) -> (tensor<1x2x128x64xf32>, tensor<1x2x128xf32>) {
  // expected-remark @+1 {{fa2-lower-to-gpu: f32 inputs on bf16 tensor cores, precision accurate (f32-precision=accurate, the default)}}
  %o, %lse = fa2.attention %q, %k, %v scale(0.125) : tensor<1x2x128x64xf32>, tensor<1x2x128x64xf32>, tensor<1x2x128x64xf32> -> tensor<1x2x128x64xf32>, tensor<1x2x128xf32>
  return %o, %lse : tensor<1x2x128x64xf32>, tensor<1x2x128xf32>
}

// -----

// Mixed precision as exporters write it: f32 Q/K/V with a bf16 output (O
// goes out through the Q tile, its first piece's rows), and f16 inputs with
// an f32 output (no policy: the 16-bit kernel, cp.async and no remark).

// ACC-LABEL: gpu.func @fa2_attention_f32_in_bf16_out_0(
// ACC-SAME:   memref<16384xf32>, %{{.*}}: memref<16384xf32>, %{{.*}}: memref<16384xf32>, %{{.*}}: memref<16384xbf16>
// ACC:        %[[SQ:.*]] = memref.view {{.*}} to memref<24576xbf16, #gpu.address_space<workgroup>>
// ACC:        scf.for
// ACC-NOT:    nvgpu.device_async
// ACC:        arith.truncf %{{.*}} : f32 to bf16
// ACC:        vector.store %{{.*}}, %[[SQ]]
// ACC:        vector.load %[[SQ]]{{.*}} vector<8xbf16>
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
// is read as before. d = 256 under accurate: three copies of 128 x 64 tiles
// do not fit 227 KiB, the schedule falls back to 64 x 32, one stage.
// ACC-LABEL: gpu.func @fa2_attention_f32_mask_f16_0(
// ACC:        nvgpu.device_async_copy
// ACC:        memref.load %{{.*}} : memref<16384xf32>
// ACC-LABEL: gpu.func @fa2_attention_f32_d256_0(
// ACC-SAME:   block_m = 64, block_n = 32
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
