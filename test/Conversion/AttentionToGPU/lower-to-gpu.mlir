// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu="schedule=pack_gqa=false,kv_splits=1" | FileCheck %s
// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu="schedule=block_m=64,block_n=32,warps=2,stages=1,swizzle=pad,rescale_threshold=-1,min_blocks_per_sm=3,q_in_registers=false,split_kv_copies=true,pack_gqa=false,kv_splits=1" | FileCheck %s --check-prefix=OVERRIDE
// (pack_gqa=false,kv_splits=1: the one-kernel prefill schedule these checks describe; static
// head counts and seq_q would take the decode schedule by default, decode.mlir.)

// The FlashAttention-2 structure of the kernel: grid over (query block,
// batch·head), warps owning query rows, cp.async K/V tiles, tensor-core
// mma.sync fed by ldmatrix, online softmax with quad shuffles and exp2, and
// one normalization after the K/V loop. The kernel's manifest waits on the
// module for fa2-write-kernels (write-kernels.mlir, manifest.mlir).

// CHECK: module attributes {fa2.manifests = {fa2_attention_gqa_0 = {block = [128, 1, 1], {{.*}}kernel = "fa2_attention_gqa_0"{{.*}}version = 1 : i64}}, gpu.container_module}
// CHECK: gpu.module @fa2_attention_gqa_0 [#nvvm.target<O = 3, chip = "sm_90">]
// CHECK: gpu.func @fa2_attention_gqa_0(%[[Q:.*]]: memref<262144xf16>, %[[K:.*]]: memref<65536xf16>, %[[V:.*]]: memref<65536xf16>, %[[O:.*]]: memref<262144xf16>, %[[LSE:.*]]: memref<4096xf32>) kernel
// CHECK-SAME: fa2.schedule = #fa2.schedule<block_m = 128, block_n = 64, min_blocks_per_sm = 0, q_in_registers = true, rescale_threshold = 8, split_kv_copies = false, split_masked_loop = true, stages = 2, swizzle = xor, warps = 4>
// CHECK-SAME: known_block_size = array<i32: 128, 1, 1>
// Warps: warp = tid / 32 owns rows [32·warp, 32·warp + 32) of the block.
// CHECK: %[[TID:.*]] = gpu.thread_id x
// CHECK: %[[WARP:.*]] = arith.divui %[[TID]], %c32
// Grid: x is the query block, y is batch·Hq; the K/V head is h / (Hq / Hkv).
// CHECK: %[[BX:.*]] = gpu.block_id x
// CHECK: %[[BY:.*]] = gpu.block_id y
// CHECK: %[[H:.*]] = arith.remui %[[BY]], %c8
// CHECK: %[[HKV:.*]] = arith.divui %[[H]], %c4
// CHECK: arith.muli %[[BX]], %c128
// CHECK: %[[ROWS:.*]] = arith.muli %[[WARP]], %c32
// CHECK: %[[SMEM:.*]] = gpu.dynamic_shared_memory
// CHECK: %[[SQ:.*]] = memref.view %[[SMEM]][%c0][] {{.*}} to memref<8192xf16, #gpu.address_space<workgroup>>
// CHECK: %[[SK:.*]] = memref.view %[[SMEM]][%c16384][] {{.*}} to memref<8192xf16, #gpu.address_space<workgroup>>
// CHECK: %[[SV:.*]] = memref.view %[[SMEM]][%c32768][] {{.*}} to memref<8192xf16, #gpu.address_space<workgroup>>
// Q is loaded once, 16 bytes per cp.async, and committed as its own group.
// CHECK: nvgpu.device_async_copy %[[Q]][%{{.*}}], %[[SQ]][%{{.*}}], 8 {bypassL1}
// CHECK: %[[QGROUP:.*]] = nvgpu.device_async_create_group
// The first K/V block is in flight before the loop (two stages).
// CHECK-NOT: scf.if
// CHECK: nvgpu.device_async_copy %[[K]]
// CHECK: nvgpu.device_async_copy %[[V]]
// CHECK: nvgpu.device_async_create_group
// d = 64 keeps Q in registers: once Q's group is complete (the K/V group
// may still be in flight), each warp loads its 2 x 4 fragments, once.
// CHECK: nvgpu.device_async_wait %[[QGROUP]] {numGroups = 1 : i32}
// CHECK-NEXT: gpu.barrier
// CHECK-COUNT-8: nvgpu.ldmatrix %[[SQ]][%{{.*}}] {numTiles = 4 : i32, transpose = false} : {{.*}} -> vector<4x2xf16>
// CHECK-NOT: nvgpu.ldmatrix %[[SQ]]
// CHECK: scf.for %[[J:.*]] = %c0 to %c4 step %c1 iter_args
// CHECK-SAME: -> (vector<2x2xf32>, {{.*}}, f32, f32, f32, f32, f32, f32, f32, f32)
// CHECK: nvgpu.device_async_wait %[[QGROUP]] {numGroups = 0 : i32}
// CHECK-NEXT: gpu.barrier
// S = Q·Kᵀ on tensor cores, K operands by ldmatrix (Q's from registers).
// CHECK-NOT: nvgpu.device_async_copy
// CHECK: nvgpu.ldmatrix %[[SK]][%{{.*}}] {numTiles = 4 : i32, transpose = false} : {{.*}} -> vector<4x2xf16>
// CHECK: nvgpu.mma.sync(%{{.*}}, %{{.*}}, %{{.*}}) {mmaShape = [16, 8, 16]} : (vector<4x2xf16>, vector<2x2xf16>, vector<2x2xf32>) -> vector<2x2xf32>
// Then block j+1 is issued (after the mma.sync of S, as FlashAttention-2
// does), without a branch: past the last block the copies read nothing
// (src-elements 0) and zero-fill.
// CHECK: %[[NEXT:.*]] = arith.addi %[[J]], %c1
// CHECK: %[[EXISTS:.*]] = arith.cmpi slt, %[[NEXT]], %c4
// CHECK: %[[ROWS:.*]] = arith.select %[[EXISTS]], %c64_i32, %c0_i32 : i32
// CHECK-NOT: scf.if
// CHECK: %[[LEFT:.*]] = arith.subi %[[ROWS]], %{{.*}} : i32
// CHECK: %[[VALID:.*]] = arith.cmpi sgt, %[[LEFT]], %c0_i32 : i32
// CHECK: %[[ELEMS:.*]] = arith.select %[[VALID]], %c8, %c0 : index
// CHECK: nvgpu.device_async_copy %[[K]][%{{.*}}], %[[SK]][%{{.*}}], 8, %[[ELEMS]] {bypassL1}
// CHECK: nvgpu.device_async_copy %[[V]]
// CHECK: nvgpu.device_async_create_group
// CHECK-NOT: nvgpu.mma.sync
// Online softmax in registers, with lazy rescaling: each thread's maximum
// of a row against the row's reference; a row grown by more than 2^8 (in
// exp2 units) makes the warp (one vote) take the rare branch, where the row
// max is reduced over the quad, every reference moves to it and O and l are
// rescaled; otherwise the references stay. No shuffle before the vote.
// CHECK-NOT: arith.divf
// CHECK: arith.maxnumf
// CHECK-NOT: gpu.shuffle
// CHECK: %[[GROWTH:.*]] = arith.subf %{{.*}}, %{{.*}} : f32
// CHECK: %[[GROWTHC:.*]] = arith.mulf %[[GROWTH]], %{{.*}} : f32
// CHECK: %[[GROWN:.*]] = arith.cmpf ogt, %[[GROWTHC]], %cst{{.*}} : f32
// CHECK: arith.ori
// CHECK-NOT: gpu.shuffle
// CHECK: %[[VOTE:.*]] = nvvm.vote.sync any %c-1_i32, %{{.*}} -> i1
// CHECK: %[[RESCALED:.*]]:24 = scf.if %[[VOTE]] -> (vector<2x2xf32>,
// CHECK: gpu.shuffle xor %{{.*}}, %c1_i32, %c32_i32 : f32
// CHECK: gpu.shuffle xor %{{.*}}, %c2_i32, %c32_i32 : f32
// CHECK: math.exp2 %{{.*}} fastmath<afn> : f32
// The accumulator is rescaled by the max change only.
// CHECK: arith.mulf %{{.*}}, %{{.*}} : vector<2x2xf32>
// CHECK: } else {
// CHECK-NEXT: scf.yield
// Then P, relative to the reference: exp2 of one FMA.
// CHECK: %[[ARG:.*]] = math.fma %{{.*}}, %cst{{.*}}, %{{.*}} : f32
// CHECK: math.exp2 %[[ARG]] fastmath<afn> : f32
// P stays in registers: converted to f16 and fed to mma.sync as operand A;
// V fragments by ldmatrix.trans.
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: nvgpu.ldmatrix %[[SV]][%{{.*}}] {numTiles = 4 : i32, transpose = true}
// CHECK: nvgpu.mma.sync
// CHECK-NOT: arith.divf
// CHECK: scf.yield {{.*}} : vector<2x2xf32>, {{.*}}, f32
// One normalization per row after the loop, then O and LSE to global. O goes
// through shared memory: each warp writes its normalized rows into its own
// rows of the Q tile, then copies them out 16 bytes per lane. First every
// copy still in flight (the zero-fills past the last block) must land: the
// CTA's shared memory goes to another CTA when it exits.
// CHECK: nvgpu.device_async_wait %[[QGROUP]] {numGroups = 0 : i32}
// CHECK-NEXT: nvvm.bar.warp.sync %c-1_i32
// CHECK: gpu.shuffle xor
// CHECK: %[[EMPTY:.*]] = arith.cmpf ueq
// CHECK: arith.divf
// CHECK: vector.store %{{.*}}, %[[SQ]][%{{.*}}] : memref<8192xf16, #gpu.address_space<workgroup>>, vector<2xf16>
// CHECK: math.log2
// CHECK: memref.store %{{.*}}, %[[LSE]][%{{.*}}] : memref<4096xf32>
// CHECK: nvvm.bar.warp.sync %c-1_i32
// CHECK-COUNT-8: vector.store %{{.*}}, %[[O]][%{{.*}}] {alignment = 16 : i64} : memref<262144xf16>, vector<8xf16>
// CHECK-NOT: vector.store
// CHECK: gpu.return

