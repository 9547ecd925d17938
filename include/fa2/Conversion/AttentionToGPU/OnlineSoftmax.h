//===- OnlineSoftmax.h - FlashAttention's online-softmax step ---*- C++ -*-===//
//
// The online softmax of one K/V block against the running (O, m, l) of a
// block of query rows, written once against "the lanes that share a row":
//
//   m' = max(m, rowmax S)          thread max, then xor-shuffles over the
//                                  row's lanes (RowFragments::rowLanes)
//   lazy rescale: only when some row of the warp grew by more than
//                 2^rescaleThreshold (one vote), O and l times
//                 alpha = exp2(m·c - m'·c), c = scale·log2 e
//   P = exp2(S·c - m'·c)           (probability: one FMA, then ex2)
//   l += rowsum P                  (thread-partial sums; rowTotal at the end)
//   O /= l, LSE = m·scale + ln l   (the epilogue: normalizer, logSumExp)
//
// The target's matrix unit fixes only where a thread's scores and O
// accumulators sit (RowFragments): mma.sync's m16n8 accumulators and
// wgmma's m64nN ones give each thread 2 rows (g, g+8) of every n8 column
// tile, 2 elements each, the other elements of a row in the 4 lanes of a
// quad (xor 1, 2). The P·V product in between is the target's
// (KernelBuilder.cpp's accumulatePV for mma.sync, HopperKernelBuilder.cpp's
// issuePV for wgmma). Two forms of the
// step: rescale() on vector accumulator tiles (mma.sync, lazy rescale
// possible), and rescaleRows() on the rows' scores alone, leaving O to the
// caller (wgmma's accumulators are LLVM structs the caller scales by
// OnlineSoftmaxStep::alpha).
//
//===----------------------------------------------------------------------===//
#ifndef FA2_CONVERSION_ATTENTIONTOGPU_ONLINESOFTMAX_H
#define FA2_CONVERSION_ATTENTIONTOGPU_ONLINESOFTMAX_H

#include "fa2/Conversion/AttentionToGPU/KernelIR.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/SmallVector.h"

namespace fa2 {

/// Where a thread holds its rows' scores and O accumulators, and which
/// lanes share a row. Scores and O are tiles `[tile][column tile]` of
/// vector<rowsPerTile x elemsPerRow x f32>; element (i, e) of tile `mt`
/// belongs to row r = mt·rowsPerTile + i.
struct RowFragments {
  /// Row tiles of the thread (mma.sync: the warp's m16 tiles).
  int64_t tiles = 1;
  /// Rows of a tile one thread holds (mma.sync, wgmma: 2, rows g and g+8).
  int64_t rowsPerTile = 2;
  /// Elements of a row one thread holds per column tile (2: columns 2t, 2t+1).
  int64_t elemsPerRow = 2;
  /// The xor-shuffle offsets that reduce a row over the lanes holding it
  /// (mma.sync, wgmma: {1, 2}, the 4 lanes of a quad).
  llvm::SmallVector<int32_t, 2> rowLanes = {1, 2};

  /// The rows a thread holds.
  int64_t rows() const { return tiles * rowsPerTile; }
  /// One accumulator tile: vector<rowsPerTile x elemsPerRow x f32>.
  mlir::VectorType accumulatorType(mlir::MLIRContext *ctx) const;

  /// mma.sync m16n8 (and wgmma) accumulators, `tiles` m16 tiles.
  static RowFragments mmaSync(int64_t tiles);
  /// A wgmma m64nN f32 accumulator: element i of a thread's N/2 is its row
  /// wgmmaRow(i) (0: g, 1: g + 8), column 8·(i/4) + 2t + i%2.
  static RowFragments wgmma();
  static int64_t wgmmaRow(int64_t i) { return (i % 4) / 2; }
};

/// The softmax's constants: the scale and how lazily O is rescaled.
struct OnlineSoftmaxParams {
  /// The op's scale (scores are unscaled Q·Kᵀ until the exponentials).
  double scale = 1.0;
  /// Rescale O only when a row's max grew by more than 2^threshold (in exp2
  /// units); negative: at every block (GPUSchedule::rescaleThreshold).
  int64_t rescaleThreshold = -1;
  /// A finite fill: the exponentials subtract first (see probability()).
  bool finiteFill = false;
  /// rescaleRows' l: the old sum, then l·alpha + rowsum P as one FMA per
  /// block (finishRowSum; the wgmma kernel's form), instead of l·alpha at
  /// the rescale and + rowsum P after.
  bool fmaRowSums = false;
};

/// The loop-carried state of a block of rows: O's accumulator tiles
/// ([tile · oTiles + column tile]), each row's running max m (raw, unscaled
/// scores; -inf before any key) and the thread-partial row sums l.
struct OnlineSoftmaxState {
  llvm::SmallVector<mlir::Value> O, m, l;

