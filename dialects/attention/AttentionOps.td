//===- AttentionOps.td - fa2.attention ---------------------*- tablegen -*-===//
//
// The one op of the fa2 dialect: scaled dot-product attention on tensors.
//
//===----------------------------------------------------------------------===//

#ifndef FA2_ATTENTION_OPS_TD
#define FA2_ATTENTION_OPS_TD

include "AttentionDialect.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/BuiltinAttributes.td"

class FA2_Op<string mnemonic, list<Trait> traits = []>
    : Op<FA2_Dialect, mnemonic, traits>;

def FA2_AttentionElementType : AnyTypeOf<[F16, BF16, F32]>;
def FA2_MaskElementType : AnyTypeOf<[F16, BF16, F32, I1]>;

def FA2_AttentionOp : FA2_Op<"attention", [Pure]> {
  let summary = "scaled dot-product attention, softmax in fp32";
  let description = [{
    Computes, for every batch index `b…`, query head `h` and query row `i`:

    ```
    g      = h / (Hq / Hkv)                      // the K/V head that h reads
    s[j]   = scale · Σ_d Q[b…,h,i,d] · K[b…,g,j,d] + mask[b…,h,i,j]
    s[j]   = -inf  where causal and j > i + (Sk - Sq)
    m      = max_j s[j]
    O[b…,h,i,:] = Σ_j exp(s[j] - m) · V[b…,g,j,:] / Σ_j exp(s[j] - m)
    LSE[b…,h,i] = m + log Σ_j exp(s[j] - m)
    ```

    Layout: with `layout<bhsd>` (the default, elided) Q is
    `[batch…, Hq, Sq, D]`, K is `[batch…, Hkv, Sk, D]`, V is
    `[batch…, Hkv, Sk, Dv]` and O is `[batch…, Hq, Sq, Dv]`. With
    `layout<bshd>` the head and sequence dimensions of all four swap places
    (`[batch…, S, H, D]`, as PyTorch's and JAX's exporters produce), so
    that no transpose needs to be materialized. There may be any number of
    batch dimensions, including none. The LSE result is always
    `[batch…, Hq, Sq]` and f32.

    Grouped- and multi-query attention are native: `Hq` must be a multiple
    of `Hkv`, and query head `h` reads K/V head `h / (Hq / Hkv)`.

    `mask`, if present, is broadcast to the scores `[batch…, Hq, Sq, Sk]`
    numpy-style (aligned on the right; each of its dimensions is 1 or the
    score's). A float mask is added to the scaled scores; an `i1` mask keeps
    the scores where it is true and sets them to -inf elsewhere.

    `causal` masks key `j` for query `i` when `j > i + (Sk - Sq)`: the mask
    is aligned to the bottom-right corner when `Sq != Sk`, as in
    FlashAttention ≥ 2.1, so the last query sees every key.

    Numerics contract: the scores, the softmax and the accumulation are
    computed in f32 whatever the element type of Q, K and V (f16, bf16 or
    f32); the output is rounded once to its element type. A row whose every
    score is masked gives an output of 0 and an LSE of +inf (never NaN).
    Dimensions may be dynamic (`?`).

    Example (grouped-query attention, 8 query heads over 2 K/V heads, causal,
    with the log-sum-exp returned):

    ```mlir
    %o, %lse = fa2.attention %q, %k, %v scale(0.125) causal
        : tensor<2x8x128x64xf16>, tensor<2x2x128x64xf16>, tensor<2x2x128x64xf16>
        -> tensor<2x8x128x64xf16>, tensor<2x8x128xf32>
    ```
  }];

  let arguments = (ins
    RankedTensorOf<[FA2_AttentionElementType]>:$query,
    RankedTensorOf<[FA2_AttentionElementType]>:$key,
    RankedTensorOf<[FA2_AttentionElementType]>:$value,
    Optional<RankedTensorOf<[FA2_MaskElementType]>>:$mask,
    F32Attr:$scale,
    UnitAttr:$causal,
    DefaultValuedAttr<FA2_LayoutAttr, "::fa2::Layout::BHSD">:$layout
  );
  let results = (outs
    RankedTensorOf<[FA2_AttentionElementType]>:$output,
    Optional<RankedTensorOf<[F32]>>:$lse
  );

  let assemblyFormat = [{
    $query `,` $key `,` $value (`mask` `(` $mask^ `)`)? `scale` `(` $scale `)`
    (`causal` $causal^)? (`layout` `` $layout^)? attr-dict
    `:` type($query) `,` type($key) `,` type($value) (`,` type($mask)^)?
    `->` type($output) (`,` type($lse)^)?
  }];

  let hasVerifier = 1;

  let extraClassDeclaration = [{
    /// Number of leading batch dimensions (rank of Q minus 3).
    unsigned getNumBatchDims() {
      return getQuery().getType().getRank() - 3;
    }
    /// Positions of the head and sequence dimensions in Q, K, V and O.
    unsigned getHeadDimPos() {
      return getNumBatchDims() + (getLayout() == ::fa2::Layout::BHSD ? 0 : 1);
    }
    unsigned getSeqDimPos() {
      return getNumBatchDims() + (getLayout() == ::fa2::Layout::BHSD ? 1 : 0);
    }
    unsigned getFeatureDimPos() { return getNumBatchDims() + 2; }
  }];
}

#endif // FA2_ATTENTION_OPS_TD
