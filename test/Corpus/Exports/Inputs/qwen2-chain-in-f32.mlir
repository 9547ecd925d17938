// Not a test: qwen2-bf16-f32-softmax.mlir with its attention chain computed
// the way fa2.attention computes it (issue 12, docs/numerics.md): the same
// bf16 Q, K, V and mask, both matmuls accumulated in f32, the 1/sqrt(d)
// scale and the mask applied in f32, P kept in f32, and the output rounded
// once to bf16. Everything outside the chain (projections, rotary
// embeddings, the GQA repeat) is the module's own bf16 code, unchanged.
// The test runs it as the second reference its raised output must match.
// EXEC-CONST: 3 = dense<[[[[0.000000e+00, -3.38953139E+38, -3.38953139E+38, -3.38953139E+38, -3.38953139E+38, -3.38953139E+38, -3.38953139E+38, -3.38953139E+38], [0.000000e+00, 0.000000e+00, -3.38953139E+38, -3.38953139E+38, -3.38953139E+38, -3.38953139E+38, -3.38953139E+38, -3.38953139E+38], [0.000000e+00, 0.000000e+00, 0.000000e+00, -3.38953139E+38, -3.38953139E+38, -3.38953139E+38, -3.38953139E+38, -3.38953139E+38], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, -3.38953139E+38, -3.38953139E+38, -3.38953139E+38, -3.38953139E+38], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, -3.38953139E+38, -3.38953139E+38, -3.38953139E+38], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, -3.38953139E+38, -3.38953139E+38], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, -3.38953139E+38], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00]]]]>
#map = affine_map<(d0, d1) -> (d1, d0)>
#map1 = affine_map<(d0, d1) -> (d0, d1)>
#map2 = affine_map<(d0, d1, d2) -> (0, d1, d2)>
#map3 = affine_map<(d0, d1, d2) -> (d2)>
#map4 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#map5 = affine_map<(d0, d1, d2, d3) -> (0, d1, d2, d3)>
#map6 = affine_map<(d0, d1, d2, d3) -> (0, 0, d2, d3)>
#map7 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#map8 = affine_map<(d0, d1, d2, d3, d4) -> (0, d1, 0, d3, d4)>
#map9 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
#map10 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#map11 = affine_map<(d0, d1, d2, d3) -> (0, d1, d2, 0)>
#map12 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
module {
  func.func @qwen2_attention(%hidden_states: tensor<1x8x32xbf16>, %cos: tensor<1x8x8xbf16>, %sin: tensor<1x8x8xbf16>, %attention_mask: tensor<1x1x8x8xbf16>, %q_proj_weight: tensor<32x32xbf16>, %q_proj_bias: tensor<32xbf16>, %k_proj_weight: tensor<16x32xbf16>, %k_proj_bias: tensor<16xbf16>, %v_proj_weight: tensor<16x32xbf16>, %v_proj_bias: tensor<16xbf16>) -> tensor<1x8x32xbf16> {
    %zero = arith.constant 0.000000e+00 : bf16
    %zero_f32 = arith.constant 0.000000e+00 : f32
    %ninf = arith.constant 0xFF800000 : f32
    %sqrt_d = arith.constant 2.828125 : bf16
    %c0_i64 = arith.constant 0 : i64
    // q/k/v projections with bias, .view(1, 8, -1, 8).transpose(1, 2)
    %collapsed1 = tensor.collapse_shape %hidden_states [[0, 1], [2]] : tensor<1x8x32xbf16> into tensor<8x32xbf16>
    %2 = tensor.empty() : tensor<32x32xbf16>
    %3 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "parallel"]} ins(%q_proj_weight : tensor<32x32xbf16>) outs(%2 : tensor<32x32xbf16>) {
    ^bb0(%in0: bf16, %out: bf16):
      linalg.yield %in0 : bf16
    } -> tensor<32x32xbf16>
    %4 = tensor.empty() : tensor<8x32xbf16>
    %5 = linalg.fill ins(%zero : bf16) outs(%4 : tensor<8x32xbf16>) -> tensor<8x32xbf16>
    %6 = linalg.matmul ins(%collapsed1, %3 : tensor<8x32xbf16>, tensor<32x32xbf16>) outs(%5 : tensor<8x32xbf16>) -> tensor<8x32xbf16>
    %expanded7 = tensor.expand_shape %6 [[0, 1], [2]] output_shape [1, 8, 32] : tensor<8x32xbf16> into tensor<1x8x32xbf16>
    %8 = tensor.empty() : tensor<1x8x32xbf16>
    %9 = linalg.generic {indexing_maps = [#map2, #map3, #map4], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded7, %q_proj_bias : tensor<1x8x32xbf16>, tensor<32xbf16>) outs(%8 : tensor<1x8x32xbf16>) {
    ^bb0(%in0: bf16, %in1: bf16, %out: bf16):
      %r = arith.addf %in0, %in1 : bf16
      linalg.yield %r : bf16
    } -> tensor<1x8x32xbf16>
    %expanded10 = tensor.expand_shape %9 [[0], [1], [2, 3]] output_shape [1, 8, 4, 8] : tensor<1x8x32xbf16> into tensor<1x8x4x8xbf16>
    %11 = tensor.empty() : tensor<1x4x8x8xbf16>
    %transposed12 = linalg.transpose ins(%expanded10 : tensor<1x8x4x8xbf16>) outs(%11 : tensor<1x4x8x8xbf16>) permutation = [0, 2, 1, 3]
    %collapsed13 = tensor.collapse_shape %hidden_states [[0, 1], [2]] : tensor<1x8x32xbf16> into tensor<8x32xbf16>
    %14 = tensor.empty() : tensor<32x16xbf16>
    %15 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "parallel"]} ins(%k_proj_weight : tensor<16x32xbf16>) outs(%14 : tensor<32x16xbf16>) {
    ^bb0(%in0: bf16, %out: bf16):
      linalg.yield %in0 : bf16
    } -> tensor<32x16xbf16>
    %16 = tensor.empty() : tensor<8x16xbf16>
    %17 = linalg.fill ins(%zero : bf16) outs(%16 : tensor<8x16xbf16>) -> tensor<8x16xbf16>
    %18 = linalg.matmul ins(%collapsed13, %15 : tensor<8x32xbf16>, tensor<32x16xbf16>) outs(%17 : tensor<8x16xbf16>) -> tensor<8x16xbf16>
    %expanded19 = tensor.expand_shape %18 [[0, 1], [2]] output_shape [1, 8, 16] : tensor<8x16xbf16> into tensor<1x8x16xbf16>
    %20 = tensor.empty() : tensor<1x8x16xbf16>
    %21 = linalg.generic {indexing_maps = [#map2, #map3, #map4], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded19, %k_proj_bias : tensor<1x8x16xbf16>, tensor<16xbf16>) outs(%20 : tensor<1x8x16xbf16>) {
    ^bb0(%in0: bf16, %in1: bf16, %out: bf16):
      %r = arith.addf %in0, %in1 : bf16
      linalg.yield %r : bf16
    } -> tensor<1x8x16xbf16>
    %expanded22 = tensor.expand_shape %21 [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xbf16> into tensor<1x8x2x8xbf16>
    %23 = tensor.empty() : tensor<1x2x8x8xbf16>
    %transposed24 = linalg.transpose ins(%expanded22 : tensor<1x8x2x8xbf16>) outs(%23 : tensor<1x2x8x8xbf16>) permutation = [0, 2, 1, 3]
    %collapsed25 = tensor.collapse_shape %hidden_states [[0, 1], [2]] : tensor<1x8x32xbf16> into tensor<8x32xbf16>
    %26 = tensor.empty() : tensor<32x16xbf16>
    %27 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "parallel"]} ins(%v_proj_weight : tensor<16x32xbf16>) outs(%26 : tensor<32x16xbf16>) {
    ^bb0(%in0: bf16, %out: bf16):
      linalg.yield %in0 : bf16
    } -> tensor<32x16xbf16>
    %28 = tensor.empty() : tensor<8x16xbf16>
    %29 = linalg.fill ins(%zero : bf16) outs(%28 : tensor<8x16xbf16>) -> tensor<8x16xbf16>
    %30 = linalg.matmul ins(%collapsed25, %27 : tensor<8x32xbf16>, tensor<32x16xbf16>) outs(%29 : tensor<8x16xbf16>) -> tensor<8x16xbf16>
    %expanded31 = tensor.expand_shape %30 [[0, 1], [2]] output_shape [1, 8, 16] : tensor<8x16xbf16> into tensor<1x8x16xbf16>
    %32 = tensor.empty() : tensor<1x8x16xbf16>
    %33 = linalg.generic {indexing_maps = [#map2, #map3, #map4], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded31, %v_proj_bias : tensor<1x8x16xbf16>, tensor<16xbf16>) outs(%32 : tensor<1x8x16xbf16>) {
    ^bb0(%in0: bf16, %in1: bf16, %out: bf16):
      %r = arith.addf %in0, %in1 : bf16
      linalg.yield %r : bf16
    } -> tensor<1x8x16xbf16>
    %expanded34 = tensor.expand_shape %33 [[0], [1], [2, 3]] output_shape [1, 8, 2, 8] : tensor<1x8x16xbf16> into tensor<1x8x2x8xbf16>
    %35 = tensor.empty() : tensor<1x2x8x8xbf16>
    %transposed36 = linalg.transpose ins(%expanded34 : tensor<1x8x2x8xbf16>) outs(%35 : tensor<1x2x8x8xbf16>) permutation = [0, 2, 1, 3]
    // apply_rotary_pos_emb(q, k, cos, sin): cos/sin.unsqueeze(1)
    %expanded37 = tensor.expand_shape %cos [[0, 1], [2], [3]] output_shape [1, 1, 8, 8] : tensor<1x8x8xbf16> into tensor<1x1x8x8xbf16>
    %expanded38 = tensor.expand_shape %sin [[0, 1], [2], [3]] output_shape [1, 1, 8, 8] : tensor<1x8x8xbf16> into tensor<1x1x8x8xbf16>
    %39 = tensor.empty() : tensor<1x4x8x8xbf16>
    %40 = linalg.generic {indexing_maps = [#map5, #map6, #map7], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%transposed12, %expanded37 : tensor<1x4x8x8xbf16>, tensor<1x1x8x8xbf16>) outs(%39 : tensor<1x4x8x8xbf16>) {
    ^bb0(%in0: bf16, %in1: bf16, %out: bf16):
      %r = arith.mulf %in0, %in1 : bf16
      linalg.yield %r : bf16
    } -> tensor<1x4x8x8xbf16>
    %extracted_slice41 = tensor.extract_slice %transposed12[0, 0, 0, 0] [1, 4, 8, 4] [1, 1, 1, 1] : tensor<1x4x8x8xbf16> to tensor<1x4x8x4xbf16>
    %extracted_slice42 = tensor.extract_slice %transposed12[0, 0, 0, 4] [1, 4, 8, 4] [1, 1, 1, 1] : tensor<1x4x8x8xbf16> to tensor<1x4x8x4xbf16>
    %43 = tensor.empty() : tensor<1x4x8x4xbf16>
    %44 = linalg.generic {indexing_maps = [#map5, #map7], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%extracted_slice42 : tensor<1x4x8x4xbf16>) outs(%43 : tensor<1x4x8x4xbf16>) {
    ^bb0(%in0: bf16, %out: bf16):
      %r = arith.negf %in0 : bf16
      linalg.yield %r : bf16
    } -> tensor<1x4x8x4xbf16>
    %45 = tensor.empty() : tensor<1x4x8x8xbf16>
    %inserted_slice46 = tensor.insert_slice %44 into %45[0, 0, 0, 0] [1, 4, 8, 4] [1, 1, 1, 1] : tensor<1x4x8x4xbf16> into tensor<1x4x8x8xbf16>
    %inserted_slice47 = tensor.insert_slice %extracted_slice41 into %inserted_slice46[0, 0, 0, 4] [1, 4, 8, 4] [1, 1, 1, 1] : tensor<1x4x8x4xbf16> into tensor<1x4x8x8xbf16>
    %48 = tensor.empty() : tensor<1x4x8x8xbf16>
    %49 = linalg.generic {indexing_maps = [#map5, #map6, #map7], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%inserted_slice47, %expanded38 : tensor<1x4x8x8xbf16>, tensor<1x1x8x8xbf16>) outs(%48 : tensor<1x4x8x8xbf16>) {
    ^bb0(%in0: bf16, %in1: bf16, %out: bf16):
      %r = arith.mulf %in0, %in1 : bf16
      linalg.yield %r : bf16
    } -> tensor<1x4x8x8xbf16>
    %50 = tensor.empty() : tensor<1x4x8x8xbf16>
    %51 = linalg.generic {indexing_maps = [#map5, #map5, #map7], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%40, %49 : tensor<1x4x8x8xbf16>, tensor<1x4x8x8xbf16>) outs(%50 : tensor<1x4x8x8xbf16>) {
    ^bb0(%in0: bf16, %in1: bf16, %out: bf16):
      %r = arith.addf %in0, %in1 : bf16
      linalg.yield %r : bf16
    } -> tensor<1x4x8x8xbf16>
    %52 = tensor.empty() : tensor<1x2x8x8xbf16>
    %53 = linalg.generic {indexing_maps = [#map5, #map6, #map7], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%transposed24, %expanded37 : tensor<1x2x8x8xbf16>, tensor<1x1x8x8xbf16>) outs(%52 : tensor<1x2x8x8xbf16>) {
    ^bb0(%in0: bf16, %in1: bf16, %out: bf16):
      %r = arith.mulf %in0, %in1 : bf16
      linalg.yield %r : bf16
    } -> tensor<1x2x8x8xbf16>
    %extracted_slice54 = tensor.extract_slice %transposed24[0, 0, 0, 0] [1, 2, 8, 4] [1, 1, 1, 1] : tensor<1x2x8x8xbf16> to tensor<1x2x8x4xbf16>
    %extracted_slice55 = tensor.extract_slice %transposed24[0, 0, 0, 4] [1, 2, 8, 4] [1, 1, 1, 1] : tensor<1x2x8x8xbf16> to tensor<1x2x8x4xbf16>
    %56 = tensor.empty() : tensor<1x2x8x4xbf16>
    %57 = linalg.generic {indexing_maps = [#map5, #map7], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%extracted_slice55 : tensor<1x2x8x4xbf16>) outs(%56 : tensor<1x2x8x4xbf16>) {
    ^bb0(%in0: bf16, %out: bf16):
      %r = arith.negf %in0 : bf16
      linalg.yield %r : bf16
    } -> tensor<1x2x8x4xbf16>
    %58 = tensor.empty() : tensor<1x2x8x8xbf16>
    %inserted_slice59 = tensor.insert_slice %57 into %58[0, 0, 0, 0] [1, 2, 8, 4] [1, 1, 1, 1] : tensor<1x2x8x4xbf16> into tensor<1x2x8x8xbf16>
    %inserted_slice60 = tensor.insert_slice %extracted_slice54 into %inserted_slice59[0, 0, 0, 4] [1, 2, 8, 4] [1, 1, 1, 1] : tensor<1x2x8x4xbf16> into tensor<1x2x8x8xbf16>
    %61 = tensor.empty() : tensor<1x2x8x8xbf16>
    %62 = linalg.generic {indexing_maps = [#map5, #map6, #map7], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%inserted_slice60, %expanded38 : tensor<1x2x8x8xbf16>, tensor<1x1x8x8xbf16>) outs(%61 : tensor<1x2x8x8xbf16>) {
    ^bb0(%in0: bf16, %in1: bf16, %out: bf16):
      %r = arith.mulf %in0, %in1 : bf16
      linalg.yield %r : bf16
    } -> tensor<1x2x8x8xbf16>
    %63 = tensor.empty() : tensor<1x2x8x8xbf16>
    %64 = linalg.generic {indexing_maps = [#map5, #map5, #map7], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%53, %62 : tensor<1x2x8x8xbf16>, tensor<1x2x8x8xbf16>) outs(%63 : tensor<1x2x8x8xbf16>) {
    ^bb0(%in0: bf16, %in1: bf16, %out: bf16):
      %r = arith.addf %in0, %in1 : bf16
      linalg.yield %r : bf16
    } -> tensor<1x2x8x8xbf16>
    // repeat_kv(k, 2), repeat_kv(v, 2)
    %expanded65 = tensor.expand_shape %64 [[0], [1, 2], [3], [4]] output_shape [1, 2, 1, 8, 8] : tensor<1x2x8x8xbf16> into tensor<1x2x1x8x8xbf16>
    %66 = tensor.empty() : tensor<1x2x2x8x8xbf16>
    %67 = linalg.generic {indexing_maps = [#map8, #map9], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%expanded65 : tensor<1x2x1x8x8xbf16>) outs(%66 : tensor<1x2x2x8x8xbf16>) {
    ^bb0(%in0: bf16, %out: bf16):
      linalg.yield %in0 : bf16
    } -> tensor<1x2x2x8x8xbf16>
    %collapsed68 = tensor.collapse_shape %67 [[0], [1, 2], [3], [4]] : tensor<1x2x2x8x8xbf16> into tensor<1x4x8x8xbf16>
    %expanded69 = tensor.expand_shape %transposed36 [[0], [1, 2], [3], [4]] output_shape [1, 2, 1, 8, 8] : tensor<1x2x8x8xbf16> into tensor<1x2x1x8x8xbf16>
    %70 = tensor.empty() : tensor<1x2x2x8x8xbf16>
    %71 = linalg.generic {indexing_maps = [#map8, #map9], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%expanded69 : tensor<1x2x1x8x8xbf16>) outs(%70 : tensor<1x2x2x8x8xbf16>) {
    ^bb0(%in0: bf16, %out: bf16):
      linalg.yield %in0 : bf16
    } -> tensor<1x2x2x8x8xbf16>
    %collapsed72 = tensor.collapse_shape %71 [[0], [1, 2], [3], [4]] : tensor<1x2x2x8x8xbf16> into tensor<1x4x8x8xbf16>
    // attn_weights = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(8) + causal_mask  (bf16)
    %73 = tensor.empty() : tensor<1x4x8x8xbf16>
    %transposed74 = linalg.transpose ins(%collapsed68 : tensor<1x4x8x8xbf16>) outs(%73 : tensor<1x4x8x8xbf16>) permutation = [0, 1, 3, 2]
    %collapsed75 = tensor.collapse_shape %51 [[0, 1], [2], [3]] : tensor<1x4x8x8xbf16> into tensor<4x8x8xbf16>
    %collapsed76 = tensor.collapse_shape %transposed74 [[0, 1], [2], [3]] : tensor<1x4x8x8xbf16> into tensor<4x8x8xbf16>
    %77 = tensor.empty() : tensor<4x8x8xf32>
    %78 = linalg.fill ins(%zero_f32 : f32) outs(%77 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
    %79 = linalg.batch_matmul ins(%collapsed75, %collapsed76 : tensor<4x8x8xbf16>, tensor<4x8x8xbf16>) outs(%78 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
    %expanded80 = tensor.expand_shape %79 [[0, 1], [2], [3]] output_shape [1, 4, 8, 8] : tensor<4x8x8xf32> into tensor<1x4x8x8xf32>
    %81 = tensor.empty() : tensor<1x4x8x8xf32>
    %82 = linalg.generic {indexing_maps = [#map5, #map7], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded80 : tensor<1x4x8x8xf32>) outs(%81 : tensor<1x4x8x8xf32>) {
    ^bb0(%in0: f32, %out: f32):
      %sq = arith.extf %sqrt_d : bf16 to f32
      %r = arith.divf %in0, %sq : f32
      linalg.yield %r : f32
    } -> tensor<1x4x8x8xf32>
    %83 = tensor.empty() : tensor<1x4x8x8xf32>
    %84 = linalg.generic {indexing_maps = [#map5, #map6, #map7], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%82, %attention_mask : tensor<1x4x8x8xf32>, tensor<1x1x8x8xbf16>) outs(%83 : tensor<1x4x8x8xf32>) {
    ^bb0(%in0: f32, %in1: bf16, %out: f32):
      %m1 = arith.extf %in1 : bf16 to f32
      %r = arith.addf %in0, %m1 : f32
      linalg.yield %r : f32
    } -> tensor<1x4x8x8xf32>
    // softmax(attn_weights, dim=-1, dtype=torch.float32).to(torch.bfloat16)
    %85 = tensor.empty() : tensor<1x4x8x8xf32>
    %86 = linalg.generic {indexing_maps = [#map5, #map7], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%84 : tensor<1x4x8x8xf32>) outs(%85 : tensor<1x4x8x8xf32>) {
    ^bb0(%in0: f32, %out: f32):
      // (the export's extf: the scores are f32 already)
      %r = arith.minimumf %in0, %in0 : f32
      linalg.yield %r : f32
    } -> tensor<1x4x8x8xf32>
    %87 = tensor.empty() : tensor<1x4x8xi64>
    %88 = linalg.fill ins(%c0_i64 : i64) outs(%87 : tensor<1x4x8xi64>) -> tensor<1x4x8xi64>
    %89 = tensor.empty() : tensor<1x4x8xf32>
    %90 = linalg.fill ins(%ninf : f32) outs(%89 : tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
    %91:2 = linalg.generic {indexing_maps = [#map7, #map10, #map10], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%86 : tensor<1x4x8x8xf32>) outs(%90, %88 : tensor<1x4x8xf32>, tensor<1x4x8xi64>) {
    ^bb0(%in: f32, %out: f32, %out_0: i64):
      %j = linalg.index 3 : index
      %ji = arith.index_cast %j : index to i64
      %mx = arith.maximumf %in, %out : f32
      %gt = arith.cmpf ogt, %in, %out : f32
      %sel = arith.select %gt, %ji, %out_0 : i64
      linalg.yield %mx, %sel : f32, i64
    } -> (tensor<1x4x8xf32>, tensor<1x4x8xi64>)
    %92 = tensor.expand_shape %91#0 [[0], [1], [2, 3]] output_shape [1, 4, 8, 1] : tensor<1x4x8xf32> into tensor<1x4x8x1xf32>
    %93 = tensor.empty() : tensor<1x4x8x8xf32>
    %94 = linalg.generic {indexing_maps = [#map5, #map11, #map7], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%86, %92 : tensor<1x4x8x8xf32>, tensor<1x4x8x1xf32>) outs(%93 : tensor<1x4x8x8xf32>) {
    ^bb0(%in0: f32, %in1: f32, %out: f32):
      %r = arith.subf %in0, %in1 : f32
      linalg.yield %r : f32
    } -> tensor<1x4x8x8xf32>
    %95 = tensor.empty() : tensor<1x4x8x8xf32>
    %96 = linalg.generic {indexing_maps = [#map5, #map7], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%94 : tensor<1x4x8x8xf32>) outs(%95 : tensor<1x4x8x8xf32>) {
    ^bb0(%in0: f32, %out: f32):
      %r = math.exp %in0 : f32
      linalg.yield %r : f32
    } -> tensor<1x4x8x8xf32>
    %97 = tensor.empty() : tensor<1x4x8x1xf32>
    %98 = linalg.fill ins(%zero_f32 : f32) outs(%97 : tensor<1x4x8x1xf32>) -> tensor<1x4x8x1xf32>
    %99 = linalg.generic {indexing_maps = [#map7, #map12], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%96 : tensor<1x4x8x8xf32>) outs(%98 : tensor<1x4x8x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %r = arith.addf %in, %out : f32
      linalg.yield %r : f32
    } -> tensor<1x4x8x1xf32>
    %100 = tensor.empty() : tensor<1x4x8x8xf32>
    %101 = linalg.generic {indexing_maps = [#map5, #map11, #map7], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%96, %99 : tensor<1x4x8x8xf32>, tensor<1x4x8x1xf32>) outs(%100 : tensor<1x4x8x8xf32>) {
    ^bb0(%in0: f32, %in1: f32, %out: f32):
      %r = arith.divf %in0, %in1 : f32
      linalg.yield %r : f32
    } -> tensor<1x4x8x8xf32>
    // attn_output = P (f32, not rounded) · V, accumulated in f32
    %collapsed104 = tensor.collapse_shape %101 [[0, 1], [2], [3]] : tensor<1x4x8x8xf32> into tensor<4x8x8xf32>
    %collapsed105 = tensor.collapse_shape %collapsed72 [[0, 1], [2], [3]] : tensor<1x4x8x8xbf16> into tensor<4x8x8xbf16>
    %106 = tensor.empty() : tensor<4x8x8xf32>
    %107 = linalg.fill ins(%zero_f32 : f32) outs(%106 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
    %pv = linalg.batch_matmul ins(%collapsed104, %collapsed105 : tensor<4x8x8xf32>, tensor<4x8x8xbf16>) outs(%107 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
    %108 = arith.truncf %pv : tensor<4x8x8xf32> to tensor<4x8x8xbf16>
    %expanded109 = tensor.expand_shape %108 [[0, 1], [2], [3]] output_shape [1, 4, 8, 8] : tensor<4x8x8xbf16> into tensor<1x4x8x8xbf16>
    %110 = tensor.empty() : tensor<1x8x4x8xbf16>
    %transposed111 = linalg.transpose ins(%expanded109 : tensor<1x4x8x8xbf16>) outs(%110 : tensor<1x8x4x8xbf16>) permutation = [0, 2, 1, 3]
    %collapsed112 = tensor.collapse_shape %transposed111 [[0], [1], [2, 3]] : tensor<1x8x4x8xbf16> into tensor<1x8x32xbf16>
    return %collapsed112 : tensor<1x8x32xbf16>
  }
}
