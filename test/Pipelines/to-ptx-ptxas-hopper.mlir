// REQUIRES: ptxas
// (ptxas: the CUDA toolkit assembles the PTX; without /usr/local/cuda the test cannot run.)
// Every row of the Hopper table (chip=sm_90a picks the wgmma kernel by
// default; Schedule.cpp's kHopperTable) assembles for sm_90a without
// spilling, and holds the pieces issue 15 names: wgmma, TMA loads
// (cp.async.bulk.tensor into shared memory, completing on an mbarrier),
// mbarrier waits, setmaxnreg on both roles, and where the row says
// epilogue = tma_store, TMA stores of O. The kernels are the benchmark's
// form (dynamic batch and sequence lengths, bf16, bhsd; bench/build.sh) and
// a serving form (GQA 32/8 bshd causal with LSE, LLaMA-3's heads; at
// d = 64 in f16 too). With dynamic lengths, d = 64 causal has a kernel per
// seq_k range (the table's length variants: 64 x 64 with three CTAs per SM
// up to 2k keys, 192 x 112 beyond; d = 128 causal: 64 x 64 with two CTAs
// per SM up to 512 keys, 128 x 128 beyond): both assemble without
// spilling, with LSE or not, bhsd or bshd, bf16 or f16 (192 x 128 spilled
// 12 bytes without LSE).
// Spills of the persistent rows moved with small changes before (24-32
// bytes, bench/NOTES.md); this test makes a change that brings them back
// show.
// RUN: rm -rf %t && fa2-opt %s --split-input-file --fa2-to-ptx="chip=sm_90a manifest-dir=%t" -o /dev/null
// RUN: %cuda_root/bin/ptxas -v -arch=sm_90a %t/fa2_attention_d64_0.ptx -o %t/d64.cubin 2>&1 | FileCheck %s --check-prefix=D64
// RUN: FileCheck %s --check-prefixes=PTX,D64-PTX --input-file=%t/fa2_attention_d64_0.ptx
// RUN: FileCheck %s --check-prefix=NOSTORE --input-file=%t/fa2_attention_d64_0.ptx
// RUN: %cuda_root/bin/ptxas -v -arch=sm_90a %t/fa2_attention_d64_causal_0.ptx -o %t/d64c.cubin 2>&1 | FileCheck %s --check-prefix=D64C
// RUN: FileCheck %s --check-prefixes=PTX,STORE,D64C-PTX --input-file=%t/fa2_attention_d64_causal_0.ptx
// RUN: %cuda_root/bin/ptxas -v -arch=sm_90a %t/fa2_attention_d128_0.ptx -o %t/d128.cubin 2>&1 | FileCheck %s --check-prefix=D128
// RUN: FileCheck %s --check-prefixes=PTX,STORE,D128-PTX --input-file=%t/fa2_attention_d128_0.ptx
// RUN: FileCheck %s --check-prefix=PACK --input-file=%t/fa2_attention_d128_0.ptx
// RUN: %cuda_root/bin/ptxas -v -arch=sm_90a %t/fa2_attention_d128_causal_0.ptx -o %t/d128c.cubin 2>&1 | FileCheck %s --check-prefix=D128C
// RUN: FileCheck %s --check-prefixes=PTX,STORE,D128C-PTX --input-file=%t/fa2_attention_d128_causal_0.ptx
// RUN: %cuda_root/bin/ptxas -v -arch=sm_90a %t/fa2_attention_d256_0.ptx -o %t/d256.cubin 2>&1 | FileCheck %s --check-prefix=D256
// RUN: FileCheck %s --check-prefixes=PTX,STORE,D256-PTX --input-file=%t/fa2_attention_d256_0.ptx
// RUN: %cuda_root/bin/ptxas -v -arch=sm_90a %t/fa2_attention_d256_causal_0.ptx -o %t/d256c.cubin 2>&1 | FileCheck %s --check-prefix=D256C
// RUN: FileCheck %s --check-prefixes=PTX,STORE,D256C-PTX --input-file=%t/fa2_attention_d256_causal_0.ptx
// RUN: %cuda_root/bin/ptxas -v -arch=sm_90a %t/fa2_attention_gqa_bshd_lse_0.ptx -o %t/gqa.cubin 2>&1 | FileCheck %s --check-prefix=GQA
// RUN: FileCheck %s --check-prefixes=PTX,STORE,GQA-PTX --input-file=%t/fa2_attention_gqa_bshd_lse_0.ptx
// RUN: %cuda_root/bin/ptxas -v -arch=sm_90a %t/fa2_attention_gqa64_bshd_lse_0.ptx -o %t/gqa64.cubin 2>&1 | FileCheck %s --check-prefix=GQA64
// RUN: %cuda_root/bin/ptxas -v -arch=sm_90a %t/fa2_attention_d128_causal_f16_lse_0.ptx -o %t/d128cf.cubin 2>&1 | FileCheck %s --check-prefix=D128CF
// RUN: FileCheck %s --check-prefixes=PTX,STORE --input-file=%t/fa2_attention_d128_causal_f16_lse_0.ptx
// RUN: FileCheck %s --check-prefixes=PTX,STORE,GQA64-PTX --input-file=%t/fa2_attention_gqa64_bshd_lse_0.ptx

