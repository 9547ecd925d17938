//===- AttentionOps.h - fa2.attention ---------------------------*- C++ -*-===//
#ifndef FA2_DIALECT_ATTENTION_IR_ATTENTIONOPS_H
#define FA2_DIALECT_ATTENTION_IR_ATTENTIONOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "fa2/Dialect/Attention/IR/AttentionDialect.h"
#include "fa2/Dialect/Attention/IR/AttentionEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "fa2/Dialect/Attention/IR/AttentionAttrs.h.inc"

#define GET_OP_CLASSES
#include "fa2/Dialect/Attention/IR/AttentionOps.h.inc"

#endif // FA2_DIALECT_ATTENTION_IR_ATTENTIONOPS_H
