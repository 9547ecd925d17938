// The sm_90a kernel (schedule field mma = wgmma, HopperKernelBuilder.cpp): its IR, its
// manifest, its PTX, the fallback to mma.sync with a remark, and the
// option checks.
// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu="chip=sm_90a schedule=mma=wgmma" -verify-diagnostics | FileCheck %s --check-prefix=IR
// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu="chip=sm_90a schedule=mma=wgmma" | FileCheck %s --check-prefix=WINDOW
// RUN: rm -rf %t && fa2-opt %s --split-input-file --fa2-to-ptx="chip=sm_90a schedule=mma=wgmma manifest-dir=%t" -verify-diagnostics -o /dev/null
// RUN: FileCheck %s --check-prefix=PTX --input-file=%t/fa2_attention_d128_0.ptx
// RUN: FileCheck %s --check-prefix=ROLES --input-file=%t/fa2_attention_d128_0.ptx
// RUN: rm -rf %t.plain && fa2-opt %s --split-input-file --fa2-to-ptx="chip=sm_90a schedule=mma=wgmma,overlap_softmax=false manifest-dir=%t.plain" -verify-diagnostics -o /dev/null
// RUN: FileCheck %s --check-prefix=PLAIN --input-file=%t.plain/fa2_attention_d128_0.ptx
// RUN: FileCheck %s --check-prefix=JSONPLAIN --input-file=%t.plain/fa2_attention_d128_0.json
// RUN: FileCheck %s --check-prefix=JSON --input-file=%t/fa2_attention_d128_0.json
// RUN: FileCheck %s --check-prefix=FALLBACK --input-file=%t/fa2_attention_mask_0.json
// RUN: FileCheck %s --check-prefix=D256 --input-file=%t/fa2_attention_d256_0.ptx
// RUN: FileCheck %s --check-prefix=D256JSON --input-file=%t/fa2_attention_d256_0.json
// The dynamic tile scheduler (persistent grid, tiles from an atomic counter).
// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu="chip=sm_90a schedule=mma=wgmma,persistent=true,tile_scheduler=dynamic" -verify-diagnostics | FileCheck %s --check-prefix=DYNIR
// RUN: rm -rf %t.dyn && fa2-opt %s --split-input-file --fa2-to-ptx="chip=sm_90a schedule=mma=wgmma,persistent=true,tile_scheduler=dynamic manifest-dir=%t.dyn" -verify-diagnostics -o /dev/null
// RUN: FileCheck %s --check-prefix=DYN --input-file=%t.dyn/fa2_attention_d128_0.ptx
// RUN: FileCheck %s --check-prefix=DYNJSON --input-file=%t.dyn/fa2_attention_d128_0.json
// chip=sm_90a takes the wgmma kernel by default, quietly keeping mma.sync
// where it cannot serve (no remark, no mma_fallback); mma = mma_sync and
// chip=sm_90 (forward-compatible PTX) keep mma.sync.
// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu="chip=sm_90a" 2>&1 | FileCheck %s --check-prefix=DEFAULT
// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu="chip=sm_90a schedule=mma=mma_sync" | FileCheck %s --check-prefix=SYNC
// RUN: fa2-opt %s --split-input-file --fa2-lower-to-gpu="chip=sm_90" | FileCheck %s --check-prefix=SYNC
// RUN: not fa2-opt %s --split-input-file --fa2-lower-to-gpu="chip=sm_90 schedule=mma=wgmma" 2>&1 | FileCheck %s --check-prefix=CHIP
// RUN: not fa2-opt %s --split-input-file --fa2-lower-to-gpu="chip=sm_90a schedule=mma=hgmma" 2>&1 | FileCheck %s --check-prefix=KIND