// Every kernel (CHECK-DAG: the consumers' branch comes first in the PTX):
// the producer gives registers back and issues TMA loads that complete on
// mbarriers; the consumers take registers and wait on the barriers around
// their wgmma.
// PTX: .target sm_90a
// PTX-DAG: setmaxnreg.dec.sync.aligned.u32
// PTX-DAG: cp.async.bulk.tensor.4d.shared::cluster.global.tile.mbarrier::complete_tx::bytes
// PTX-DAG: setmaxnreg.inc.sync.aligned.u32
// PTX-DAG: mbarrier.try_wait.parity
// PTX-DAG: wgmma.fence.sync.aligned
// PTX-DAG: wgmma.mma_async.sync.aligned
// PTX-DAG: wgmma.wait_group.sync.aligned
// The table's tma_store rows (all but d = 64 without a mask, whose 192-row
// persistent tile has no room for O's) write O from shared memory by TMA;
// the others store it from registers and issue no bulk store anywhere in
// the file.
// STORE-DAG: fence.proxy.async.shared::cta
// STORE-DAG: cp.async.bulk.tensor.4d.global.shared::cta.tile.bulk_group
// STORE-DAG: cp.async.bulk.wait_group.read 0
// NOSTORE-NOT: cp.async.bulk.tensor.4d.global.shared::cta
// NOSTORE-NOT: cp.async.bulk.wait_group
// The tile shapes of the rows (block_n in the first GEMM's n; d = 64 and
// d = 256 split their P·V by 64 or issue it whole).
// D64-PTX-DAG: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16
// D64C-PTX-DAG: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16
// D64C-PTX-DAG: wgmma.mma_async.sync.aligned.m64n112k16.f32.bf16.bf16
// The short range's three CTAs per SM: the entry cap and its split.
// D64C-PTX-DAG: .minnctapersm 3
// D64C-PTX-DAG: setmaxnreg.inc.sync.aligned.u32 136;
// GQA64-PTX-DAG: wgmma.mma_async.sync.aligned.m64n64k16.f32.f16.f16
// GQA64-PTX-DAG: wgmma.mma_async.sync.aligned.m64n112k16.f32.f16.f16
// D128-PTX-DAG: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16
// D128C-PTX-DAG: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16
// D128C-PTX-DAG: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16
// The short range's two CTAs per SM: the entry cap and its split.
// D128C-PTX-DAG: .minnctapersm 2
// D128C-PTX-DAG: setmaxnreg.inc.sync.aligned.u32 232;
// The overlapped loop packs block j's P (cvt) only after the wait for block
// j-1's P·V. With the lazy rescale (the table's rescale_threshold = 8), O's
// multiplication sits between them under the vote, and ptxas lays the
// packing block out above the wait: the block that starts with the row
// sums and packs P (SKIP), then the file's second wait_group 0 (the first
// is the prologue's S_0), after which no cvt comes before both ways on,
// the vote's branch and the multiplication's jump, reach SKIP.
// PACK: wgmma.wait_group.sync.aligned{{[[:space:]]+}}0;
// PACK: [[SKIP:\$L__BB0_[0-9]+]]:{{[[:space:]]+fma.rn.f32[^;]*;[[:space:]]+fma.rn.f32[^;]*;[[:space:]]+cvt.rn.bf16x2.f32}}
// PACK: wgmma.wait_group.sync.aligned{{[[:space:]]+}}0;
// PACK-NOT: cvt.rn.bf16x2.f32
// PACK: @%p{{[0-9]+}} bra {{[[:space:]]*}}[[SKIP]];
// PACK-NOT: cvt.rn.bf16x2.f32
// PACK: mul.rn.f32
// PACK-NOT: cvt.rn.bf16x2.f32
// PACK: bra.uni {{[[:space:]]*}}[[SKIP]];
// D256-PTX-DAG: wgmma.mma_async.sync.aligned.m64n80k16.f32.bf16.bf16
// D256C-PTX-DAG: wgmma.mma_async.sync.aligned.m64n80k16.f32.bf16.bf16
// GQA-PTX-DAG: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16

