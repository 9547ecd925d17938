# Reads a combine kernel's gpu.func (fa2-opt --fa2-lower-to-gpu) and prints,
# in order, what its lines do, runs of the same collapsed into "COUNT what":
# loops, ifs, global loads (partials, L_s) and stores (O, LSE), loads and
# stores of the shared merge states, exp2, vector FMAs, shuffles and CTA
# barriers. decode.mlir checks the order (a trip's loads
# before its arithmetic; the groups' shuffles; the warps' states).
function see(what) {
  if (what == last) { count++; return }
  if (count) printf "%d %s ", count, last
  last = what; count = 1
}
/scf\.for/ { see("for"); next }
/scf\.if/ { see("if"); next }
/(memref|vector)\.load .*workgroup/ { see("load-state"); next }
/(memref|vector)\.load/ { see("load"); next }
/(memref|vector)\.store .*workgroup/ { see("store-state"); next }
/(memref|vector)\.store/ { see("store"); next }
/math\.exp2/ { see("exp2"); next }
/vector\.fma/ { see("fma"); next }
/gpu\.barrier/ { see("barrier"); next }
/gpu\.shuffle/ { see("shuffle"); next }
END { if (count) printf "%d %s\n", count, last }