// IR-LABEL: gpu.module @fa2_attention_d128_0 [#nvvm.target<O = 3, chip = "sm_90a", features = "+ptx80">]
// (d = 128 without a mask: the table's TMA-store epilogue, O's map fourth;
// hopper-tma-store.mlir checks the epilogue.)
// IR: gpu.func @fa2_attention_d128_0(%{{.*}}: vector<16xi64>, %{{.*}}: vector<16xi64>, %{{.*}}: vector<16xi64>, %{{.*}}: vector<16xi64>, %{{.*}}: memref<4194304xbf16>, %{{.*}}: memref<32768xf32>) kernel
// IR-SAME: fa2.schedule = #fa2.schedule<block_m = 128, block_n = 128, consumer_registers = 240, {{.*}}mma = wgmma, overlap_softmax = true, persistent = true, ping_pong = true, producer_registers = 24, {{.*}}stages = 2, {{.*}}warps = 12>
// IR-SAME: fa2.tensor_map_params = array<i64: 0, 1, 2, 3>
// IR-SAME: known_block_size = array<i32: 384, 1, 1>
// IR-SAME: nvvm.minctasm = 1 : i32
// IR: nvgpu.mbarrier.create
// IR: nvvm.setmaxregister decrease 24
// IR: nvvm.elect.sync
// IR: nvgpu.mbarrier.arrive.expect_tx
// IR: nvgpu.tma.async.load
// IR: nvvm.setmaxregister increase 240
// IR: nvvm.wgmma.mma_async
// IR-SAME: <m = 64, n = 128, k = 16>, D[<f32>, <zero>], A[<bf16>, <one>, <row>], B[<bf16>, <one>, <col>]
// IR: llvm.inline_asm has_side_effects {{.*}}wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16
// The host encodes the four maps and passes their 128 bytes.
// IR-LABEL: func.func @d128
// IR-COUNT-4: call @fa2rtEncodeTensorMap
// d = 128 without a mask: the persistent grid (8 x 32 tiles on 132 CTAs).
// IR: gpu.launch_func @fa2_attention_d128_0::@fa2_attention_d128_0 blocks in (%c132{{(_[0-9]+)?}}, %c1{{(_[0-9]+)?}}, %c1{{(_[0-9]+)?}}) threads in (%c384, %c1{{(_[0-9]+)?}}, %c1{{(_[0-9]+)?}}) dynamic_shared_memory_size %c197632_i32 args({{.*}} : vector<16xi64>, {{.*}} : vector<16xi64>, {{.*}} : vector<16xi64>, {{.*}} : vector<16xi64>, {{.*}} : memref<4194304xbf16>, {{.*}} : memref<32768xf32>)

// The shared window (Q | K stages | V stages) starts at the first 1024-byte
// boundary past both static shared variables: the dynamic-memory symbol and
// the mbarrier array, which ptxas places right after it. Rounded up from the
// symbol alone, Q's first row and the barriers shared bytes (rows of NaN
// under compute-sanitizer). No tile view, and no offset taken from the
// symbol's address alone, before the window's start.
// WINDOW-LABEL: gpu.func @fa2_attention_d128_0
// WINDOW: %[[BARS:.*]] = nvgpu.mbarrier.create -> <memorySpace = #gpu.address_space<workgroup>, num_barriers = 10>
// WINDOW-NEXT: %[[SMEM:.*]] = gpu.dynamic_shared_memory
// WINDOW-NEXT: %[[BASE:.*]] = memref.extract_aligned_pointer_as_index %[[SMEM]]
// WINDOW-NOT: memref.view
// WINDOW-NOT: arith.remui %[[BASE]]
// WINDOW: %[[LAST:.*]] = nvgpu.mbarrier.get %[[BARS]][%c9{{(_[0-9]+)?}}] : {{.*}} -> i64
// WINDOW-NEXT: %[[LASTI:.*]] = arith.index_castui %[[LAST]] : i64 to index
// WINDOW-NEXT: %[[END:.*]] = arith.addi %[[LASTI]], %c8{{(_[0-9]+)?}} : index
// WINDOW-NEXT: %[[LO:.*]] = arith.maxui %[[BASE]], %[[END]] : index
// WINDOW-NEXT: %[[UP:.*]] = arith.addi %[[LO]], %c1023{{(_[0-9]+)?}} : index
// WINDOW-NEXT: %[[BLOCKS:.*]] = arith.divui %[[UP]], %c1024{{(_[0-9]+)?}} : index
// WINDOW-NEXT: %[[START:.*]] = arith.muli %[[BLOCKS]], %c1024{{(_[0-9]+)?}} : index
// WINDOW-NEXT: %[[PAD:.*]] = arith.subi %[[START]], %[[BASE]] : index
// WINDOW-NOT: memref.view
// WINDOW: nvvm.setmaxregister decrease
// The producer's first Q box lands at the window's start.
// WINDOW: memref.view %[[SMEM]][%[[PAD]]][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<1x1x64x64xbf16, #gpu.address_space<workgroup>>
// WINDOW-NEXT: nvgpu.tma.async.load

