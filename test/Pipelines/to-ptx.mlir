// RUN: rm -rf %t && fa2-opt %s --split-input-file --fa2-to-ptx="manifest-dir=%t" | FileCheck %s
// RUN: FileCheck %s --check-prefix=PTX --input-file=%t/fa2_attention_gqa_0.ptx
// RUN: FileCheck %s --check-prefix=BF16 --input-file=%t/fa2_attention_causal_bf16_0.ptx
// RUN: FileCheck %s --check-prefix=JSON --input-file=%t/fa2_attention_gqa_0.json
// RUN: fa2-opt %s --split-input-file --fa2-to-ptx="chip=sm_80" | FileCheck %s --check-prefix=SM80
// RUN: fa2-opt %s --split-input-file --fa2-to-ptx="chip=sm_90a schedule=block_m=64,block_n=32,warps=2,stages=1,min_blocks_per_sm=4" | FileCheck %s --check-prefix=OPTS
// fa2-to-ptx: from tensors to a host module that launches a gpu.binary holding
// PTX, with the PTX and a manifest per kernel written beside each other.

// The host keeps the launch; the kernel is serialized as assembly.
// CHECK: module attributes {gpu.container_module}
// CHECK: gpu.binary @fa2_attention_gqa_0 [#gpu.object<#nvvm.target<O = 3, chip = "sm_90">, {{.*}}assembly = "{{.*}}.entry fa2_attention_gqa_0(
// CHECK-LABEL: llvm.func @gqa
// CHECK: gpu.launch_func <%{{.*}} : !llvm.ptr> @fa2_attention_gqa_0::@fa2_attention_gqa_0 blocks in
// CHECK-NOT: fa2.attention
// SM80: gpu.binary @fa2_attention_gqa_0 [#gpu.object<#nvvm.target<O = 3, chip = "sm_80">, {{.*}}.target sm_80
// OPTS: gpu.binary @fa2_attention_gqa_0 [#gpu.object<#nvvm.target<O = 3, chip = "sm_90a">, {{.*}}.target sm_90a{{.*}}.maxntid 64, 1, 1{{.*}}.minnctapersm 4

// In the PTX text, FlashAttention-2's instructions, 4 warps per CTA (the
// loop body is laid out before its header, so the order is not checked).
// PTX: .target sm_90
// PTX: .visible .entry fa2_attention_gqa_0(
// PTX: .maxntid 128, 1, 1
// Q, then K/V blocks, by 16-byte cp.async into shared memory.
// PTX-DAG: cp.async.cg.shared.global [{{.*}}], [{{.*}}], 16;
// PTX-DAG: cp.async.commit_group;
// PTX-DAG: cp.async.wait_group 0;
// PTX-DAG: bar.sync 0;
// Tensor cores, operands from ldmatrix (.trans for V).
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// PTX-DAG: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// Softmax: quad shuffles, exp2 of an FMA, P converted in registers.
// PTX-DAG: shfl.sync.bfly.b32 {{.*}}, 1, 31, -1;
// PTX-DAG: shfl.sync.bfly.b32 {{.*}}, 2, 31, -1;
// PTX-DAG: vote.sync.any.pred
// PTX-DAG: fma.rn.f32
// PTX-DAG: ex2.approx.ftz.f32
// PTX-DAG: cvt.rn.f16x2.f32
// PTX-DAG: rcp.rn.f32
// PTX-DAG: lg2.approx.ftz.f32
// No libdevice calls, no local memory.
// RUN: not grep -E "__nv_|\.local" %t/fa2_attention_gqa_0.ptx %t/fa2_attention_causal_bf16_0.ptx

// JSON: "binary": "fa2_attention_gqa_0.ptx",
// JSON: "kernel": "fa2_attention_gqa_0",
func.func @gqa(%q: tensor<2x8x256x64xf16>, %k: tensor<2x2x256x64xf16>, %v: tensor<2x2x256x64xf16>) -> (tensor<2x8x256x64xf16>, tensor<2x8x256xf32>) {
  %o, %lse = fa2.attention %q, %k, %v scale(0.125) : tensor<2x8x256x64xf16>, tensor<2x2x256x64xf16>, tensor<2x2x256x64xf16> -> tensor<2x8x256x64xf16>, tensor<2x8x256xf32>
  return %o, %lse : tensor<2x8x256x64xf16>, tensor<2x8x256xf32>
}

// -----

// bf16, causal, tails: zero-filling cp.async (src-size operand), bf16 mma.
// BF16-DAG: cp.async.cg.shared.global [{{.*}}], [{{.*}}], 16, %r{{[0-9]+}};
// BF16-DAG: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// BF16-DAG: ex2.approx.ftz.f32
// BF16-DAG: cvt.rn.bf16x2.f32
func.func @causal_bf16(%q: tensor<1x4x200x128xbf16>, %k: tensor<1x4x300x128xbf16>, %v: tensor<1x4x300x128xbf16>) -> tensor<1x4x200x128xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.088) causal : tensor<1x4x200x128xbf16>, tensor<1x4x300x128xbf16>, tensor<1x4x300x128xbf16> -> tensor<1x4x200x128xbf16>
  return %o : tensor<1x4x200x128xbf16>
}

// -----

// The whole way: an attention chain in linalg is raised to fa2.attention,
// lowered to the kernel, and the K transpose it needs runs on the host.
// CHECK: gpu.binary @fa2_attention_chain_0 [#gpu.object<#nvvm.target<O = 3, chip = "sm_90">, {{.*}}mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// CHECK-LABEL: llvm.func @chain
// CHECK: gpu.launch_func <%{{.*}} : !llvm.ptr> @fa2_attention_chain_0::@fa2_attention_chain_0
// CHECK-NOT: linalg.
func.func @chain(%q: tensor<4x16x64xf16>, %kt: tensor<4x64x16xf16>, %v: tensor<4x16x64xf16>) -> tensor<4x16x64xf16> {
  %cst = arith.constant 0.000000e+00 : f16
  %scale = arith.constant dense<0.125> : tensor<4x16x16xf16>
  %e0 = tensor.empty() : tensor<4x16x16xf16>
  %z0 = linalg.fill ins(%cst : f16) outs(%e0 : tensor<4x16x16xf16>) -> tensor<4x16x16xf16>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<4x16x64xf16>, tensor<4x64x16xf16>) outs(%z0 : tensor<4x16x16xf16>) -> tensor<4x16x16xf16>
  %e1 = tensor.empty() : tensor<4x16x16xf16>
  %ss = linalg.mul ins(%s, %scale : tensor<4x16x16xf16>, tensor<4x16x16xf16>) outs(%e1 : tensor<4x16x16xf16>) -> tensor<4x16x16xf16>
  %e2 = tensor.empty() : tensor<4x16x16xf16>
  %p = linalg.softmax dimension(2) ins(%ss : tensor<4x16x16xf16>) outs(%e2 : tensor<4x16x16xf16>) -> tensor<4x16x16xf16>
  %e3 = tensor.empty() : tensor<4x16x64xf16>
  %z3 = linalg.fill ins(%cst : f16) outs(%e3 : tensor<4x16x64xf16>) -> tensor<4x16x64xf16>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x16x16xf16>, tensor<4x16x64xf16>) outs(%z3 : tensor<4x16x64xf16>) -> tensor<4x16x64xf16>
  return %o : tensor<4x16x64xf16>
}
