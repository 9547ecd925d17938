//===- AttentionDialect.cpp - the fa2 dialect ------------------------------===//
#include "fa2/Dialect/Attention/IR/AttentionDialect.h"
#include "fa2/Dialect/Attention/IR/AttentionOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
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

//===----------------------------------------------------------------------===//
// #fa2.schedule
//===----------------------------------------------------------------------===//

/// A field's value: an integer, a bool, or a word (an identifier).
static bool isScheduleValue(Attribute value) {
  if (auto integer = dyn_cast<IntegerAttr>(value))
    return integer.getType().isSignlessInteger(64) ||
           integer.getType().isSignlessInteger(1);
  return isa<StringAttr>(value);
}

LogicalResult
ScheduleAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                     DictionaryAttr fields) {
  for (NamedAttribute field : fields)
    if (!isScheduleValue(field.getValue()))
      return emitError() << "schedule field '" << field.getName().getValue()
                         << "' must be an integer, true/false or a word, got "
                         << field.getValue();
  return success();
}

/// `<` (name `=` value),* `>` with value an integer, `true`, `false`, a bare
/// word or a string.
Attribute ScheduleAttr::parse(AsmParser &parser, Type) {
  MLIRContext *ctx = parser.getContext();
  NamedAttrList fields;
  auto parseField = [&]() -> ParseResult {
    std::string name;
    SMLoc loc = parser.getCurrentLocation();
    if (parser.parseKeywordOrString(&name) || parser.parseEqual())
      return failure();
    if (fields.get(name))
      return parser.emitError(loc) << "schedule field '" << name
                                   << "' given twice";
    Attribute value;
    int64_t integer;
    std::string word;
    // The keywords first: the integer parser takes true/false as 1/0.
    if (succeeded(parser.parseOptionalKeyword("true"))) {
      value = BoolAttr::get(ctx, true);
    } else if (succeeded(parser.parseOptionalKeyword("false"))) {
      value = BoolAttr::get(ctx, false);
    } else if (OptionalParseResult isInteger =
                   parser.parseOptionalInteger(integer);
               isInteger.has_value()) {
      if (failed(*isInteger))
        return failure();
      value = IntegerAttr::get(IntegerType::get(ctx, 64), integer);
    } else if (succeeded(parser.parseOptionalKeywordOrString(&word))) {
      value = StringAttr::get(ctx, word);
    } else {
      return parser.emitError(parser.getCurrentLocation())
             << "schedule field '" << name
             << "': expected an integer, true, false or a word";
    }
    fields.append(name, value);
    return success();
  };
  if (parser.parseCommaSeparatedList(AsmParser::Delimiter::LessGreater,
                                     parseField))
    return {};
  return parser.getChecked<ScheduleAttr>(ctx,
                                         fields.getDictionary(ctx));
}

void ScheduleAttr::print(AsmPrinter &printer) const {
  printer << '<';
  llvm::interleaveComma(getFields(), printer, [&](NamedAttribute field) {
    printer.printKeywordOrString(field.getName().getValue());
    printer << " = ";
    Attribute value = field.getValue();
    if (auto flag = dyn_cast<BoolAttr>(value))
      printer << (flag.getValue() ? "true" : "false");
    else if (auto integer = dyn_cast<IntegerAttr>(value))
      printer << integer.getInt();
    else
      printer.printKeywordOrString(cast<StringAttr>(value).getValue());
  });
  printer << '>';
}

LogicalResult FA2Dialect::verifyOperationAttribute(Operation *op,
                                                   NamedAttribute attr) {
  if (attr.getName() == getScheduleAttrName()) {
    if (!isa<ScheduleAttr>(attr.getValue()))
      return op->emitOpError()
             << "expects '" << getScheduleAttrName()
             << "' to be a #fa2.schedule, got " << attr.getValue();
    return success();
  }
  // The wgmma kernels' by-value tensor-map arguments (Hopper/Tma.h), which
  // fa2-tensor-map-params rewrites.
  if (attr.getName() == "fa2.tensor_map_params") {
    if (!isa<DenseI64ArrayAttr>(attr.getValue()))
      return op->emitOpError()
             << "expects 'fa2.tensor_map_params' to be an i64 array of "
                "argument positions, got "
             << attr.getValue();
    return success();
  }
  if (attr.getName() == getManifestsAttrName()) {
    auto manifests = dyn_cast<DictionaryAttr>(attr.getValue());
    if (!isa<ModuleOp>(op) || !manifests ||
        !llvm::all_of(manifests, [](NamedAttribute entry) {
          return isa<DictionaryAttr>(entry.getValue());
        }))
      return op->emitOpError()
             << "expects '" << getManifestsAttrName()
             << "' on a builtin.module, a dictionary of one dictionary per "
                "kernel, got "
             << attr.getValue();
    return success();
  }
  return op->emitOpError() << "has an unknown fa2 attribute '"
                           << attr.getName().getValue() << "'";
}