// DEFAULT-NOT: remark
// DEFAULT-LABEL: gpu.func @fa2_attention_d128_0
// DEFAULT-SAME: mma = wgmma
// DEFAULT: nvvm.wgmma.mma_async
// DEFAULT-LABEL: gpu.func @fa2_attention_d256_0
// DEFAULT-SAME: mma = wgmma
// DEFAULT-LABEL: gpu.module @fa2_attention_mask_0
// DEFAULT-NOT: wgmma
// DEFAULT: mma.sync
// SYNC-LABEL: gpu.module @fa2_attention_d128_0
// SYNC-NOT: wgmma
// SYNC: mma.sync
// SYNC-NOT: wgmma

// By-value grid-constant maps, TMA into the mbarrier ring, register
// reallocation, and the two wgmma forms (SS for Q·Kᵀ, RS for P·V).
// (The two roles' branches may come in either order: ROLES checks them as a
// set, PTX the consumer's wgmma sequence.)
// ROLES: .target sm_90a
// ROLES: .param .align 64 .b8 fa2_attention_d128_0_param_0[128]
// ROLES: .param .align 64 .b8 fa2_attention_d128_0_param_2[128]
// ROLES: mbarrier.init.shared.b64
// ROLES-DAG: setmaxnreg.dec.sync.aligned.u32 24
// ROLES-DAG: cp.async.bulk.tensor.4d.shared::cluster.global.tile.mbarrier::complete_tx::bytes
// ROLES-DAG: mbarrier.arrive.expect_tx.shared.b64
// ROLES-DAG: mbarrier.try_wait.parity
// ROLES-DAG: setmaxnreg.inc.sync.aligned.u32 240
// PTX: setmaxnreg.inc.sync.aligned.u32 240
// PTX: wgmma.fence.sync.aligned
// PTX: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16
// PTX: wgmma.commit_group.sync.aligned
// PTX: wgmma.wait_group.sync.aligned 0
// PTX: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16 {{.*}}, p, 1, 1, 1;
// With the softmax overlap (the default), block j's Q·Kᵀ is waited for
// while block j-1's P·V is in flight.
// PTX: wgmma.wait_group.sync.aligned 1
// PTX: wgmma.wait_group.sync.aligned 0
// Without it, every group is waited for at once.
// PLAIN: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16
// PLAIN-NOT: wgmma.wait_group.sync.aligned 1
// PLAIN: wgmma.wait_group.sync.aligned 0
// PLAIN-NOT: wgmma.wait_group.sync.aligned 1
// JSONPLAIN: "overlap_softmax": false