// The host function: buffers, allocated outputs, one launch.
// CHECK-LABEL: func.func @gqa
// CHECK: %[[QB:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<2x8x256x64xf16> to memref<2x8x256x64xf16>
// CHECK: %[[QF:.*]] = memref.collapse_shape %[[QB]] {{\[\[}}0, 1, 2, 3]] : memref<2x8x256x64xf16> into memref<262144xf16>
// CHECK: %[[OB:.*]] = memref.alloc() {alignment = 128 : i64} : memref<2x8x256x64xf16>
// CHECK: %[[LB:.*]] = memref.alloc() {alignment = 128 : i64} : memref<2x8x256xf32>
// Grid (256/128, 2·8, 1), 4 warps, 48 KiB of dynamic shared memory.
// CHECK: gpu.launch_func @fa2_attention_gqa_0::@fa2_attention_gqa_0 blocks in (%c2{{[_0-9]*}}, %c16{{[_0-9]*}}, %c1{{[_0-9]*}}) threads in (%c128{{[_0-9]*}}, %c1{{[_0-9]*}}, %c1{{[_0-9]*}}) dynamic_shared_memory_size %c49152_i32 args(%[[QF]] : memref<262144xf16>
// CHECK: %[[OT:.*]] = bufferization.to_tensor %[[OB]] restrict writable
// CHECK: %[[LT:.*]] = bufferization.to_tensor %[[LB]] restrict writable
// CHECK: return %[[OT]], %[[LT]]

