// Split-KV decode kernels, their PTX text. On sm_90 the splits signal
// griddepcontrol.launch_dependents before anything else and the combine
// waits in griddepcontrol.wait before its first load, and the manifest asks
// for the combine's programmatic dependent launch; on sm_80 (no
// griddepcontrol) neither instruction nor the manifest key. (combine =
// launch, the table's; last_cta is to-ptx-decode-last-cta.mlir.)
// RUN: rm -rf %t && fa2-opt %s --fa2-to-ptx="manifest-dir=%t schedule=combine=launch" -o /dev/null
// RUN: FileCheck %s --check-prefix=PTX --input-file=%t/fa2_attention_decode_0.ptx
// RUN: FileCheck %s --check-prefix=JSON --input-file=%t/fa2_attention_decode_0.json
// RUN: rm -rf %t.80 && fa2-opt %s --fa2-to-ptx="chip=sm_80 manifest-dir=%t.80 schedule=combine=launch" -o /dev/null
// RUN: FileCheck %s --check-prefix=SM80 --input-file=%t.80/fa2_attention_decode_0.ptx
// RUN: FileCheck %s --check-prefix=JSON80 --input-file=%t.80/fa2_attention_decode_0.json

// PTX: .target sm_90
// PTX: .visible .entry fa2_attention_decode_0(
// PTX-NOT: ld.global
// PTX-NOT: cp.async
// PTX: griddepcontrol.launch_dependents;
// PTX: cp.async
// PTX: .visible .entry fa2_attention_decode_0_combine(
// PTX-NOT: ld.global
// PTX: griddepcontrol.wait;
// PTX: ld.global
// The partials' 16-byte loads: a trip of 4 splits (a row of few), else of
// 16, each split's load once.
// PTX-COUNT-20: ld.global.v4.b32
// PTX-NOT: ld.global.v4.b32
// PTX: ret;

// JSON: "combine": {
// JSON: "kernel": "fa2_attention_decode_0_combine",
// JSON: "programmatic_dependent_launch": true

// SM80: .target sm_80
// SM80-NOT: griddepcontrol
// JSON80: "combine": {
// JSON80-NOT: programmatic_dependent_launch
// JSON80: "num_splits"

func.func @decode(%q: tensor<?x32x1x128xbf16>, %k: tensor<?x8x?x128xbf16>, %v: tensor<?x8x?x128xbf16>) -> tensor<?x32x1x128xbf16> {
  %o = fa2.attention %q, %k, %v scale(0.088388) : tensor<?x32x1x128xbf16>, tensor<?x8x?x128xbf16>, tensor<?x8x?x128xbf16> -> tensor<?x32x1x128xbf16>
  return %o : tensor<?x32x1x128xbf16>
}
