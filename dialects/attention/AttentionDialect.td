//===- AttentionDialect.td - the fa2 dialect ---------------*- tablegen -*-===//
//
// fa2 raises attention written as ordinary tensor ops to one op and lowers it
// to the FlashAttention-2 algorithm on CPUs and NVIDIA GPUs.
//
//===----------------------------------------------------------------------===//

#ifndef FA2_ATTENTION_DIALECT_TD
#define FA2_ATTENTION_DIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def FA2_Dialect : Dialect {
  let name = "fa2";
  let summary = "Scaled dot-product attention as one op, for FlashAttention-2 codegen";
  let description = [{
    The `fa2` dialect holds one computation, attention, as a single op whose
    semantics are stated exactly (scale, mask, causal alignment, grouped
    heads, precision), so that the blocked online-softmax algorithm of
    FlashAttention-2 (arXiv 2307.08691) can replace it on any target without
    changing what it computes.
  }];
  let cppNamespace = "::fa2";
  let useDefaultAttributePrinterParser = 1;
}

//===----------------------------------------------------------------------===//
// Layout of Q, K, V and O.
//===----------------------------------------------------------------------===//

def FA2_Layout_BHSD : I32EnumAttrCase<"BHSD", 0, "bhsd">;
def FA2_Layout_BSHD : I32EnumAttrCase<"BSHD", 1, "bshd">;

def FA2_Layout : I32EnumAttr<"Layout",
    "order of the head, sequence and feature dimensions",
    [FA2_Layout_BHSD, FA2_Layout_BSHD]> {
  let cppNamespace = "::fa2";
  let genSpecializedAttr = 0;
}

def FA2_LayoutAttr : EnumAttr<FA2_Dialect, FA2_Layout, "layout"> {
  let assemblyFormat = "`<` $value `>`";
}

#endif // FA2_ATTENTION_DIALECT_TD