// OVERRIDE: gpu.func @fa2_attention_gqa_0
// OVERRIDE-SAME: fa2.schedule = #fa2.schedule<block_m = 64, block_n = 32, min_blocks_per_sm = 3, q_in_registers = false, rescale_threshold = -1, split_kv_copies = true, split_masked_loop = true, stages = 1, swizzle = pad, warps = 2>
// OVERRIDE-SAME: known_block_size = array<i32: 64, 1, 1>
// OVERRIDE-SAME: nvvm.minctasm = 3 : i32
// Padded rows (9 chunks of 8 elements) instead of the XOR swizzle.
// OVERRIDE: memref.view {{.*}} to memref<4608xf16, #gpu.address_space<workgroup>>
// OVERRIDE-NOT: arith.xori
// One stage: load, wait for all, compute, barrier before the next load.
// OVERRIDE: scf.for
// OVERRIDE: nvgpu.device_async_copy
// OVERRIDE: %[[G:.*]] = nvgpu.device_async_create_group
// OVERRIDE: nvgpu.device_async_wait %[[G]] {numGroups = 0 : i32}
// OVERRIDE-NEXT: gpu.barrier
// q_in_registers = false: Q's fragments are reloaded in every block.
// OVERRIDE: nvgpu.ldmatrix %{{.*}} {numTiles = 4 : i32, transpose = false}
// OVERRIDE: nvgpu.mma.sync
// rescale_threshold = -1: O is rescaled in every block, without a vote.
// OVERRIDE-NOT: nvvm.vote.sync
// OVERRIDE-NOT: scf.if
// OVERRIDE: math.exp2
// OVERRIDE: arith.mulf %{{.*}}, %{{.*}} : vector<2x2xf32>
// OVERRIDE: gpu.barrier
// OVERRIDE-NEXT: scf.yield
// OVERRIDE: gpu.launch_func @fa2_attention_gqa_0::@fa2_attention_gqa_0 blocks in (%c4{{[_0-9]*}}, %c16{{[_0-9]*}}, %c1{{[_0-9]*}}) threads in (%c64{{[_0-9]*}}, %c1{{[_0-9]*}}, %c1{{[_0-9]*}})
func.func @gqa(%q: tensor<2x8x256x64xf16>, %k: tensor<2x2x256x64xf16>, %v: tensor<2x2x256x64xf16>) -> (tensor<2x8x256x64xf16>, tensor<2x8x256xf32>) {
  %o, %lse = fa2.attention %q, %k, %v scale(0.125) : tensor<2x8x256x64xf16>, tensor<2x2x256x64xf16>, tensor<2x2x256x64xf16> -> tensor<2x8x256x64xf16>, tensor<2x8x256xf32>
  return %o, %lse : tensor<2x8x256x64xf16>, tensor<2x8x256xf32>
}

