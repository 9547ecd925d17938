// The schedule field exp2_on_fma = N: one probability in every N of a
// thread's row scores is 2^x computed on the FMA and integer pipes
// (KernelIRBuilder::exp2OnFma) instead of the MUFU's ex2.approx, in the
// wgmma kernel and in the mma.sync kernel; without the field every one is
// a math.exp2 and the schedule does not name the field.
// RUN: fa2-opt %s --fa2-lower-to-gpu="chip=sm_90a schedule=mma=wgmma,exp2_on_fma=4" | FileCheck %s --check-prefix=WGMMA
// RUN: fa2-opt %s --fa2-lower-to-gpu="schedule=exp2_on_fma=2" | FileCheck %s --check-prefix=SYNC
// RUN: fa2-opt %s --fa2-lower-to-gpu="chip=sm_90a schedule=mma=wgmma" | FileCheck %s --check-prefix=DEFAULT
// RUN: rm -rf %t && fa2-opt %s --fa2-to-ptx="chip=sm_90a schedule=mma=wgmma,exp2_on_fma=4 manifest-dir=%t" -o /dev/null
// RUN: FileCheck %s --check-prefix=PTX --input-file=%t/fa2_attention_d64_0.ptx
// RUN: FileCheck %s --check-prefix=JSON --input-file=%t/fa2_attention_d64_0.json
// RUN: not fa2-opt %s --fa2-lower-to-gpu="schedule=exp2_on_fma=65" 2>&1 | FileCheck %s --check-prefix=RANGE

// The wgmma accumulator's element 4i + {0, 1} is row g's, 4i + {2, 3} row
// g + 8's: row g's fourth score is element 5. Its exponent x = s·c - m·c
// (one FMA) is clamped at -125, rounded to j by the 1.5·2^23 addend, f = x
// - j goes through the cubic, j << 23 is added to its bits, and x below
// -125 (or NaN) gives 0.
// WGMMA-LABEL: gpu.func @fa2_attention_d64_0
// WGMMA-SAME: exp2_on_fma = 4,
// WGMMA-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// WGMMA-DAG: %[[C0:.*]] = arith.constant 0.99992454 : f32
// WGMMA-DAG: %[[C1:.*]] = arith.constant 0.693136751 : f32
// WGMMA-DAG: %[[C2:.*]] = arith.constant 0.242639482 : f32
// WGMMA-DAG: %[[C3:.*]] = arith.constant 0.0558382832 : f32
// WGMMA-DAG: %[[MAGIC:.*]] = arith.constant 0x4B400000 : f32
// WGMMA-DAG: %[[LOW:.*]] = arith.constant -1.250000e+02 : f32
// WGMMA: %[[X:.*]] = math.fma %[[S:.*]]#5, %{{.*}}, %{{.*}} : f32
// WGMMA-NEXT: %[[CL:.*]] = arith.maxnumf %[[X]], %[[LOW]] : f32
// WGMMA-NEXT: %[[SH:.*]] = arith.addf %[[CL]], %[[MAGIC]] : f32
// WGMMA-NEXT: %[[J:.*]] = arith.subf %[[SH]], %[[MAGIC]] : f32
// WGMMA-NEXT: %[[F:.*]] = arith.subf %[[CL]], %[[J]] : f32
// WGMMA-NEXT: %[[P3:.*]] = math.fma %[[C3]], %[[F]], %[[C2]] : f32
// WGMMA-NEXT: %[[P2:.*]] = math.fma %[[P3]], %[[F]], %[[C1]] : f32
// WGMMA-NEXT: %[[P:.*]] = math.fma %[[P2]], %[[F]], %[[C0]] : f32
// WGMMA-NEXT: %[[JB:.*]] = arith.bitcast %[[SH]] : f32 to i32
// WGMMA-NEXT: %[[JS:.*]] = arith.shli %[[JB]], %{{.*}} : i32
// WGMMA-NEXT: %[[PB:.*]] = arith.bitcast %[[P]] : f32 to i32
// WGMMA-NEXT: %[[RB:.*]] = arith.addi %[[PB]], %[[JS]] : i32
// WGMMA-NEXT: %[[R:.*]] = arith.bitcast %[[RB]] : i32 to f32
// WGMMA-NEXT: %[[TINY:.*]] = arith.cmpf ult, %[[X]], %[[LOW]] : f32
// WGMMA-NEXT: arith.select %[[TINY]], %[[ZERO]], %[[R]] : f32
// The next element (6: row g + 8's third score) is the MUFU's.
// WGMMA-NEXT: arith.addf
// WGMMA-NEXT: %[[X6:.*]] = math.fma %[[S]]#6, %{{.*}}, %{{.*}} : f32
// WGMMA-NEXT: math.exp2 %[[X6]] fastmath<afn> : f32

// mma.sync (sm_80): every second score of a row.
// SYNC-LABEL: gpu.func @fa2_attention_d64_0
// SYNC-SAME: exp2_on_fma = 2,
// SYNC: arith.constant 0x4B400000 : f32
// SYNC: arith.shli
// SYNC: arith.cmpf ult

// DEFAULT-LABEL: gpu.func @fa2_attention_d64_0
// DEFAULT-NOT: exp2_on_fma
// DEFAULT-NOT: 0x4B400000
// DEFAULT: math.exp2
// DEFAULT-NOT: 0x4B400000
// DEFAULT: gpu.return

// PTX: .entry fa2_attention_d64_0(
// PTX: add.rn.f32 [[SH:%r[0-9]+]], {{%r[0-9]+}}, 0f4B400000;
// PTX: shl.b32 {{%r[0-9]+}}, [[SH]], 23;
// PTX: ex2.approx.ftz.f32
// JSON: "exp2_on_fma": 4,

// RANGE: field 'exp2_on_fma' = 65: expected an integer from 0 to 64
func.func @d64(%q: tensor<1x16x4096x64xbf16>, %k: tensor<1x16x4096x64xbf16>, %v: tensor<1x16x4096x64xbf16>) -> tensor<1x16x4096x64xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.125) causal : tensor<1x16x4096x64xbf16>, tensor<1x16x4096x64xbf16>, tensor<1x16x4096x64xbf16> -> tensor<1x16x4096x64xbf16>
  return %o : tensor<1x16x4096x64xbf16>
}
