// The last-CTA combine (schedule field combine = last_cta, the op's; the
// decode table takes the combine launch; d = 128, 4 packed rows) through
// fa2-to-ptx: the host allocates the counters on the device and zeroes
// them on the function's stream before the one launch (no combine kernel);
// the PTX publishes the partials (membar.gl before the count), counts
// arrivals with a global atomic, tells the CTA with bar.red.or, and the
// CTA that arrived last fences, resets its counter and merges (its warp
// takes the 4 rows side by side in one online pass over the splits: no
// shuffles, no warp barrier).
// RUN: rm -rf %t && fa2-opt %s --fa2-to-ptx="manifest-dir=%t" | FileCheck %s
// RUN: FileCheck %s --check-prefix=PTX --input-file=%t/fa2_attention_decode_step_0.ptx

// CHECK-LABEL: llvm.func @decode_step(
// CHECK: llvm.call @mgpuMemAlloc(
// CHECK: llvm.call @mgpuMemset32(%{{.*}}, %{{.*}}, %{{.*}}, %[[STREAM:.*]]) :
// CHECK: gpu.launch_func <%[[STREAM]] : !llvm.ptr> @fa2_attention_decode_step_0::@fa2_attention_decode_step_0
// CHECK-NOT: gpu.launch_func
// The partials and the counters are freed on the stream after the launch.
// CHECK-COUNT-3: llvm.call @mgpuMemFree(%{{.*}}, %[[STREAM]])
// CHECK-NOT: gpu.launch_func
// CHECK: llvm.return

// PTX: .visible .entry fa2_attention_decode_step_0(
// PTX-NOT: griddepcontrol
// PTX: membar.gl;
// PTX-NEXT: bar.sync 0;
// PTX: atom.global.add.u32 [[OLD:%r[0-9]+]], [[[SLOT:%rd[0-9]+]]], 1;
// PTX: st.global.b32 [[[SLOT]]], 0;
// PTX: bar.red.or.pred
// PTX: membar.gl;
// PTX-NOT: shfl.sync
// PTX-NOT: bar.warp.sync
// PTX: ld.global.v4.b32
// PTX-NOT: shfl.sync
// PTX-NOT: bar.warp.sync
// PTX: ex2.approx
// PTX-NOT: shfl.sync
// PTX-NOT: .entry
func.func @decode_step(%q: tensor<?x32x1x128xbf16>, %k: tensor<?x8x?x128xbf16>, %v: tensor<?x8x?x128xbf16>) -> (tensor<?x32x1x128xbf16>, tensor<?x32x1xf32>) {
  %o, %lse = fa2.attention %q, %k, %v scale(0.08838834764831845) {fa2.schedule = #fa2.schedule<combine = last_cta>} : tensor<?x32x1x128xbf16>, tensor<?x8x?x128xbf16>, tensor<?x8x?x128xbf16> -> tensor<?x32x1x128xbf16>, tensor<?x32x1xf32>
  return %o, %lse : tensor<?x32x1x128xbf16>, tensor<?x32x1xf32>
}