// -----

// Causal, bf16, sequence lengths that are not multiples of the tiles.
// CHECK: gpu.module @fa2_attention_causal_tails_0
// CHECK: gpu.func @fa2_attention_causal_tails_0
// CHECK-SAME: fa2.schedule = #fa2.schedule<block_m = 128, block_n = 64, min_blocks_per_sm = 0, q_in_registers = false, rescale_threshold = 8, split_kv_copies = true, split_masked_loop = false, stages = 2, swizzle = xor, warps = 4>
// Heaviest query blocks first: block index gridDim.x - 1 - blockIdx.x.
// CHECK: %[[BX:.*]] = gpu.block_id x
// CHECK: %[[GX:.*]] = gpu.grid_dim x
// CHECK: %[[LAST:.*]] = arith.subi %[[GX]], %c1
// CHECK: %[[QB:.*]] = arith.subi %[[LAST]], %[[BX]]
// CHECK: %[[M0:.*]] = arith.muli %[[QB]], %c128
// Blocks above the diagonal are skipped: the loop ends after
// ceil((min(m0 + 128, 200) + 300 - 200) / 64) blocks, at most ceil(300/64).
// CHECK: %[[ROWEND:.*]] = arith.minsi %{{.*}}, %c200
// CHECK: %[[VIS0:.*]] = arith.addi %[[ROWEND]], %c300
// CHECK: %[[VIS:.*]] = arith.subi %[[VIS0]], %c200
// CHECK: %[[NB:.*]] = arith.ceildivsi %[[VIS]], %c64
// CHECK: %[[NB0:.*]] = arith.maxsi %[[NB]], %c0
// CHECK: %[[END:.*]] = arith.minsi %[[NB0]], %c5
// Only blocks past min(Sk, m0 + Sk - Sq + 1) are masked.
// CHECK: %[[MASKFROM:.*]] = arith.minsi %{{.*}}, %c300
// Rows past Sq = 200 are zero-filled (src-elements 0), not read.
// Each thread compares (rows left) - (its first row) with the round's row
// offset, in 32 bits.
// CHECK: %[[QROWS:.*]] = arith.subi %c200, %[[M0]]
// CHECK: %[[QROWS32:.*]] = arith.index_cast %[[QROWS]] : index to i32
// CHECK: %[[QLEFT:.*]] = arith.subi %[[QROWS32]], %{{.*}} : i32
// CHECK: %[[QOK:.*]] = arith.cmpi sgt, %[[QLEFT]], %c0_i32 : i32
// CHECK: %[[QN:.*]] = arith.select %[[QOK]], %c8, %c0
// CHECK: nvgpu.device_async_copy %{{.*}}, 8, %[[QN]] {bypassL1}
// CHECK: scf.for %[[J:.*]] = %c0 to %[[END]] step %c1
// CHECK: nvvm.mma.sync A[{{.*}}] B[{{.*}}] C[{{.*}}] {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>}
// d = 128 splits the next block's copies (splitKVCopies): K's after Q·Kᵀ,
// V's after the row max and its vote, one commit group for both.
// CHECK: nvgpu.device_async_copy %arg1
// CHECK-NOT: nvgpu.device_async_create_group
// CHECK: %[[NEED:.*]] = arith.cmpi sgt, %{{.*}}, %[[MASKFROM]]
// CHECK: scf.if %[[NEED]] -> (vector<2x2xf32>
// CHECK: arith.cmpi sgt
// CHECK: arith.select %{{.*}}, %{{.*}}, %cst{{.*}} : f32
// CHECK: } else {
// CHECK-NOT: nvgpu.device_async_create_group
// CHECK: nvvm.vote.sync any
// CHECK-NOT: nvgpu.device_async_create_group
// CHECK: nvgpu.device_async_copy %arg2
// CHECK: nvgpu.device_async_create_group
// CHECK-NOT: nvgpu.device_async_copy
// CHECK: math.exp2
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// CHECK: scf.yield
// Rows past Sq are not stored.
// CHECK: nvvm.bar.warp.sync
// CHECK: arith.cmpi ult, %{{.*}}, %c200
// CHECK: scf.if
// CHECK: vector.load %{{.*}} {alignment = 16 : i64} : memref<16384xbf16, #gpu.address_space<workgroup>>, vector<8xbf16>
// CHECK: vector.store %{{.*}} {alignment = 16 : i64} : memref<204800xbf16>, vector<8xbf16>
// CHECK-LABEL: func.func @causal_tails
// CHECK: gpu.launch_func @fa2_attention_causal_tails_0::@fa2_attention_causal_tails_0 blocks in (%c2{{[_0-9]*}}, %c8{{[_0-9]*}}, %c1{{[_0-9]*}})
func.func @causal_tails(%q: tensor<2x4x200x128xbf16>, %k: tensor<2x4x300x128xbf16>, %v: tensor<2x4x300x128xbf16>) -> (tensor<2x4x200x128xbf16>, tensor<2x4x200xf32>) {
  %o, %lse = fa2.attention %q, %k, %v scale(0.088) causal : tensor<2x4x200x128xbf16>, tensor<2x4x300x128xbf16>, tensor<2x4x300x128xbf16> -> tensor<2x4x200x128xbf16>, tensor<2x4x200xf32>
  return %o, %lse : tensor<2x4x200x128xbf16>, tensor<2x4x200xf32>
}

