//===- AttentionDialect.cpp - the fa2 dialect ------------------------------===//
#include "fa2/Dialect/Attention/IR/AttentionDialect.h"
#include "fa2/Dialect/Attention/IR/AttentionOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace fa2;

#include "fa2/Dialect/Attention/IR/AttentionDialect.cpp.inc"
#include "fa2/Dialect/Attention/IR/AttentionEnums.cpp.inc"
#define GET_ATTRDEF_CLASSES
#include "fa2/Dialect/Attention/IR/AttentionAttrs.cpp.inc"

void FA2Dialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "fa2/Dialect/Attention/IR/AttentionAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "fa2/Dialect/Attention/IR/AttentionOps.cpp.inc"
      >();
}
