// Debian's stock mlir-opt loads fa2's dialect and passes from the plugin
// (plugin passes are named in --pass-pipeline, as upstream's standalone example).
// RUN: mlir-opt %s --load-dialect-plugin=%fa2_plugin --load-pass-plugin=%fa2_plugin | FileCheck %s --check-prefix=ROUNDTRIP
// RUN: mlir-opt %fa2_src_root/test/Plugin/Inputs/chain.mlir --load-dialect-plugin=%fa2_plugin --load-pass-plugin=%fa2_plugin --pass-pipeline="builtin.module(fa2-raise-attention)" | FileCheck %s --check-prefix=RAISE

// ROUNDTRIP-LABEL: func.func @roundtrip
// ROUNDTRIP: fa2.attention %{{.*}}, %{{.*}}, %{{.*}} scale(1.250000e-01) causal
func.func @roundtrip(%q: tensor<2x8x16xf16>) -> tensor<2x8x16xf16> {
  %o = fa2.attention %q, %q, %q scale(0.125) causal : tensor<2x8x16xf16>, tensor<2x8x16xf16>, tensor<2x8x16xf16> -> tensor<2x8x16xf16>
  return %o : tensor<2x8x16xf16>
}

// RAISE-LABEL: func.func @attention
// RAISE: fa2.attention %{{.*}}, %{{.*}}, %{{.*}} scale(0.35355{{[0-9]*}})
// RAISE-NOT: linalg.softmax