// D64: Compiling entry function 'fa2_attention_d64_0' for 'sm_90a'
// D64-NEXT: Function properties for fa2_attention_d64_0
// D64-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// D64C: Compiling entry function 'fa2_attention_d64_causal_0' for 'sm_90a'
// D64C-NEXT: Function properties for fa2_attention_d64_causal_0
// D64C-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// D64C: Compiling entry function 'fa2_attention_d64_causal_0_v1' for 'sm_90a'
// D64C-NEXT: Function properties for fa2_attention_d64_causal_0_v1
// D64C-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// D128: Compiling entry function 'fa2_attention_d128_0' for 'sm_90a'
// D128-NEXT: Function properties for fa2_attention_d128_0
// D128-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// D128C: Compiling entry function 'fa2_attention_d128_causal_0' for 'sm_90a'
// D128C-NEXT: Function properties for fa2_attention_d128_causal_0
// D128C-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// D128C: Compiling entry function 'fa2_attention_d128_causal_0_v1' for 'sm_90a'
// D128C-NEXT: Function properties for fa2_attention_d128_causal_0_v1
// D128C-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// D256: Compiling entry function 'fa2_attention_d256_0' for 'sm_90a'
// D256-NEXT: Function properties for fa2_attention_d256_0
// D256-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// D256C: Compiling entry function 'fa2_attention_d256_causal_0' for 'sm_90a'
// D256C-NEXT: Function properties for fa2_attention_d256_causal_0
// D256C-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// GQA: Compiling entry function 'fa2_attention_gqa_bshd_lse_0' for 'sm_90a'
// GQA-NEXT: Function properties for fa2_attention_gqa_bshd_lse_0
// GQA-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// GQA: Compiling entry function 'fa2_attention_gqa_bshd_lse_0_v1' for 'sm_90a'
// GQA-NEXT: Function properties for fa2_attention_gqa_bshd_lse_0_v1
// GQA-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// D128CF: Compiling entry function 'fa2_attention_d128_causal_f16_lse_0' for 'sm_90a'
// D128CF-NEXT: Function properties for fa2_attention_d128_causal_f16_lse_0
// D128CF-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// D128CF: Compiling entry function 'fa2_attention_d128_causal_f16_lse_0_v1' for 'sm_90a'
// D128CF-NEXT: Function properties for fa2_attention_d128_causal_f16_lse_0_v1
// D128CF-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// GQA64: Compiling entry function 'fa2_attention_gqa64_bshd_lse_0' for 'sm_90a'
// GQA64-NEXT: Function properties for fa2_attention_gqa64_bshd_lse_0
// GQA64-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// GQA64: Compiling entry function 'fa2_attention_gqa64_bshd_lse_0_v1' for 'sm_90a'
// GQA64-NEXT: Function properties for fa2_attention_gqa64_bshd_lse_0_v1
// GQA64-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads

func.func @d64(%q: tensor<?x16x?x64xbf16>, %k: tensor<?x16x?x64xbf16>, %v: tensor<?x16x?x64xbf16>) -> tensor<?x16x?x64xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.125) : tensor<?x16x?x64xbf16>, tensor<?x16x?x64xbf16>, tensor<?x16x?x64xbf16> -> tensor<?x16x?x64xbf16>
  return %o : tensor<?x16x?x64xbf16>
}

// -----

