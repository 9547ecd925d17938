// Pipeline options no lowering can honour are errors located at the option
// (the pipeline's textual form), short, and fatal, before anything is lowered.
// RUN: not fa2-opt %s --split-input-file --fa2-to-ptx="chip=sm_100" 2>&1 | FileCheck %s --check-prefix=CHIP --implicit-check-not="see current operation"
// RUN: not fa2-opt %s --split-input-file --fa2-to-ptx="schedule=block_m=48" 2>&1 | FileCheck %s --check-prefix=BLOCKM --implicit-check-not=remark
// RUN: not fa2-opt %s --split-input-file --fa2-to-ptx="schedule=warps=99" 2>&1 | FileCheck %s --check-prefix=WARPS
// RUN: touch %t.file && not fa2-opt %s --split-input-file --fa2-to-ptx="manifest-dir=%t.file/m" 2>&1 | FileCheck %s --check-prefix=DIR
// RUN: not fa2-opt %s --split-input-file --fa2-to-cpu="block-q=0" 2>&1 | FileCheck %s --check-prefix=BLOCKQ
// RUN: not fa2-opt %s --split-input-file --fa2-to-cpu="block-k=1099511627776" 2>&1 | FileCheck %s --check-prefix=BLOCKK
// RUN: not fa2-opt %s --split-input-file --fa2-to-cpu="block-q=1024 block-k=1024" 2>&1 | FileCheck %s --check-prefix=TILE

// CHIP: fa2-to-ptx{chip=sm_100}:1:12: error: fa2-to-ptx: option chip='sm_100': unknown chip (expected one of sm_80, sm_86, sm_87, sm_89, sm_90, sm_90a)
// An explicit schedule that cannot run is an error at the op, not a remark
// and a silent fallback to the host.
// BLOCKM: invalid-options.mlir:[[# @LINE + 7]]:8: error: fa2-lower-to-gpu: the schedule the options ask for cannot run this kernel: block_m (48) must be a multiple of 16 x warps (64)
// WARPS: fa2-to-ptx{schedule=warps=99}:1:12: error: fa2-to-ptx: option schedule='warps=99': field 'warps' = 99: expected an integer from 1 to 16
// DIR: fa2-to-ptx{manifest-dir={{.*}}}:1:12: error: fa2-to-ptx: option manifest-dir='{{.*}}.file/m': cannot create the folder: Not a directory
// BLOCKQ: fa2-to-cpu{block-q=0}:1:12: error: fa2-to-cpu: option block-q='0': expected 1 to 1024
// BLOCKK: fa2-to-cpu{block-k=1099511627776}:1:12: error: fa2-to-cpu: option block-k='1099511627776': expected 1 to 1024
// TILE: fa2-to-cpu{block-q=1024}:1:12: error: fa2-to-cpu: option block-q='1024': block-q x block-k = 1048576 scores per block is more than the 65536 the stack-allocated tile may hold
func.func @attention(%q: tensor<1x2x128x64xf16>, %k: tensor<1x2x128x64xf16>, %v: tensor<1x2x128x64xf16>) -> tensor<1x2x128x64xf16> {
  %o = fa2.attention %q, %k, %v scale(0.125) : tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16> -> tensor<1x2x128x64xf16>
  return %o : tensor<1x2x128x64xf16>
}

// -----

// RUN: not fa2-opt %s --split-input-file --fa2-to-ptx 2>&1 | FileCheck %s --check-prefix=NESTED
// RUN: not fa2-opt %s --split-input-file --fa2-to-cpu 2>&1 | FileCheck %s --check-prefix=NESTED-CPU
// The pipelines' passes nest under the module they run on; a nested module
// is reported, at its location, rather than left half lowered.
// NESTED: invalid-options.mlir:[[# @LINE + 3]]:3: error: fa2-to-ptx lowers the functions of one module, not those of a nested builtin.module: run it on this module instead, e.g. --pass-pipeline='builtin.module(builtin.module(fa2-to-ptx))'
// NESTED-CPU: invalid-options.mlir:[[# @LINE + 2]]:3: error: fa2-to-cpu lowers the functions of one module
module {
  module @inner {
    func.func @attention(%q: tensor<1x2x128x64xf16>) -> tensor<1x2x128x64xf16> {
      %o = fa2.attention %q, %q, %q scale(0.125) : tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16> -> tensor<1x2x128x64xf16>
      return %o : tensor<1x2x128x64xf16>
    }
  }
}