// Dynamic tiles: the kernel takes tile_counter (i32 [2]: tiles handed out,
// CTAs done) after o and lse, which the host zeroes once per call; the
// shared window has a 16-byte slot for the next tile's index after the V
// stages and O's own tile (Q 32768 + 2 x K 32768 + 2 x V 32768 + O 32768 =
// 196608).
// DYNIR: gpu.func @fa2_attention_d128_0(%{{.*}}: vector<16xi64>, %{{.*}}: vector<16xi64>, %{{.*}}: vector<16xi64>, %{{.*}}: vector<16xi64>, %{{.*}}: memref<4194304xbf16>, %{{.*}}: memref<32768xf32>, %[[CTR:.*]]: memref<2xi32>) kernel
// DYNIR-SAME: persistent = true, {{.*}}tile_scheduler = dynamic
// The producer: tile blockIdx.x first, each next one gridDim.x + the
// counter's old value, fetched after the tile's copies are issued.
// DYNIR: scf.while (%{{.*}} = %block_id_x,
// DYNIR: memref.store {{.*}} : memref<1xi32, #gpu.address_space<workgroup>>
// DYNIR: nvgpu.mbarrier.arrive.expect_tx
// DYNIR: memref.atomic_rmw addi %{{.*}}, %[[CTR]][%c0{{.*}}] : (i32, memref<2xi32>) -> i32
// DYNIR: gpu.grid_dim x
// Past the last tile: its index in the slot (a plain arrival on Q's
// barrier), then the count of finished CTAs; the last one zeroes both.
// DYNIR: memref.store {{.*}} : memref<1xi32, #gpu.address_space<workgroup>>
// DYNIR-NEXT: nvgpu.mbarrier.arrive %{{.*}}[%c0{{.*}}]
// DYNIR-NEXT: nvvm.memory.barrier
// DYNIR-NEXT: memref.atomic_rmw addi %{{.*}}, %[[CTR]][%c1{{.*}}]
// DYNIR: scf.if
// DYNIR-NEXT: nvvm.memory.barrier
// DYNIR-NEXT: memref.store %{{.*}}, %[[CTR]][%c0{{.*}}] : memref<2xi32>
// DYNIR-NEXT: memref.store %{{.*}}, %[[CTR]][%c1{{.*}}] : memref<2xi32>
// The consumers: each tile's index read under Q's barrier.
// DYNIR: scf.while
// DYNIR: nvgpu.mbarrier.try_wait.parity
// DYNIR-NEXT: memref.load {{.*}} : memref<1xi32, #gpu.address_space<workgroup>>
// DYNIR-LABEL: func.func @d128
// DYNIR: %[[HOSTCTR:.*]] = memref.alloc() {alignment = 128 : i64} : memref<2xi32>
// DYNIR: gpu.memset %[[HOSTCTR]]
// DYNIR: gpu.launch_func @fa2_attention_d128_0::@fa2_attention_d128_0 blocks in (%c132{{.*}} dynamic_shared_memory_size %c197648_i32 args({{.*}}, %[[HOSTCTR]] : memref<2xi32>)
// DYN-DAG: ld.shared.b32 {{.*}}, [{{.*}}+196608];
// DYN-DAG: st.shared.b32 [{{.*}}+196608],
// DYN-DAG: atom.global.add.u32 {{.*}}, [[[CTRPTR:%rd[0-9]+]]], 1;
// DYN: membar.gl;
// DYN-NEXT: atom.global.add.u32 {{.*}}, [[[CTRPTR]]+4], 1;
// DYN: membar.gl;
// DYN-NEXT: st.global.b32 [[[CTRPTR]]], 0;
// DYN-NEXT: st.global.b32 [[[CTRPTR]]+4], 0;
// DYNJSON: "tile_counter": {
// DYNJSON-NEXT: "dtype": "i32",
// DYNJSON-NEXT: "scratch": true,
// DYNJSON-NEXT: "shape": [
// DYNJSON-NEXT: "2"
// DYNJSON-NEXT: ],
// DYNJSON-NEXT: "zero_init": true
// DYNJSON: "name": "tile_counter.allocated"
// DYNJSON: "tile_scheduler": "dynamic"

// JSON: "name": "q.tensor_map"
// (bhsd: the strides of seq, head and batch, each the product of the extents inside it, TensorLayout.h)
// JSON-NEXT: "strides": [
// JSON-NEXT: "head_dim",
// JSON-NEXT: "seq_q * head_dim",
// JSON-NEXT: "heads_q * seq_q * head_dim"
// JSON-NEXT: ],
// JSON-NEXT: "swizzle": "128b",
// JSON-NEXT: "type": "tensor_map"
// JSON: "name": "o.allocated"
// JSON: "schedule": {
// JSON: "mma": "wgmma"
// JSON: "overlap_softmax": true
func.func @d128(%q: tensor<2x16x1024x128xbf16>, %k: tensor<2x16x1024x128xbf16>, %v: tensor<2x16x1024x128xbf16>) -> (tensor<2x16x1024x128xbf16>, tensor<2x16x1024xf32>) {
  %o, %lse = fa2.attention %q, %k, %v scale(0.08838834764831845) : tensor<2x16x1024x128xbf16>, tensor<2x16x1024x128xbf16>, tensor<2x16x1024x128xbf16> -> tensor<2x16x1024x128xbf16>, tensor<2x16x1024xf32>
  return %o, %lse : tensor<2x16x1024x128xbf16>, tensor<2x16x1024xf32>
}

// -----