func.func @d64_causal(%q: tensor<?x16x?x64xbf16>, %k: tensor<?x16x?x64xbf16>, %v: tensor<?x16x?x64xbf16>) -> tensor<?x16x?x64xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.125) causal : tensor<?x16x?x64xbf16>, tensor<?x16x?x64xbf16>, tensor<?x16x?x64xbf16> -> tensor<?x16x?x64xbf16>
  return %o : tensor<?x16x?x64xbf16>
}

// -----

func.func @d128(%q: tensor<?x16x?x128xbf16>, %k: tensor<?x16x?x128xbf16>, %v: tensor<?x16x?x128xbf16>) -> tensor<?x16x?x128xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.088) : tensor<?x16x?x128xbf16>, tensor<?x16x?x128xbf16>, tensor<?x16x?x128xbf16> -> tensor<?x16x?x128xbf16>
  return %o : tensor<?x16x?x128xbf16>
}

// -----

func.func @d128_causal(%q: tensor<?x16x?x128xbf16>, %k: tensor<?x16x?x128xbf16>, %v: tensor<?x16x?x128xbf16>) -> tensor<?x16x?x128xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.088) causal : tensor<?x16x?x128xbf16>, tensor<?x16x?x128xbf16>, tensor<?x16x?x128xbf16> -> tensor<?x16x?x128xbf16>
  return %o : tensor<?x16x?x128xbf16>
}

// -----

func.func @d256(%q: tensor<?x8x?x256xbf16>, %k: tensor<?x8x?x256xbf16>, %v: tensor<?x8x?x256xbf16>) -> tensor<?x8x?x256xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.0625) : tensor<?x8x?x256xbf16>, tensor<?x8x?x256xbf16>, tensor<?x8x?x256xbf16> -> tensor<?x8x?x256xbf16>
  return %o : tensor<?x8x?x256xbf16>
}

// -----

func.func @d256_causal(%q: tensor<?x8x?x256xbf16>, %k: tensor<?x8x?x256xbf16>, %v: tensor<?x8x?x256xbf16>) -> tensor<?x8x?x256xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.0625) causal : tensor<?x8x?x256xbf16>, tensor<?x8x?x256xbf16>, tensor<?x8x?x256xbf16> -> tensor<?x8x?x256xbf16>
  return %o : tensor<?x8x?x256xbf16>
}

// -----

func.func @gqa_bshd_lse(%q: tensor<?x?x32x128xbf16>, %k: tensor<?x?x8x128xbf16>, %v: tensor<?x?x8x128xbf16>) -> (tensor<?x?x32x128xbf16>, tensor<?x32x?xf32>) {
  %o, %lse = fa2.attention %q, %k, %v scale(0.088) causal layout<bshd> : tensor<?x?x32x128xbf16>, tensor<?x?x8x128xbf16>, tensor<?x?x8x128xbf16> -> tensor<?x?x32x128xbf16>, tensor<?x32x?xf32>
  return %o, %lse : tensor<?x?x32x128xbf16>, tensor<?x32x?xf32>
}

// -----

func.func @gqa64_bshd_lse(%q: tensor<?x?x32x64xf16>, %k: tensor<?x?x8x64xf16>, %v: tensor<?x?x8x64xf16>) -> (tensor<?x?x32x64xf16>, tensor<?x32x?xf32>) {
  %o, %lse = fa2.attention %q, %k, %v scale(0.125) causal layout<bshd> : tensor<?x?x32x64xf16>, tensor<?x?x8x64xf16>, tensor<?x?x8x64xf16> -> tensor<?x?x32x64xf16>, tensor<?x32x?xf32>
  return %o, %lse : tensor<?x?x32x64xf16>, tensor<?x32x?xf32>
}

// -----

func.func @d128_causal_f16_lse(%q: tensor<?x16x?x128xf16>, %k: tensor<?x16x?x128xf16>, %v: tensor<?x16x?x128xf16>) -> (tensor<?x16x?x128xf16>, tensor<?x16x?xf32>) {
  %o, %lse = fa2.attention %q, %k, %v scale(0.088) causal : tensor<?x16x?x128xf16>, tensor<?x16x?x128xf16>, tensor<?x16x?x128xf16> -> tensor<?x16x?x128xf16>, tensor<?x16x?xf32>
  return %o, %lse : tensor<?x16x?x128xf16>, tensor<?x16x?xf32>
}
