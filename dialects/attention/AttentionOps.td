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
    off    = Sk - Sq                             // bottom-right alignment
    keep(i,j) = (!causal || j <= i + off)
             && (!window || (j >= i + off - left && j <= i + off + right))
             && (mask is not i1 || mask[b…,h,i,j])
    s[j]   = keep(i,j) ? scale · Σ_d Q[b…,h,i,d] · K[b…,g,j,d] : fill
    s[j]  += mask[b…,h,i,j]                      // float mask only
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

    `window(left, right)` keeps, for query `i`, the keys `j` with
    `i + off - left <= j <= i + off + right` (a sliding window on the same
    bottom-right diagonal as `causal`; both bounds are inclusive and >= 0).
    With `causal` the effective right bound is `min(right, 0)`, so
    `causal window(left, 0)` is the usual causal sliding window of
    `left + 1` keys.

    `fill(x)` says what a removed score (by `causal`, `window` or an `i1`
    mask) is: the finite value `x` instead of -inf, as PyTorch's
    `masked_fill(mask, finfo.min)` or `-1e9` spell it. A float mask is
    still added to it. With a finite fill no row is empty: a row whose every
    score is removed is an ordinary softmax over the fill values, i.e. for
    a constant fill and no float mask the mean of V over all keys and an
    LSE of `x + log(Sk)`. Without `fill` removed scores are -inf. The
    scores are f32, so the fill is rounded to f32 (saturating at ±FLT_MAX).

    Numerics contract: the scores, the softmax and the accumulation are
    computed in f32 whatever the element type of Q, K and V (f16, bf16 or
    f32); the output is rounded once to its element type. A row whose every
    score is masked gives an output of 0 and an LSE of +inf (never NaN)
    when `fill` is absent.
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
    DefaultValuedAttr<FA2_LayoutAttr, "::fa2::Layout::BHSD">:$layout,
    // Last, so that builders written before them need not name them.
    OptionalAttr<DenseI64ArrayAttr>:$window,
    OptionalAttr<F64Attr>:$fill
  );
  let results = (outs
    RankedTensorOf<[FA2_AttentionElementType]>:$output,
    Optional<RankedTensorOf<[F32]>>:$lse
  );

  let assemblyFormat = [{
    $query `,` $key `,` $value (`mask` `(` $mask^ `)`)? `scale` `(` $scale `)`
    (`causal` $causal^)? (`window` `(` custom<Window>($window)^ `)`)?
    (`fill` `(` $fill^ `)`)? (`layout` `` $layout^)? attr-dict
    `:` type($query) `,` type($key) `,` type($value) (`,` type($mask)^)?
    `->` type($output) (`,` type($lse)^)?
  }];

  let hasVerifier = 1;

  let builders = [
    // Without a window or a fill (the builder from before they existed).
    OpBuilder<(ins "::mlir::Type":$output, "::mlir::Type":$lse,
      "::mlir::Value":$query, "::mlir::Value":$key, "::mlir::Value":$value,
      "::mlir::Value":$mask, "::llvm::APFloat":$scale, "bool":$causal,
      "::fa2::Layout":$layout), [{
      build($_builder, $_state, output, lse, query, key, value, mask, scale,
            causal, layout, /*window=*/nullptr, /*fill=*/nullptr);
    }]>
  ];

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
    /// The window's bounds [left, right], if set (the verifier guarantees
    /// two elements, both >= 0).
    std::optional<std::pair<int64_t, int64_t>> getWindowBounds() {
      std::optional<::llvm::ArrayRef<int64_t>> w = getWindow();
      if (!w || w->size() != 2)
        return std::nullopt;
      return std::make_pair((*w)[0], (*w)[1]);
    }
  }];
}

#endif // FA2_ATTENTION_OPS_TD
