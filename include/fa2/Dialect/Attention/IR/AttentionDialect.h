//===- AttentionDialect.h - the fa2 dialect ---------------------*- C++ -*-===//
#ifndef FA2_DIALECT_ATTENTION_IR_ATTENTIONDIALECT_H
#define FA2_DIALECT_ATTENTION_IR_ATTENTIONDIALECT_H

#include "mlir/IR/Dialect.h"

#include "fa2/Dialect/Attention/IR/AttentionDialect.h.inc"

#endif // FA2_DIALECT_ATTENTION_IR_ATTENTIONDIALECT_H