  /// O, m, l in one list (scf.for's iter_args and yields).
  llvm::SmallVector<mlir::Value> flatten() const;
  /// The state from flatten()'s order, `numO` O tiles.
  static OnlineSoftmaxState fromFlat(mlir::ValueRange values, size_t numO);
};

/// One block's step between the rescale and the exponentials.
struct OnlineSoftmaxStep {
  /// O and l rescaled to the reference maxes m (the state the block's
  /// P·V and row sums then add to).
  OnlineSoftmaxState state;
  /// Per row: this thread's scores of the block, in column order.
  llvm::SmallVector<llvm::SmallVector<mlir::Value>> rowScores;
  /// Per row: -ref·c, the exp2 offset (0 for a row without a visible key).
  llvm::SmallVector<mlir::Value> negOffset;
  /// With a finite fill: each row's reference max (0 for a row without any
  /// finite score), for exp2((s - ref)·c).
  llvm::SmallVector<mlir::Value> refOrZero;
  /// c = scale·log2 e (f32), set by beginExponentials.
  mlir::Value scaleLog2e;
  /// rescaleRows only: per row, the factor alpha = exp2(m_old·c - ref·c)
  /// that moves what was accumulated to the new reference (O's rows are
  /// the caller's to multiply).
  llvm::SmallVector<mlir::Value> alpha;
  /// rescaleRows with a rescale threshold: whether the warp moved its
  /// references this block (i1, the same in every lane); where it did not,
  /// every alpha is 1 and O needs no multiplication. Null: it always moves.
  mlir::Value rescaled;
};

/// Builds the online-softmax step of FlashAttention-2 (arXiv 2307.08691,
/// Algorithm 1) for the rows a thread holds.
class OnlineSoftmax : public KernelIRBuilder {
public:
  OnlineSoftmax(mlir::OpBuilder &b, mlir::Location loc, RowFragments rows,
                OnlineSoftmaxParams params)
      : KernelIRBuilder(b, loc), rows(std::move(rows)), params(params) {}

  /// The state before the first block: O = 0, m = -inf, l = 0, for `oTiles`
  /// column tiles of O per row tile. Also builds the constants -inf and 0
  /// the steps use (so call it once, where they may live).
  OnlineSoftmaxState initialState(int64_t oTiles);

  /// The block's scores S ([tile][column tile]) against `state`: the new
  /// reference maxes, and O and l rescaled to them (lazily, see
  /// OnlineSoftmaxParams::rescaleThreshold).
  OnlineSoftmaxStep
  rescale(const llvm::SmallVector<llvm::SmallVector<mlir::Value>> &S,
          const OnlineSoftmaxState &state);
  /// The rows' state before the first block, without O: m = -inf, l = 0
  /// (the caller keeps O). Builds the constants as initialState does.
  OnlineSoftmaxState initialRows();
  /// The rows' step from their scores (`rowScores[row]`, this thread's in
  /// column order) against `state`'s m and l: per row, the thread max, the
  /// max over the row's lanes, alpha and the exp2 offset, one row after the
  /// other. Lazily with a rescale threshold (as rescale(): the references
  /// move only when some row of the warp grew by more than 2^threshold;
  /// step.rescaled says whether they did), else at every block. O is not
  /// touched: the caller scales its accumulators by step.alpha.
  OnlineSoftmaxStep
  rescaleRows(llvm::SmallVector<llvm::SmallVector<mlir::Value>> rowScores,
              const OnlineSoftmaxState &state);
  /// Row `row`'s l after the block, from its block sum `rowSum` (sumInto's):
  /// l·alpha + rowSum in one FMA with fmaRowSums, else l + rowSum.
  mlir::Value finishRowSum(const OnlineSoftmaxStep &step, int64_t row,
                           mlir::Value rowSum);
  /// Builds c for the probabilities of `step` (call once per block, before
  /// the first probability).
  void beginExponentials(OnlineSoftmaxStep &step);
  /// P of score `k` (rowScores order) of row `row`: exp2(s·c - ref·c).
  mlir::Value probability(const OnlineSoftmaxStep &step, int64_t row,
                          int64_t k);
  /// `partial` + p (p itself for a null partial): a block's row sum.
  mlir::Value sumInto(mlir::Value partial, mlir::Value p);

  //===--- the epilogue ---------------------------------------------------===//
  /// Builds the constants of the epilogue (call once, before the first row).
  void beginEpilogue();
  /// A row's sum over the lanes that hold it, from a thread-partial l.
  mlir::Value rowTotal(mlir::Value partial);
  /// 1 / l, or 1 for a row that saw no visible key (l = 0: O stays 0);
  /// `empty` is set to that test.
  mlir::Value normalizer(mlir::Value lSum, mlir::Value &empty);
  /// LSE = m·scale + ln l (m raw, unscaled).
  mlir::Value logSumExp(mlir::Value m, mlir::Value lSum);

  const RowFragments &fragments() const { return rows; }

private:
  /// ref·c, or 0 for a row with every key masked so far (exp2(-inf - 0) = 0,
  /// not NaN).
  mlir::Value scaledOffset(mlir::Value ref, mlir::Value cS);
  /// max(m, this thread's scores of a row): a tree of maxes (short
  /// dependency chains).
  mlir::Value threadRowMax(llvm::ArrayRef<mlir::Value> scores, mlir::Value m);
  /// A row's max over the lanes that hold it, from a thread's.
  mlir::Value rowMaxOf(mlir::Value threadMax);
  /// The lazy rescale's test (params.rescaleThreshold >= 0): whether some
  /// row of the warp has a thread max more than 2^threshold (exp2 units)
  /// above its reference m, as one vote.any (i1, the same in every lane).
  /// m = -inf with a finite max grows by +inf; a row still without a
  /// visible key gives NaN, not grown.
  mlir::Value warpRowsGrew(llvm::ArrayRef<mlir::Value> threadMax,
                           llvm::ArrayRef<mlir::Value> m, mlir::Value cS);

  RowFragments rows;
  OnlineSoftmaxParams params;
  mlir::Value negInf, zero;            // initialState's
  mlir::Value scaleNat, ln2Value, one; // beginEpilogue's
};

} // namespace fa2

#endif // FA2_CONVERSION_ATTENTIONTOGPU_ONLINESOFTMAX_H
