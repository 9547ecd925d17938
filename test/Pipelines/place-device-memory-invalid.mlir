// RUN: fa2-opt %s --split-input-file --fa2-place-device-memory -verify-diagnostics
//
// What fa2-place-device-memory does not place yet is a located error, not a
// wrong copy: a device buffer (here, what a function returns) that a loop
// or branch carries on.

func.func private @make(%n: index) -> memref<?xf32> {
  %m = memref.alloc(%n) : memref<?xf32>
  return %m : memref<?xf32>
}

func.func @yielded(%c: i1, %n: index, %a: memref<?xf32>) -> memref<?xf32> {
  %m = func.call @make(%n) : (index) -> memref<?xf32>
  %r = scf.if %c -> (memref<?xf32>) {
    // expected-error @+1 {{fa2-to-ptx: a device buffer is carried through 'scf.yield'}}
    scf.yield %m : memref<?xf32>
  } else {
    scf.yield %a : memref<?xf32>
  }
  return %r : memref<?xf32>
}