// -----

// Dynamic sizes become i32 kernel arguments; bshd strides rows by heads·dim.
// CHECK: gpu.func @fa2_attention_dynamic_bshd_0(%{{.*}}: memref<?xf16>, %{{.*}}: memref<?xf16>, %{{.*}}: memref<?xf16>, %{{.*}}: memref<?xf32>, %[[SQ:.*]]: i32, %[[SK:.*]]: i32) kernel
// CHECK-DAG: %[[SQI:.*]] = arith.index_castui %[[SQ]] : i32 to index
// CHECK-DAG: %[[SKI:.*]] = arith.index_castui %[[SK]] : i32 to index
// CHECK-LABEL: func.func @dynamic_bshd
// CHECK: %[[QB:.*]] = bufferization.to_buffer %arg0
// CHECK: %[[KB:.*]] = bufferization.to_buffer %arg1
// CHECK: %[[B:.*]] = memref.dim %[[QB]], %c0
// CHECK: %[[DSQ:.*]] = memref.dim %[[QB]], %c1
// CHECK: %[[O:.*]] = memref.alloc(%[[B]], %[[DSQ]]) {alignment = 128 : i64} : memref<?x?x8x64xf32>
// CHECK: %[[DSK:.*]] = memref.dim %[[KB]], %c1
// CHECK: %[[ASQ:.*]] = arith.index_castui %[[DSQ]] : index to i32
// CHECK: %[[ASK:.*]] = arith.index_castui %[[DSK]] : index to i32
// CHECK: %[[GX:.*]] = arith.ceildivui %[[DSQ]], %c128
// CHECK: %[[BH:.*]] = arith.muli %[[B]], %c8
// A dynamic batch·heads may exceed grid y's 65535: spread over y and z.
// CHECK: %[[BH1:.*]] = arith.addi %[[BH]], %c1
// CHECK: %[[GZ:.*]] = arith.ceildivui %[[BH1]], %c65535
// CHECK: %[[GY:.*]] = arith.ceildivui %[[BH]], %[[GZ]]
// No launch for an empty grid.
// CHECK: %[[NX:.*]] = arith.cmpi ne, %[[GX]], %c0
// CHECK: %[[NY:.*]] = arith.cmpi ne, %[[GY]], %c0
// CHECK: %[[ANY:.*]] = arith.andi %[[NX]], %[[NY]]
// CHECK: scf.if %[[ANY]] {
// CHECK-NEXT: gpu.launch_func @fa2_attention_dynamic_bshd_0::@fa2_attention_dynamic_bshd_0 blocks in (%[[GX]], %[[GY]], %[[GZ]])
// CHECK-SAME: %[[ASQ]] : i32, %[[ASK]] : i32)
func.func @dynamic_bshd(%q: tensor<?x?x8x64xf16>, %k: tensor<?x?x2x64xf16>, %v: tensor<?x?x2x64xf16>) -> tensor<?x?x8x64xf32> {
  %o = fa2.attention %q, %k, %v scale(0.125) layout<bshd> : tensor<?x?x8x64xf16>, tensor<?x?x2x64xf16>, tensor<?x?x2x64xf16> -> tensor<?x?x8x64xf32>
  return %o : tensor<?x?x8x64xf32>
}

