// The wgmma kernel with rescale_threshold >= 0 (OnlineSoftmax::rescaleRows):
// after Q·Kᵀ's wait, one vote over the warp on each thread's own row maxima
// decides whether the references move; the row maxima's shuffles and
// alpha's exp2 run only in that branch (else the old maxes and alpha = 1),
// and after P·V's wait O is multiplied only under the same vote. The
// table's rows ask for 8 (chip=sm_90a alone, the first run line); with -1 every block
// shuffles and multiplies, no vote (the second).
// RUN: fa2-opt %s --fa2-lower-to-gpu="chip=sm_90a" | FileCheck %s --check-prefix=LAZY
// RUN: fa2-opt %s --fa2-lower-to-gpu="chip=sm_90a schedule=mma=wgmma,rescale_threshold=-1" | FileCheck %s --check-prefix=EAGER

// LAZY-LABEL: gpu.func @fa2_attention_d64_0
// LAZY-SAME: rescale_threshold = 8,
// LAZY: scf.for
// LAZY: nvvm.wgmma.wait.group.sync.aligned 1
// LAZY: %[[VOTE:.*]] = nvvm.vote.sync  any %{{.*}}, %{{.*}} -> i1
// LAZY-NEXT: %[[REF:.*]]:4 = scf.if %[[VOTE]] -> (f32, f32, f32, f32) {
// LAZY-NEXT: gpu.shuffle  xor
// LAZY: math.exp2
// LAZY: gpu.shuffle  xor
// LAZY: math.exp2
// LAZY: scf.yield
// LAZY-NEXT: } else {
// LAZY-NEXT: scf.yield %{{.*}}, %[[ONE:.*]], %{{.*}}, %[[ONE]] : f32, f32, f32, f32
// LAZY: math.exp2
// LAZY: nvvm.wgmma.wait.group.sync.aligned 0
// LAZY: scf.if %[[VOTE]] -> (!llvm.struct<
// LAZY-NEXT: arith.mulf %{{.*}}, %[[REF]]#1 : f32
// LAZY: } else {
// LAZY-NEXT: scf.yield
// LAZY: nvvm.wgmma.wait.group.sync.aligned 0

// EAGER-LABEL: gpu.func @fa2_attention_d64_0
// EAGER-SAME: rescale_threshold = -1,
// EAGER: scf.for
// EAGER: nvvm.wgmma.wait.group.sync.aligned 1
// EAGER-NOT: nvvm.vote.sync
// EAGER-NOT: scf.if
// EAGER: gpu.shuffle  xor
// EAGER-NOT: nvvm.vote.sync
// EAGER-NOT: scf.if
// EAGER: nvvm.wgmma.wait.group.sync.aligned 0
// EAGER-NOT: scf.if
// EAGER: arith.mulf
// EAGER-NOT: scf.if
// EAGER: scf.yield
func.func @d64(%q: tensor<1x16x4096x64xbf16>, %k: tensor<1x16x4096x64xbf16>, %v: tensor<1x16x4096x64xbf16>) -> tensor<1x16x4096x64xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.125) : tensor<1x16x4096x64xbf16>, tensor<1x16x4096x64xbf16>, tensor<1x16x4096x64xbf16> -> tensor<1x16x4096x64xbf16>
  return %o : tensor<1x16x4096x64xbf16>
}
