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
  // `fa2.schedule` on an op must hold a #fa2.schedule.
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    /// The discardable attribute naming an op's GPU schedule: on an
    /// fa2.attention, fields the GPU lowering must use; on a kernel it built,
    /// the whole schedule it used.
    static constexpr ::llvm::StringLiteral getScheduleAttrName() {
      return ::llvm::StringLiteral("fa2.schedule");
    }
    /// The discardable attribute on a builtin.module carrying the JSON
    /// manifests of the kernels fa2-lower-to-gpu put in it, by kernel name,
    /// until fa2-write-kernels, which knows their binaries, writes them.
    static constexpr ::llvm::StringLiteral getManifestsAttrName() {
      return ::llvm::StringLiteral("fa2.manifests");
    }
  }];
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

//===----------------------------------------------------------------------===//
// GPU schedule.
//===----------------------------------------------------------------------===//

def FA2_ScheduleAttr : AttrDef<FA2_Dialect, "Schedule"> {
  let mnemonic = "schedule";
  let summary = "fields of a GPU kernel schedule, by name";
  let description = [{
    A GPU schedule written as named fields: an integer, `true`/`false`, or a
    bare word (`swizzle = pad`, `kv_splits = auto`).

    ```mlir
    #fa2.schedule<block_m = 64, block_n = 64, warps = 4, stages = 2, swizzle = xor>
    ```

    On an `fa2.attention` (as the discardable attribute `fa2.schedule`) it
    holds the fields the GPU lowering must use for that op, over the schedule
    table's choice and under the `schedule` option of `fa2-lower-to-gpu` and
    `fa2-to-ptx`; any field left out is the table's. On a kernel the lowering
    built it holds every field of the schedule that kernel was built with,
    the same fields the manifest's `schedule` prints. The dialect checks only
    the form; which names exist and which values they take is the GPU
    lowering's (lib/Conversion/AttentionToGPU/Schedule.cpp), which reports an
    unknown name or a value out of range at the op.
  }];
  let parameters = (ins "::mlir::DictionaryAttr":$fields);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

#endif // FA2_ATTENTION_DIALECT_TD