// -----

// Head dims that are multiples of 8 but not of 64: padded to 16, rows padded
// to an odd number of 16-byte chunks instead of the XOR swizzle.
// CHECK: gpu.func @fa2_attention_head_dim_40_0
// CHECK-SAME: fa2.schedule = #fa2.schedule<block_m = 128, block_n = 64, min_blocks_per_sm = 0, q_in_registers = true, rescale_threshold = 8, split_kv_copies = false, split_masked_loop = true, stages = 2, swizzle = pad, warps = 4>
// CHECK-NOT: arith.xori
// CHECK: gpu.return
// Rows of 7 chunks (56 elements): (128 + 2·64 + 2·64) · 56 · 2 bytes.
// CHECK: gpu.launch_func {{.*}} dynamic_shared_memory_size %c43008_i32
func.func @head_dim_40(%q: tensor<1x2x128x40xf16>, %k: tensor<1x2x128x40xf16>, %v: tensor<1x2x128x40xf16>) -> tensor<1x2x128x40xf16> {
  %o = fa2.attention %q, %k, %v scale(0.158) : tensor<1x2x128x40xf16>, tensor<1x2x128x40xf16>, tensor<1x2x128x40xf16> -> tensor<1x2x128x40xf16>
  return %o : tensor<1x2x128x40xf16>
}

// -----

// Two ops in one function: two kernels, numbered.
// CHECK: gpu.module @fa2_attention_two_0
// CHECK: gpu.module @fa2_attention_two_1
// CHECK-LABEL: func.func @two
// CHECK: gpu.launch_func @fa2_attention_two_0::@fa2_attention_two_0
// CHECK: gpu.launch_func @fa2_attention_two_1::@fa2_attention_two_1
func.func @two(%q: tensor<1x2x128x64xf16>, %k: tensor<1x2x128x64xf16>, %v: tensor<1x2x128x64xf16>) -> tensor<1x2x128x64xf16> {
  %o = fa2.attention %q, %k, %v scale(0.125) : tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16> -> tensor<1x2x128x64xf16>
  %o2 = fa2.attention %o, %k, %v scale(0.125) causal : tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16> -> tensor<1x2x128x64xf16>
  return %o2 : tensor<1x2x128x64xf16>
}

// -----

// Causal d = 64 (the schedule's splitMaskedLoop): the K/V blocks left of the
// diagonal run in a loop without mask arithmetic, the diagonal blocks in a
// second loop that masks every block; the second continues the first's
// accumulators. Dynamic lengths compare in 32 bits.
// CHECK: gpu.func @fa2_attention_causal_split_0
// CHECK: %[[FIRST:.*]] = arith.floordivsi %{{.*}}, %c64
// CHECK: %[[FIRST0:.*]] = arith.maxsi %[[FIRST]], %c0
// CHECK: %[[SPLIT:.*]] = arith.minsi %[[END:.*]], %[[FIRST0]]
// CHECK: %[[FREE:.*]]:24 = scf.for %{{.*}} = %c0 to %[[SPLIT]] step %c1
// CHECK: nvgpu.mma.sync
// CHECK: nvgpu.device_async_create_group
// CHECK-NOT: arith.cmpi sgt
// CHECK: nvvm.vote.sync any
// CHECK: scf.for %{{.*}} = %[[SPLIT]] to %[[END]] step %c1 iter_args(%{{.*}} = %[[FREE]]#0,
// CHECK: nvgpu.mma.sync
// CHECK: nvgpu.device_async_create_group
// CHECK-NOT: scf.if
// CHECK: arith.index_cast %{{.*}} : index to i32
// CHECK: arith.cmpi sgt, %{{.*}}, %c0_i32 : i32
// CHECK: arith.select %{{.*}}, %{{.*}}, %cst{{.*}} : f32
// The only branch left in the loop is the warp-uniform lazy rescale.
// CHECK-NOT: scf.if
// CHECK: nvvm.vote.sync any
// CHECK: scf.if
// CHECK: scf.yield
// CHECK-LABEL: func.func @causal_split
func.func @causal_split(%q: tensor<1x4x?x64xf16>, %k: tensor<1x4x?x64xf16>, %v: tensor<1x4x?x64xf16>) -> tensor<1x4x?x64xf16> {
  %o = fa2.attention %q, %k, %v scale(0.125) causal : tensor<1x4x?x64xf16>, tensor<1x4x?x64xf16>, tensor<1x4x?x64xf16> -> tensor<1x4x?x64xf16>
  return %o : tensor<1x4x?x64xf16>
}

