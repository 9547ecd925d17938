//===- InitAll.cpp - register everything fa2 provides ----------------------===//
#include "fa2/InitAll.h"

#include "fa2/Conversion/Passes.h"
#include "fa2/Dialect/Attention/IR/AttentionDialect.h"
#include "fa2/Dialect/Attention/Transforms/Passes.h"
#include "fa2/Pipelines/Pipelines.h"

void fa2::registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<fa2::FA2Dialect>();
}

void fa2::registerAllPasses() {
  fa2::registerFA2AttentionPasses();
  fa2::registerFA2ConversionPasses();
  fa2::registerPipelines();
}
