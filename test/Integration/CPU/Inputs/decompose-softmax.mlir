// Transform library for the upstream reference path of the differential
// tests: decomposes every linalg.softmax with upstream's own
// AggregatedOpInterface::decomposeOperation, so that the reference numbers
// come from MLIR alone.
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %softmax = transform.structured.match ops{["linalg.softmax"]} in %root
        : (!transform.any_op) -> !transform.any_op
    %decomposed = transform.structured.decompose_interface %softmax
        : (!transform.any_op) -> !transform.any_op
    transform.yield
  }
}