// -----

// Non-causal d = 64 with a dynamic Sk: the only masked block is the tail past
// Sk; the blocks before floor(Sk / 64) run in a loop without mask code, the
// tail in a second loop.
// CHECK: gpu.func @fa2_attention_tail_split_0
// CHECK: %[[FIRST:.*]] = arith.floordivsi %[[SK:.*]], %c64
// CHECK: %[[FIRST0:.*]] = arith.maxsi %[[FIRST]], %c0
// CHECK: %[[SPLIT:.*]] = arith.minsi %[[END:.*]], %[[FIRST0]]
// CHECK: %[[FULL:.*]]:24 = scf.for %{{.*}} = %c0 to %[[SPLIT]] step %c1
// CHECK: nvvm.mma.sync
// CHECK: nvgpu.device_async_create_group
// CHECK-NOT: arith.cmpi sgt, %{{.*}}, %c0_i32 : i32
// CHECK: nvvm.vote.sync any
// CHECK: scf.for %{{.*}} = %[[SPLIT]] to %[[END]] step %c1 iter_args(%{{.*}} = %[[FULL]]#0,
// CHECK: nvgpu.device_async_create_group
// CHECK: arith.cmpi sgt, %{{.*}}, %c0_i32 : i32
// CHECK: arith.select %{{.*}}, %{{.*}}, %cst{{.*}} : f32
// CHECK-LABEL: func.func @tail_split
func.func @tail_split(%q: tensor<1x4x?x64xbf16>, %k: tensor<1x4x?x64xbf16>, %v: tensor<1x4x?x64xbf16>) -> tensor<1x4x?x64xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.125) : tensor<1x4x?x64xbf16>, tensor<1x4x?x64xbf16>, tensor<1x4x?x64xbf16> -> tensor<1x4x?x64xbf16>
  return %o : tensor<1x4x?x64xbf16>
}

// -----

// An i1 mask [Sq, Sk] with dynamic extents: the mask is a 1-D memref after
// the outputs, each dynamic extent an i32 argument after the dynamic sizes
// (1 at run time means broadcast: stride 0). Every K/V block loads one mask
// byte per score, clamped into the mask, and keeps the score where it is
// true (-inf elsewhere) before the row max.
// CHECK: gpu.func @fa2_attention_mask_i1_0(%{{.*}}: memref<?xf16>, %{{.*}}: memref<?xf16>, %{{.*}}: memref<?xf16>, %{{.*}}: memref<?xf16>, %[[MASK:.*]]: memref<?xi1>, %[[SQ:.*]]: i32, %[[SK:.*]]: i32, %[[MSQ:.*]]: i32, %[[MSK:.*]]: i32) kernel
// CHECK: %[[EJ:.*]] = arith.index_castui %[[MSK]] : i32 to index
// CHECK: %[[UJ:.*]] = arith.cmpi eq, %[[EJ]], %c1 : index
// CHECK: %[[STRJ:.*]] = arith.select %[[UJ]], %c0, %c1 : index
// CHECK: %[[EI:.*]] = arith.index_castui %[[MSQ]] : i32 to index
// CHECK: %[[UI:.*]] = arith.cmpi eq, %[[EI]], %c1 : index
// CHECK: %[[STRI:.*]] = arith.select %[[UI]], %c0, %[[EJ]] : index
// CHECK: scf.for
// CHECK: nvgpu.mma.sync
// CHECK: %[[LASTROW:.*]] = arith.subi %{{.*}}, %c1 : index
// CHECK: %[[LASTKEY:.*]] = arith.subi %{{.*}}, %c1 : index
// CHECK: %[[ROW:.*]] = arith.minui %{{.*}}, %[[LASTROW]] : index
// CHECK: %[[ROWOFF:.*]] = arith.muli %[[ROW]], %[[STRI]] : index
// CHECK: %[[KEY:.*]] = arith.minui %{{.*}}, %[[LASTKEY]] : index
// CHECK: %[[KEYOFF:.*]] = arith.muli %[[KEY]], %[[STRJ]] : index
// CHECK: %[[OFF:.*]] = arith.addi %[[ROWOFF]], %[[KEYOFF]] : index
// CHECK-NEXT: %[[KEEP:.*]] = memref.load %[[MASK]][%[[OFF]]] : memref<?xi1>
// CHECK: %[[S:.*]] = vector.extract %{{.*}}[0, 0] : f32 from vector<2x2xf32>
// CHECK: arith.select %[[KEEP]], %[[S]], %cst{{.*}} : f32
// CHECK: arith.maxnumf
// CHECK-LABEL: func.func @mask_i1
// CHECK: %[[MB:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<?x?xi1> to memref<?x?xi1>
// CHECK: %[[MFLAT:.*]] = memref.collapse_shape %[[MB]] {{\[\[}}0, 1]] : memref<?x?xi1> into memref<?xi1>
// CHECK: %[[D0:.*]] = memref.dim %[[MB]], %c0
// CHECK: %[[E0:.*]] = arith.index_castui %[[D0]] : index to i32
// CHECK: %[[D1:.*]] = memref.dim %[[MB]], %c1
// CHECK: %[[E1:.*]] = arith.index_castui %[[D1]] : index to i32
// CHECK: gpu.launch_func @fa2_attention_mask_i1_0::@fa2_attention_mask_i1_0
// CHECK-SAME: args({{.*}}, %[[MFLAT]] : memref<?xi1>, %{{.*}} : i32, %{{.*}} : i32, %[[E0]] : i32, %[[E1]] : i32)
func.func @mask_i1(%q: tensor<1x2x?x64xf16>, %k: tensor<1x2x?x64xf16>, %v: tensor<1x2x?x64xf16>, %m: tensor<?x?xi1>) -> tensor<1x2x?x64xf16> {
  %o = fa2.attention %q, %k, %v mask(%m) scale(0.125) : tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>, tensor<?x?xi1> -> tensor<1x2x?x64xf16>
  return %o : tensor<1x2x?x64xf16>
}