// An op's own fields go over the option's: this op's kernels (one per seq_k
// range of the table; the short range's, 64 rows, checked) take 64-key
// blocks and no overlap, with dynamic lengths (i32 size arguments after the
// tensor maps and o) and no LSE.
// IR-LABEL: gpu.func @fa2_attention_op_fields_0(%{{.*}}: vector<16xi64>, %{{.*}}: vector<16xi64>, %{{.*}}: vector<16xi64>, %{{.*}}: memref<?xf16>, %{{.*}}: i32, %{{.*}}: i32) kernel
// IR-SAME: #fa2.schedule<block_m = 64, block_n = 64, {{.*}}mma = wgmma, overlap_softmax = false,
func.func @op_fields(%q: tensor<2x4x?x64xf16>, %k: tensor<2x4x?x64xf16>, %v: tensor<2x4x?x64xf16>) -> tensor<2x4x?x64xf16> {
  %o = fa2.attention %q, %k, %v scale(0.125) causal {fa2.schedule = #fa2.schedule<block_n = 64, overlap_softmax = false>} : tensor<2x4x?x64xf16>, tensor<2x4x?x64xf16>, tensor<2x4x?x64xf16> -> tensor<2x4x?x64xf16>
  return %o : tensor<2x4x?x64xf16>
}

// -----

// d = 256 without a mask: the table's 128 x 80 tile (FlashAttention-3's).
// Each block's Q·Kᵀ is 16 k-steps (d/16) of m64n80k16; its P·V 5 k-steps
// (80 keys / 16) of m64n256k16. The overlapped loop is peeled: S_0 alone,
// then S_j with P·V_{j-1}, then the last P·V.
// IR-LABEL: gpu.func @fa2_attention_d256_0
// IR-SAME: #fa2.schedule<block_m = 128, block_n = 80, {{.*}}ping_pong = false,
// IR: nvvm.wgmma.mma_async {{.*}}, <m = 64, n = 80, k = 16>
// IR-LABEL: func.func @d256
// IR: gpu.launch_func @fa2_attention_d256_0::@fa2_attention_d256_0 blocks in (%c8{{(_[0-9]+)?}}, %c128{{(_[0-9]+)?}}, %c1{{(_[0-9]+)?}}) threads in (%c384, {{.*}} dynamic_shared_memory_size %c230400_i32
// The shared window is rounded up from past the barrier array (9 barriers,
// 72 bytes), not from the dynamic-memory symbol alone (WINDOW below).
// D256: mov.b64 [[BAR:%rd[0-9]+]], __mbarrier;
// D256-NEXT: add.s64 [[END:%rd[0-9]+]], [[BAR]], 72;
// D256: max.u64 {{%rd[0-9]+}}, {{%rd[0-9]+}}, [[END]];
// D256-COUNT-32: wgmma.mma_async.sync.aligned.m64n80k16.f32.bf16.bf16
// D256-NOT: wgmma.mma_async.sync.aligned.m64n80k16
// D256-COUNT-10: wgmma.mma_async.sync.aligned.m64n256k16.f32.bf16.bf16
// D256-NOT: wgmma.mma_async
// D256JSON: "name": "k.tensor_map"
// D256JSON: "box": [
// D256JSON-NEXT: 64,
// D256JSON-NEXT: 80,
// D256JSON: "block_n": 80
func.func @d256(%q: tensor<16x8x1024x256xbf16>, %k: tensor<16x8x1024x256xbf16>, %v: tensor<16x8x1024x256xbf16>) -> tensor<16x8x1024x256xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.0625) : tensor<16x8x1024x256xbf16>, tensor<16x8x1024x256xbf16>, tensor<16x8x1024x256xbf16> -> tensor<16x8x1024x256xbf16>
  return %o : tensor<16x8x1024x256xbf16>
}

// -----

// A mask operand: the mma.sync kernel serves it, and says why.
// IR-LABEL: gpu.module @fa2_attention_mask_0 [#nvvm.target<O = 3, chip = "sm_90a">]
// IR-NOT: wgmma
// IR-LABEL: func.func @mask
// FALLBACK: "mma_fallback": "wgmma kernel: no mask operand yet"
func.func @mask(%q: tensor<2x4x256x64xf16>, %k: tensor<2x4x256x64xf16>, %v: tensor<2x4x256x64xf16>, %m: tensor<256x256xi1>) -> tensor<2x4x256x64xf16> {
  // expected-remark @+1 {{fa2-lower-to-gpu: mma = wgmma not used, the mma.sync kernel serves this op: wgmma kernel: no mask operand yet}}
  %o = fa2.attention %q, %k, %v mask(%m) scale(0.125) : tensor<2x4x256x64xf16>, tensor<2x4x256x64xf16>, tensor<2x4x256x64xf16>, tensor<256x256xi1> -> tensor<2x4x256x64xf16>
  return %o : tensor<2x4x256x64xf16>
}

// CHIP: option schedule='mma=wgmma': field 'mma' = wgmma needs chip=sm_90a (got chip=sm_90)
// KIND: option schedule='mma=hgmma': field 'mma' = hgmma: expected mma_sync (sm_80+) or wgmma (sm_90a)