// -----

// A float mask [B, 1, Sq, Sk] with static sizes: the head dim of the mask is
// broadcast (no head term), the batch stride is Sq·Sk. The mask is added to
// the unscaled scores as mask / scale, so that the softmax's scaling gives
// scale·S + mask. No block of this kernel needs the tail mask, and the mask
// operand is still applied in every block.
// CHECK: gpu.func @fa2_attention_mask_float_0(%{{.*}}: memref<32768xf16>, %{{.*}}: memref<32768xf16>, %{{.*}}: memref<32768xf16>, %{{.*}}: memref<32768xf16>, %[[MASK:.*]]: memref<32768xf16>) kernel
// CHECK-DAG: %[[INVSCALE:.*]] = arith.constant 8.000000e+00 : f32
// CHECK: %[[BY:.*]] = gpu.block_id y
// CHECK: %[[B:.*]] = arith.divui %[[BY]], %c2
// CHECK: %[[MBASE:.*]] = arith.muli %[[B]], %c16384 : index
// CHECK: scf.for
// CHECK: nvgpu.mma.sync
// CHECK: %[[ROW:.*]] = arith.minui %{{.*}}, %c127 : index
// CHECK: %[[ROWOFF:.*]] = arith.muli %[[ROW]], %c128 : index
// CHECK: %[[RB:.*]] = arith.addi %[[MBASE]], %[[ROWOFF]] : index
// CHECK: %[[OFF:.*]] = arith.addi %[[RB]], %{{.*}} : index
// CHECK-NEXT: %[[MV:.*]] = memref.load %[[MASK]][%[[OFF]]] : memref<32768xf16>
// CHECK: %[[S:.*]] = vector.extract %{{.*}}[0, 0] : f32 from vector<2x2xf32>
// CHECK: %[[MF:.*]] = arith.extf %[[MV]] : f16 to f32
// CHECK: %[[MS:.*]] = arith.mulf %[[MF]], %[[INVSCALE]] : f32
// CHECK: arith.addf %[[S]], %[[MS]] : f32
// CHECK: arith.maxnumf
// CHECK-LABEL: func.func @mask_float
// CHECK: gpu.launch_func @fa2_attention_mask_float_0::@fa2_attention_mask_float_0
// CHECK-SAME: %{{.*}} : memref<32768xf16>)
func.func @mask_float(%q: tensor<2x2x128x64xf16>, %k: tensor<2x2x128x64xf16>, %v: tensor<2x2x128x64xf16>, %m: tensor<2x1x128x128xf16>) -> tensor<2x2x128x64xf16> {
  %o = fa2.attention %q, %k, %v mask(%m) scale(0.125) : tensor<2x2x128x64xf16>, tensor<2x2x128x64xf16>, tensor<2x2x128x64xf16>, tensor<2x1x128x128xf16> -> tensor<2x2x128x64xf16>
  return %o : tensor<2x2x128x64xf16>
}
