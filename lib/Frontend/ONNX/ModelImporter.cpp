//===- ModelImporter.cpp - ONNX protobuf to the onnx dialect --------------===//
//
// Parses the model with the ONNX protobuf schema and builds one function:
// graph inputs become arguments (their symbolic dims dynamic unless fixed by
// --input-shape), initializers and Constant nodes become onnx.Constant
// (large float tensors as dense_resource blobs), and each node becomes the
// onnx op of its type, located at a NameLoc with the node's name. Each op
// infers its result types as soon as it is built, so later nodes see typed
// operands. Opset differences (inputs that used to be attributes and back)
// are resolved here so that the dialect has one form per operator.
//
//===----------------------------------------------------------------------===//
#include "mlc/Frontend/ONNXImporter.h"

#include "dialects/ONNX/ONNXDialect.h"
#include "onnx.pb.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <cstring>
#include <functional>

using namespace mlir;
using namespace mlc;

namespace {

/// Float tensors with more elements than this become dense_resource blobs.
constexpr int64_t kInlineElements = 64;

/// The ai.onnx opset of the expansions of a model that imports only
/// ai.onnx.ml.
constexpr int64_t kDefaultOpsetForML = 21;

class Importer {
public:
  Importer(MLIRContext *ctx, StringRef path, const frontend::ImportOptions &options)
      : ctx(ctx), builder(ctx), path(path.str()), options(options),
        fileLoc(FileLineColLoc::get(ctx, path, 0, 0)) {
    modelDir = llvm::sys::path::parent_path(path).str();
    if (modelDir.empty())
      modelDir = ".";
  }

  OwningOpRef<ModuleOp> run() {
    auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                              /*RequiresNullTerminator=*/false);
    if (!buffer) {
      emitError(fileLoc) << "cannot read the model file: " << buffer.getError().message();
      return nullptr;
    }
    ::onnx::ModelProto model;
    StringRef bytes = (*buffer)->getBuffer();
    if (bytes.size() > INT_MAX || !model.ParseFromArray(bytes.data(), (int)bytes.size())) {
      emitError(fileLoc) << "not a valid ONNX model (the protobuf does not parse; is the file "
                            "truncated or of another format?)";
      return nullptr;
    }
    if (!model.has_graph() || model.ir_version() <= 0) {
      emitError(fileLoc) << "not a valid ONNX model (no graph or no ir_version)";
      return nullptr;
    }
    bool importsML = false;
    for (const auto &opset : model.opset_import()) {
      if (opset.domain().empty() || opset.domain() == "ai.onnx")
        opsetVersion = opset.version();
      importsML |= opset.domain() == "ai.onnx.ml";
    }
    // A model of only ai.onnx.ml operators expands them into ai.onnx ones.
    if (opsetVersion <= 0 && importsML)
      opsetVersion = kDefaultOpsetForML;
    if (opsetVersion <= 0) {
      emitError(fileLoc) << "the model imports no ai.onnx opset";
      return nullptr;
    }
    module = ModuleOp::create(fileLoc);
    if (failed(importGraph(model.graph())))
      return nullptr;
    if (failed(verify(*module)))
      return nullptr;
    return std::move(module);
  }

private:
  MLIRContext *ctx;
  OpBuilder builder;
  std::string path, modelDir;
  const frontend::ImportOptions &options;
  Location fileLoc;
  int64_t opsetVersion = 0;
  OwningOpRef<ModuleOp> module;
  llvm::StringMap<Value> values;
  /// Value infos with a shape (graph outputs and value_info) by name.
  llvm::StringMap<const ::onnx::ValueInfoProto *> declared;
  /// Sequences (of statically known length) by name: the sequence ops work
  /// on these lists at import time.
  llvm::StringMap<SmallVector<Value>> sequences;
  /// A sequence whose length is known only at run time: the pieces of `x`
  /// along `axis`, of the run-time sizes `sizes` (1-d int64) or, without
  /// them, of `piece` elements (the last may be shorter), squeezed where
  /// SplitToSequence says so. SequenceLength and SequenceAt read it at run
  /// time; nothing is sliced until a piece is asked for.
  struct SplitSequence {
    Value x;
    int64_t axis;
    int64_t piece;
    Value sizes;
    bool squeeze;
  };
  llvm::StringMap<SplitSequence> splitSequences;
  /// The graphs being imported, innermost last (control-flow bodies nest).
  SmallVector<const ::onnx::GraphProto *> graphStack;
  unsigned blobCounter = 0;

  Location nodeLoc(const ::onnx::NodeProto &node, int index) {
    std::string name = node.name().empty()
                           ? node.op_type() + "_" + std::to_string(index)
                           : node.name();
    return NameLoc::get(StringAttr::get(ctx, name), fileLoc);
  }

  //===--------------------------------------------------------------------===//
  // Types and tensors
  //===--------------------------------------------------------------------===//

  FailureOr<Type> importValueType(const ::onnx::ValueInfoProto &info) {
    if (!info.type().has_tensor_type())
      return emitError(fileLoc) << "input '" << info.name() << "' is not a tensor",
             failure();
    const auto &tt = info.type().tensor_type();
    Type et = mlc::onnx::convertONNXElementType(ctx, tt.elem_type());
    if (!et)
      return emitError(fileLoc) << "input '" << info.name() << "' has unsupported element type "
                                << tt.elem_type(),
             failure();
    auto fixed = options.inputShapes.find(info.name());
    if (!tt.has_shape()) {
      if (fixed != options.inputShapes.end())
        return Type(RankedTensorType::get(fixed->second, et));
      return Type(UnrankedTensorType::get(et));
    }
    SmallVector<int64_t> dims;
    for (const auto &d : tt.shape().dim())
      dims.push_back(d.has_dim_value() ? d.dim_value() : ShapedType::kDynamic);
    if (fixed != options.inputShapes.end()) {
      if (fixed->second.size() != dims.size())
        return emitError(fileLoc) << "--input-shape gives " << fixed->second.size()
                                  << " dims for input '" << info.name() << "' of rank " << dims.size(),
               failure();
      for (size_t i = 0; i < dims.size(); ++i) {
        if (!ShapedType::isDynamic(dims[i]) && dims[i] != fixed->second[i])
          return emitError(fileLoc) << "--input-shape sets dim " << i << " of input '"
                                    << info.name() << "' to " << fixed->second[i]
                                    << " but the model fixes it to " << dims[i],
                 failure();
        dims[i] = fixed->second[i];
      }
    }
    return Type(RankedTensorType::get(dims, et));
  }

  /// The raw little-endian bytes of a tensor, from raw_data, the typed
  /// fields or external data.
  LogicalResult tensorBytes(const ::onnx::TensorProto &t, Type et, int64_t count,
                            std::vector<char> &bytes, Location loc) {
    size_t elemSize = et.isInteger(1) ? 1 : (et.getIntOrFloatBitWidth() + 7) / 8;
    size_t expected = elemSize * count;
    if (t.data_location() == ::onnx::TensorProto::EXTERNAL) {
      std::string location;
      int64_t offset = 0, length = -1;
      for (const auto &kv : t.external_data()) {
        if (kv.key() == "location") location = kv.value();
        else if (kv.key() == "offset") offset = std::strtoll(kv.value().c_str(), nullptr, 10);
        else if (kv.key() == "length") length = std::strtoll(kv.value().c_str(), nullptr, 10);
      }
      std::string error;
      if (!frontend::readExternalData(modelDir, location, offset, length, bytes, error))
        return emitError(loc) << "tensor '" << t.name() << "': " << error;
    } else if (t.has_raw_data()) {
      bytes.assign(t.raw_data().begin(), t.raw_data().end());
    } else {
      bytes.resize(expected);
      auto fill = [&](auto values, auto convert) -> LogicalResult {
        if ((int64_t)values.size() != count)
          return emitError(loc) << "tensor '" << t.name() << "' holds " << values.size()
                                << " values for " << count << " elements";
        for (int64_t i = 0; i < count; ++i)
          convert(values[i], bytes.data() + i * elemSize);
        return success();
      };
      auto store = [&](auto v, char *dst) {
        // Narrow integers and half floats are stored in int32_data.
        uint64_t u = (uint64_t)v;
        std::memcpy(dst, &u, elemSize);
      };
      LogicalResult ok = success();
      switch (t.data_type()) {
      case ::onnx::TensorProto::FLOAT:
        ok = fill(t.float_data(), [&](float v, char *d) { std::memcpy(d, &v, 4); });
        break;
      case ::onnx::TensorProto::DOUBLE:
        ok = fill(t.double_data(), [&](double v, char *d) { std::memcpy(d, &v, 8); });
        break;
      case ::onnx::TensorProto::INT64:
        ok = fill(t.int64_data(), [&](int64_t v, char *d) { std::memcpy(d, &v, 8); });
        break;
      case ::onnx::TensorProto::UINT32:
      case ::onnx::TensorProto::UINT64:
        ok = fill(t.uint64_data(), store);
        break;
      default:
        ok = fill(t.int32_data(), store);
        break;
      }
      if (failed(ok))
        return failure();
    }
    if (bytes.size() != expected)
      return emitError(loc) << "tensor '" << t.name() << "' has " << bytes.size()
                            << " bytes of data but its shape needs " << expected;
    return success();
  }

  FailureOr<ElementsAttr> importTensor(const ::onnx::TensorProto &t, Location loc) {
    Type et = mlc::onnx::convertONNXElementType(ctx, t.data_type());
    if (!et)
      return emitError(loc) << "tensor '" << t.name() << "' has unsupported data type "
                            << t.data_type(),
             failure();
    SmallVector<int64_t> dims;
    int64_t count = 1;
    for (int64_t d : t.dims()) {
      if (d < 0 || (d > 0 && count > (INT64_MAX / 16) / d))
        return emitError(loc) << "tensor '" << t.name() << "' has an invalid shape", failure();
      dims.push_back(d);
      count *= d;
    }
    auto type = RankedTensorType::get(dims, et);
    if (isa<mlc::onnx::StringType>(et)) {
      if (t.data_location() == ::onnx::TensorProto::EXTERNAL || t.string_data_size() != count)
        return emitError(loc) << "tensor '" << t.name() << "' holds " << t.string_data_size()
                              << " strings for " << count << " elements",
               failure();
      SmallVector<StringRef> strings(t.string_data().begin(), t.string_data().end());
      return ElementsAttr(DenseStringElementsAttr::get(type, strings));
    }
    std::vector<char> bytes;
    unsigned bits = et.getIntOrFloatBitWidth();
    if (bits < 8 && bits > 1) {
      // 4- and 2-bit types: packed from the lowest bits of each byte up.
      if (failed(tensorBytes(t, builder.getIntegerType(8), (count * bits + 7) / 8, bytes, loc)))
        return failure();
      SmallVector<APInt> values;
      for (int64_t i = 0; i < count; ++i)
        values.emplace_back(bits, ((uint8_t)bytes[i * bits / 8] >> (i * bits % 8)) & ((1u << bits) - 1));
      if (auto ft = dyn_cast<FloatType>(et))
        return ElementsAttr(DenseElementsAttr::get(
            type, llvm::map_to_vector(values, [&](const APInt &v) { return APFloat(ft.getFloatSemantics(), v); })));
      return ElementsAttr(DenseElementsAttr::get(type, values));
    }
    if (failed(tensorBytes(t, et, count, bytes, loc)))
      return failure();
    if (isa<FloatType>(et) && et.getIntOrFloatBitWidth() >= 16 && count > kInlineElements) {
      std::string name = t.name().empty() ? "tensor" : t.name();
      return ElementsAttr(DenseResourceElementsAttr::get(
          type, name + "_" + std::to_string(blobCounter++),
          HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, alignof(uint64_t))));
    }
    bool isSplat = false;
    if (et.isInteger(1)) {
      // DenseElementsAttr packs i1 as bits; convert from ONNX's bytes.
      SmallVector<bool> bits;
      for (char c : bytes) bits.push_back(c != 0);
      return ElementsAttr(DenseElementsAttr::get(type, bits));
    }
    if (!DenseElementsAttr::isValidRawBuffer(type, ArrayRef<char>(bytes), isSplat))
      return emitError(loc) << "tensor '" << t.name() << "' has malformed data", failure();
    return ElementsAttr(DenseElementsAttr::getFromRawBuffer(type, ArrayRef<char>(bytes)));
  }

  Value constant(ElementsAttr attr, Location loc) {
    return mlc::onnx::ConstantOp::create(builder, loc, cast<TensorType>(attr.getType()), attr);
  }

  Value int64Constant(ArrayRef<int64_t> values, Location loc) {
    auto type = RankedTensorType::get({(int64_t)values.size()}, builder.getI64Type());
    return constant(DenseElementsAttr::get(type, values), loc);
  }

  //===--------------------------------------------------------------------===//
  // Graph
  //===--------------------------------------------------------------------===//

  LogicalResult importGraph(const ::onnx::GraphProto &graph) {
    llvm::StringSet<llvm::MallocAllocator> initializerNames;
    for (const auto &init : graph.initializer())
      initializerNames.insert(init.name());
    // Check --input-shape names before anything else.
    for (const auto &entry : options.inputShapes) {
      const std::string &name = entry.first;
      bool found = llvm::any_of(graph.input(), [&](const auto &in) { return in.name() == name; });
      if (!found || initializerNames.contains(name))
        return emitError(fileLoc) << "--input-shape names '" << name << "', which is not an input of the model";
    }
    SmallVector<Type> argTypes;
    SmallVector<std::string> inputNames;
    for (const auto &in : graph.input()) {
      if (initializerNames.contains(in.name()))
        continue;
      auto type = importValueType(in);
      if (failed(type))
        return failure();
      argTypes.push_back(*type);
      inputNames.push_back(in.name());
    }
    builder.setInsertionPointToEnd(module->getBody());
    auto func = func::FuncOp::create(builder, fileLoc, "forward",
                                     builder.getFunctionType(argTypes, {}));
    // The inputs are the application's buffers: bufferization must not
    // write into them (a kernel updating an operand in place copies it).
    for (unsigned i = 0; i < argTypes.size(); ++i)
      func.setArgAttr(i, "bufferization.writable", builder.getBoolAttr(false));
    Block *entry = func.addEntryBlock();
    builder.setInsertionPointToStart(entry);
    for (auto [name, arg] : llvm::zip(inputNames, entry->getArguments()))
      values[name] = arg;
    for (const auto &init : graph.initializer()) {
      Location loc = NameLoc::get(StringAttr::get(ctx, init.name()), fileLoc);
      auto attr = importTensor(init, loc);
      if (failed(attr))
        return failure();
      values[init.name()] = constant(*attr, loc);
    }
    // Shapes the model declares for its outputs and intermediate values.
    for (const auto *list : {&graph.output(), &graph.value_info()})
      for (const auto &info : *list)
        if (info.has_type() && info.type().has_tensor_type() &&
            info.type().tensor_type().has_shape())
          declared[info.name()] = &info;
    // Which node outputs are used, to refuse optional outputs we drop.
    llvm::StringSet<llvm::MallocAllocator> used;
    for (const auto &node : graph.node())
      for (const auto &in : node.input())
        used.insert(in);
    for (const auto &out : graph.output())
      used.insert(out.name());

    graphStack.push_back(&graph);
    for (int i = 0; i < graph.node_size(); ++i)
      if (failed(importNode(graph.node(i), i, used)))
        return failure();
    graphStack.pop_back();

    SmallVector<Value> results;
    SmallVector<Attribute> outputNames;
    for (const auto &out : graph.output()) {
      auto it = values.find(out.name());
      if (it == values.end())
        return emitError(fileLoc) << "graph output '" << out.name() << "' is never produced";
      // Dims computed at run time meet the static shape the model declares:
      // checked by the run.
      if (auto declared = declaredShape(out.name())) {
        it->second = withDeclaredShape(it->second, *declared, NameLoc::get(builder.getStringAttr(out.name()), fileLoc));
        if (!it->second)
          return failure();
      }
      results.push_back(it->second);
      outputNames.push_back(builder.getStringAttr(out.name()));
    }
    if (results.empty())
      return emitError(fileLoc) << "the graph has no outputs";
    func::ReturnOp::create(builder, fileLoc, results);
    func.setType(builder.getFunctionType(argTypes, ValueRange(results).getTypes()));
    SmallVector<Attribute> inNames;
    for (const auto &n : inputNames)
      inNames.push_back(builder.getStringAttr(n));
    func->setAttr("mlc.input_names", builder.getArrayAttr(inNames));
    func->setAttr("mlc.output_names", builder.getArrayAttr(outputNames));
    return success();
  }

  /// An ONNX attribute as the MLIR attribute the onnx dialect expects.
  FailureOr<Attribute> importAttribute(const ::onnx::AttributeProto &a, Location loc) {
    switch (a.type()) {
    case ::onnx::AttributeProto::INT: return Attribute(builder.getI64IntegerAttr(a.i()));
    case ::onnx::AttributeProto::FLOAT: return Attribute(builder.getF32FloatAttr(a.f()));
    case ::onnx::AttributeProto::STRING: return Attribute(builder.getStringAttr(a.s()));
    case ::onnx::AttributeProto::INTS:
      return Attribute(builder.getI64ArrayAttr(SmallVector<int64_t>(a.ints().begin(), a.ints().end())));
    case ::onnx::AttributeProto::FLOATS:
      return Attribute(builder.getF32ArrayAttr(SmallVector<float>(a.floats().begin(), a.floats().end())));
    case ::onnx::AttributeProto::STRINGS:
      return Attribute(builder.getStrArrayAttr(SmallVector<StringRef>(a.strings().begin(), a.strings().end())));
    case ::onnx::AttributeProto::TENSOR: {
      auto t = importTensor(a.t(), loc);
      if (failed(t))
        return failure();
      return Attribute(*t);
    }
    default:
      return emitError(loc) << "attribute '" << a.name() << "' has an unsupported type", failure();
    }
  }

  /// Moves a constant input (e.g. Unsqueeze's axes from opset 13) into an
  /// attribute of the same name.
  LogicalResult inputToAttribute(SmallVectorImpl<Value> &operands, unsigned index, StringRef name,
                                 NamedAttrList &attrs, Location loc, StringRef opType) {
    if (operands.size() <= index)
      return success();
    Value v = operands[index];
    operands.erase(operands.begin() + index);
    if (isa<NoneType>(v.getType()))
      return success();
    auto ints = mlc::onnx::getConstantInts(v);
    if (failed(ints))
      return emitError(loc) << "'" << opType << "': input '" << name
                            << "' must be a constant (computed values are not supported)";
    attrs.set(name, builder.getI64ArrayAttr(*ints));
    return success();
  }

  /// Builds onnx.<opType> in the dialect's one form per operator (axes as
  /// attributes, optional operands as `none`), infers its result types and
  /// folds it to constants where it can. Nodes and the front end's own
  /// expansions of operators into others both come through here.
  FailureOr<SmallVector<Value>> createOp(StringRef opType, ArrayRef<Value> operands,
                                         const NamedAttrList &attrs, unsigned numResults,
                                         Location loc) {
    // A null operand is an earlier op of an expansion that failed (and said
    // why): the chain stops here.
    if (llvm::any_of(operands, [](Value v) { return !v; }))
      return failure();
    auto opName = RegisteredOperationName::lookup(("onnx." + opType).str(), ctx);
    if (!opName)
      return emitError(loc) << "internal error: no onnx." << opType << " op", failure();
    OperationState state(loc, *opName);
    state.addOperands(operands);
    state.addAttributes(attrs);
    // Placeholder result types: the op infers the real ones right away.
    Type placeholder = UnrankedTensorType::get(
        opType == "Shape" || opType == "Size" || opType == "ArgMax" || opType == "ArgMin"
            ? Type(builder.getI64Type())
            : Type(builder.getF32Type()));
    for (unsigned i = 0; i < numResults; ++i)
      state.addTypes(placeholder);
    Operation *op = builder.create(state);
    if (failed(verify(op, /*verifyRecursively=*/false)))
      return failure();
    auto inferrable = dyn_cast<mlc::onnx::ShapeInferenceOpInterface>(op);
    if (!inferrable || failed(inferrable.inferShapes()))
      return failure();
    // Fold what can be computed now (shape arithmetic), so that later nodes
    // see constants where opsets take axes, splits or shapes as inputs.
    SmallVector<Value> results(op->getResults());
    SmallVector<OpFoldResult> folded;
    if (numResults > 0 && !isa<mlc::onnx::ConstantOp>(op) && succeeded(op->fold(folded)) &&
        folded.size() == numResults) {
      SmallVector<Value> constants;
      for (auto [r, f] : llvm::zip(results, folded)) {
        if (auto v = dyn_cast<Value>(f)) {
          if (v.getDefiningOp() == op) break;
          constants.push_back(v);
          continue;
        }
        auto attr = dyn_cast<ElementsAttr>(cast<Attribute>(f));
        if (!attr || attr.getType() != r.getType()) break;
        constants.push_back(constant(attr, loc));
      }
      if (constants.size() == numResults) {
        results = constants;
        op->erase();
      }
    }
    return results;
  }

  /// createOp for an op of one result; null on failure (already reported).
  Value createOne(StringRef opType, ArrayRef<Value> operands, const NamedAttrList &attrs,
                  Location loc) {
    auto r = createOp(opType, operands, attrs, 1, loc);
    return failed(r) ? Value() : (*r)[0];
  }

  /// createOne at one location, for the front end's expansions:
  /// `auto op = opsAt(loc); op("Mul", {a, b});`.
  struct OpsAt {
    Importer *importer;
    Location loc;
    Value operator()(StringRef name, ArrayRef<Value> args, const NamedAttrList &attrs = {}) const {
      return importer->createOne(name, args, attrs, loc);
    }
  };
  OpsAt opsAt(Location loc) { return {this, loc}; }

  /// Binds a node's outputs, in order, to `results` (those past the end
  /// and unnamed ones are skipped); a null result for a named output means
  /// its expansion failed and said why.
  LogicalResult bindOutputs(const ::onnx::NodeProto &node, ArrayRef<Value> results) {
    for (int i = 0; i < node.output_size() && i < (int)results.size(); ++i) {
      if (node.output(i).empty())
        continue;
      if (!results[i])
        return failure();
      values[node.output(i)] = results[i];
    }
    return success();
  }

  /// Attributes {axes = values}.
  NamedAttrList axesAttr(ArrayRef<int64_t> values) {
    NamedAttrList l;
    l.set("axes", builder.getI64ArrayAttr(values));
    return l;
  }

  /// Attributes of a reduction: {axes = axes} (none: every dim), keepdims.
  NamedAttrList reduceAttrs(ArrayRef<int64_t> axes, bool keepdims) {
    NamedAttrList l = axes.empty() ? NamedAttrList() : axesAttr(axes);
    l.set("keepdims", builder.getI64IntegerAttr(keepdims));
    return l;
  }

  /// A float attribute of a node, or `dflt` where it is absent.
  static double floatAttr(const NamedAttrList &attrs, StringRef name, double dflt) {
    auto a = dyn_cast_or_null<FloatAttr>(attrs.get(name));
    return a ? a.getValueAsDouble() : dflt;
  }

  /// A list attribute of a node, as getI64s takes it.
  static std::optional<ArrayAttr> arrayAttr(const NamedAttrList &attrs, StringRef name) {
    if (auto a = dyn_cast_or_null<ArrayAttr>(attrs.get(name)))
      return a;
    return std::nullopt;
  }

  /// Attributes {axis = axis}.
  NamedAttrList axisAttr(int64_t axis) {
    NamedAttrList l;
    l.set("axis", builder.getI64IntegerAttr(axis));
    return l;
  }

  /// Attributes {perm = perm}.
  NamedAttrList permAttr(ArrayRef<int64_t> perm) {
    NamedAttrList l;
    l.set("perm", builder.getI64ArrayAttr(perm));
    return l;
  }

  /// An integer attribute of a node, or `dflt` where it is absent.
  static int64_t intAttr(const NamedAttrList &attrs, StringRef name, int64_t dflt) {
    auto a = dyn_cast_or_null<IntegerAttr>(attrs.get(name));
    return a ? a.getInt() : dflt;
  }

  /// Operand `i` of a node, or null where it is absent or empty.
  static Value optionalOperand(ArrayRef<Value> operands, size_t i) {
    return i < operands.size() && !isa<NoneType>(operands[i].getType()) ? operands[i] : Value();
  }

  /// A scalar constant of `elementType` (float or integer).
  Value scalar(Type elementType, double value, Location loc) {
    auto type = RankedTensorType::get({}, elementType);
    if (isa<FloatType>(elementType))
      return constant(DenseElementsAttr::get(type, builder.getFloatAttr(elementType, value)), loc);
    return constant(DenseElementsAttr::get(type, builder.getIntegerAttr(elementType, (int64_t)value)), loc);
  }

  /// Dropout's mask output: all true unless training drops elements.
  LogicalResult dropoutMask(ArrayRef<Value> operands, const std::string &name, StringRef opType,
                            Location loc) {
    auto type = dyn_cast<RankedTensorType>(operands[0].getType());
    if (!type)
      return emitError(loc) << "'Dropout': the mask output needs a ranked input";
    auto isConstant = [&](unsigned i, double value, double absent) {
      if (operands.size() <= i || isa<NoneType>(operands[i].getType()))
        return value == absent;
      auto c = operands[i].getDefiningOp<mlc::onnx::ConstantOp>();
      auto v = c ? dyn_cast<DenseElementsAttr>(c.getValue()) : DenseElementsAttr();
      if (!v || !v.isSplat())
        return false;
      if (isa<FloatType>(v.getElementType()))
        return v.getSplatValue<APFloat>().convertToDouble() == value;
      return v.getSplatValue<APInt>().getZExtValue() == (uint64_t)value;
    };
    bool training = !isConstant(2, 0, /*absent: false*/ 0);
    if (training && !isConstant(1, 0, /*absent*/ 0.5))
      return emitError(loc) << "'Dropout': training mode with a nonzero ratio is random; only "
                               "inference (training_mode false) and ratio 0 are supported";
    if (type.hasStaticShape()) {
      auto maskType = RankedTensorType::get(type.getShape(), builder.getI1Type());
      values[name] = constant(DenseElementsAttr::get(maskType, true), loc);
      return success();
    }
    // Symbolic dims: true in the input's shape, read at run time.
    NamedAttrList value;
    value.set("value", DenseElementsAttr::get(RankedTensorType::get({1}, builder.getI1Type()), true));
    values[name] = createOne("ConstantOfShape", {createOne("Shape", {operands[0]}, {}, loc)}, value, loc);
    return success();
  }

  /// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss, expanded into
  /// ops the compiler has (their ONNX definitions are functions of others):
  ///   loss[n, d..] = -x[n, t[n, d..], d..] * w[t[n, d..]]   (w = 1 without weights)
  /// with targets equal to ignore_index contributing 0 to the loss and to the
  /// weight total; reduction 'none' keeps loss, 'sum' adds it up, 'mean'
  /// divides that by the weight total (by the count without weights and
  /// ignore_index). SoftmaxCrossEntropyLoss applies it to LogSoftmax(scores)
  /// along axis 1 and can also return that log-probability.
  LogicalResult importLoss(const ::onnx::NodeProto &node, ArrayRef<Value> operands,
                           const NamedAttrList &attrs, Location loc) {
    StringRef opType = node.op_type();
    if (operands.size() < 2)
      return emitError(loc) << "'" << opType << "' expects at least 2 inputs";
    auto xType = dyn_cast<RankedTensorType>(operands[0].getType());
    auto tType = dyn_cast<RankedTensorType>(operands[1].getType());
    if (!xType || !tType || xType.getRank() < 2 || tType.getRank() != xType.getRank() - 1 ||
        !isa<FloatType>(xType.getElementType()) || !isa<IntegerType>(tType.getElementType()))
      return emitError(loc) << "'" << opType << "' expects float input [N, C, d...] and integer "
                            << "targets [N, d...]";
    StringRef reduction = "mean";
    if (auto r = dyn_cast_or_null<StringAttr>(attrs.get("reduction")))
      reduction = r.getValue();
    if (reduction != "mean" && reduction != "sum" && reduction != "none")
      return emitError(loc) << "'" << opType << "': unknown reduction '" << reduction << "'";
    auto ignore = dyn_cast_or_null<IntegerAttr>(attrs.get("ignore_index"));
    Value weights = optionalOperand(operands, 2);
    Type fType = xType.getElementType(), iType = tType.getElementType();

    auto op = opsAt(loc);
    Value logProb = operands[0];
    if (opType == "SoftmaxCrossEntropyLoss") {
      if (!(logProb = op("LogSoftmax", {operands[0]}, axisAttr(1))))
        return failure();
    }
    // Targets that index the class dim; ignored ones replaced by class 0.
    Value targets = operands[1], ignored;
    if (ignore) {
      ignored = op("Equal", {targets, scalar(iType, ignore.getInt(), loc)});
      if (!ignored || !(targets = op("Where", {ignored, scalar(iType, 0, loc), targets})))
        return failure();
    }
    Value picked = op("Unsqueeze", {targets}, axesAttr({1}));
    if (picked)
      picked = op("GatherElements", {logProb, picked}, axisAttr(1));
    Value loss = picked ? op("Squeeze", {picked}, axesAttr({1})) : Value();
    if (loss)
      loss = op("Neg", {loss});
    Value weight; // per element; null: 1 everywhere
    if (loss && weights) {
      if ((weight = op("Gather", {weights, targets}, axisAttr(0))))
        loss = op("Mul", {loss, weight});
    }
    if (loss && ignored) {
      Value zero = scalar(fType, 0, loc);
      weight = op("Where", {ignored, zero, weight ? weight : scalar(fType, 1, loc)});
      loss = weight ? op("Where", {ignored, zero, loss}) : Value();
    }
    if (loss && reduction != "none") {
      NamedAttrList all = reduceAttrs({}, false);
      if (reduction == "sum")
        loss = op("ReduceSum", {loss}, all);
      else if (!weight)
        loss = op("ReduceMean", {loss}, all);
      else {
        Value total = op("ReduceSum", {loss}, all);
        Value weightTotal = total ? op("ReduceSum", {weight}, all) : Value();
        loss = weightTotal ? op("Div", {total, weightTotal}) : Value();
      }
    }
    if (!loss)
      return failure();
    values[node.output(0)] = loss;
    if (node.output_size() > 1 && !node.output(1).empty()) {
      if (opType != "SoftmaxCrossEntropyLoss")
        return emitError(loc) << "'" << opType << "' has one output";
      values[node.output(1)] = logProb;
    }
    return success();
  }

  /// LayerNormalization's Mean and InvStdDev outputs, shaped like X with the
  /// normalized dims (from `axis` on) set to 1:
  ///   Mean = ReduceMean(X), InvStdDev = 1 / sqrt(ReduceMean((X - Mean)^2) + epsilon)
  LogicalResult layerNormStatistics(const ::onnx::NodeProto &node, ArrayRef<Value> operands,
                                    const NamedAttrList &attrs, Location loc) {
    if (values.count(node.output(1)) || (node.output_size() > 2 && values.count(node.output(2))))
      return success(); // made already
    auto type = dyn_cast<RankedTensorType>(operands[0].getType());
    int64_t axis = intAttr(attrs, "axis", -1);
    double epsilon = floatAttr(attrs, "epsilon", 1e-5);
    if (!type || !isa<FloatType>(type.getElementType()) ||
        failed(mlc::onnx::normalizeAxis(axis, type.getRank())))
      return emitError(loc) << "'LayerNormalization': the Mean/InvStdDev outputs need a ranked "
                               "float input and a valid axis";
    int64_t first = *mlc::onnx::normalizeAxis(axis, type.getRank());
    NamedAttrList reduce = reduceAttrs(llvm::to_vector(llvm::seq<int64_t>(first, type.getRank())), true);
    auto op = opsAt(loc);
    Value mean = op("ReduceMean", {operands[0]}, reduce);
    Value centred = mean ? op("Sub", {operands[0], mean}) : Value();
    Value squares = centred ? op("Mul", {centred, centred}) : Value();
    Value variance = squares ? op("ReduceMean", {squares}, reduce) : Value();
    Value shifted = variance ? op("Add", {variance, scalar(type.getElementType(), epsilon, loc)})
                             : Value();
    Value deviation = shifted ? op("Sqrt", {shifted}) : Value();
    Value inverse = deviation ? op("Reciprocal", {deviation}) : Value();
    if (!inverse)
      return failure();
    values[node.output(1)] = mean;
    if (node.output_size() > 2 && !node.output(2).empty())
      values[node.output(2)] = inverse;
    return success();
  }

  /// Gives `value` the dims that the model declares for `name` where
  /// inference from the operands left them unknown (an op whose output
  /// shape depends on the values of inputs the graph computes or takes at
  /// run time). The declaration is part of the model; a declared dim that
  /// contradicts an inferred one is left to the inferred one.
  void refineWithDeclaredType(Value value, const std::string &name) {
    auto type = dyn_cast<TensorType>(value.getType());
    // A graph input (a node that passes one through) keeps its signature,
    // and a loop's results keep the types of its iteration arguments.
    if (!type || (type.hasRank() && type.hasStaticShape()) || isa<BlockArgument>(value) ||
        !isa<mlc::onnx::ONNXDialect>(value.getDefiningOp()->getDialect()))
      return;
    auto declaredDims = declaredShapeOfSameShapedValues(name); // none if symbolic: nothing to add
    if (!declaredDims)
      return;
    SmallVector<int64_t> dims = *declaredDims;
    if (type.hasRank()) {
      if (type.getRank() != (int64_t)dims.size())
        return;
      for (auto [d, known] : llvm::zip(dims, type.getShape()))
        if (!ShapedType::isDynamic(known))
          d = known;
    }
    value.setType(RankedTensorType::get(dims, type.getElementType()));
  }

  /// The static shape the model declares for value `name`, if any.
  std::optional<SmallVector<int64_t>> declaredShape(const std::string &name) {
    auto it = declared.find(name);
    if (it == declared.end())
      return std::nullopt;
    SmallVector<int64_t> dims;
    for (const auto &d : it->second->type().tensor_type().shape().dim()) {
      if (!d.has_dim_value() || d.dim_value() < 0)
        return std::nullopt;
      dims.push_back(d.dim_value());
    }
    return dims;
  }

  /// A reduction whose run-time axes could be any of `candidates` (axis sets
  /// that all give the declared shape): each is computed, and the result is
  /// the one whose set the axes input holds (negative axes normalized; the
  /// axes of a reduction are distinct, so a set matches when every entry is
  /// in it). None matching leaves the first candidate's.
  ///
  /// With symbolic input dims (`declared`, keepdims = 1) the candidates are
  /// sets of different sizes: a set matches when the axes input has exactly
  /// its size and every entry is in it (an empty input names every dim, or
  /// with noop_with_empty_axes none), and each candidate is cut to the
  /// declared dims first. Every candidate keeps at least those dims (a dim
  /// it does not reduce is the input's, which is 1 where the true set does
  /// not reduce it either), so the cut only drops what is never selected.
  LogicalResult reduceOverRuntimeAxes(const ::onnx::NodeProto &node, ArrayRef<Value> operands,
                                      const NamedAttrList &attrs, ArrayRef<SmallVector<int64_t>> candidates,
                                      Location loc, ArrayRef<int64_t> declared = {}) {
    StringRef opType = node.op_type();
    auto op = opsAt(loc);
    int64_t rank = cast<RankedTensorType>(operands[0].getType()).getRank();
    NamedAttrList toI64 = castTo(builder.getI64Type()), all = reduceAttrs({}, false);
    Value axes = op("Cast", {operands[1]}, toI64);
    Value zero = int64Constant({0}, loc);
    axes = op("Where", {op("Less", {axes, zero}), op("Add", {axes, int64Constant({rank}, loc)}), axes});
    Value result;
    Value length = declared.empty() ? Value() : op("Size", {operands[1]});
    bool noop = intAttr(attrs, "noop_with_empty_axes", 0) != 0;
    auto i64Scalar = [&](double v) { return scalar(builder.getI64Type(), v, loc); };
    for (const auto &way : llvm::reverse(candidates)) {
      NamedAttrList reduceAttrs = attrs;
      reduceAttrs.set("axes", builder.getI64ArrayAttr(way));
      if (!declared.empty())
        reduceAttrs.set("noop_with_empty_axes", builder.getI64IntegerAttr(way.empty() ? 1 : 0));
      Value reduced = op(opType, {operands[0]}, reduceAttrs);
      if (!declared.empty()) {
        // Cut to the declared dims, then pad with zeros up to them: each
        // candidate then has exactly the declared dims at run time.
        int64_t outRank = declared.size();
        SmallVector<int64_t> zeros(outRank, 0), ones(outRank, 1);
        SmallVector<int64_t> dims = llvm::to_vector(llvm::seq<int64_t>(0, outRank));
        reduced = op("Slice", {reduced, int64Constant(zeros, loc), int64Constant(declared, loc),
                               int64Constant(dims, loc), int64Constant(ones, loc)});
        Value missing = op("Sub", {int64Constant(declared, loc), op("Shape", {reduced})});
        NamedAttrList axis0;
        axis0.set("axis", builder.getI64IntegerAttr(0));
        Value pads = op("Concat", {int64Constant(zeros, loc), missing}, axis0);
        Value none = mlc::onnx::NoneOp::create(builder, loc, builder.getNoneType());
        reduced = op("Pad", {reduced, pads, none});
      }
      if (!result) {
        result = reduced;
        continue;
      }
      Value member;
      for (int64_t d : way) {
        Value is = op("Equal", {axes, int64Constant({d}, loc)});
        member = member ? op("Or", {member, is}) : is;
      }
      Value matches;
      if (member) {
        Value count = op("ReduceSum", {op("Cast", {member}, toI64)}, all);
        matches = op("Equal", {count, i64Scalar((double)way.size())});
      }
      if (!declared.empty()) {
        // Exactly this set; an empty axes input names every dim (or none).
        Value sized = op("Equal", {length, i64Scalar((double)way.size())});
        matches = matches ? op("And", {matches, sized}) : sized;
        bool namedByEmpty = noop ? way.empty() : (int64_t)way.size() == rank;
        Value empty = op("Equal", {length, i64Scalar(0)});
        if (way.empty())
          matches = noop ? empty : op("And", {empty, op("Not", {empty})});
        else if (namedByEmpty)
          matches = op("Or", {matches, empty});
      }
      result = op("Where", {matches, reduced, result});
    }
    if (!result)
      return failure();
    values[node.output(0)] = result;
    return success();
  }

  /// The shape declared for `name`, or else for a value of the same shape
  /// derived from it: the values reachable from `name` through
  /// shape-preserving ops (unary ones such as Cast, Sqrt, Log, Cos; binary
  /// elementwise ones whose other operand is a scalar imported already or
  /// itself such a value), of which one is declared. A function body's
  /// reduction or Range typically ends that way in the output the model
  /// declares.
  std::optional<SmallVector<int64_t>> declaredShapeOfSameShapedValues(const std::string &name) {
    if (auto d = declaredShape(name))
      return d;
    if (graphStack.empty())
      return std::nullopt;
    static const llvm::StringSet<> unary = {"Cast", "CastLike", "Identity", "Sqrt", "Log", "Exp", "Neg",
                                            "Abs", "Reciprocal", "Relu", "Sigmoid", "Tanh", "Floor", "Ceil",
                                            "Cos", "Sin"};
    static const llvm::StringSet<> binary = {"Add", "Sub", "Mul", "Div", "Pow"};
    auto isScalar = [&](const std::string &other) {
      auto it = values.find(other);
      auto t = it == values.end() ? RankedTensorType() : dyn_cast<RankedTensorType>(it->second.getType());
      return t && t.getRank() == 0;
    };
    llvm::StringSet<> same = {name};
    for (bool changed = true; changed;) {
      changed = false;
      for (const auto &n : graphStack.back()->node()) {
        if (n.output_size() != 1 || same.contains(n.output(0)))
          continue;
        bool preserving = false;
        if (unary.contains(n.op_type()) && n.input_size() >= 1)
          preserving = same.contains(n.input(0));
        else if (binary.contains(n.op_type()) && n.input_size() == 2)
          preserving = (same.contains(n.input(0)) || same.contains(n.input(1))) &&
                       (same.contains(n.input(0)) || isScalar(n.input(0))) &&
                       (same.contains(n.input(1)) || isScalar(n.input(1)));
        if (!preserving)
          continue;
        if (auto d = declaredShape(n.output(0)))
          return d;
        same.insert(n.output(0));
        changed = true;
      }
    }
    return std::nullopt;
  }

  /// Reduce* whose axes the graph computes: the axes from the input shape and
  /// the declared output shape. With keepdims, the reduced dims are those the
  /// output has as 1 and the input does not (reducing a dim of size 1 changes
  /// nothing once any dim is reduced); without, the input dims the output
  /// leaves out, which must be the same non-unit dims however they are
  /// matched. When nothing is reduced, the result must not depend on whether
  /// the axes were empty (identity under noop_with_empty_axes) or named only
  /// dims of size 1, which holds for Sum/Mean/Max/Min/Prod only.
  LogicalResult reduceAxesFromDeclaredShape(ArrayRef<Value> operands, NamedAttrList &attrs,
                                            ArrayRef<int64_t> out, StringRef opType, Location loc,
                                            SmallVector<SmallVector<int64_t>> &candidates) {
    auto type = dyn_cast<RankedTensorType>(operands[0].getType());
    int64_t keepdims = intAttr(attrs, "keepdims", 1);
    auto refuse = [&]() {
      return emitError(loc) << "'" << opType << "': input 'axes' is computed and the declared "
                            << "output shape does not determine it";
    };
    if (type && !type.hasStaticShape() && type.getRank() <= 6 &&
        (keepdims ? (int64_t)out.size() == type.getRank() : (int64_t)out.size() < type.getRank())) {
      // Symbolic input dims: with keepdims any set of the dims declared 1,
      // without it any set of as many dims as the declared shape lacks, may
      // be the reduced one (at most 64 sets); the caller computes each.
      int64_t rank = type.getRank(), dropped = rank - (int64_t)out.size();
      for (unsigned mask = 0; mask < (1u << rank); ++mask) {
        SmallVector<int64_t> way;
        for (int64_t d = 0; d < rank; ++d)
          if (mask & (1u << d))
            way.push_back(d);
        bool fits = keepdims ? llvm::all_of(way, [&](int64_t d) { return out[d] == 1; })
                             : (int64_t)way.size() == dropped;
        if (fits)
          candidates.push_back(way);
      }
      return success();
    }
    if (!type || !type.hasStaticShape())
      return refuse();
    ArrayRef<int64_t> in = type.getShape();
    SmallVector<int64_t> axes;
    if (keepdims) {
      if (out.size() != in.size())
        return refuse();
      for (auto [d, pair] : llvm::enumerate(llvm::zip(in, out))) {
        auto [i, o] = pair;
        if (i == o)
          continue;
        if (o != 1)
          return refuse();
        axes.push_back(d);
      }
    } else {
      // Every way to drop in.size() - out.size() input dims that leaves out.
      SmallVector<SmallVector<int64_t>> ways;
      std::function<void(size_t, size_t, SmallVector<int64_t> &)> match =
          [&](size_t i, size_t o, SmallVector<int64_t> &dropped) {
            if (ways.size() > 64)
              return;
            if (i == in.size()) {
              if (o == out.size())
                ways.push_back(dropped);
              return;
            }
            if (o < out.size() && in[i] == out[o])
              match(i + 1, o + 1, dropped);
            dropped.push_back(i);
            match(i + 1, o, dropped);
            dropped.pop_back();
          };
      SmallVector<int64_t> dropped;
      match(0, 0, dropped);
      if (ways.empty())
        return refuse();
      auto nonUnit = [&](ArrayRef<int64_t> w) {
        SmallVector<int64_t> r;
        for (int64_t d : w)
          if (in[d] != 1)
            r.push_back(in[d]);
        return r;
      };
      bool unique = true;
      for (const auto &w : ways)
        if (nonUnit(w) != nonUnit(ways.front()) || w.empty() != ways.front().empty())
          unique = false;
      axes = ways.front();
      // Equal non-unit sizes could still sit at different positions.
      for (const auto &w : ways)
        for (auto [a, b] : llvm::zip(w, ways.front()))
          if (in[a] != 1 && a != b)
            unique = false;
      if (!unique) {
        // Several axis sets give the declared shape: the caller computes each
        // and picks the one the axes input names at run time, which needs
        // as many axes as dims dropped.
        auto axesType = dyn_cast<RankedTensorType>(operands[1].getType());
        if (!axesType || !axesType.hasStaticShape() || axesType.getNumElements() != (int64_t)axes.size() ||
            axes.empty() || ways.size() > 8)
          return refuse();
        candidates = ways;
        return success();
      }
    }
    if (axes.empty()) {
      if (opType != "ReduceSum" && opType != "ReduceMean" && opType != "ReduceMax" &&
          opType != "ReduceMin" && opType != "ReduceProd")
        return refuse();
      attrs.set("noop_with_empty_axes", builder.getI64IntegerAttr(1));
    }
    attrs.set("axes", builder.getI64ArrayAttr(axes));
    return success();
  }

  /// Split whose sizes the graph computes: the declared output dims along
  /// the axis.
  LogicalResult splitFromDeclaredShapes(const ::onnx::NodeProto &node,
                                        SmallVectorImpl<Value> &operands, NamedAttrList &attrs) {
    auto type = dyn_cast<RankedTensorType>(operands[0].getType());
    int64_t axis = 0;
    if (auto a = dyn_cast_or_null<IntegerAttr>(attrs.get("axis")))
      axis = a.getInt();
    if (!type || failed(mlc::onnx::normalizeAxis(axis, type.getRank())))
      return success(); // inputToAttribute reports it
    int64_t d = *mlc::onnx::normalizeAxis(axis, type.getRank());
    SmallVector<int64_t> sizes;
    for (const auto &name : node.output()) {
      auto shape = declaredShape(name);
      if (!shape || (int64_t)shape->size() != type.getRank())
        return success();
      sizes.push_back((*shape)[d]);
    }
    attrs.set("split", builder.getI64ArrayAttr(sizes));
    operands.erase(operands.begin() + 1);
    return success();
  }

  /// ConvTranspose as a convolution (so it gets the Conv lowering and its
  /// microkernels): the input dilated by the strides (zeros between its
  /// elements: unsqueeze, pad the new unit dims by stride - 1, reshape),
  /// padded by dilation * (kernel - 1) on both sides (plus output_padding at
  /// the end), convolved at stride 1 with the weights [C, F/g, k..] regrouped
  /// to [F, C/g, k..] and reversed along each kernel dim, then cropped by
  /// the pads. Every spatial dim of the full result has length
  ///   L = stride * (in - 1) + dilation * (kernel - 1) + 1 + output_padding,
  /// the output is [pad_begin, L - pad_end); pads come from `pads`, from
  /// `output_shape` or from auto_pad as the operator's definition says (an
  /// output_shape beyond L extends output_padding, as in the ONNX tests).
  LogicalResult importConvTranspose(const ::onnx::NodeProto &node, ArrayRef<Value> operands,
                                    const NamedAttrList &attrs, Location loc) {
    auto refuse = [&](const Twine &why) {
      return emitError(loc) << "'ConvTranspose': " << why;
    };
    if (operands.size() < 2)
      return refuse("expects inputs X and W");
    auto xType = dyn_cast<RankedTensorType>(operands[0].getType());
    auto wType = dyn_cast<RankedTensorType>(operands[1].getType());
    if (!xType || !wType || xType.getRank() < 3 || wType.getRank() != xType.getRank())
      return refuse("needs X [N, C, d..] and W [C, F/group, k..] of one rank >= 3; got ")
             << operands[0].getType() << " and " << operands[1].getType();
    // Channels, spatial dims or weights known only at run time: the op
    // itself, which lowers to a gather over the input. (The batch may be
    // dynamic in the expansion: Mask R-CNN's rois.)
    if (!wType.hasStaticShape() || llvm::any_of(xType.getShape().drop_front(), ShapedType::isDynamic)) {
      SmallVector<Value> xwb(operands.take_front(3));
      if (xwb.size() == 2) // no bias
        xwb.push_back(mlc::onnx::NoneOp::create(builder, loc, builder.getNoneType()));
      return bindOutputs(node, {createOne("ConvTranspose", xwb, attrs, loc)});
    }
    int64_t rank = xType.getRank(), spatial = rank - 2;
    auto ints = [&](StringRef name, int64_t fill) {
      SmallVector<int64_t> v(spatial, fill);
      if (auto a = dyn_cast_or_null<ArrayAttr>(attrs.get(name)))
        v = mlc::onnx::getI64s(a, 0, 0);
      return v;
    };
    SmallVector<int64_t> strides = ints("strides", 1), dilations = ints("dilations", 1),
                         outputPadding = ints("output_padding", 0), pads = ints("pads", 0);
    if (pads.size() == (size_t)spatial)
      pads.append(spatial, 0);
    int64_t group = 1;
    if (auto g = dyn_cast_or_null<IntegerAttr>(attrs.get("group")))
      group = g.getInt();
    StringRef autoPad = "NOTSET";
    if (auto a = dyn_cast_or_null<StringAttr>(attrs.get("auto_pad")))
      autoPad = a.getValue();
    int64_t channels = xType.getDimSize(1);
    if (strides.size() != (size_t)spatial || dilations.size() != (size_t)spatial ||
        outputPadding.size() != (size_t)spatial || pads.size() != (size_t)(2 * spatial) ||
        group < 1 || channels % group != 0 || wType.getDimSize(0) != channels)
      return refuse("inconsistent strides/dilations/pads/output_padding/group for these shapes");
    SmallVector<int64_t> kernel(wType.getShape().drop_front(2)), full(spatial);
    for (int64_t i = 0; i < spatial; ++i)
      full[i] = strides[i] * (xType.getDimSize(2 + i) - 1) + dilations[i] * (kernel[i] - 1) + 1 +
                outputPadding[i];
    SmallVector<int64_t> wanted; // explicit output dims, if any
    if (auto a = dyn_cast_or_null<ArrayAttr>(attrs.get("output_shape"))) {
      wanted = mlc::onnx::getI64s(a, 0, 0);
      if ((int64_t)wanted.size() == rank)
        wanted.erase(wanted.begin(), wanted.begin() + 2);
    } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      for (int64_t i = 0; i < spatial; ++i)
        wanted.push_back(xType.getDimSize(2 + i) * strides[i]);
    } else if (autoPad == "VALID") {
      pads.assign(2 * spatial, 0);
    }
    if (!wanted.empty()) {
      if ((int64_t)wanted.size() != spatial)
        return refuse("output_shape has the wrong number of dims");
      for (int64_t i = 0; i < spatial; ++i) {
        int64_t total = full[i] - wanted[i];
        if (total < 0) { // a longer output: the extra end is output padding
          outputPadding[i] -= total;
          full[i] -= total;
          total = 0;
        }
        bool upper = autoPad == "SAME_UPPER";
        pads[i] = upper ? total / 2 : total - total / 2;
        pads[spatial + i] = total - pads[i];
      }
    }
    for (int64_t i = 0; i < spatial; ++i)
      if (pads[i] < 0 || pads[spatial + i] < 0 || pads[i] + pads[spatial + i] >= full[i])
        return refuse("pads or output_shape give an output outside the full result");

    auto op = opsAt(loc);
    auto slice = [&](Value v, ArrayRef<int64_t> starts, ArrayRef<int64_t> ends,
                     ArrayRef<int64_t> axes, ArrayRef<int64_t> steps) -> Value {
      if (!v)
        return v;
      return op("Slice", {v, int64Constant(starts, loc), int64Constant(ends, loc),
                          int64Constant(axes, loc), int64Constant(steps, loc)});
    };
    SmallVector<int64_t> spatialAxes = llvm::to_vector(llvm::seq<int64_t>(2, rank));

    // Dilate: x[.., i, ..] -> x[.., i * stride, ..] with zeros between.
    Value x = operands[0];
    SmallVector<int64_t> length(spatial);
    for (int64_t i = 0; i < spatial; ++i)
      length[i] = xType.getDimSize(2 + i) * strides[i];
    if (llvm::any_of(strides, [](int64_t st) { return st > 1; })) {
      // A run-time batch is Reshape's 0 (copy the input's dim).
      int64_t batch = xType.isDynamicDim(0) ? 0 : xType.getDimSize(0);
      SmallVector<int64_t> unitAxes, padding(2 * (rank + spatial), 0), shape = {batch, channels};
      for (int64_t i = 0; i < spatial; ++i) {
        unitAxes.push_back(3 + 2 * i);
        padding[rank + spatial + 3 + 2 * i] = strides[i] - 1;
        shape.push_back(length[i]);
      }
      x = op("Unsqueeze", {x}, axesAttr(unitAxes));
      if (x)
        x = op("Pad", {x, int64Constant(padding, loc), scalar(xType.getElementType(), 0, loc)});
      if (x)
        x = op("Reshape", {x, int64Constant(shape, loc)});
    }
    // The conv's padding; where the dilation's trailing zeros exceed the
    // end padding, they are cut off instead.
    SmallVector<int64_t> convPads(2 * spatial), keep(spatial);
    bool cut = false;
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t reach = dilations[i] * (kernel[i] - 1);
      int64_t end = reach + outputPadding[i] - (strides[i] - 1);
      convPads[i] = reach;
      convPads[spatial + i] = std::max<int64_t>(end, 0);
      keep[i] = length[i] + std::min<int64_t>(end, 0);
      cut |= end < 0;
    }
    if (cut)
      x = slice(x, SmallVector<int64_t>(spatial, 0), keep, spatialAxes,
                SmallVector<int64_t>(spatial, 1));

    // Weights [C, F/g, k..] -> [F, C/g, k..], each kernel reversed.
    int64_t perGroupOut = wType.getDimSize(1);
    SmallVector<int64_t> grouped = {group, channels / group, perGroupOut}, perm = {0, 2, 1},
                         regrouped = {group * perGroupOut, channels / group};
    for (int64_t i = 0; i < spatial; ++i) {
      grouped.push_back(kernel[i]);
      perm.push_back(3 + i);
      regrouped.push_back(kernel[i]);
    }
    Value w = op("Reshape", {operands[1], int64Constant(grouped, loc)});
    if (w)
      w = op("Transpose", {w}, permAttr(perm));
    if (w)
      w = op("Reshape", {w, int64Constant(regrouped, loc)});
    w = slice(w, SmallVector<int64_t>(spatial, -1), SmallVector<int64_t>(spatial, INT64_MIN),
              spatialAxes, SmallVector<int64_t>(spatial, -1));
    if (!x || !w)
      return failure();

    NamedAttrList conv;
    conv.set("dilations", builder.getI64ArrayAttr(dilations));
    conv.set("group", builder.getI64IntegerAttr(group));
    conv.set("kernel_shape", builder.getI64ArrayAttr(kernel));
    conv.set("pads", builder.getI64ArrayAttr(convPads));
    conv.set("strides", builder.getI64ArrayAttr(SmallVector<int64_t>(spatial, 1)));
    Value bias = operands.size() > 2 ? operands[2]
                                     : Value(mlc::onnx::NoneOp::create(builder, loc, builder.getNoneType()));
    Value y = op("Conv", {x, w, bias}, conv);
    // Crop the pads.
    SmallVector<int64_t> starts, ends;
    bool crop = false;
    for (int64_t i = 0; i < spatial; ++i) {
      starts.push_back(pads[i]);
      ends.push_back(full[i] - pads[spatial + i]);
      crop |= pads[i] != 0 || pads[spatial + i] != 0;
    }
    if (crop)
      y = slice(y, starts, ends, spatialAxes, SmallVector<int64_t>(spatial, 1));
    return bindOutputs(node, {y});
  }

  /// LpPool: (sum over the window of |x|^p)^(1/p), the sum being an
  /// AveragePool that counts the (zero) padding, times the window size.
  LogicalResult importLpPool(const ::onnx::NodeProto &node, ArrayRef<Value> operands,
                             NamedAttrList attrs, Location loc) {
    auto type = dyn_cast<RankedTensorType>(operands[0].getType());
    auto kernel = dyn_cast_or_null<ArrayAttr>(attrs.get("kernel_shape"));
    if (!type || !isa<FloatType>(type.getElementType()) || !kernel)
      return emitError(loc) << "'LpPool' needs a ranked float input and kernel_shape";
    int64_t p = 2;
    if (auto a = dyn_cast_or_null<IntegerAttr>(attrs.get("p")))
      p = a.getInt();
    if (auto c = dyn_cast_or_null<IntegerAttr>(attrs.get("ceil_mode")); c && c.getInt())
      return emitError(loc) << "'LpPool': ceil_mode is not supported";
    if (p < 1)
      return emitError(loc) << "'LpPool': p must be positive";
    attrs.erase("p");
    attrs.set("count_include_pad", builder.getI64IntegerAttr(1));
    int64_t window = 1;
    for (int64_t k : mlc::onnx::getI64s(kernel, 0, 0))
      window *= k;
    Type et = type.getElementType();
    auto op = opsAt(loc);
    Value x = op("Abs", {operands[0]});
    if (x && p == 2)
      x = op("Mul", {x, x});
    else if (x && p != 1)
      x = op("Pow", {x, scalar(et, p, loc)});
    Value sum = x ? op("AveragePool", {x}, attrs) : Value();
    if (sum)
      sum = op("Mul", {sum, scalar(et, window, loc)});
    Value y = sum;
    if (sum && p == 2)
      y = op("Sqrt", {sum});
    else if (sum && p != 1)
      y = op("Pow", {sum, scalar(et, 1.0 / p, loc)});
    return bindOutputs(node, {y});
  }

  /// Imports the nodes of `graph`, a control-flow body, inline: its inputs
  /// bound to `inputs`, the values of enclosing graphs visible by name, and
  /// its outputs returned. Names the body defines shadow enclosing ones only
  /// while it is imported, so a body can be imported once per iteration.
  FailureOr<SmallVector<Value>> inlineGraph(const ::onnx::GraphProto &graph, ArrayRef<Value> inputs,
                                            Location loc) {
    if ((int64_t)inputs.size() != graph.input_size())
      return emitError(loc) << "subgraph '" << graph.name() << "' takes " << graph.input_size()
                            << " inputs, given " << inputs.size(),
             failure();
    // Everything the body names, with what the name meant before.
    SmallVector<std::pair<std::string, std::optional<Value>>> shadowed;
    SmallVector<std::pair<std::string, std::optional<SmallVector<Value>>>> shadowedSequences;
    SmallVector<std::pair<std::string, const ::onnx::ValueInfoProto *>> declaredBefore;
    auto define = [&](const std::string &name) {
      if (name.empty())
        return;
      auto it = values.find(name);
      shadowed.push_back({name, it == values.end() ? std::nullopt : std::optional<Value>(it->second)});
      auto seq = sequences.find(name);
      shadowedSequences.push_back(
          {name, seq == sequences.end() ? std::nullopt : std::optional<SmallVector<Value>>(seq->second)});
    };
    for (const auto &in : graph.input())
      define(in.name());
    for (const auto &init : graph.initializer())
      define(init.name());
    for (const auto &node : graph.node())
      for (const auto &out : node.output())
        define(out);
    for (const auto *list : {&graph.output(), &graph.value_info()})
      for (const auto &info : *list)
        if (info.has_type() && info.type().has_tensor_type() && info.type().tensor_type().has_shape()) {
          auto it = declared.find(info.name());
          declaredBefore.push_back({info.name(), it == declared.end() ? nullptr : it->second});
          declared[info.name()] = &info;
        }
    llvm::scope_exit restore([&] {
      for (auto &[name, old] : llvm::reverse(shadowed)) {
        if (old)
          values[name] = *old;
        else
          values.erase(name);
      }
      for (auto &[name, old] : llvm::reverse(shadowedSequences)) {
        if (old)
          sequences[name] = *old;
        else
          sequences.erase(name);
      }
      for (auto &[name, old] : llvm::reverse(declaredBefore)) {
        if (old)
          declared[name] = old;
        else
          declared.erase(name);
      }
    });
    for (auto [info, value] : llvm::zip(graph.input(), inputs))
      values[info.name()] = value;
    for (const auto &init : graph.initializer()) {
      auto attr = importTensor(init, loc);
      if (failed(attr))
        return failure();
      values[init.name()] = constant(*attr, loc);
    }
    llvm::StringSet<llvm::MallocAllocator> used;
    for (const auto &node : graph.node())
      for (const auto &in : node.input())
        used.insert(in);
    for (const auto &out : graph.output())
      used.insert(out.name());
    graphStack.push_back(&graph);
    llvm::scope_exit popGraph([&] { graphStack.pop_back(); });
    for (int i = 0; i < graph.node_size(); ++i)
      if (failed(importNode(graph.node(i), i, used)))
        return failure();
    SmallVector<Value> results;
    for (const auto &out : graph.output()) {
      auto it = values.find(out.name());
      if (it == values.end())
        return emitError(loc) << "subgraph output '" << out.name() << "' is never produced", failure();
      results.push_back(it->second);
    }
    return results;
  }

  /// The sequence operators on sequences whose length is known at compile
  /// time (positions and splits constant), as lists of tensors:
  /// SequenceEmpty/Construct/Insert/Erase/At/Length, ConcatFromSequence
  /// (new_axis stacks) and SplitToSequence (split absent: pieces of 1, kept
  /// or squeezed per keepdims; a scalar: pieces of that size; a list: those).
  /// SequenceAt at a run-time position gathers from the stacked items; a
  /// split of run-time length makes a SplitSequence instead.
  LogicalResult importSequenceOp(const ::onnx::NodeProto &node, Location loc) {
    StringRef kind = node.op_type();
    auto refuse = [&](const Twine &why) { return emitError(loc) << "'" << kind << "': " << why; };
    auto op = opsAt(loc);
    auto input = [&](int i) -> const std::string & { return node.input(i); };
    auto hasInput = [&](int i) { return node.input_size() > i && !node.input(i).empty(); };
    auto sequence = [&](int i) -> SmallVector<Value> * {
      auto it = hasInput(i) ? sequences.find(input(i)) : sequences.end();
      return it == sequences.end() ? nullptr : &it->second;
    };
    auto tensor = [&](int i) -> Value {
      auto it = hasInput(i) ? values.find(input(i)) : values.end();
      return it == values.end() ? Value() : it->second;
    };
    // A position input: constant, negative from the end; `dflt` when absent.
    auto position = [&](int i, int64_t size, int64_t dflt, bool inclusiveEnd) -> std::optional<int64_t> {
      if (!hasInput(i))
        return dflt;
      Value v = tensor(i);
      auto c = v ? mlc::onnx::getConstantInts(v) : FailureOr<SmallVector<int64_t>>(failure());
      if (failed(c) || c->size() != 1)
        return std::nullopt;
      int64_t p = (*c)[0] < 0 ? (*c)[0] + size : (*c)[0];
      if (p < 0 || p > size || (p == size && !inclusiveEnd))
        return std::nullopt;
      return p;
    };
    auto intAttrOf = [&](StringRef name, int64_t dflt) {
      for (const auto &a : node.attribute())
        if (a.name() == name)
          return (int64_t)a.i();
      return dflt;
    };
    const std::string &out = node.output(0);
    if (kind == "SequenceEmpty") {
      sequences[out] = {};
      return success();
    }
    if (kind == "SequenceConstruct") {
      SmallVector<Value> items;
      for (int i = 0; i < node.input_size(); ++i) {
        Value v = tensor(i);
        if (!v)
          return refuse("input '" + input(i) + "' is not a tensor produced earlier");
        items.push_back(v);
      }
      sequences[out] = items;
      return success();
    }
    if (kind != "SplitToSequence" && hasInput(0))
      if (auto it = splitSequences.find(input(0)); it != splitSequences.end()) {
        if (kind != "SequenceAt" && kind != "SequenceLength")
          return refuse("a sequence whose length is known only at run time (SplitToSequence of a run-time "
                        "length) supports SequenceAt and SequenceLength only");
        Value y = kind == "SequenceLength" ? splitSequenceLength(it->second, loc)
                                           : splitSequenceAt(it->second, tensor(1), loc);
        if (!y)
          return failure();
        values[out] = y;
        return success();
      }
    SmallVector<Value> *seq = kind == "SplitToSequence" ? nullptr : sequence(0);
    if (kind != "SplitToSequence" && !seq)
      return refuse("input '" + (node.input_size() ? input(0) : std::string()) +
                    "' is not a sequence built in this model (sequence inputs are not supported)");
    if (kind == "SequenceInsert" || kind == "SequenceErase") {
      SmallVector<Value> items = *seq;
      int64_t size = items.size();
      auto p = kind == "SequenceInsert" ? position(2, size, size, true) : position(1, size, size - 1, false);
      if (!p)
        return refuse("the position must be a constant inside the sequence");
      if (kind == "SequenceInsert") {
        Value v = tensor(1);
        if (!v)
          return refuse("needs a tensor to insert");
        items.insert(items.begin() + *p, v);
      } else {
        items.erase(items.begin() + *p);
      }
      sequences[out] = items;
      return success();
    }
    Value y;
    if (kind == "SequenceAt") {
      if (!hasInput(1) || !tensor(1))
        return refuse("needs a position");
      if (auto p = position(1, seq->size(), 0, false)) {
        y = (*seq)[*p];
      } else {
        // A position known at run time: Gather from the items stacked.
        if (seq->empty() ||
            llvm::any_of(*seq, [&](Value v) { return v.getType() != seq->front().getType(); }))
          return refuse("a position known only at run time needs items of one type");
        SmallVector<Value> stacked;
        for (Value v : *seq)
          stacked.push_back(op("Unsqueeze", {v}, axesAttr({0})));
        Value all = stacked.size() == 1 ? stacked[0] : op("Concat", stacked, axisAttr(0));
        Value at = op("Reshape", {op("Cast", {tensor(1)}, castTo(builder.getI64Type())), int64Constant({}, loc)});
        y = op("Gather", {all, at}, axisAttr(0));
      }
    } else if (kind == "SequenceLength") {
      y = op("Reshape", {int64Constant({(int64_t)seq->size()}, loc), int64Constant({}, loc)});
    } else if (kind == "ConcatFromSequence") {
      if (seq->empty())
        return refuse("the sequence is empty");
      int64_t axis = intAttrOf("axis", 0);
      SmallVector<Value> parts(*seq);
      if (intAttrOf("new_axis", 0)) {
        int64_t rank = cast<RankedTensorType>(parts[0].getType()).getRank();
        axis = axis < 0 ? axis + rank + 1 : axis;
        for (Value &v : parts)
          v = op("Unsqueeze", {v}, axesAttr({axis}));
      }
      y = parts.size() == 1 ? parts[0] : op("Concat", parts, axisAttr(axis));
    } else if (kind == "SplitToSequence") {
      Value x = tensor(0);
      auto type = x ? dyn_cast<RankedTensorType>(x.getType()) : RankedTensorType();
      if (!type)
        return refuse("needs a ranked input");
      int64_t rank = type.getRank(), axis = intAttrOf("axis", 0);
      axis = axis < 0 ? axis + rank : axis;
      if (axis < 0 || axis >= rank)
        return refuse("axis is out of range");
      // Sizes known only at run time, as many as a 1-d split's static
      // length: slices at the running sums (the length of the sequence is
      // what is known).
      Value split = hasInput(1) ? tensor(1) : Value();
      auto splitType = split ? dyn_cast<RankedTensorType>(split.getType()) : RankedTensorType();
      if (splitType && splitType.getRank() == 1 && splitType.hasStaticShape() &&
          (failed(mlc::onnx::getConstantInts(split)) || type.isDynamicDim(axis))) {
        sequences[out] = slicesOfSizes(x, split, splitType.getDimSize(0), axis, loc);
        return success();
      }
      // As many pieces as the run decides: a 1-d split of run-time length,
      // or a dim known only at run time cut into pieces of a constant size.
      if (splitType && splitType.getRank() == 1) {
        splitSequences[out] = {x, axis, 0, op("Cast", {split}, castTo(builder.getI64Type())), false};
        return success();
      }
      if (type.isDynamicDim(axis)) {
        int64_t piece = 1;
        if (split) {
          auto c = mlc::onnx::getConstantInts(split);
          if (failed(c) || c->size() != 1 || (*c)[0] < 1)
            return refuse("a scalar split must be a positive constant");
          piece = (*c)[0];
        }
        splitSequences[out] = {x, axis, piece, Value(), !split && intAttrOf("keepdims", 1) == 0};
        return success();
      }
      int64_t dim = type.getDimSize(axis);
      SmallVector<int64_t> sizes;
      bool squeeze = false;
      if (!hasInput(1)) {
        sizes.assign(dim, 1);
        squeeze = intAttrOf("keepdims", 1) == 0;
      } else {
        Value split = tensor(1);
        auto c = split ? mlc::onnx::getConstantInts(split) : FailureOr<SmallVector<int64_t>>(failure());
        if (failed(c))
          return refuse("split must be a constant");
        if (cast<RankedTensorType>(split.getType()).getRank() == 0) {
          int64_t piece = (*c)[0];
          if (piece < 1)
            return refuse("split must be positive");
          for (int64_t at = 0; at < dim; at += piece)
            sizes.push_back(std::min(piece, dim - at));
        } else {
          sizes.assign(c->begin(), c->end());
        }
      }
      SmallVector<Value> items;
      int64_t at = 0;
      for (int64_t n : sizes) {
        Value piece = op("Slice", {x, int64Constant({at}, loc), int64Constant({at + n}, loc),
                                   int64Constant({axis}, loc), int64Constant({1}, loc)});
        items.push_back(squeeze ? op("Squeeze", {piece}, axesAttr({axis})) : piece);
        at += n;
      }
      if (at != dim)
        return refuse("the split sizes do not add up to the dim");
      sequences[out] = items;
      return success();
    } else {
      return refuse("is not supported");
    }
    if (!y)
      return failure();
    values[out] = y;
    return success();
  }

  /// OptionalHasElement and OptionalGetElement on what the importer knows
  /// statically: a tensor (or sequence) is present, a missing input is not.
  /// Optional-typed graph inputs are not supported, so every optional here
  /// is one of those.
  LogicalResult importOptionalOp(const ::onnx::NodeProto &node, Location loc) {
    bool present = node.input_size() > 0 && !node.input(0).empty();
    const std::string name = present ? node.input(0) : std::string();
    bool isTensor = present && values.count(name), isSequence = present && sequences.count(name);
    if (present && !isTensor && !isSequence)
      return emitError(loc) << "'" << node.op_type() << "': input '" << name
                            << "' is not produced by any earlier node or input";
    if (node.op_type() == "OptionalHasElement") {
      values[node.output(0)] =
          constant(DenseElementsAttr::get(RankedTensorType::get({}, builder.getI1Type()), present), loc);
      return success();
    }
    if (!present)
      return emitError(loc) << "'OptionalGetElement': the optional is empty";
    if (isTensor)
      values[node.output(0)] = values[name];
    else
      sequences[node.output(0)] = sequences[name];
    return success();
  }

  /// `a` where the 1-element boolean `cond` holds, else `b`, for tensors of
  /// one rank (at least 1) and element type whose dims past the first agree
  /// (as far as they are known here): the first cond * len(a) rows of `a`
  /// followed by the first (1 - cond) * len(b) rows of `b`. Null where the
  /// types do not allow it.
  Value selectAlongFirstDim(Value cond, Value a, Value b, Location loc) {
    auto at = dyn_cast<RankedTensorType>(a.getType()), bt = dyn_cast<RankedTensorType>(b.getType());
    if (!at || !bt || at.getRank() < 1 || at.getRank() != bt.getRank() ||
        at.getElementType() != bt.getElementType())
      return Value();
    for (int64_t d = 1; d < at.getRank(); ++d)
      if (!at.isDynamicDim(d) && !bt.isDynamicDim(d) && at.getDimSize(d) != bt.getDimSize(d))
        return Value();
    auto op = opsAt(loc);
    Value zero = int64Constant({0}, loc), one = int64Constant({1}, loc);
    Value takeA = op("Cast", {op("Reshape", {cond, one})}, castTo(builder.getI64Type())); // [1]: 1 or 0
    auto firstRows = [&](Value v, Value take) {
      Value length = op("Slice", {op("Shape", {v}), zero, one, zero, one});
      return op("Slice", {v, zero, op("Mul", {length, take}), zero, one});
    };
    return op("Concat", {firstRows(a, takeA), firstRows(b, op("Sub", {one, takeA}))}, axisAttr(0));
  }

  /// A loop of run-time trip count: the trip count (index), the initial
  /// loop-carried values, how to make the body's inputs from the induction
  /// variable and the carried values, the body (an ONNX graph's or an
  /// expansion's), where its outputs start (Loop's first is its condition),
  /// per scan output whether it is stacked from the end, and a check of the
  /// body's outputs.
  struct RuntimeLoop {
    Value trips;
    SmallVector<Value> carried;
    std::function<FailureOr<SmallVector<Value>>(Value iv, ValueRange carried)> inputs;
    /// The body: an ONNX graph's nodes (inlineGraph) or an expansion's ops.
    std::function<FailureOr<SmallVector<Value>>(ArrayRef<Value> inputs)> body;
    int64_t firstOutput = 0;
    SmallVector<bool> reversed;
    std::function<LogicalResult(ArrayRef<Value> outputs)> check;
  };

  /// The body as an scf.for over [0, trips): loop-carried values are its
  /// iteration arguments (of the type that fits every iteration: the body
  /// is imported again with a dim made dynamic where an iteration changes
  /// it), and each scan output is written into a [trips, ...] tensor at
  /// its iteration's row. Returns the final carried values, then the
  /// stacked scan outputs.
  FailureOr<SmallVector<Value>> importRuntimeLoop(RuntimeLoop &loop, Location loc) {
    auto refuse = [&](const Twine &why) {
      return emitError(loc) << "a loop of run-time trip count: " << why, failure();
    };
    int64_t numCarried = loop.carried.size();
    SmallVector<Type> carriedTypes = llvm::map_to_vector(loop.carried, [](Value v) { return v.getType(); });
    // A type that holds both: differing dims become dynamic.
    auto join = [](Type a, Type b) -> Type {
      auto ta = dyn_cast<RankedTensorType>(a), tb = dyn_cast<RankedTensorType>(b);
      if (!ta || !tb || ta.getRank() != tb.getRank() || ta.getElementType() != tb.getElementType())
        return Type();
      SmallVector<int64_t> dims;
      for (auto [x, y] : llvm::zip(ta.getShape(), tb.getShape()))
        dims.push_back(x == y ? x : ShapedType::kDynamic);
      return ta.clone(dims);
    };
    for (int attempt = 0;; ++attempt) {
      auto tmp = std::make_unique<Block>();
      Value iv = tmp->addArgument(builder.getIndexType(), loc);
      for (Type t : carriedTypes)
        tmp->addArgument(t, loc);
      FailureOr<SmallVector<Value>> outputs = failure();
      {
        OpBuilder::InsertionGuard guard(builder);
        builder.setInsertionPointToStart(tmp.get());
        auto inputs = loop.inputs(iv, tmp->getArguments().drop_front());
        if (succeeded(inputs))
          outputs = loop.body(*inputs);
      }
      auto discard = [&] {
        for (Operation &op : llvm::reverse(*tmp))
          op.dropAllReferences();
        tmp->dropAllUses();
      };
      if (failed(outputs) || (loop.check && failed(loop.check(*outputs)))) {
        discard();
        return failure();
      }
      if ((int64_t)outputs->size() < loop.firstOutput + numCarried) {
        discard();
        return refuse("the body's outputs do not match the loop-carried values");
      }
      ArrayRef<Value> yielded = ArrayRef<Value>(*outputs).slice(loop.firstOutput, numCarried);
      ArrayRef<Value> scanned = ArrayRef<Value>(*outputs).drop_front(loop.firstOutput + numCarried);
      bool settled = true;
      for (auto [t, y] : llvm::zip(carriedTypes, yielded)) {
        Type j = join(t, y.getType());
        if (!j) {
          discard();
          return refuse("a loop-carried value changes its rank or element type");
        }
        settled &= j == t;
        t = j;
      }
      if (!settled) {
        discard();
        if (attempt == 2)
          return refuse("the loop-carried types do not settle");
        continue;
      }
      for (Value v : scanned)
        if (!isa<RankedTensorType>(v.getType())) {
          discard();
          return refuse("a scan output of unknown rank is not supported");
        }

      // The loop, at the importer's insertion point, with the body moved in.
      Value zero = arith::ConstantIndexOp::create(builder, loc, 0), one = arith::ConstantIndexOp::create(builder, loc, 1);
      SmallVector<Value> inits;
      for (auto [v, t] : llvm::zip(loop.carried, carriedTypes))
        inits.push_back(v.getType() == t ? v : tensor::CastOp::create(builder, loc, t, v).getResult());
      // [trips, ...]; where a scan output's dims are known only inside the
      // body, a placeholder with those dims 0 that the first iteration
      // replaces (the rows have one shape throughout).
      for (Value v : scanned) {
        auto t = cast<RankedTensorType>(v.getType());
        SmallVector<int64_t> dims = {ShapedType::kDynamic};
        dims.append(t.getShape().begin(), t.getShape().end());
        SmallVector<Value> sizes = {loop.trips};
        for (int64_t d : t.getShape())
          if (ShapedType::isDynamic(d))
            sizes.push_back(zero);
        inits.push_back(tensor::EmptyOp::create(builder, loc, t.clone(dims), sizes));
      }
      auto forOp = scf::ForOp::create(builder, loc, zero, loop.trips, one, inits);
      Block *fb = forOp.getBody();
      fb->getOperations().splice(fb->end(), tmp->getOperations());
      for (auto [from, to] : llvm::zip(tmp->getArguments(), fb->getArguments()))
        from.replaceAllUsesWith(to);
      // Outputs that are the body's own inputs, now the loop's arguments.
      auto moved = [&](Value v) {
        auto arg = dyn_cast<BlockArgument>(v);
        return arg && arg.getOwner() == tmp.get() ? fb->getArgument(arg.getArgNumber()) : v;
      };
      OpBuilder::InsertionGuard guard(builder);
      builder.setInsertionPointToEnd(fb);
      SmallVector<Value> next;
      for (auto [y0, t] : llvm::zip(yielded, carriedTypes)) {
        Value y = moved(y0);
        next.push_back(y.getType() == t ? y : tensor::CastOp::create(builder, loc, t, y).getResult());
      }
      for (auto [k, v0] : llvm::enumerate(scanned)) {
        Value v = moved(v0);
        auto t = cast<RankedTensorType>(v.getType());
        Value row = fb->getArgument(0);
        if (k < loop.reversed.size() && loop.reversed[k])
          row = fromEnd(loop.trips, row, loc);
        SmallVector<OpFoldResult> offsets(t.getRank() + 1, builder.getIndexAttr(0)), sizes, strides(t.getRank() + 1, builder.getIndexAttr(1));
        offsets[0] = row;
        sizes.push_back(builder.getIndexAttr(1));
        SmallVector<Value> runtimeDims = {loop.trips};
        for (auto [i, d] : llvm::enumerate(t.getShape())) {
          if (!ShapedType::isDynamic(d)) {
            sizes.push_back(builder.getIndexAttr(d));
            continue;
          }
          Value dim = tensor::DimOp::create(builder, loc, v, i);
          sizes.push_back(dim);
          runtimeDims.push_back(dim);
        }
        Value stacked = fb->getArgument(1 + numCarried + k);
        if (runtimeDims.size() > 1) { // allocated by the first iteration
          Value first = arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::eq, fb->getArgument(0), zero);
          auto choose = scf::IfOp::create(builder, loc, TypeRange{stacked.getType()}, first, true);
          {
            OpBuilder::InsertionGuard inner(builder);
            builder.setInsertionPointToStart(choose.thenBlock());
            scf::YieldOp::create(builder, loc,
                                 ValueRange{tensor::EmptyOp::create(builder, loc, stacked.getType(), runtimeDims)});
            builder.setInsertionPointToStart(choose.elseBlock());
            scf::YieldOp::create(builder, loc, ValueRange{stacked});
          }
          stacked = choose.getResult(0);
        }
        next.push_back(tensor::InsertSliceOp::create(builder, loc, v, stacked, offsets, sizes, strides));
      }
      scf::YieldOp::create(builder, loc, next);
      return SmallVector<Value>(forOp.getResults());
    }
  }

  /// Iteration `iv` of `trips` counted from the end: trips - 1 - iv.
  Value fromEnd(Value trips, Value iv, Location loc) {
    Value last = arith::SubIOp::create(builder, loc, trips, arith::ConstantIndexOp::create(builder, loc, 1));
    return arith::SubIOp::create(builder, loc, last, iv);
  }

  /// Dims [from, to) of `x`'s shape, read at run time: an int64 1-d tensor.
  Value shapeDims(Value x, int64_t from, int64_t to, Location loc) {
    return opsAt(loc)("Slice", {opsAt(loc)("Shape", {x}), int64Constant({from}, loc), int64Constant({to}, loc),
                               int64Constant({0}, loc), int64Constant({1}, loc)});
  }

  /// Dim `d` of `x`'s shape, read at run time: an int64 scalar tensor.
  Value shapeDim(Value x, int64_t d, Location loc) {
    return opsAt(loc)("Reshape", {shapeDims(x, d, d + 1, loc), int64Constant({}, loc)});
  }

  /// The loop counter as ONNX gives it to a body: an int64 scalar tensor.
  Value iterationNumber(Value iv, Location loc) {
    Value i = arith::IndexCastOp::create(builder, loc, builder.getI64Type(), iv);
    return tensor::FromElementsOp::create(builder, loc, RankedTensorType::get({}, builder.getI64Type()), ValueRange{i});
  }

  /// Control flow, resolved at compile time:
  ///  - If: a constant condition imports its branch; a computed one imports
  ///    both (the branches have no side effects) and selects each output:
  ///    with Where where both have one static type, else, for outputs that
  ///    may differ in their first dim (an empty result in one branch, say),
  ///    by concatenating the chosen one with none of the other along it.
  ///  - Scan: unrolled over the static scan length (scan axes and
  ///    directions per input and output; opset 8's batch axis too).
  ///  - Loop: unrolled for its trip count, a constant or else the declared
  ///    length of its first scan output, with the condition taken as true
  ///    throughout; a constant trip count needs the body's condition to fold
  ///    to true (a computed early exit is refused).
  LogicalResult importControlFlow(const ::onnx::NodeProto &node, ArrayRef<Value> operands, Location loc) {
    StringRef kind = node.op_type();
    auto refuse = [&](const Twine &why) { return emitError(loc) << "'" << kind << "': " << why; };
    auto op = opsAt(loc);
    const ::onnx::GraphProto *thenBranch = nullptr, *elseBranch = nullptr, *body = nullptr;
    llvm::StringMap<int64_t> ints;
    llvm::StringMap<SmallVector<int64_t>> lists;
    for (const auto &a : node.attribute()) {
      if (a.type() == ::onnx::AttributeProto::GRAPH)
        (a.name() == "then_branch" ? thenBranch : a.name() == "else_branch" ? elseBranch : body) = &a.g();
      else if (a.type() == ::onnx::AttributeProto::INT)
        ints[a.name()] = a.i();
      else if (a.type() == ::onnx::AttributeProto::INTS)
        lists[a.name()] = SmallVector<int64_t>(a.ints().begin(), a.ints().end());
    }
    auto listOr = [&](StringRef name, size_t n, int64_t dflt) {
      SmallVector<int64_t> l = lists.lookup(name);
      l.resize(n, dflt);
      return l;
    };
    auto staticType = [](Value v) {
      auto t = dyn_cast<RankedTensorType>(v.getType());
      return t && t.hasStaticShape() ? t : RankedTensorType();
    };
    auto scalarBool = [&](Value v) -> std::optional<bool> {
      auto c = v ? v.getDefiningOp<mlc::onnx::ConstantOp>() : nullptr;
      auto d = c ? dyn_cast<DenseElementsAttr>(c.getValue()) : DenseElementsAttr();
      if (!d || d.getNumElements() != 1 || !d.getElementType().isInteger(1))
        return std::nullopt;
      return *d.getValues<bool>().begin();
    };
    SmallVector<Value> results;
    if (kind == "If") {
      if (!thenBranch || !elseBranch || operands.empty())
        return refuse("needs a condition and both branches");
      if (auto c = scalarBool(operands[0])) {
        auto r = inlineGraph(*c ? *thenBranch : *elseBranch, {}, loc);
        if (failed(r))
          return failure();
        results = *r;
      } else {
        auto t = inlineGraph(*thenBranch, {}, loc);
        if (failed(t))
          return failure();
        auto e = inlineGraph(*elseBranch, {}, loc);
        if (failed(e))
          return failure();
        if (t->size() != e->size())
          return refuse("the branches have different numbers of outputs");
        Value cond = op("Reshape", {operands[0], int64Constant({}, loc)});
        for (auto [a, b] : llvm::zip(*t, *e)) {
          if (staticType(a) && a.getType() == b.getType()) {
            results.push_back(op("Where", {cond, a, b}));
            continue;
          }
          Value chosen = selectAlongFirstDim(operands[0], a, b, loc);
          if (!chosen)
            return refuse("a computed condition needs branch outputs of one static type, or of one rank "
                          "and element type that differ at most in their first dim");
          results.push_back(chosen);
        }
      }
    } else if (kind == "Scan") {
      if (!body || !ints.count("num_scan_inputs"))
        return refuse("needs a body and num_scan_inputs");
      bool legacy = opsetVersion < 9; // opset 8: sequence_lens first, batch axis 0
      ArrayRef<Value> ins = operands;
      if (legacy) {
        if (!ins.empty() && !isa<NoneType>(ins[0].getType()))
          return refuse("sequence_lens is not supported");
        ins = ins.drop_front();
      }
      int64_t numScan = ints.lookup("num_scan_inputs"), numStates = (int64_t)ins.size() - numScan;
      int64_t numScanOut = body->output_size() - numStates;
      if (numStates < 0 || numScan < 1 || numScanOut < 0)
        return refuse("inputs and body outputs do not match num_scan_inputs");
      SmallVector<int64_t> inAxes = listOr("scan_input_axes", numScan, 0),
                           inDirs = listOr(legacy ? "directions" : "scan_input_directions", numScan, 0),
                           outAxes = listOr("scan_output_axes", numScanOut, 0),
                           outDirs = listOr("scan_output_directions", numScanOut, 0);
      bool runtimeLength = !legacy && llvm::all_of(ins, [](Value v) { return isa<RankedTensorType>(v.getType()); }) &&
                           llvm::any_of(ins, [&](Value v) { return !staticType(v); });
      if (runtimeLength) {
        // Scan lengths known only at run time: a loop over the first scan
        // input's length; each iteration gathers its slice of every scan input.
        for (int64_t i = 0; i < numScan; ++i) {
          int64_t r = cast<RankedTensorType>(ins[numStates + i].getType()).getRank();
          inAxes[i] = inAxes[i] < 0 ? inAxes[i] + r : inAxes[i];
          if (inAxes[i] < 0 || inAxes[i] >= r)
            return refuse("scan_input_axes is out of range");
        }
        RuntimeLoop loop;
        loop.trips = tensor::DimOp::create(builder, loc, ins[numStates], inAxes[0]);
        loop.carried.assign(ins.begin(), ins.begin() + numStates);
        loop.reversed = llvm::map_to_vector(outDirs, [](int64_t d) { return d != 0; });
        loop.inputs = [&](Value iv, ValueRange carried) -> FailureOr<SmallVector<Value>> {
          SmallVector<Value> args(carried);
          for (int64_t i = 0; i < numScan; ++i) {
            Value at = inDirs[i] ? fromEnd(loop.trips, iv, loc) : iv;
            args.push_back(op("Gather", {ins[numStates + i], iterationNumber(at, loc)}, axisAttr(inAxes[i])));
          }
          return args;
        };
        loop.body = [&](ArrayRef<Value> in) { return inlineGraph(*body, in, loc); };
        auto r = importRuntimeLoop(loop, loc);
        if (failed(r))
          return failure();
        results.assign(r->begin(), r->begin() + numStates);
        for (int64_t k = 0; k < numScanOut; ++k) {
          Value stacked = (*r)[numStates + k];
          int64_t rank = cast<RankedTensorType>(stacked.getType()).getRank();
          int64_t axis = outAxes[k] < 0 ? outAxes[k] + rank : outAxes[k];
          if (axis < 0 || axis >= rank)
            return refuse("scan_output_axes is out of range");
          if (axis != 0) { // rows stacked along 0, moved to the axis
            SmallVector<int64_t> perm;
            for (int64_t d = 1; d < rank; ++d) {
              if (d - 1 == axis)
                perm.push_back(0);
              perm.push_back(d);
            }
            if (axis == rank - 1)
              perm.push_back(0);
            stacked = op("Transpose", {stacked}, permAttr(perm));
          }
          results.push_back(stacked);
        }
        return bindOutputs(node, results); // (the loop's result types are its own)
      }
      for (Value v : ins)
        if (!staticType(v))
          return refuse("needs inputs of static shape");
      int64_t batches = legacy ? staticType(ins[0]).getDimSize(0) : 1, offset = legacy ? 1 : 0;
      int64_t steps = -1;
      for (int64_t i = 0; i < numScan; ++i) {
        auto t = staticType(ins[numStates + i]);
        int64_t axis = legacy ? 1 : (inAxes[i] < 0 ? inAxes[i] + t.getRank() : inAxes[i]);
        if (axis < 0 || axis >= t.getRank() || (steps >= 0 && t.getDimSize(axis) != steps))
          return refuse("scan inputs need a valid axis and one length");
        inAxes[i] = axis;
        steps = t.getDimSize(axis);
      }
      if (steps < 1 || steps * batches > 4096)
        return refuse("unrolls scans of 1 to 4096 steps only");
      auto pick = [&](Value v, int64_t axis, int64_t i) { // v[..., i, ...] without the axis
        Value s = op("Slice", {v, int64Constant({i}, loc), int64Constant({i + 1}, loc), int64Constant({axis}, loc),
                               int64Constant({1}, loc)});
        return op("Squeeze", {s}, axesAttr({axis}));
      };
      SmallVector<SmallVector<Value>> finalStates(numStates), scanned(numScanOut);
      for (int64_t b = 0; b < batches; ++b) {
        SmallVector<Value> states;
        for (int64_t i = 0; i < numStates; ++i)
          states.push_back(legacy ? pick(ins[i], 0, b) : ins[i]);
        SmallVector<SmallVector<Value>> outs(numScanOut);
        for (int64_t t = 0; t < steps; ++t) {
          SmallVector<Value> args(states);
          for (int64_t i = 0; i < numScan; ++i) {
            Value x = legacy ? pick(ins[numStates + i], 0, b) : ins[numStates + i];
            args.push_back(pick(x, inAxes[i] - offset, inDirs[i] ? steps - 1 - t : t));
          }
          auto r = inlineGraph(*body, args, loc);
          if (failed(r))
            return failure();
          states.assign(r->begin(), r->begin() + numStates);
          for (int64_t k = 0; k < numScanOut; ++k)
            outs[k].push_back((*r)[numStates + k]);
        }
        for (int64_t i = 0; i < numStates; ++i)
          finalStates[i].push_back(states[i]);
        for (int64_t k = 0; k < numScanOut; ++k) {
          auto type = staticType(outs[k][0]);
          if (!type)
            return refuse("scan outputs need static shapes");
          int64_t axis = legacy ? 0 : (outAxes[k] < 0 ? outAxes[k] + type.getRank() + 1 : outAxes[k]);
          if (outDirs[k])
            std::reverse(outs[k].begin(), outs[k].end());
          SmallVector<Value> parts;
          for (Value v : outs[k])
            parts.push_back(op("Unsqueeze", {v}, axesAttr({axis})));
          scanned[k].push_back(parts.size() == 1 ? parts[0] : op("Concat", parts, axisAttr(axis)));
        }
      }
      auto stackBatches = [&](ArrayRef<Value> perBatch) -> Value {
        if (!legacy)
          return perBatch[0];
        SmallVector<Value> parts;
        for (Value v : perBatch)
          parts.push_back(op("Unsqueeze", {v}, axesAttr({0})));
        return parts.size() == 1 ? parts[0] : op("Concat", parts, axisAttr(0));
      };
      for (auto &f : finalStates)
        results.push_back(stackBatches(f));
      for (auto &s : scanned)
        results.push_back(stackBatches(s));
    } else { // Loop
      if (!body || operands.size() < 2)
        return refuse("needs a body, a trip count and a condition");
      int64_t carried = (int64_t)operands.size() - 2, numScanOut = body->output_size() - 1 - carried;
      if (numScanOut < 0)
        return refuse("the body's outputs do not match the loop-carried values");
      std::optional<int64_t> trips;
      bool fromDeclaration = false;
      if (!isa<NoneType>(operands[0].getType()))
        if (auto c = mlc::onnx::getConstantInts(operands[0]); succeeded(c) && c->size() == 1)
          trips = (*c)[0];
      if (!trips && numScanOut > 0 && node.output_size() > carried)
        if (auto d = declaredShape(node.output(carried)); d && !d->empty()) {
          trips = (*d)[0];
          fromDeclaration = true;
        }
      if (!trips) {
        // A trip count known only at run time: a real loop.
        if (isa<NoneType>(operands[0].getType()))
          return refuse("needs a trip count (a loop that runs until its condition turns false is not supported)");
        if (!isa<NoneType>(operands[1].getType()) && scalarBool(operands[1]) == std::optional<bool>(false))
          return refuse("a loop whose condition is false from the start is not supported");
        auto countType = dyn_cast<RankedTensorType>(operands[0].getType());
        if (!countType || countType.getNumElements() != 1 || !countType.getElementType().isInteger(64))
          return refuse("the trip count must be one int64");
        SmallVector<Value> origin(countType.getRank(), arith::ConstantIndexOp::create(builder, loc, 0));
        Value count = tensor::ExtractOp::create(builder, loc, operands[0], origin);
        count = arith::MaxSIOp::create(builder, loc, count, arith::ConstantIntOp::create(builder, loc, 0, 64));
        // A computed initial condition that is false runs no iteration.
        auto condType = dyn_cast<RankedTensorType>(operands[1].getType());
        if (condType && !scalarBool(operands[1])) {
          if (condType.getNumElements() != 1 || !condType.getElementType().isInteger(1))
            return refuse("the condition must be one bool");
          SmallVector<Value> at(condType.getRank(), arith::ConstantIndexOp::create(builder, loc, 0));
          Value go = tensor::ExtractOp::create(builder, loc, operands[1], at);
          count = arith::SelectOp::create(builder, loc, go, count, arith::ConstantIntOp::create(builder, loc, 0, 64));
        }
        RuntimeLoop loop;
        loop.trips = arith::IndexCastOp::create(builder, loc, builder.getIndexType(), count);
        loop.carried.assign(operands.begin() + 2, operands.end());
        loop.firstOutput = 1;
        loop.inputs = [&](Value iv, ValueRange carried) -> FailureOr<SmallVector<Value>> {
          SmallVector<Value> args = {
              iterationNumber(iv, loc),
              constant(DenseElementsAttr::get(RankedTensorType::get({}, builder.getI1Type()), true), loc)};
          args.append(carried.begin(), carried.end());
          return args;
        };
        loop.check = [&](ArrayRef<Value> outputs) -> LogicalResult {
          if (scalarBool(outputs[0]) != std::optional<bool>(true))
            return refuse("the body computes its condition at run time (early exit is not supported)");
          return success();
        };
        loop.body = [&](ArrayRef<Value> in) { return inlineGraph(*body, in, loc); };
        auto r = importRuntimeLoop(loop, loc);
        if (failed(r))
          return failure();
        return bindOutputs(node, *r); // (the loop's result types are its own)
      }
      if (*trips < 1 || *trips > 4096)
        return refuse("unrolls loops of 1 to 4096 iterations only");
      if (!isa<NoneType>(operands[1].getType()) && scalarBool(operands[1]) == std::optional<bool>(false))
        return refuse("a loop whose condition is false from the start is not supported");
      SmallVector<Value> state(operands.begin() + 2, operands.end());
      SmallVector<SmallVector<Value>> outs(numScanOut);
      Value yes = constant(DenseElementsAttr::get(RankedTensorType::get({}, builder.getI1Type()), true), loc);
      for (int64_t t = 0; t < *trips; ++t) {
        SmallVector<Value> args = {int64Constant({t}, loc), yes};
        args[0] = op("Reshape", {args[0], int64Constant({}, loc)});
        args.append(state);
        auto r = inlineGraph(*body, args, loc);
        if (failed(r))
          return failure();
        if (!fromDeclaration && scalarBool((*r)[0]) != std::optional<bool>(true))
          return refuse("the body computes its condition at run time (early exit is not supported)");
        state.assign(r->begin() + 1, r->begin() + 1 + carried);
        for (int64_t k = 0; k < numScanOut; ++k)
          outs[k].push_back(op("Unsqueeze", {(*r)[1 + carried + k]}, axesAttr({0})));
      }
      results = state;
      for (auto &o : outs)
        results.push_back(o.size() == 1 ? o[0] : op("Concat", o, axisAttr(0)));
    }
    for (int i = 0; i < node.output_size() && i < (int)results.size(); ++i)
      if (!node.output(i).empty() && results[i])
        refineWithDeclaredType(results[i], node.output(i));
    return bindOutputs(node, results);
  }

  /// The positions of the first `count` true elements of the boolean vector
  /// `mask` [n], in order, as int64 [count]: position k is the j-th when it
  /// is true and the running count of trues reaches j + 1 there. (Positions
  /// past the last true sum to 0: the declared count must be right.)
  Value truePositions(Value mask, int64_t count, Location loc) {
    auto op = opsAt(loc);
    NamedAttrList toI64 = castTo(builder.getI64Type()), sumRows = reduceAttrs({1}, false);
    Value zero = int64Constant({0}, loc);
    Value running = op("CumSum", {op("Cast", {mask}, toI64), zero});
    SmallVector<int64_t> ordinals;
    for (int64_t j = 1; j <= count; ++j)
      ordinals.push_back(j);
    Value positions = positionsAlong(mask, loc);
    Value ordinal = op("Reshape", {int64Constant(ordinals, loc), int64Constant({count, 1}, loc)});
    Value hit = op("And", {op("Equal", {op("Unsqueeze", {running}, axesAttr({0})), ordinal}),
                           op("Unsqueeze", {mask}, axesAttr({0}))});
    return op("ReduceSum", {op("Mul", {op("Cast", {hit}, toI64), positions})}, sumRows);
  }

  /// 0..n-1 for the 1-d boolean `mask` of length n: a constant, or for a
  /// run-time length a running count of ones.
  Value positionsAlong(Value mask, Location loc) {
    int64_t n = cast<RankedTensorType>(mask.getType()).getDimSize(0);
    if (!ShapedType::isDynamic(n))
      return int64Constant(llvm::to_vector(llvm::seq<int64_t>(0, n)), loc);
    auto op = opsAt(loc);
    Value ones = op("Cast", {op("Or", {mask, op("Not", {mask})})}, castTo(builder.getI64Type()));
    return op("Sub", {op("CumSum", {ones, int64Constant({0}, loc)}), int64Constant({1}, loc)});
  }

  /// The positions where the 1-d boolean `mask` is true, in order, as a
  /// tensor whose length (their count) is known only at run time: each true
  /// element's ordinal among them (a running count) is the slot its
  /// position is scattered to; false elements go to one extra slot, which is
  /// cut off. Linear in the mask's length on the CPU, where CumSum and
  /// ScatterElements are runtime functions of one pass.
  Value runtimeTruePositions(Value mask, Location loc) {
    auto op = opsAt(loc);
    Value zero = int64Constant({0}, loc), one = int64Constant({1}, loc);
    Value flags = op("Cast", {mask}, castTo(builder.getI64Type()));
    Value running = op("CumSum", {flags, zero});
    Value count = op("ReduceSum", {flags}, reduceAttrs({0}, true)); // [1]
    Value positions = positionsAlong(mask, loc);
    Value slots = op("Where", {mask, op("Sub", {running, one}), count});
    NamedAttrList zeros;
    zeros.set("value", DenseElementsAttr::get(RankedTensorType::get({1}, builder.getI64Type()), int64_t(0)));
    Value buffer = op("ConstantOfShape", {op("Add", {count, one})}, zeros);
    Value filled = op("ScatterElements", {buffer, slots, positions}, axisAttr(0));
    return op("Slice", {filled, zero, count, zero, one});
  }

  /// TfIdfVectorizer over integer input, per the reference's counting: a
  /// pool n-gram of length n (within [min_gram_length, max_gram_length])
  /// counts once per start i and skip distance d (1..max_skip_count + 1;
  /// unigrams d = 1 only) where x[i + k d] = g_k for every k and the n-gram
  /// lies inside the row. Each pool n-gram's count becomes TF (the count),
  /// IDF (its weight, or 1, where counted) or TFIDF (weight times count) and
  /// goes to its ngram_indexes entry by a constant [pool, output] matrix.
  LogicalResult importTfIdfVectorizer(const ::onnx::NodeProto &node, ArrayRef<Value> operands,
                                      const NamedAttrList &attrs, Location loc) {
    auto refuse = [&](const Twine &why) { return emitError(loc) << "'TfIdfVectorizer': " << why; };
    auto op = opsAt(loc);
    auto type = dyn_cast<RankedTensorType>(operands[0].getType());
    if (!type || (type.getRank() != 1 && type.getRank() != 2) || !isa<IntegerType>(type.getElementType()))
      return refuse("needs integer input [C] or [N, C] (string pools are not supported)");
    auto ints = [&](StringRef name) {
      auto a = dyn_cast_or_null<ArrayAttr>(attrs.get(name));
      return a ? mlc::onnx::getI64s(a, 0, 0) : SmallVector<int64_t>();
    };
    SmallVector<int64_t> pool = ints("pool_int64s"), levels = ints("ngram_counts"), indexes = ints("ngram_indexes");
    SmallVector<double> weights;
    if (auto w = dyn_cast_or_null<ArrayAttr>(attrs.get("weights")))
      for (Attribute v : w)
        weights.push_back(cast<FloatAttr>(v).getValueAsDouble());
    StringRef mode = "TF";
    if (auto m = dyn_cast_or_null<StringAttr>(attrs.get("mode")))
      mode = m.getValue();
    int64_t minN = intAttr(attrs, "min_gram_length", 1), maxN = intAttr(attrs, "max_gram_length", 1),
            maxSkip = intAttr(attrs, "max_skip_count", 0);
    if (pool.empty() || levels.empty() || indexes.empty() || minN < 1 || maxN < minN || maxSkip < 0 ||
        (mode != "TF" && mode != "IDF" && mode != "TFIDF"))
      return refuse("needs pool_int64s, ngram_counts, ngram_indexes, valid gram lengths and mode TF, IDF or TFIDF");
    int64_t outSize = *llvm::max_element(indexes) + 1;
    if (!weights.empty() && weights.size() != indexes.size())
      return refuse("weights must have one value per pool n-gram");
    bool batched = type.getRank() == 2;
    int64_t len = type.getShape().back(); // may be known only at run time
    Value x = batched ? operands[0] : op("Reshape", {operands[0], int64Constant({1, -1}, loc)});
    Type et = type.getElementType();
    // The pool's n-grams in order: (n, first element offset).
    SmallVector<std::pair<int64_t, int64_t>> grams;
    for (size_t l = 0; l < levels.size(); ++l) {
      int64_t n = l + 1, begin = levels[l], end = l + 1 < levels.size() ? levels[l + 1] : (int64_t)pool.size();
      if (begin < 0 || end > (int64_t)pool.size() || end < begin || (end - begin) % n)
        return refuse("ngram_counts does not split the pool into whole n-grams");
      for (int64_t at = begin; at < end; at += n)
        grams.push_back({n, at});
    }
    if ((int64_t)grams.size() != (int64_t)indexes.size())
      return refuse("ngram_indexes must have one entry per pool n-gram");
    if ((int64_t)grams.size() * (maxSkip + 1) > 4096)
      return refuse("expands at most 4096 (n-gram, skip) pairs");
    NamedAttrList toF = castTo(builder.getF32Type()), sumRow = axesAttr({1});
    // [rows, 1] zeros (for a run-time row count, a sum of x times 0).
    int64_t rows = batched ? type.getDimSize(0) : 1;
    Value zeros =
        ShapedType::isDynamic(rows)
            ? op("ReduceSum", {op("Mul", {op("Cast", {x}, toF), scalar(builder.getF32Type(), 0, loc)})},
                 reduceAttrs({1}, true))
            : constant(DenseElementsAttr::get(RankedTensorType::get({rows, 1}, builder.getF32Type()), 0.0f), loc);
    SmallVector<Value> counts;
    for (auto [n, at] : grams) {
      Value count = zeros;
      if (n >= minN && n <= maxN)
        for (int64_t d = 1; d <= (n == 1 ? 1 : maxSkip + 1); ++d) {
          if (!ShapedType::isDynamic(len) && len - (n - 1) * d <= 0)
            break;
          // Element k of the n-gram starting at each of the len - (n - 1) d
          // starts: x[k d : len - (n - 1 - k) d] (empty when the row is
          // too short, which counts nothing).
          Value match;
          for (int64_t k = 0; k < n; ++k) {
            int64_t end = k == n - 1 ? std::numeric_limits<int64_t>::max() : -(n - 1 - k) * d;
            Value part = op("Slice", {x, int64Constant({k * d}, loc), int64Constant({end}, loc),
                                      int64Constant({1}, loc), int64Constant({1}, loc)});
            Value eq = op("Equal", {part, scalar(et, (double)pool[at + k], loc)});
            match = match ? op("And", {match, eq}) : eq;
          }
          count = op("Add", {count, op("ReduceSum", {op("Cast", {match}, toF)}, sumRow)});
        }
      counts.push_back(count);
    }
    SmallVector<double> mapping(grams.size() * outSize, 0.0);
    for (auto [g, o] : llvm::enumerate(indexes)) {
      if (o < 0)
        return refuse("ngram_indexes must not be negative");
      mapping[g * outSize + o] = 1.0;
    }
    // Weighted per pool n-gram (as the operator's definition and
    // onnxruntime have it), then summed into the outputs.
    Type f32 = builder.getF32Type();
    int64_t numGrams = grams.size();
    Value all = counts.size() == 1 ? counts[0] : op("Concat", counts, axisAttr(1)); // [rows, pool]
    Value w = weights.empty() ? Value() : floatConstant(RankedTensorType::get({numGrams}, f32), weights, loc);
    if (mode == "IDF")
      all = op("Where", {op("Greater", {all, scalar(f32, 0, loc)}), w ? w : scalar(f32, 1, loc), scalar(f32, 0, loc)});
    else if (mode == "TFIDF" && w)
      all = op("Mul", {all, w});
    Value y = op("MatMul", {all, floatConstant(RankedTensorType::get({numGrams, outSize}, f32), mapping, loc)});
    if (!batched)
      y = op("Reshape", {y, int64Constant({outSize}, loc)});
    return bindOutputs(node, {y});
  }

  /// Unique. Of static shape, with the number of unique elements (or slices
  /// along `axis`) from the declared shape of Y or of indices, it is
  /// expanded into ai.onnx ops, which every target runs; otherwise it is
  /// onnx.Unique, whose length is found at run time. With the slices as rows
  /// [n, r] (the flattened input without an axis): same[k, j] says rows k
  /// and j are equal, a row is first when no earlier row equals it, and
  /// before[k, j] says row j sorts before row k (lexicographically: equal up
  /// to some position where j's element is smaller). Output slot s holds
  /// the first row whose rank (the first rows before it, sorted) or whose
  /// order of appearance (unsorted) is s; inverse_indices and counts compare
  /// every row with the chosen ones.
  LogicalResult importUnique(const ::onnx::NodeProto &node, ArrayRef<Value> operands, const NamedAttrList &attrs,
                             Location loc) {
    auto refuse = [&](const Twine &why) { return emitError(loc) << "'Unique': " << why; };
    auto op = opsAt(loc);
    auto type = dyn_cast<RankedTensorType>(operands[0].getType());
    int64_t rank = type ? type.getRank() : 0;
    bool hasAxis = attrs.get("axis") != nullptr;
    int64_t axis = intAttr(attrs, "axis", 0);
    axis = axis < 0 ? axis + rank : axis;
    if (type && hasAxis && (axis < 0 || axis >= rank))
      return refuse("axis is out of range");
    std::optional<int64_t> count;
    if (auto d = declaredShape(node.output(0)); d && (int64_t)d->size() == (hasAxis ? rank : 1))
      count = (*d)[hasAxis ? axis : 0];
    else if (node.output_size() > 1)
      if (auto d = declaredShape(node.output(1)); d && d->size() == 1)
        count = (*d)[0];
    int64_t n = !type || !type.hasStaticShape() ? 0 : hasAxis ? type.getDimSize(axis) : type.getNumElements();
    if (n == 0 || !count || *count < 1 || *count > n) {
      // The length is found at run time: onnx.Unique (the runtime's function
      // on the CPU).
      NamedAttrList a;
      if (hasAxis)
        a.set("axis", builder.getI64IntegerAttr(axis));
      a.set("sorted", builder.getI64IntegerAttr(intAttr(attrs, "sorted", 1)));
      auto results = createOp("Unique", {operands[0]}, a, 4, loc);
      return failed(results) ? failure() : bindOutputs(node, *results);
    }
    // The rows: [n, r].
    Value x = operands[0];
    int64_t r = type.getNumElements() / n;
    SmallVector<int64_t> perm;
    if (hasAxis) {
      perm.push_back(axis);
      for (int64_t d = 0; d < rank; ++d)
        if (d != axis)
          perm.push_back(d);
      x = op("Transpose", {x}, permAttr(perm));
    }
    Value rows = op("Reshape", {x, int64Constant({n, r}, loc)});
    int64_t m = *count;
    NamedAttrList toI64 = castTo(builder.getI64Type()), sumLast = reduceAttrs({2}, false),
                  sumRows = reduceAttrs({1}, false);
    auto asInt = [&](Value v) { return op("Cast", {v}, toI64); };
    auto none = [&](Value counts) { return op("Equal", {counts, int64Constant({0}, loc)}); };
    Value a = op("Unsqueeze", {rows}, axesAttr({1})), b = op("Unsqueeze", {rows}, axesAttr({0})); // [n,1,r], [1,n,r]
    Value equal = op("Equal", {a, b});                                                             // [n,n,r]
    Value same = op("Equal", {op("ReduceSum", {asInt(op("Not", {equal}))}, sumLast), int64Constant({0}, loc)});
    SmallVector<int64_t> lower; // [k, j]: j < k
    for (int64_t k = 0; k < n; ++k)
      for (int64_t j = 0; j < n; ++j)
        lower.push_back(j < k);
    Value earlier = op("Cast", {op("Reshape", {int64Constant(lower, loc), int64Constant({n, n}, loc)})},
                       NamedAttrList(castTo(builder.getI1Type())));
    Value first = none(op("ReduceSum", {asInt(op("And", {same, earlier}))}, sumRows)); // [n]
    Value slotOf;                                                                     // [n]: the slot of each first row
    if (intAttr(attrs, "sorted", 1)) {
      // before[k, j]: rows equal before some position p where j's is smaller.
      NamedAttrList exclusive;
      exclusive.set("exclusive", builder.getI64IntegerAttr(1));
      Value mismatchesBefore = op("CumSum", {asInt(op("Not", {equal})), int64Constant({2}, loc)}, exclusive);
      Value decides = op("And", {none(mismatchesBefore), op("Less", {b, a})});
      Value before = op("Not", {none(op("ReduceSum", {asInt(decides)}, sumLast))}); // [n,n]
      slotOf = op("ReduceSum", {asInt(op("And", {before, op("Unsqueeze", {first}, axesAttr({0}))}))}, sumRows);
    } else {
      NamedAttrList exclusive;
      exclusive.set("exclusive", builder.getI64IntegerAttr(1));
      slotOf = op("CumSum", {asInt(first), int64Constant({0}, loc)}, exclusive);
    }
    // indices[s] = the first row whose slot is s.
    SmallVector<int64_t> slots, positions;
    for (int64_t s2 = 0; s2 < m; ++s2)
      slots.push_back(s2);
    for (int64_t k = 0; k < n; ++k)
      positions.push_back(k);
    Value slotColumn = op("Reshape", {int64Constant(slots, loc), int64Constant({m, 1}, loc)});
    Value chosen = op("And", {op("Equal", {op("Unsqueeze", {slotOf}, axesAttr({0})), slotColumn}),
                              op("Unsqueeze", {first}, axesAttr({0}))}); // [m, n]
    Value indices = op("ReduceSum", {op("Mul", {asInt(chosen), int64Constant(positions, loc)})}, sumRows);
    Value uniqueRows = op("Gather", {rows, indices}, axisAttr(0)); // [m, r]
    // matches[i, s]: row i equals unique row s.
    Value matches = op("Equal", {op("ReduceSum", {asInt(op("Not", {op("Equal", {a, op("Unsqueeze", {uniqueRows}, axesAttr({0}))})}))}, sumLast),
                                 int64Constant({0}, loc)}); // [n, m]
    Value inverse = op("ReduceSum", {op("Mul", {asInt(matches), int64Constant(slots, loc)})}, sumRows);
    Value counts = op("ReduceSum", {asInt(matches)}, reduceAttrs({0}, false));
    Value y;
    if (hasAxis) {
      SmallVector<int64_t> shape = {m};
      for (int64_t d : perm)
        if (d != axis)
          shape.push_back(type.getDimSize(d));
      SmallVector<int64_t> back(rank);
      for (int64_t d = 0; d < rank; ++d)
        back[perm[d]] = d;
      y = op("Transpose", {op("Reshape", {uniqueRows, int64Constant(shape, loc)})}, permAttr(back));
    } else {
      y = op("Reshape", {uniqueRows, int64Constant({m}, loc)});
    }
    Value results[] = {y, indices, inverse, counts};
    return bindOutputs(node, results);
  }

  /// NonMaxSuppression. Of static shapes, up to 256 boxes, with the number
  /// of selected boxes from the declared output shape [count, 3], it is
  /// expanded into ai.onnx ops, which every target runs; otherwise it is
  /// onnx.NonMaxSuppression (the runtime's kernel on the CPU), whose result
  /// length is the count it finds at run time. The expansion, per batch and
  /// class (unrolled): the boxes in
  /// descending score order (TopK; ties to the lower index), candidates
  /// those above score_threshold, the pairwise "suppresses" matrix (IoU
  /// above iou_threshold, with the reference's guards against empty
  /// intersections and areas), then the greedy pass unrolled over the boxes:
  /// box i is kept when it is a candidate and no kept box before it
  /// suppresses it; only the first max_output_boxes_per_class kept count.
  /// The (batch, class, box) rows of the kept boxes, in that order, are the
  /// result.
  LogicalResult importNonMaxSuppression(const ::onnx::NodeProto &node, ArrayRef<Value> operands,
                                        const NamedAttrList &attrs, Location loc) {
    auto refuse = [&](const Twine &why) { return emitError(loc) << "'NonMaxSuppression': " << why; };
    auto op = opsAt(loc);
    auto boxesType = dyn_cast<RankedTensorType>(operands[0].getType());
    auto scoresType = operands.size() > 1 ? dyn_cast<RankedTensorType>(operands[1].getType()) : nullptr;
    if (!boxesType || !scoresType || boxesType.getRank() != 3 || scoresType.getRank() != 3 ||
        !boxesType.getElementType().isF32() || !scoresType.getElementType().isF32())
      return refuse("needs float32 boxes [batch, boxes, 4] and scores [batch, classes, boxes]");
    int64_t batches = boxesType.getDimSize(0), classes = scoresType.getDimSize(1), n = boxesType.getDimSize(1);
    auto declared = declaredShape(node.output(0));
    Value maxOut = optionalOperand(operands, 2);
    bool expand = boxesType.hasStaticShape() && scoresType.hasStaticShape() && n >= 1 && n <= 256 &&
                  batches * classes * n <= 8192 && declared && declared->size() == 2 && (*declared)[1] == 3 &&
                  (*declared)[0] >= 1 && maxOut;
    if (!expand)
      return bindOutputs(node, {runtimeNonMaxSuppression(operands, attrs, loc)});
    if (boxesType.getDimSize(2) != 4 || scoresType.getDimSize(0) != batches || scoresType.getDimSize(2) != n)
      return refuse("needs boxes [batch, boxes, 4] and scores [batch, classes, boxes]");
    Type f32 = boxesType.getElementType();
    NamedAttrList toI64 = castTo(builder.getI64Type()), toF = castTo(f32);
    auto toScalar = [&](Value v) { return op("Reshape", {v, int64Constant({}, loc)}); };
    maxOut = op("Cast", {toScalar(maxOut)}, toI64);
    Value iouThreshold = optionalOperand(operands, 3) ? toScalar(operands[3]) : scalar(f32, 0, loc);
    Value scoreThreshold = optionalOperand(operands, 4) ? toScalar(operands[4]) : Value();
    if (cast<RankedTensorType>(iouThreshold.getType()).getElementType() != f32)
      iouThreshold = op("Cast", {iouThreshold}, toF);
    if (scoreThreshold && cast<RankedTensorType>(scoreThreshold.getType()).getElementType() != f32)
      scoreThreshold = op("Cast", {scoreThreshold}, toF);
    bool centers = intAttr(attrs, "center_point_box", 0) != 0;
    Value zero = scalar(f32, 0, loc), half = scalar(f32, 0.5, loc);
    auto column = [&](Value b, int64_t c) { // b [n, 4] -> [n]
      return op("Reshape", {op("Slice", {b, int64Constant({c}, loc), int64Constant({c + 1}, loc),
                                         int64Constant({1}, loc), int64Constant({1}, loc)}),
                            int64Constant({n}, loc)});
    };
    auto row = [&](Value v) { return op("Unsqueeze", {v}, axesAttr({0})); };  // [n] -> [1, n]
    auto col = [&](Value v) { return op("Unsqueeze", {v}, axesAttr({1})); };  // [n] -> [n, 1]
    SmallVector<Value> triples, masks;
    for (int64_t b = 0; b < batches; ++b) {
      Value boxes = op("Reshape", {op("Slice", {operands[0], int64Constant({b}, loc), int64Constant({b + 1}, loc),
                                                int64Constant({0}, loc), int64Constant({1}, loc)}),
                                   int64Constant({n, 4}, loc)});
      for (int64_t c = 0; c < classes; ++c) {
        Value scores = op("Reshape", {op("Slice", {operands[1], int64Constant({b, c}, loc),
                                                   int64Constant({b + 1, c + 1}, loc), int64Constant({0, 1}, loc),
                                                   int64Constant({1, 1}, loc)}),
                                      int64Constant({n}, loc)});
        NamedAttrList topAttrs;
        topAttrs.set("axis", builder.getI64IntegerAttr(0));
        auto top = createOp("TopK", {scores, int64Constant({n}, loc)}, topAttrs, 2, loc);
        if (failed(top))
          return failure();
        Value sortedScores = (*top)[0], order = (*top)[1];
        Value sorted = op("Gather", {boxes, order}, axisAttr(0));
        Value xmin, xmax, ymin, ymax;
        if (centers) {
          Value xc = column(sorted, 0), yc = column(sorted, 1);
          Value hw = op("Mul", {column(sorted, 2), half}), hh = op("Mul", {column(sorted, 3), half});
          xmin = op("Sub", {xc, hw}), xmax = op("Add", {xc, hw});
          ymin = op("Sub", {yc, hh}), ymax = op("Add", {yc, hh});
        } else {
          Value y1 = column(sorted, 0), x1 = column(sorted, 1), y2 = column(sorted, 2), x2 = column(sorted, 3);
          xmin = op("Min", {x1, x2}), xmax = op("Max", {x1, x2});
          ymin = op("Min", {y1, y2}), ymax = op("Max", {y1, y2});
        }
        Value iw = op("Sub", {op("Min", {col(xmax), row(xmax)}), op("Max", {col(xmin), row(xmin)})});
        Value ih = op("Sub", {op("Min", {col(ymax), row(ymax)}), op("Max", {col(ymin), row(ymin)})});
        Value inter = op("Mul", {iw, ih});
        Value area = op("Mul", {op("Sub", {xmax, xmin}), op("Sub", {ymax, ymin})});
        Value uni = op("Sub", {op("Add", {col(area), row(area)}), inter});
        Value valid = op("And", {op("And", {op("Greater", {iw, zero}), op("Greater", {ih, zero})}),
                                 op("And", {op("Greater", {inter, zero}), op("Greater", {uni, zero})})});
        valid = op("And", {valid, op("And", {op("Greater", {col(area), zero}), op("Greater", {row(area), zero})})});
        Value safeUnion = op("Where", {valid, uni, scalar(f32, 1, loc)});
        Value suppresses = op("And", {valid, op("Greater", {op("Div", {inter, safeUnion}), iouThreshold})});
        Value candidate = scoreThreshold ? op("Greater", {sortedScores, scoreThreshold})
                                         : constant(DenseElementsAttr::get(RankedTensorType::get({n}, builder.getI1Type()), true), loc);
        // Greedy, unrolled: kept[i] = candidate[i] and no kept j < i suppresses i.
        SmallVector<Value> kept;
        for (int64_t i = 0; i < n; ++i) {
          Value ci = op("Slice", {candidate, int64Constant({i}, loc), int64Constant({i + 1}, loc),
                                  int64Constant({0}, loc), int64Constant({1}, loc)});
          if (i > 0) {
            Value before = kept.size() == 1 ? kept[0] : op("Concat", kept, axisAttr(0));
            Value hits = op("Slice", {suppresses, int64Constant({i, 0}, loc), int64Constant({i + 1, i}, loc),
                                      int64Constant({0, 1}, loc), int64Constant({1, 1}, loc)});
            Value suppressed = op("And", {op("Reshape", {hits, int64Constant({i}, loc)}), before});
            Value count = op("ReduceSum", {op("Cast", {suppressed}, toI64)}, axesAttr({0})); // [1]
            ci = op("And", {ci, op("Equal", {count, int64Constant({0}, loc)})});
          }
          kept.push_back(ci);
        }
        Value keep = kept.size() == 1 ? kept[0] : op("Concat", kept, axisAttr(0));
        Value running = op("CumSum", {op("Cast", {keep}, toI64), int64Constant({0}, loc)});
        keep = op("And", {keep, op("LessOrEqual", {running, maxOut})});
        masks.push_back(keep);
        Value bc = int64Constant(SmallVector<int64_t>(n, b), loc), cc = int64Constant(SmallVector<int64_t>(n, c), loc);
        triples.push_back(op("Concat", {col(bc), col(cc), col(order)}, axisAttr(1)));
      }
    }
    Value allTriples = triples.size() == 1 ? triples[0] : op("Concat", triples, axisAttr(0));
    Value allKept = masks.size() == 1 ? masks[0] : op("Concat", masks, axisAttr(0));
    Value y = op("Gather", {allTriples, truePositions(allKept, (*declared)[0], loc)}, axisAttr(0));
    return bindOutputs(node, {y});
  }

  /// onnx.NonMaxSuppression with its optional inputs as 1-element tensors:
  /// an absent max_output_boxes_per_class selects nothing, an absent
  /// iou_threshold is 0, an absent score_threshold lets every box compete.
  Value runtimeNonMaxSuppression(ArrayRef<Value> operands, const NamedAttrList &attrs, Location loc) {
    auto op = opsAt(loc);
    auto single = [&](int index, Type type, double absent) {
      Value v = optionalOperand(operands, index);
      if (!v)
        return type.isInteger(64) ? int64Constant({(int64_t)absent}, loc)
                                  : floatConstant(RankedTensorType::get({1}, type), {absent}, loc);
      v = op("Reshape", {v, int64Constant({1}, loc)});
      return cast<RankedTensorType>(v.getType()).getElementType() == type ? v : op("Cast", {v}, castTo(type));
    };
    Type f32 = builder.getF32Type();
    NamedAttrList a;
    a.set("center_point_box", builder.getI64IntegerAttr(intAttr(attrs, "center_point_box", 0)));
    a.set("has_score_threshold", builder.getI64IntegerAttr(optionalOperand(operands, 4) ? 1 : 0));
    return op("NonMaxSuppression",
              {operands[0], operands[1], single(2, builder.getI64Type(), 0), single(3, f32, 0), single(4, f32, 0)}, a);
  }

  /// The ai.onnx.ml operators, expanded into ai.onnx ones:
  ///   Binarizer              y = x > threshold ? 1 : 0
  ///   ArrayFeatureExtractor  y = x gathered at the indices along its last
  ///                          axis (a 1-d x gives [1, n])
  ///   LabelEncoder           y = the value of the key x equals, else the
  ///                          default: Equal against every key, then the
  ///                          matching position's value (keys are unique)
  LogicalResult importML(const ::onnx::NodeProto &node, ArrayRef<Value> operands, const NamedAttrList &attrs,
                         Location loc) {
    StringRef kind = node.op_type();
    auto refuse = [&](const Twine &why) { return emitError(loc) << "'" << kind << "': " << why; };
    auto op = opsAt(loc);
    auto type = dyn_cast<RankedTensorType>(operands[0].getType());
    if (!type)
      return refuse("needs a ranked input");
    Type et = type.getElementType();
    if (kind == "Binarizer") {
      Value above = op("Greater", {operands[0], scalar(et, floatAttr(attrs, "threshold", 0.0), loc)});
      return bindOutputs(node, {op("Cast", {above}, castTo(et))});
    }
    if (kind == "ArrayFeatureExtractor") {
      Value x = operands[0];
      if (type.getRank() == 1)
        x = op("Unsqueeze", {x}, axesAttr({0}));
      int64_t rank = std::max<int64_t>(type.getRank(), 2);
      Value indices = op("Reshape", {operands[1], int64Constant({-1}, loc)});
      return bindOutputs(node, {op("Gather", {x, indices}, axisAttr(rank - 1))});
    }
    // LabelEncoder: keys and values from *_strings, *_int64s, *_floats or
    // *_tensor; the default from default_* (ONNX's defaults otherwise).
    auto listAttr = [&](StringRef prefix, ElementsAttr &out) -> LogicalResult {
      Type str = mlc::onnx::StringType::get(ctx);
      for (const auto &a : node.attribute()) {
        StringRef name = a.name();
        if (!name.starts_with(prefix))
          continue;
        StringRef suffix = name.drop_front(prefix.size());
        int64_t n = suffix == "strings" ? a.strings_size() : suffix == "int64s" ? a.ints_size()
                                                         : suffix == "floats" ? a.floats_size() : -1;
        if (suffix == "strings")
          out = DenseStringElementsAttr::get(RankedTensorType::get({n}, str),
                                             SmallVector<StringRef>(a.strings().begin(), a.strings().end()));
        else if (suffix == "int64s")
          out = DenseElementsAttr::get(RankedTensorType::get({n}, builder.getI64Type()),
                                       ArrayRef<int64_t>(SmallVector<int64_t>(a.ints().begin(), a.ints().end())));
        else if (suffix == "floats")
          out = DenseElementsAttr::get(RankedTensorType::get({n}, builder.getF32Type()),
                                       ArrayRef<float>(SmallVector<float>(a.floats().begin(), a.floats().end())));
        else if (suffix == "tensor") {
          auto t = importTensor(a.t(), loc);
          if (failed(t))
            return failure();
          out = *t;
        }
      }
      return success(out != nullptr);
    };
    ElementsAttr keys, values;
    if (failed(listAttr("keys_", keys)) || failed(listAttr("values_", values)))
      return refuse("needs keys and values");
    int64_t count = cast<ShapedType>(keys.getType()).getNumElements();
    if (count != cast<ShapedType>(values.getType()).getNumElements() || count == 0)
      return refuse("needs as many values as keys");
    Type vt = cast<ShapedType>(values.getType()).getElementType();
    ElementsAttr fallback;
    auto scalarType = RankedTensorType::get({}, vt);
    for (const auto &a : node.attribute()) {
      if (a.name() == "default_tensor") {
        auto t = importTensor(a.t(), loc);
        if (failed(t))
          return failure();
        fallback = *t;
      } else if (a.name() == "default_string") {
        fallback = DenseStringElementsAttr::get(scalarType, {StringRef(a.s())});
      } else if (a.name() == "default_int64") {
        fallback = DenseElementsAttr::get(scalarType, builder.getIntegerAttr(vt, a.i()).getValue());
      } else if (a.name() == "default_float") {
        fallback = DenseElementsAttr::get(scalarType, APFloat(a.f()));
      }
    }
    if (!fallback) {
      if (isa<mlc::onnx::StringType>(vt))
        fallback = DenseStringElementsAttr::get(scalarType, {StringRef("_Unused")});
      else if (isa<FloatType>(vt))
        fallback = DenseElementsAttr::get(scalarType, APFloat(-0.0f));
      else
        fallback = DenseElementsAttr::get(scalarType, builder.getIntegerAttr(vt, -1).getValue());
    }
    Value keysValue = op("Reshape", {constant(keys, loc), int64Constant({count}, loc)});
    Value matches = op("Cast", {op("Equal", {op("Unsqueeze", {operands[0]}, axesAttr({type.getRank()})), keysValue})},
                       castTo(builder.getI64Type()));
    NamedAttrList lastAxis = reduceAttrs({type.getRank()}, false);
    SmallVector<int64_t> positions = llvm::to_vector(llvm::seq<int64_t>(0, count));
    Value position = op("ReduceSum", {op("Mul", {matches, int64Constant(positions, loc)})}, lastAxis);
    Value found = op("Greater", {op("ReduceSum", {matches}, lastAxis), int64Constant({0}, loc)});
    Value mapped = op("Gather", {op("Reshape", {constant(values, loc), int64Constant({count}, loc)}), position},
                      axisAttr(0));
    Value dflt = op("Reshape", {constant(fallback, loc), int64Constant({}, loc)});
    return bindOutputs(node, {op("Where", {found, mapped, dflt})});
  }

  /// Col2Im: each column l of block element k adds to the image position
  ///   pos_d = l_d * stride_d - pad_begin_d + k_d * dilation_d
  /// (k and l unravelled by the block shape and by the number of block
  /// positions per dim, all read at run time from the shape inputs), when it
  /// lies inside the image: a ScatterElements with reduction "add" over the
  /// flattened image, with one more slot that takes the positions outside.
  /// The declared output shape gives the channels and the image size.
  LogicalResult importCol2Im(const ::onnx::NodeProto &node, ArrayRef<Value> operands, const NamedAttrList &attrs,
                             Location loc) {
    auto refuse = [&](const Twine &why) { return emitError(loc) << "'Col2Im': " << why; };
    auto op = opsAt(loc);
    if (operands.size() != 3)
      return refuse("expects input, image_shape and block_shape");
    auto type = dyn_cast<RankedTensorType>(operands[0].getType());
    auto imageType = dyn_cast<RankedTensorType>(operands[1].getType());
    auto declared = declaredShape(node.output(0));
    if (!type || !type.hasStaticShape() || type.getRank() != 3 || !imageType || !imageType.hasStaticShape() ||
        imageType.getRank() != 1)
      return refuse("needs an input of static shape [N, C * prod(block), L] and 1-d shape inputs");
    int64_t spatial = imageType.getDimSize(0);
    if (!declared || (int64_t)declared->size() != spatial + 2)
      return refuse("needs the output's declared shape [N, C, image dims]");
    int64_t n = type.getDimSize(0), c = (*declared)[1], columns = type.getDimSize(1), l = type.getDimSize(2);
    if (c <= 0 || columns % c != 0 || (*declared)[0] != n)
      return refuse("the declared channels must divide the input's second dim");
    int64_t k = columns / c, pixels = 1;
    for (int64_t d = 0; d < spatial; ++d)
      pixels *= (*declared)[2 + d];
    SmallVector<int64_t> strides = mlc::onnx::getI64s(arrayAttr(attrs, "strides"), spatial, 1);
    SmallVector<int64_t> dilations = mlc::onnx::getI64s(arrayAttr(attrs, "dilations"), spatial, 1);
    SmallVector<int64_t> pads = mlc::onnx::getI64s(arrayAttr(attrs, "pads"), 2 * spatial, 0);
    auto i64 = [&](int64_t v) { return int64Constant({v}, loc); };
    auto dimOf = [&](Value shape, int64_t d) { return op("Gather", {shape, i64(d)}, axisAttr(0)); };
    Value kIndex = op("Reshape", {int64Constant(llvm::to_vector(llvm::seq<int64_t>(0, k)), loc), int64Constant({k, 1}, loc)});
    Value lIndex = op("Reshape", {int64Constant(llvm::to_vector(llvm::seq<int64_t>(0, l)), loc), int64Constant({1, l}, loc)});
    // Block positions per dim: (image + pads - dilation * (block - 1) - 1) / stride + 1.
    SmallVector<Value> blocks, images, counts;
    for (int64_t d = 0; d < spatial; ++d) {
      Value b = dimOf(operands[2], d), im = dimOf(operands[1], d);
      Value span = op("Add", {op("Mul", {op("Sub", {b, i64(1)}), i64(dilations[d])}), i64(1)});
      Value room = op("Sub", {op("Add", {im, i64(pads[d] + pads[spatial + d])}), span});
      blocks.push_back(b);
      images.push_back(im);
      counts.push_back(op("Add", {op("Div", {room, i64(strides[d])}), i64(1)}));
    }
    Value flat = i64(0), inside;
    Value kStride = i64(1), lStride = i64(1);
    SmallVector<Value> kStrides(spatial), lStrides(spatial);
    for (int64_t d = spatial - 1; d >= 0; --d) {
      kStrides[d] = kStride, lStrides[d] = lStride;
      kStride = op("Mul", {kStride, blocks[d]});
      lStride = op("Mul", {lStride, counts[d]});
    }
    for (int64_t d = 0; d < spatial; ++d) {
      Value kd = op("Mod", {op("Div", {kIndex, kStrides[d]}), blocks[d]});
      Value ld = op("Mod", {op("Div", {lIndex, lStrides[d]}), counts[d]});
      Value pos = op("Add", {op("Sub", {op("Mul", {ld, i64(strides[d])}), i64(pads[d])}), op("Mul", {kd, i64(dilations[d])})});
      Value ok = op("And", {op("GreaterOrEqual", {pos, i64(0)}), op("Less", {pos, images[d]})});
      inside = inside ? op("And", {inside, ok}) : ok;
      flat = op("Add", {op("Mul", {flat, images[d]}), pos});
    }
    flat = op("Where", {inside, flat, i64(pixels)}); // [k, l]
    Type et = type.getElementType();
    Value zeros = op("Expand", {scalar(et, 0, loc), int64Constant({n, c, pixels + 1}, loc)});
    Value index = op("Expand", {op("Reshape", {flat, int64Constant({1, 1, k * l}, loc)}), int64Constant({n, c, k * l}, loc)});
    Value updates = op("Reshape", {operands[0], int64Constant({n, c, k * l}, loc)});
    NamedAttrList scatter = axisAttr(2);
    scatter.set("reduction", builder.getStringAttr("add"));
    Value image = op("ScatterElements", {zeros, index, updates}, scatter);
    image = op("Slice", {image, i64(0), i64(pixels), i64(2), i64(1)});
    return bindOutputs(node, {op("Reshape", {image, int64Constant(*declared, loc)})});
  }

  /// StringNormalizer: the strings, case-changed, without the stopwords (on
  /// the last axis of a [C] or [1, C] input); an input of only stopwords
  /// gives [""] (or [[""]]). How many remain depends on the data: the
  /// declared output shape gives it, and the kept positions are found at run
  /// time as Compress's are. Stopwords compare after lowering both sides
  /// unless `is_case_sensitive`; case changes are ASCII only.
  LogicalResult importStringNormalizer(const ::onnx::NodeProto &node, ArrayRef<Value> operands,
                                       const NamedAttrList &attrs, Location loc) {
    auto refuse = [&](const Twine &why) { return emitError(loc) << "'StringNormalizer': " << why; };
    auto op = opsAt(loc);
    auto type = dyn_cast<RankedTensorType>(operands[0].getType());
    if (!type || !isa<mlc::onnx::StringType>(type.getElementType()) || type.getRank() < 1 || type.getRank() > 2 ||
        (type.getRank() == 2 && type.getDimSize(0) != 1 && !type.isDynamicDim(0)))
      return refuse("needs a string input of shape [C] or [1, C]");
    int64_t rank = type.getRank();
    StringRef action = "NONE";
    if (auto a = dyn_cast_or_null<StringAttr>(attrs.get("case_change_action")))
      action = a.getValue();
    if (action != "NONE" && action != "LOWER" && action != "UPPER")
      return refuse("case_change_action must be NONE, LOWER or UPPER");
    bool caseSensitive = intAttr(attrs, "is_case_sensitive", 0) != 0;
    SmallVector<std::string> stopwords;
    if (auto list = dyn_cast_or_null<ArrayAttr>(attrs.get("stopwords")))
      for (Attribute w : list)
        stopwords.push_back(caseSensitive ? cast<StringAttr>(w).getValue().str()
                                          : cast<StringAttr>(w).getValue().lower());
    auto changeCase = [&](Value v, StringRef to) {
      NamedAttrList a;
      a.set("case_change_action", builder.getStringAttr(to));
      return op("ChangeCase", {v}, a);
    };
    Value x = operands[0];
    Value y = action == "NONE" ? x : changeCase(x, action);
    if (stopwords.empty())
      return bindOutputs(node, {y});
    auto declared = declaredShape(node.output(0));
    if (!declared || (int64_t)declared->size() != rank || ShapedType::isDynamic(declared->back()))
      return refuse("with stopwords, needs the output's declared shape (the number of strings kept)");
    Type stringType = mlc::onnx::StringType::get(ctx);
    auto strings = [&](ArrayRef<std::string> list, ArrayRef<int64_t> shape) {
      SmallVector<StringRef> refs(list.begin(), list.end());
      return constant(DenseStringElementsAttr::get(RankedTensorType::get(shape, stringType), refs), loc);
    };
    // keep[c] = no stopword equals x[c]: [.., C, 1] against [S], summed.
    Value key = caseSensitive ? x : changeCase(x, "LOWER");
    Value hits = op("Equal", {op("Unsqueeze", {key}, axesAttr({rank})),
                              strings(stopwords, {(int64_t)stopwords.size()})});
    Value count = op("ReduceSum", {op("Cast", {hits}, castTo(builder.getI64Type()))}, reduceAttrs({rank}, false));
    Value keep = op("Equal", {count, int64Constant({0}, loc)});
    // One more candidate, "", kept only when nothing else is.
    SmallVector<int64_t> one(rank, 1);
    Value none = op("Equal", {op("ReduceSum", {op("Cast", {keep}, castTo(builder.getI64Type()))},
                                 reduceAttrs({}, true)),
                              int64Constant({0}, loc)});
    y = op("Concat", {y, strings({std::string()}, one)}, axisAttr(rank - 1));
    keep = op("Concat", {keep, op("Reshape", {none, int64Constant(one, loc)})}, axisAttr(rank - 1));
    if (rank == 2)
      keep = op("Reshape", {keep, int64Constant({-1}, loc)});
    return bindOutputs(node, {op("Gather", {y, truePositions(keep, declared->back(), loc)}, axisAttr(rank - 1))});
  }

  /// The `count` consecutive slices of `x` along `axis` whose sizes are the
  /// run-time values of `sizes` (an integer vector): bounds at their running
  /// sums.
  SmallVector<Value> slicesOfSizes(Value x, Value sizes, int64_t count, int64_t axis, Location loc) {
    auto op = opsAt(loc);
    Value sizes64 = op("Cast", {sizes}, castTo(builder.getI64Type()));
    Value begin = int64Constant({0}, loc), axisV = int64Constant({axis}, loc), one = int64Constant({1}, loc);
    SmallVector<Value> slices;
    for (int64_t i = 0; i < count; ++i) {
      Value end = op("Add", {begin, op("Gather", {sizes64, int64Constant({i}, loc)}, axisAttr(0))});
      slices.push_back(op("Slice", {x, begin, end, axisV, one}));
      begin = end;
    }
    return slices;
  }

  /// The number of pieces of a run-time split sequence, as an int64 scalar:
  /// the sizes' length, or ceil(dim / piece).
  Value splitSequenceLength(const SplitSequence &seq, Location loc) {
    auto op = opsAt(loc);
    Value scalarShape = int64Constant({}, loc);
    if (seq.sizes)
      return op("Reshape", {op("Shape", {seq.sizes}), scalarShape});
    Value dim = op("Gather", {op("Shape", {seq.x}), int64Constant({seq.axis}, loc)}, axisAttr(0));
    Value piece = int64Constant({seq.piece}, loc);
    Value count = op("Div", {op("Add", {dim, int64Constant({seq.piece - 1}, loc)}), piece});
    return op("Reshape", {count, scalarShape});
  }

  /// Piece `position` (a scalar known at run time; negative counts from the
  /// end) of a run-time split sequence: a Slice of x from the sum of the
  /// sizes before it (position * piece) for its size (the rest of the dim
  /// at most).
  Value splitSequenceAt(const SplitSequence &seq, Value position, Location loc) {
    auto op = opsAt(loc);
    if (!position)
      return emitError(loc) << "'SequenceAt': needs a position", Value();
    Value zero = int64Constant({0}, loc), one = int64Constant({1}, loc);
    Value p = op("Reshape", {op("Cast", {position}, castTo(builder.getI64Type())), one});
    Value length = op("Reshape", {splitSequenceLength(seq, loc), one});
    p = op("Where", {op("Less", {p, zero}), op("Add", {p, length}), p});
    Value begin, end;
    if (seq.sizes) {
      NamedAttrList sumAll = reduceAttrs({}, true);
      Value before = op("Slice", {seq.sizes, zero, p, zero, one});
      begin = op("ReduceSum", {op("Concat", {zero, before}, axisAttr(0))}, sumAll);
      end = op("Add", {begin, op("Gather", {seq.sizes, p}, axisAttr(0))});
    } else {
      Value piece = int64Constant({seq.piece}, loc);
      begin = op("Mul", {p, piece});
      end = op("Add", {begin, piece}); // Slice clamps the last piece to the dim
    }
    Value slice = op("Slice", {seq.x, begin, end, int64Constant({seq.axis}, loc), one});
    return seq.squeeze ? op("Squeeze", {slice}, axesAttr({seq.axis})) : slice;
  }

  /// `v` with the static `shape` where its own dims are symbolic: an
  /// EnsureShape, which the run checks (for ops whose result has the shape
  /// of an operand, the model's declared result shape); `v` itself where it
  /// is static already or the ranks differ; null if the EnsureShape failed
  /// (and said why).
  Value withDeclaredShape(Value v, ArrayRef<int64_t> shape, Location loc) {
    auto type = v ? dyn_cast<RankedTensorType>(v.getType()) : RankedTensorType();
    if (!type || type.hasStaticShape() || type.getRank() != (int64_t)shape.size())
      return v;
    NamedAttrList a;
    a.set("shape", builder.getI64ArrayAttr(shape));
    return createOne("EnsureShape", {v}, a, loc);
  }

  /// Compress and NonZero, whose result length is data-dependent: where the
  /// declared output shape gives the number of selected elements (a constant
  /// condition gives it too), truePositions finds them in a result of that
  /// length; otherwise runtimeTruePositions, whose length is the count found
  /// at run time (the model then takes the run-time-dims pipeline).
  /// Compress gathers the slices along `axis` (the flattened input without
  /// one) whose condition is true; NonZero unravels the flat positions of
  /// the nonzero elements into [rank, count] coordinates.
  LogicalResult importSelection(const ::onnx::NodeProto &node, ArrayRef<Value> operands, const NamedAttrList &attrs,
                                Location loc) {
    StringRef kind = node.op_type();
    auto refuse = [&](const Twine &why) { return emitError(loc) << "'" << kind << "': " << why; };
    auto op = opsAt(loc);
    auto type = dyn_cast<RankedTensorType>(operands[0].getType());
    auto declared = declaredShape(node.output(0));
    Value y;
    if (kind == "Compress") {
      if (!type)
        return refuse("needs a ranked input");
      if (operands.size() < 2)
        return refuse("needs a condition");
      auto condType = dyn_cast<RankedTensorType>(operands[1].getType());
      if (!condType || condType.getRank() != 1)
        return refuse("needs a 1-d condition");
      Value x = operands[0];
      bool hasAxis = attrs.get("axis") != nullptr;
      int64_t rank = type.getRank(), axis = intAttr(attrs, "axis", 0);
      if (!hasAxis) {
        x = op("Reshape", {x, int64Constant({-1}, loc)});
        rank = 1;
        axis = 0;
      }
      axis = axis < 0 ? axis + rank : axis;
      if (axis < 0 || axis >= rank)
        return refuse("the axis must be valid");
      // A condition shorter than the dim selects among its first elements.
      int64_t dim = cast<RankedTensorType>(x.getType()).getDimSize(axis), n = condType.getDimSize(0);
      if (!ShapedType::isDynamic(dim) && !ShapedType::isDynamic(n) && n > dim)
        return refuse("the condition must be no longer than the axis's dim");
      std::optional<int64_t> count;
      if (auto c = mlc::onnx::getConstantInts(operands[1]); succeeded(c))
        count = llvm::count_if(*c, [](int64_t v) { return v != 0; });
      else if (declared && (int64_t)declared->size() == rank)
        count = (*declared)[axis];
      Value cond = operands[1];
      if (!condType.getElementType().isInteger(1))
        cond = op("Cast", {cond}, castTo(builder.getI1Type()));
      if (count && *count == 0) // an empty result: only the run-time path has one
        count.reset();
      Value positions = count ? truePositions(cond, *count, loc) : runtimeTruePositions(cond, loc);
      y = op("Gather", {x, positions}, axisAttr(axis));
    } else { // NonZero
      if (!type)
        return refuse("needs a ranked input");
      int64_t rank = type.getRank();
      // A declared count (static) gives a result of that length; else the
      // count is found at run time.
      std::optional<int64_t> count;
      if (declared && declared->size() == 2 && (*declared)[0] == std::max<int64_t>(rank, 1) &&
          !ShapedType::isDynamic((*declared)[1]) && (*declared)[1] > 0)
        count = (*declared)[1];
      Value flat = op("Reshape", {operands[0], int64Constant({-1}, loc)});
      Type et = type.getElementType();
      Value mask = et.isInteger(1) ? flat : op("Not", {op("Equal", {flat, scalar(et, 0, loc)})});
      Value positions = count ? truePositions(mask, *count, loc) : runtimeTruePositions(mask, loc);
      // Unravel by the dims (read at run time where they are symbolic):
      // coordinate d = position / (product of the later dims) % dim d.
      Value shape = type.hasStaticShape() ? Value() : op("Shape", {operands[0]});
      auto dimOf = [&](int64_t d) {
        return type.isDynamicDim(d) ? op("Gather", {shape, int64Constant({d}, loc)}, axisAttr(0))
                                    : int64Constant({type.getDimSize(d)}, loc);
      };
      SmallVector<Value> coordinates;
      Value stride = int64Constant({1}, loc);
      SmallVector<Value> strides(rank);
      for (int64_t d = rank - 1; d >= 0; --d) {
        strides[d] = stride;
        stride = op("Mul", {stride, dimOf(d)});
      }
      for (int64_t d = 0; d < rank; ++d) {
        Value c = op("Mod", {op("Div", {positions, strides[d]}), dimOf(d)});
        coordinates.push_back(op("Unsqueeze", {c}, axesAttr({0})));
      }
      if (rank == 0)
        coordinates.push_back(op("Unsqueeze", {op("Mul", {positions, int64Constant({0}, loc)})}, axesAttr({0})));
      y = coordinates.size() == 1 ? coordinates[0] : op("Concat", coordinates, axisAttr(0));
    }
    return bindOutputs(node, {y});
  }

  /// A float constant of `type` (float element type) holding `values`.
  Value floatConstant(RankedTensorType type, ArrayRef<double> values, Location loc) {
    const llvm::fltSemantics &sem = cast<FloatType>(type.getElementType()).getFloatSemantics();
    SmallVector<APFloat> v;
    for (double d : values) {
      APFloat f(d);
      bool lost;
      f.convert(sem, APFloat::rmNearestTiesToEven, &lost);
      v.push_back(f);
    }
    return constant(DenseElementsAttr::get(type, v), loc);
  }

  /// The dims of `name`'s result from a constant `shape` operand, else from
  /// the model's declaration of `name`.
  std::optional<SmallVector<int64_t>> constantOrDeclared(Value shape, const std::string &name) {
    if (auto c = mlc::onnx::getConstantInts(shape); succeeded(c))
      return SmallVector<int64_t>(*c);
    return declaredShape(name);
  }

  /// Operators computed from positions and small tables, expanded here:
  ///  - HannWindow, HammingWindow, BlackmanWindow: a0 - a1 cos(2 pi n / D)
  ///    + a2 cos(4 pi n / D) over n < size, D = size (periodic) or size - 1,
  ///    with size read at run time and the length constant or declared.
  ///  - DFT (axis an attribute or constant; dft_length constant): products
  ///    with cos/sin tables of the signal (padded or cut to the length) moved
  ///    to the last axis; onesided keeps frequencies up to L / 2; inverse
  ///    divides by L, and inverse onesided (irfft) rebuilds the real signal
  ///    from the half spectrum (interior frequencies counted twice).
  ///  - STFT: frames gathered from the signal at f * frame_step + j (both
  ///    read at run time), times the window, then products with cos/sin
  ///    tables as for DFT. The frame length is the window's, a constant, or
  ///    read at run time: then the tables cover the longest length the
  ///    declared bins allow and the positions past it count 0.
  ///  - MelWeightMatrix: the triangular filters over the declared
  ///    [bins, mel bins] grid, from band edges computed at run time as the
  ///    ONNX reference does (mel edges in float32, hertz in float64, bins
  ///    truncated).
  ///  - MaxUnpool: the values scattered to their flat indices in a zero
  ///    tensor of the output shape (output_shape, the declared shape, or the
  ///    one MaxPool's inverse gives).
  ///  - AffineGrid: theta times the homogeneous base grid of the output size
  ///    ((x, y[, z], 1) in [-1, 1], centres or corners per align_corners).
  ///  - Det: Laplace expansion along the first row, up to 5 x 5.
  LogicalResult importComputed(const ::onnx::NodeProto &node, ArrayRef<Value> operands,
                               const NamedAttrList &attrs, Location loc) {
    StringRef kind = node.op_type();
    auto refuse = [&](const Twine &why) { return emitError(loc) << "'" << kind << "': " << why; };
    auto op = opsAt(loc);
    auto typeOf = [](Value v) { return dyn_cast<RankedTensorType>(v.getType()); };
    const double pi = 3.14159265358979323846;
    Value y;
    if (kind.ends_with("Window")) {
      auto declared = declaredShape(node.output(0));
      std::optional<int64_t> length;
      if (auto c = mlc::onnx::getConstantInts(operands[0]); succeeded(c) && c->size() == 1)
        length = (*c)[0];
      else if (declared && declared->size() == 1)
        length = (*declared)[0];
      if (!length || *length < 0)
        return refuse("needs a constant size or the output's declared length");
      Type out = mlc::onnx::convertONNXElementType(ctx, intAttr(attrs, "output_datatype", 1));
      if (!out || !isa<FloatType>(out))
        return refuse("output_datatype must be a float type");
      double a0 = 0.5, a1 = 0.5, a2 = 0;
      if (kind == "HammingWindow")
        a0 = 25.0 / 46.0, a1 = 1 - a0;
      else if (kind == "BlackmanWindow")
        a0 = 0.42, a1 = 0.5, a2 = 0.08;
      Type f32 = builder.getF32Type();
      SmallVector<double> positions;
      for (int64_t n = 0; n < *length; ++n)
        positions.push_back(2 * pi * n);
      Value turns = floatConstant(RankedTensorType::get({*length}, f32), positions, loc);
      Value d = op("Cast", {operands[0]}, castTo(f32));
      if (intAttr(attrs, "periodic", 1) == 0)
        d = op("Sub", {d, scalar(f32, 1, loc)});
      Value angle = op("Div", {turns, d});
      y = op("Sub", {scalar(f32, a0, loc), op("Mul", {scalar(f32, a1, loc), op("Cos", {angle})})});
      if (a2 != 0)
        y = op("Add", {y, op("Mul", {scalar(f32, a2, loc), op("Cos", {op("Mul", {angle, scalar(f32, 2, loc)})})})});
      y = out == f32 ? y : op("Cast", {y}, castTo(out));
    } else if (kind == "DFT") {
      // x [batch, .., n, .., 1 or 2] times tables [n, out] of cos and sin(2 pi j k / L): rows
      // past the input length (L, or L / 2 + 1 bins for irfft) are zero, which truncates the
      // signal; missing rows (n < L) are its zero padding. Static n and L give constant
      // tables; otherwise the tables, and the real and imaginary parts, are computed at run time.
      auto xType = typeOf(operands[0]);
      if (!xType || xType.getRank() < 3 || !isa<FloatType>(xType.getElementType()) ||
          (xType.getShape().back() != 1 && xType.getShape().back() != 2 && !xType.isDynamicDim(xType.getRank() - 1)))
        return refuse("needs a float input [batch, ..., 1 or 2]");
      int64_t rank = xType.getRank(), axis = intAttr(attrs, "axis", opsetVersion >= 20 ? -2 : 1);
      if (Value a = optionalOperand(operands, 2)) {
        auto c = mlc::onnx::getConstantInts(a);
        if (failed(c) || c->size() != 1)
          return refuse("the axis input must be a constant");
        axis = (*c)[0];
      }
      axis = axis < 0 ? axis + rank : axis;
      if (axis < 1 || axis >= rank - 1)
        return refuse("axis must be a signal dim (not the batch or the last dim)");
      bool inverse = intAttr(attrs, "inverse", 0) != 0, onesided = intAttr(attrs, "onesided", 0) != 0;
      bool irfft = inverse && onesided;
      int64_t n = xType.getDimSize(axis), length = ShapedType::kDynamic;
      if (!ShapedType::isDynamic(n))
        length = irfft ? 2 * (n - 1) : n;
      if (Value l = optionalOperand(operands, 1)) {
        auto c = mlc::onnx::getConstantInts(l);
        if (failed(c) || c->size() != 1)
          return refuse("dft_length must be a constant");
        length = (*c)[0];
      }
      if (!ShapedType::isDynamic(length) && length < 1)
        return refuse("the DFT length must be positive");
      SmallVector<int64_t> perm, back(rank - 1);
      for (int64_t d = 0; d < rank - 1; ++d)
        if (d != axis)
          perm.push_back(d);
      perm.push_back(axis);
      for (int64_t d = 0; d < rank - 1; ++d)
        back[perm[d]] = d;
      // In float64: the sums of products with the tables carry no float32
      // rounding (the reference transforms in float64 as well).
      Type own = xType.getElementType(), et = builder.getF64Type(), i64 = builder.getI64Type();
      Value x64 = own == et ? operands[0] : op("Cast", {operands[0]}, castTo(et));
      // Component i of the last dim (zero where it has no such component)
      // with the signal axis last: [..., n].
      int64_t parts = xType.getShape().back();
      auto part = [&](int64_t i) -> Value {
        Value p;
        if (!ShapedType::isDynamic(parts)) {
          if (i >= parts)
            return Value();
          p = op("Slice", {x64, int64Constant({i}, loc), int64Constant({i + 1}, loc),
                           int64Constant({rank - 1}, loc), int64Constant({1}, loc)});
          p = op("Squeeze", {p}, axesAttr({rank - 1}));
        } else { // 1 or 2 components, known at run time: x . [j == i]
          Value last = shapeDim(x64, rank - 1, loc);
          Value which = op("Equal", {op("Range", {scalar(i64, 0, loc), last, scalar(i64, 1, loc)}),
                                     int64Constant({i}, loc)});
          p = op("ReduceSum", {op("Mul", {x64, op("Cast", {which}, castTo(et))})}, reduceAttrs({rank - 1}, false));
        }
        return op("Transpose", {p}, permAttr(perm));
      };
      Value re = part(0), im = part(1);
      Value c, sn;
      if (!ShapedType::isDynamic(n) && !ShapedType::isDynamic(length)) {
        int64_t in = irfft ? length / 2 + 1 : length, outLen = onesided && !inverse ? length / 2 + 1 : length;
        SmallVector<double> cosines, sines;
        for (int64_t j = 0; j < n; ++j)
          for (int64_t k = 0; k < outLen; ++k) {
            double angle = 2 * pi * (double)((j * k) % length) / (double)length;
            double w = j < in ? 1 : 0;
            if (inverse && j < in)
              w = (irfft && j != 0 && !(length % 2 == 0 && j == length / 2) ? 2.0 : 1.0) / (double)length;
            cosines.push_back(w * std::cos(angle));
            sines.push_back(w * std::sin(angle));
          }
        auto tableType = RankedTensorType::get({n, outLen}, et);
        c = floatConstant(tableType, cosines, loc);
        sn = floatConstant(tableType, sines, loc);
      } else {
        // The same tables from Range, Mod and Cos/Sin of the run-time lengths.
        Value zero = scalar(i64, 0, loc), one = scalar(i64, 1, loc), two = scalar(i64, 2, loc);
        Value nNow = shapeDim(x64, axis, loc);
        Value lNow = !ShapedType::isDynamic(length) ? scalar(i64, (double)length, loc)
                     : irfft                         ? op("Mul", {two, op("Sub", {nNow, one})})
                                                     : nNow;
        Value half = op("Add", {op("Div", {lNow, two}), one});
        Value inNow = irfft ? half : lNow, outNow = onesided && !inverse ? half : lNow;
        Value j = op("Unsqueeze", {op("Range", {zero, nNow, one})}, axesAttr({1}));
        Value k = op("Unsqueeze", {op("Range", {zero, outNow, one})}, axesAttr({0}));
        Value lf = op("Cast", {lNow}, castTo(et));
        Value angle = op("Mul", {op("Cast", {op("Mod", {op("Mul", {j, k}), lNow})}, castTo(et)),
                                 op("Div", {scalar(et, 2 * pi, loc), lf})});
        Value w = op("Cast", {op("Less", {j, inNow})}, castTo(et));
        if (inverse) {
          Value scale = op("Div", {scalar(et, 1, loc), lf});
          if (irfft) { // 2 for the bins that stand for two (not DC, not an even length's middle)
            Value single = op("Or", {op("Equal", {j, zero}),
                                     op("And", {op("Equal", {op("Mod", {lNow, two}), zero}),
                                                op("Equal", {j, op("Div", {lNow, two})})})});
            scale = op("Mul", {scale, op("Where", {single, scalar(et, 1, loc), scalar(et, 2, loc)})});
          }
          w = op("Mul", {w, scale});
        }
        c = op("Mul", {op("Cos", {angle}), w});
        sn = op("Mul", {op("Sin", {angle}), w});
      }
      auto mm = [&](Value a, Value t) { return op("MatMul", {a, t}); };
      Value outRe, outIm;
      if (!inverse) { // (re + i im)(cos - i sin)
        outRe = im ? op("Add", {mm(re, c), mm(im, sn)}) : mm(re, c);
        outIm = im ? op("Sub", {mm(im, c), mm(re, sn)}) : op("Neg", {mm(re, sn)});
      } else { // (re + i im)(cos + i sin), scaled
        outRe = im ? op("Sub", {mm(re, c), mm(im, sn)}) : mm(re, c);
        if (!irfft)
          outIm = im ? op("Add", {mm(re, sn), mm(im, c)}) : mm(re, sn);
      }
      auto restore = [&](Value v) { return op("Unsqueeze", {op("Transpose", {v}, permAttr(back))}, axesAttr({rank - 1})); };
      y = irfft ? restore(outRe) : op("Concat", {restore(outRe), restore(outIm)}, axisAttr(rank - 1));
      if (own != et)
        y = op("Cast", {y}, castTo(own));
    } else if (kind == "STFT") {
      auto xType = typeOf(operands[0]);
      auto declared = declaredShape(node.output(0));
      int64_t parts = xType ? xType.getShape().back() : 0; // 1 real, 2 complex, dynamic: either
      if (!xType || xType.getRank() != 3 || !isa<FloatType>(xType.getElementType()) ||
          (parts != 1 && parts != 2 && !ShapedType::isDynamic(parts)))
        return refuse("needs a float signal [batch, length, 1 or 2]");
      if (!declared || declared->size() != 4 || llvm::any_of(*declared, [](int64_t d) { return d <= 0; }))
        return refuse("needs the output's declared shape [batch, frames, bins, 2]");
      bool onesided = intAttr(attrs, "onesided", 1) != 0;
      int64_t length = xType.getDimSize(1), frames = (*declared)[1], bins = (*declared)[2];
      Value window = optionalOperand(operands, 2), frameLength = optionalOperand(operands, 3);
      // The frame length: the window's, a constant, or read at run time
      // (then up to what the declared bins allow).
      std::optional<int64_t> fixed;
      if (window) {
        auto wType = typeOf(window);
        if (!wType || wType.getRank() != 1)
          return refuse("the window must be a 1-d tensor");
        if (!wType.isDynamicDim(0))
          fixed = wType.getDimSize(0);
      } else if (frameLength) {
        if (auto c = mlc::onnx::getConstantInts(frameLength); succeeded(c) && c->size() == 1)
          fixed = (*c)[0];
      } else {
        return refuse("needs a window or a frame_length");
      }
      int64_t span = fixed ? *fixed : (onesided ? 2 * bins - 1 : bins);
      if (span < 1 || (!ShapedType::isDynamic(length) && span > length))
        return refuse("the frame length must be between 1 and the signal length");
      Type f64 = builder.getF64Type(), i64 = builder.getI64Type();
      Value lengthNow = fixed    ? int64Constant({*fixed}, loc)
                        : window ? op("Shape", {window})
                                 : op("Reshape", {op("Cast", {frameLength}, castTo(i64)), int64Constant({1}, loc)});
      Value step = op("Reshape", {op("Cast", {operands[1]}, castTo(i64)), int64Constant({1}, loc)});
      // idx[f, j] = f * step + j, clamped into the signal; j >= the length counts 0.
      Value f = op("Reshape", {int64Constant(llvm::to_vector(llvm::seq<int64_t>(0, frames)), loc),
                               int64Constant({frames, 1}, loc)});
      Value j = int64Constant(llvm::to_vector(llvm::seq<int64_t>(0, span)), loc);
      Value dims = op("Shape", {operands[0]});
      auto dimAt = [&](int64_t i) {
        return op("Slice", {dims, int64Constant({i}, loc), int64Constant({i + 1}, loc), int64Constant({0}, loc),
                            int64Constant({1}, loc)});
      };
      Value last = op("Sub", {dimAt(1), int64Constant({1}, loc)});
      Value idx = op("Min", {op("Add", {op("Mul", {f, step}), j}), last});
      Value keep = op("Cast", {op("Less", {j, lengthNow})}, castTo(f64));
      if (window) { // zeros past a window shorter than the span
        Value w = op("Cast", {window}, castTo(f64));
        if (!fixed) {
          Value pads = op("Concat", {int64Constant({0}, loc), op("Sub", {int64Constant({span}, loc), lengthNow})},
                          axisAttr(0));
          w = op("Pad", {w, pads, mlc::onnx::NoneOp::create(builder, loc, builder.getNoneType())});
        }
        keep = op("Mul", {keep, w});
      }
      Value x64 = op("Cast", {operands[0]}, castTo(f64));
      auto part = [&](int64_t begin, int64_t end) { // [batch, frames, span]
        Value p = op("Slice", {x64, int64Constant({begin}, loc), int64Constant({end}, loc), int64Constant({2}, loc),
                               int64Constant({1}, loc)});
        p = op("Squeeze", {p}, axesAttr({2}));
        return op("Mul", {op("Gather", {p, idx}, axisAttr(1)), keep});
      };
      Value re = part(0, 1), im;
      if (parts == 2)
        im = part(1, 2);
      if (ShapedType::isDynamic(parts)) // the last channel, zero unless there are two
        im = op("Mul", {part(-1, std::numeric_limits<int64_t>::max()),
                        op("Cast", {op("Equal", {dimAt(2), int64Constant({2}, loc)})}, castTo(f64))});
      // Tables [span, bins] of cos and sin(2 pi ((j k) mod L) / L).
      Value k = op("Reshape", {int64Constant(llvm::to_vector(llvm::seq<int64_t>(0, bins)), loc),
                               int64Constant({1, bins}, loc)});
      Value jk = op("Mod", {op("Mul", {op("Reshape", {j, int64Constant({span, 1}, loc)}), k}), lengthNow});
      Value angle = op("Div", {op("Mul", {op("Cast", {jk}, castTo(f64)), scalar(f64, 2 * pi, loc)}),
                               op("Cast", {lengthNow}, castTo(f64))});
      Value c = op("Cos", {angle}), sn = op("Sin", {angle});
      auto mm = [&](Value a, Value t) { return op("MatMul", {a, t}); };
      Value outRe = im ? op("Add", {mm(re, c), mm(im, sn)}) : mm(re, c);
      Value outIm = im ? op("Sub", {mm(im, c), mm(re, sn)}) : op("Neg", {mm(re, sn)});
      y = op("Concat", {op("Unsqueeze", {outRe}, axesAttr({3})), op("Unsqueeze", {outIm}, axesAttr({3}))},
             axisAttr(3));
      if (xType.getElementType() != f64)
        y = op("Cast", {y}, castTo(xType.getElementType()));
    } else if (kind == "MelWeightMatrix") {
      auto declared = declaredShape(node.output(0));
      if (!declared || declared->size() != 2 || (*declared)[0] <= 0 || (*declared)[1] <= 0)
        return refuse("needs the output's declared shape [dft_length / 2 + 1, num_mel_bins]");
      Type out = mlc::onnx::convertONNXElementType(ctx, intAttr(attrs, "output_datatype", 1));
      if (!out)
        return refuse("unsupported output_datatype");
      int64_t rows = (*declared)[0], mels = (*declared)[1];
      Type f32 = builder.getF32Type(), f64 = builder.getF64Type();
      // Band edges on the mel scale in float32, as the reference computes them.
      auto mel = [&](Value hertz) {
        Value ratio = op("Add", {scalar(f32, 1, loc), op("Div", {op("Cast", {hertz}, castTo(f32)), scalar(f32, 700, loc)})});
        return op("Mul", {scalar(f32, 2595, loc), op("Div", {op("Log", {ratio}), scalar(f32, std::log(10.0), loc)})});
      };
      Value low = mel(operands[3]), high = mel(operands[4]);
      Value melStep = op("Div", {op("Sub", {high, low}), scalar(f32, (double)(mels + 2), loc)});
      SmallVector<double> positions;
      for (int64_t i = 0; i < mels + 2; ++i)
        positions.push_back((double)i);
      Value edges = op("Add", {op("Mul", {floatConstant(RankedTensorType::get({mels + 2}, f64), positions, loc),
                                          op("Cast", {melStep}, castTo(f64))}),
                               op("Cast", {low}, castTo(f64))});
      Value hertz = op("Mul", {scalar(f64, 700, loc),
                               op("Sub", {op("Pow", {scalar(f64, 10, loc), op("Div", {edges, scalar(f64, 2595, loc)})}),
                                          scalar(f64, 1, loc)})});
      Value dft1 = op("Add", {op("Cast", {operands[1]}, castTo(f64)), scalar(f64, 1, loc)});
      Value bin = op("Floor", {op("Div", {op("Mul", {dft1, hertz}), op("Cast", {operands[2]}, castTo(f64))})});
      auto edge = [&](int64_t from) { // [1, mels]: edges from .. from + mels
        return op("Reshape", {op("Slice", {bin, int64Constant({from}, loc), int64Constant({from + mels}, loc),
                                                 int64Constant({0}, loc), int64Constant({1}, loc)}),
                              int64Constant({1, mels}, loc)});
      };
      Value l = edge(0), ctr = edge(1), h = edge(2);
      SmallVector<double> rowIndex;
      for (int64_t r = 0; r < rows; ++r)
        rowIndex.push_back((double)r);
      Value jr = floatConstant(RankedTensorType::get({rows, 1}, f64), rowIndex, loc);
      Value zero = scalar(f64, 0, loc), one = scalar(f64, 1, loc);
      Value rising = op("Where", {op("Equal", {ctr, l}), op("Where", {op("Equal", {jr, ctr}), one, zero}),
                                  op("Where", {op("And", {op("GreaterOrEqual", {jr, l}), op("LessOrEqual", {jr, ctr})}),
                                               op("Div", {op("Sub", {jr, l}), op("Sub", {ctr, l})}), zero})});
      Value falling = op("And", {op("Greater", {h, ctr}),
                                 op("And", {op("GreaterOrEqual", {jr, ctr}), op("Less", {jr, h})})});
      y = op("Where", {falling, op("Div", {op("Sub", {h, jr}), op("Sub", {h, ctr})}), rising});
      if (out != f64)
        y = op("Cast", {y}, castTo(out));
    } else if (kind == "MaxUnpool") {
      auto xType = typeOf(operands[0]);
      auto kernel = dyn_cast_or_null<ArrayAttr>(attrs.get("kernel_shape"));
      if (!xType || !xType.hasStaticShape() || xType.getRank() < 3 || !kernel || operands.size() < 2)
        return refuse("needs X of static shape, indices and kernel_shape");
      int64_t spatial = xType.getRank() - 2;
      SmallVector<int64_t> shape;
      if (Value s = optionalOperand(operands, 2)) {
        auto dims = constantOrDeclared(s, node.output(0));
        if (!dims)
          return refuse("a computed output_shape needs the output's declared shape");
        shape = *dims;
      } else {
      }
      // The indices address MaxPool's input, of the shape MaxPool inverts
      // to; a larger output_shape pads it with zeros at the end.
      SmallVector<int64_t> k = mlc::onnx::getI64s(kernel, spatial, 1);
      SmallVector<int64_t> st = mlc::onnx::getI64s(arrayAttr(attrs, "strides"), spatial, 1);
      SmallVector<int64_t> pads = mlc::onnx::getI64s(arrayAttr(attrs, "pads"), 2 * spatial, 0);
      SmallVector<int64_t> inferred = {xType.getDimSize(0), xType.getDimSize(1)};
      for (int64_t d = 0; d < spatial; ++d)
        inferred.push_back((xType.getDimSize(2 + d) - 1) * st[d] - pads[d] - pads[spatial + d] + k[d]);
      if (shape.empty())
        shape = inferred;
      int64_t total = 1;
      SmallVector<int64_t> grow(2 * shape.size(), 0);
      for (auto [i, d] : llvm::enumerate(inferred)) {
        total *= d;
        if (i < shape.size())
          grow[shape.size() + i] = shape[i] - d;
      }
      if (shape.size() != inferred.size() || total <= 0 || llvm::any_of(grow, [](int64_t g) { return g < 0; }))
        return refuse("the output shape must have X's rank, no empty dim and cover the unpooled shape");
      Value zeros = constant(DenseElementsAttr::get(RankedTensorType::get({total}, xType.getElementType()),
                                                    builder.getZeroAttr(xType.getElementType())),
                             loc);
      Value flat = op("ScatterElements", {zeros, op("Reshape", {operands[1], int64Constant({-1}, loc)}),
                                          op("Reshape", {operands[0], int64Constant({-1}, loc)})},
                      axisAttr(0));
      y = op("Reshape", {flat, int64Constant(inferred, loc)});
      if (shape != inferred) {
        Value none = mlc::onnx::NoneOp::create(builder, loc, builder.getNoneType());
        y = op("Pad", {y, int64Constant(grow, loc), none});
      }
    } else if (kind == "AffineGrid") {
      auto thetaType = typeOf(operands[0]);
      if (!thetaType || thetaType.getRank() != 3 || operands.size() < 2)
        return refuse("needs theta [N, 2, 3] or [N, 3, 4] and size");
      // 2-d or 3-d: from theta, or from the rank of the grid the model
      // declares where theta's dims are symbolic. N may be symbolic.
      int64_t dims = thetaType.getDimSize(1);
      if (ShapedType::isDynamic(dims))
        if (auto d = declaredShape(node.output(0)))
          dims = (int64_t)d->size() - 2;
      if ((dims != 2 && dims != 3) ||
          (!thetaType.isDynamicDim(2) && thetaType.getDimSize(2) != dims + 1))
        return refuse("theta must be [N, 2, 3] or [N, 3, 4]");
      SmallVector<int64_t> spatial; // (D,) H, W
      if (auto c = mlc::onnx::getConstantInts(operands[1]); succeeded(c) && (int64_t)c->size() == dims + 2)
        spatial.assign(c->begin() + 2, c->end());
      else if (auto d = declaredShape(node.output(0)); d && (int64_t)d->size() == dims + 2)
        spatial.assign(d->begin() + 1, d->end() - 1);
      else
        return refuse("needs a constant size or the grid's declared shape");
      bool corners = intAttr(attrs, "align_corners", 0) != 0;
      auto coordinate = [&](int64_t i, int64_t size) {
        if (corners)
          return size > 1 ? -1.0 + 2.0 * (double)i / (double)(size - 1) : -1.0;
        return (2.0 * (double)i + 1.0) / (double)size - 1.0;
      };
      // Rows (x, y[, z], 1) over the output positions in row-major order.
      int64_t points = 1;
      for (int64_t s : spatial)
        points *= s;
      SmallVector<double> base;
      for (int64_t p = 0; p < points; ++p) {
        SmallVector<int64_t> idx(dims);
        for (int64_t d = dims - 1, rest = p; d >= 0; rest /= spatial[d], --d)
          idx[d] = rest % spatial[d];
        for (int64_t d = dims - 1; d >= 0; --d) // x from the last dim
          base.push_back(coordinate(idx[d], spatial[d]));
        base.push_back(1.0);
      }
      Value grid = floatConstant(RankedTensorType::get({points, dims + 1}, thetaType.getElementType()), base, loc);
      Value g = op("MatMul", {grid, op("Transpose", {operands[0]}, permAttr({0, 2, 1}))}); // [N, points, dims]
      SmallVector<int64_t> shape = {-1};
      shape.append(spatial.begin(), spatial.end());
      shape.push_back(dims);
      y = op("Reshape", {g, int64Constant(shape, loc)});
    } else { // Det
      auto xType = typeOf(operands[0]);
      if (!xType || !xType.hasStaticShape() || xType.getRank() < 2 || !isa<FloatType>(xType.getElementType()))
        return refuse("needs a float input of static shape [..., n, n]");
      int64_t rank = xType.getRank(), size = xType.getShape().back();
      if (xType.getDimSize(rank - 2) != size || size < 1 || size > 5)
        return refuse("needs square matrices of at most 5 x 5");
      auto element = [&](int64_t i, int64_t j) {
        return op("Slice", {operands[0], int64Constant({i, j}, loc), int64Constant({i + 1, j + 1}, loc),
                            int64Constant({rank - 2, rank - 1}, loc), int64Constant({1, 1}, loc)});
      };
      // det of the rows from `row` on and the columns in `cols`.
      std::function<Value(int64_t, SmallVector<int64_t>)> det = [&](int64_t row, SmallVector<int64_t> cols) -> Value {
        if (cols.size() == 1)
          return element(row, cols[0]);
        Value sum;
        for (size_t k = 0; k < cols.size(); ++k) {
          SmallVector<int64_t> minor(cols);
          minor.erase(minor.begin() + k);
          Value term = op("Mul", {element(row, cols[k]), det(row + 1, minor)});
          sum = !sum ? term : op(k % 2 ? "Sub" : "Add", {sum, term});
        }
        return sum;
      };
      auto all = llvm::to_vector(llvm::seq<int64_t>(0, size));
      y = op("Reshape", {det(0, all), int64Constant(xType.getShape().drop_back(2), loc)});
    }
    return bindOutputs(node, {y});
  }

  /// Attributes {to = the ONNX code of `type`} for a Cast.
  NamedAttrList castTo(Type type) {
    NamedAttrList l;
    l.set("to", builder.getI64IntegerAttr(mlc::onnx::getONNXElementType(type)));
    return l;
  }

  /// A parameter that is one value or a vector of values along `dim` of a
  /// rank-`rank` tensor, as `type`, broadcastable against that tensor: rank
  /// 0 or one element as a scalar, a vector as [1, .., n at dim, .., 1] (n
  /// may be known only at run time; a run-time 1 broadcasts the same way).
  /// Null for any other shape.
  Value vectorAlong(Value v, int64_t rank, int64_t dim, Type type, Location loc) {
    auto t = cast<RankedTensorType>(v.getType());
    Value cast = t.getElementType() == type ? v : createOne("Cast", {v}, castTo(type), loc);
    if (t.getRank() == 0 || (t.hasStaticShape() && t.getNumElements() == 1))
      return createOne("Reshape", {cast, int64Constant({}, loc)}, {}, loc);
    if (t.getRank() != 1)
      return Value();
    SmallVector<int64_t> shape(rank, 1);
    shape[dim] = -1;
    return createOne("Reshape", {cast, int64Constant(shape, loc)}, {}, loc);
  }

  /// A scale or zero point of a (de)quantization, broadcastable against
  /// `xType`: one element as a scalar; a vector along `axis`; a blocked one
  /// (block_size > 0: x's shape with ceil(dim / block) along axis) repeated
  /// block_size times along axis and cut to the dim.
  Value quantizationParameter(Value p, RankedTensorType xType, int64_t axis, int64_t blockSize,
                              StringRef kind, Location loc) {
    auto pType = dyn_cast<RankedTensorType>(p.getType());
    int64_t rank = xType.getRank();
    if (!pType || (!pType.hasStaticShape() && (blockSize > 0 || pType.getRank() > 1))) {
      emitError(loc) << "'" << kind << "': scale and zero point need static shapes, or rank 0 or 1";
      return Value();
    }
    if (blockSize <= 0 && (pType.getRank() == 0 || (pType.hasStaticShape() && pType.getNumElements() == 1)))
      return createOne("Reshape", {p, int64Constant({}, loc)}, {}, loc);
    axis = axis < 0 ? axis + rank : axis;
    if (axis < 0 || axis >= rank) {
      emitError(loc) << "'" << kind << "': axis is out of range for rank " << rank;
      return Value();
    }
    if (blockSize <= 0) {
      if (pType.getRank() != 1 || (!xType.isDynamicDim(axis) && !pType.isDynamicDim(0) &&
                                   pType.getDimSize(0) != xType.getDimSize(axis))) {
        emitError(loc) << "'" << kind << "': a per-axis scale or zero point needs one value per index of axis "
                       << axis;
        return Value();
      }
      return vectorAlong(p, rank, axis, pType.getElementType(), loc);
    }
    int64_t dim = xType.getDimSize(axis);
    if (pType.getRank() != rank || ShapedType::isDynamic(dim) ||
        pType.getDimSize(axis) != (dim + blockSize - 1) / blockSize) {
      emitError(loc) << "'" << kind << "': a blocked scale or zero point needs x's shape with ceil(dim / "
                     << blockSize << ") along axis " << axis;
      return Value();
    }
    SmallVector<int64_t> expanded(pType.getShape()), merged(pType.getShape());
    expanded.insert(expanded.begin() + axis + 1, blockSize);
    merged[axis] *= blockSize;
    Value e = createOne("Expand", {createOne("Unsqueeze", {p}, axesAttr({axis + 1}), loc), int64Constant(expanded, loc)},
                        {}, loc);
    Value m = createOne("Reshape", {e, int64Constant(merged, loc)}, {}, loc);
    return createOne("Slice", {m, int64Constant({0}, loc), int64Constant({dim}, loc), int64Constant({axis}, loc),
                               int64Constant({1}, loc)},
                     {}, loc);
  }

  /// round(v) + zeroPoint, clamped to the range of integer type `q` and
  /// converted to it (v and zeroPoint floats of one type; zeroPoint may be
  /// null).
  Value saturateRound(Value v, Value zeroPoint, IntegerType q, Location loc) {
    Type ft = cast<RankedTensorType>(v.getType()).getElementType();
    Value r = createOne("Round", {v}, {}, loc);
    if (zeroPoint)
      r = createOne("Add", {r, zeroPoint}, {}, loc);
    unsigned bits = q.getWidth();
    double lo = q.isUnsigned() ? 0.0 : -std::ldexp(1.0, bits - 1);
    double hi = q.isUnsigned() ? std::ldexp(1.0, bits) - 1 : std::ldexp(1.0, bits - 1) - 1;
    r = createOne("Clip", {r, scalar(ft, lo, loc), scalar(ft, hi, loc)}, {}, loc);
    return createOne("Cast", {r}, castTo(q), loc);
  }

  /// The quantization operators, expanded per their definitions (integer
  /// types of 2 to 32 bits, and the float8 and float4 types for Quantize-
  /// and DequantizeLinear):
  ///   QuantizeLinear    y = saturate(round(x / scale) + zero_point); for
  ///                     float targets y = cast(x / scale + zero_point),
  ///                     saturating unless `saturate` is 0
  ///   DequantizeLinear  y = (x - zero_point) * scale
  ///   DynamicQuantizeLinear: uint8 with scale = (max(x, 0) - min(x, 0)) / 255
  ///                     and zero point round(-min(x, 0) / scale), clamped
  ///   MatMulInteger, ConvInteger: int32 products of (a - a_zero_point) and
  ///                     (b - b_zero_point) (per row/column or per channel)
  ///   QLinearMatMul, QLinearConv: the int32 product, times a_scale * b_scale
  ///                     / y_scale (per output channel for QLinearConv's
  ///                     weights), plus B, requantized with y_zero_point
  /// Scales and products are multiplied in float64, so the int32 products
  /// and zero points stay exact; rounding is half to even.
  LogicalResult importQuantization(const ::onnx::NodeProto &node, ArrayRef<Value> operands,
                                   NamedAttrList attrs, Location loc) {
    StringRef kind = node.op_type();
    auto refuse = [&](const Twine &why) { return emitError(loc) << "'" << kind << "': " << why; };
    auto op = opsAt(loc);
    auto operand = [&](size_t i) { return optionalOperand(operands, i); };
    // The data may have symbolic dims; scales and zero points are scalars
    // or vectors (of a length possibly known only at run time), or of static
    // shape (blocked quantization): their layout decides how they broadcast.
    bool qlinearProduct = kind.starts_with("QLinear");
    bool product = qlinearProduct || kind == "MatMulInteger" || kind == "ConvInteger";
    for (auto [i, v] : llvm::enumerate(operands)) {
      bool data = i == 0 || (product && i == (qlinearProduct ? 3u : 1u));
      auto t = dyn_cast<RankedTensorType>(v.getType());
      if (!isa<NoneType>(v.getType()) && (!t || (!data && !t.hasStaticShape() && t.getRank() > 1)))
        return refuse(data ? "needs ranked inputs" : "needs scales and zero points of rank 0 or 1, or of static shape");
    }
    auto elementType = [](Value v) { return cast<RankedTensorType>(v.getType()).getElementType(); };
    auto xType = cast<RankedTensorType>(operands[0].getType());
    int64_t axis = intAttr(attrs, "axis", 1), blockSize = intAttr(attrs, "block_size", 0);
    auto param = [&](Value p) { return p ? quantizationParameter(p, xType, axis, blockSize, kind, loc) : Value(); };
    Type f32 = builder.getF32Type(), f64 = builder.getF64Type(), i32 = builder.getI32Type();
    auto asType = [&](Value v, Type t) { return v && elementType(v) != t ? op("Cast", {v}, castTo(t)) : v; };
    auto isIntegerQuantType = [](Type t) {
      auto i = dyn_cast<IntegerType>(t);
      return i && i.getWidth() >= 2 && i.getWidth() <= 32;
    };
    auto isQuantType = [&](Type t) {
      return isIntegerQuantType(t) || (isa<FloatType>(t) && mlc::onnx::isLowPrecisionType(t));
    };
    SmallVector<Value> results;

    if (kind == "QuantizeLinear") {
      Value zeroPoint = operand(2);
      Type q = zeroPoint ? elementType(zeroPoint) : Type();
      if (int64_t code = intAttr(attrs, "output_dtype", 0); !q && code) {
        q = mlc::onnx::convertONNXElementType(ctx, code);
        if (!q)
          return refuse("output_dtype " + Twine(code) + " is not a supported element type");
      }
      if (!q)
        q = builder.getIntegerType(8, /*isSigned=*/false);
      if (!isQuantType(q))
        return refuse("only integer outputs of 2 to 32 bits and float8/float4 outputs are supported");
      Type ft = elementType(operands[0]);
      if (int64_t code = intAttr(attrs, "precision", 0))
        ft = mlc::onnx::convertONNXElementType(ctx, code);
      if (!ft || !isa<FloatType>(ft))
        return refuse("x and the precision must be floats");
      Value x = asType(operands[0], ft), scale = asType(param(operands[1]), ft);
      Value zp = zeroPoint ? asType(param(zeroPoint), ft) : Value();
      if (!x || !scale) {
        results.push_back(Value());
      } else if (auto qi = dyn_cast<IntegerType>(q)) {
        results.push_back(saturateRound(op("Div", {x, scale}), zp, qi, loc));
      } else {
        Value y = op("Div", {x, scale});
        NamedAttrList castAttrs = castTo(q);
        castAttrs.set("saturate", builder.getI64IntegerAttr(intAttr(attrs, "saturate", 1)));
        results.push_back(op("Cast", {zp ? op("Add", {y, zp}) : y}, castAttrs));
      }
    } else if (kind == "DequantizeLinear") {
      if (!isQuantType(xType.getElementType()))
        return refuse("only integer inputs of 2 to 32 bits and float8/float4 inputs are supported");
      Type out = elementType(operands[1]);
      if (int64_t code = intAttr(attrs, "output_dtype", 0))
        out = mlc::onnx::convertONNXElementType(ctx, code);
      if (!out || !isa<FloatType>(out))
        return refuse("the output must be a float type");
      Value dx = asType(operands[0], f32);
      if (Value zp = operand(2))
        dx = op("Sub", {dx, asType(param(zp), f32)});
      results.push_back(asType(op("Mul", {dx, asType(param(operands[1]), f32)}), out));
    } else if (kind == "DynamicQuantizeLinear") {
      Type ft = xType.getElementType();
      NamedAttrList all = reduceAttrs({}, false);
      Value zero = scalar(ft, 0, loc);
      Value hi = op("Max", {op("ReduceMax", {operands[0]}, all), zero});
      Value lo = op("Min", {op("ReduceMin", {operands[0]}, all), zero});
      Value range = op("Sub", {hi, lo});
      // A constant input range of 0 has scale 1.
      Value scale = op("Div", {op("Where", {op("Equal", {range, zero}), scalar(ft, 1, loc), range}), scalar(ft, 255, loc)});
      IntegerType u8 = builder.getIntegerType(8, /*isSigned=*/false);
      Value zpFloat = op("Round", {op("Clip", {op("Sub", {zero, op("Div", {lo, scale})}), zero, scalar(ft, 255, loc)})});
      results.push_back(saturateRound(op("Div", {operands[0], scale}), zpFloat, u8, loc));
      results.push_back(scale);
      results.push_back(op("Cast", {zpFloat}, castTo(u8)));
    } else {
      // Products: MatMulInteger (a, b, a_zp, b_zp), ConvInteger (x, w, x_zp,
      // w_zp), QLinearMatMul/QLinearConv (a, a_scale, a_zp, b, b_scale,
      // b_zp, y_scale, y_zp[, B]).
      bool qlinear = kind.starts_with("QLinear");
      bool conv = kind == "ConvInteger" || kind == "QLinearConv";
      Value a = operands[0], b = operand(qlinear ? 3 : 1);
      Value aZp = operand(2), bZp = operand(qlinear ? 5 : 3);
      if (!b || !isIntegerQuantType(elementType(a)) || !isIntegerQuantType(elementType(b)))
        return refuse("needs integer inputs of 2 to 32 bits");
      auto bType = cast<RankedTensorType>(b.getType());
      // Zero points: scalars, or per row of A (its second-last dim) and per
      // column of B; for convolutions per output channel of W.
      Value a32 = asType(a, i32), b32 = asType(b, i32);
      Value aShift = aZp ? vectorAlong(aZp, xType.getRank(), conv ? 1 : std::max<int64_t>(xType.getRank() - 2, 0),
                                       i32, loc)
                         : Value();
      Value bShift = bZp ? vectorAlong(bZp, bType.getRank(), conv ? 0 : bType.getRank() - 1, i32, loc) : Value();
      if ((aZp && !aShift) || (bZp && !bShift))
        return refuse("zero points must be scalars or vectors");
      if (aShift)
        a32 = op("Sub", {a32, aShift});
      if (bShift)
        b32 = op("Sub", {b32, bShift});
      Value product;
      if (conv) {
        NamedAttrList convAttrs = attrs;
        convAttrs.erase("kernel_shape");
        Value none = mlc::onnx::NoneOp::create(builder, loc, builder.getNoneType());
        product = op("Conv", {a32, b32, none}, convAttrs);
      } else {
        product = op("MatMul", {a32, b32});
      }
      if (!qlinear) {
        results.push_back(product);
      } else {
        Value yZp = operand(7);
        Type q = yZp ? elementType(yZp) : elementType(a);
        // Scales: scalars, except QLinearConv's w_scale (per output channel).
        auto perChannel = [&](Value s) -> Value {
          if (!conv)
            return op("Reshape", {asType(s, f64), int64Constant({}, loc)});
          return vectorAlong(s, xType.getRank(), 1, f64, loc);
        };
        Value as = perChannel(operands[1]), ws = perChannel(operands[4]), ys = perChannel(operands[6]);
        if (!as || !ws || !ys)
          return refuse("scales must be scalars or vectors");
        Value multiplier = op("Div", {op("Mul", {as, ws}), ys});
        Value y = op("Mul", {asType(product, f64), multiplier});
        if (Value bias = conv ? operand(8) : Value()) {
          Value b64 = vectorAlong(bias, xType.getRank(), 1, f64, loc);
          if (!b64)
            return refuse("B must be a vector");
          y = op("Add", {y, op("Mul", {b64, multiplier})});
          // B is in units of a_scale * w_scale: it joins the product before
          // the rescale, so it is scaled by the same multiplier here.
        }
        Value zp = yZp ? op("Reshape", {asType(yZp, f64), int64Constant({}, loc)}) : Value();
        results.push_back(y ? saturateRound(y, zp, cast<IntegerType>(q), loc) : Value());
      }
    }
    return bindOutputs(node, results);
  }

  /// TensorScatter (a KV-cache update): position p along `axis` of batch b
  /// takes update[.., p - write_indices[b], ..] where that lies in [0, s)
  /// (circular: modulo the cache length), else keeps past_cache. Computed as
  /// a GatherElements of the update at the clamped offsets, selected by Where.
  LogicalResult importTensorScatter(const ::onnx::NodeProto &node, ArrayRef<Value> operands,
                                    const NamedAttrList &attrs, Location loc) {
    auto refuse = [&](const Twine &why) { return emitError(loc) << "'TensorScatter': " << why; };
    auto op = opsAt(loc);
    auto pastType = dyn_cast<RankedTensorType>(operands[0].getType());
    auto updType = operands.size() > 1 ? dyn_cast<RankedTensorType>(operands[1].getType()) : nullptr;
    if (!pastType || !updType || !pastType.hasStaticShape() || !updType.hasStaticShape() ||
        pastType.getRank() != updType.getRank() || pastType.getRank() < 2)
      return refuse("needs past_cache and update of static shapes and one rank");
    int64_t rank = pastType.getRank(), axis = intAttr(attrs, "axis", -2);
    axis = axis < 0 ? axis + rank : axis;
    if (axis < 1 || axis >= rank)
      return refuse("axis must be a dim after the batch");
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && pastType.getDimSize(d) != updType.getDimSize(d))
        return refuse("past_cache and update must agree on every dim but the axis");
    StringRef mode = "linear";
    if (auto m = dyn_cast_or_null<StringAttr>(attrs.get("mode")))
      mode = m.getValue();
    if (mode != "linear" && mode != "circular")
      return refuse("mode must be linear or circular");
    int64_t batch = pastType.getDimSize(0), length = pastType.getDimSize(axis), s = updType.getDimSize(axis);
    if (s < 1 || s > length)
      return refuse("the update must be 1 to cache-length long along the axis");
    Value starts = optionalOperand(operands, 2);
    NamedAttrList toI64 = castTo(builder.getI64Type());
    starts = starts ? op("Cast", {starts}, toI64) : int64Constant(SmallVector<int64_t>(batch, 0), loc);
    // offset[b, .., p, ..] = p - start[b], broadcast over the other dims.
    SmallVector<int64_t> positions, startShape(rank, 1), positionShape(rank, 1);
    for (int64_t p = 0; p < length; ++p)
      positions.push_back(p);
    startShape[0] = batch;
    positionShape[axis] = length;
    Value offset = op("Sub", {op("Reshape", {int64Constant(positions, loc), int64Constant(positionShape, loc)}),
                              op("Reshape", {starts, int64Constant(startShape, loc)})});
    if (mode == "circular") {
      NamedAttrList floorMod;
      floorMod.set("fmod", builder.getI64IntegerAttr(0));
      offset = op("Mod", {offset, int64Constant({length}, loc)}, floorMod);
    }
    Value zero = int64Constant({0}, loc), last = int64Constant({s - 1}, loc);
    Value inside = op("And", {op("GreaterOrEqual", {offset, zero}), op("LessOrEqual", {offset, last})});
    SmallVector<int64_t> gatherShape(updType.getShape());
    gatherShape[axis] = length;
    Value index = op("Expand", {op("Min", {op("Max", {offset, zero}), last}), int64Constant(gatherShape, loc)});
    Value gathered = op("GatherElements", {operands[1], index}, axisAttr(axis));
    Value y = op("Where", {inside, gathered, operands[0]});
    return bindOutputs(node, {y});
  }

  /// MaxPool with its Indices output: Y from the MaxPool op, and for each
  /// output the flat index (row-major, or with storage_order 1 the spatial
  /// dims column-major) of the first window element equal to it: the kernel
  /// positions are visited in order, each comparing a strided slice of the
  /// padded input with Y and taking the same slice of a padded index map.
  LogicalResult importMaxPoolWithIndices(const ::onnx::NodeProto &node, ArrayRef<Value> operands,
                                         const NamedAttrList &attrs, Location loc) {
    auto refuse = [&](const Twine &why) { return emitError(loc) << "'MaxPool': " << why; };
    auto op = opsAt(loc);
    auto type = dyn_cast<RankedTensorType>(operands[0].getType());
    auto kernelAttr = dyn_cast_or_null<ArrayAttr>(attrs.get("kernel_shape"));
    if (!type || !type.hasStaticShape() || type.getRank() < 3 || !kernelAttr)
      return refuse("the Indices output needs an input of static shape and kernel_shape");
    if (auto a = dyn_cast_or_null<StringAttr>(attrs.get("auto_pad")); a && a.getValue() != "NOTSET" &&
                                                                     a.getValue() != "VALID")
      return refuse("the Indices output needs explicit pads (auto_pad NOTSET or VALID)");
    if (type.getNumElements() > (int64_t)1 << 24)
      return refuse("the Indices output is supported for inputs of up to 2^24 elements");
    Value y = op("MaxPool", {operands[0]}, attrs);
    auto yType = y ? dyn_cast<RankedTensorType>(y.getType()) : RankedTensorType();
    if (!yType || !yType.hasStaticShape())
      return failure();
    int64_t rank = type.getRank(), spatial = rank - 2;
    SmallVector<int64_t> kernel = mlc::onnx::getI64s(kernelAttr, spatial, 1);
    SmallVector<int64_t> strides = mlc::onnx::getI64s(arrayAttr(attrs, "strides"), spatial, 1);
    SmallVector<int64_t> dilations = mlc::onnx::getI64s(arrayAttr(attrs, "dilations"), spatial, 1);
    SmallVector<int64_t> pads = mlc::onnx::getI64s(arrayAttr(attrs, "pads"), 2 * spatial, 0);
    // Pad the ends far enough for every window (ceil_mode reaches past).
    SmallVector<int64_t> fullPads(2 * rank, 0);
    for (int64_t d = 0; d < spatial; ++d) {
      int64_t in = type.getDimSize(2 + d), out = yType.getDimSize(2 + d);
      int64_t needed = (out - 1) * strides[d] + (kernel[d] - 1) * dilations[d] + 1;
      fullPads[2 + d] = pads[d];
      fullPads[rank + 2 + d] = std::max(pads[spatial + d], needed - in - pads[d]);
    }
    // The flat index of every input element.
    bool columnMajor = intAttr(attrs, "storage_order", 0) != 0;
    ArrayRef<int64_t> shape = type.getShape();
    int64_t plane = 1;
    for (int64_t d = 2; d < rank; ++d)
      plane *= shape[d];
    SmallVector<int64_t> flat(type.getNumElements());
    for (int64_t i = 0, n = flat.size(); i < n; ++i) {
      int64_t within = i % plane, rest = within, index = i - within, stride = 1;
      SmallVector<int64_t> at(spatial);
      for (int64_t d = spatial - 1; d >= 0; --d) {
        at[d] = rest % shape[2 + d];
        rest /= shape[2 + d];
      }
      if (!columnMajor) {
        index = i;
      } else {
        for (int64_t d = 0; d < spatial; ++d) { // the first spatial dim varies fastest
          index += at[d] * stride;
          stride *= shape[2 + d];
        }
      }
      flat[i] = index;
    }
    Type et = type.getElementType();
    Value lowest = isa<FloatType>(et) ? scalar(et, -INFINITY, loc) : Value();
    if (!lowest) {
      auto it = cast<IntegerType>(et);
      APInt v = it.isUnsigned() ? APInt::getMinValue(it.getWidth()) : APInt::getSignedMinValue(it.getWidth());
      lowest = constant(DenseElementsAttr::get(RankedTensorType::get({}, et), v), loc);
    }
    Value padsValue = int64Constant(fullPads, loc);
    Value paddedX = op("Pad", {operands[0], padsValue, lowest});
    Value indexMap = op("Reshape", {int64Constant(flat, loc), int64Constant(shape, loc)});
    Value paddedI = op("Pad", {indexMap, padsValue, int64Constant({-1}, loc)});
    SmallVector<int64_t> yShape(yType.getShape());
    Value indices = constant(DenseElementsAttr::get(RankedTensorType::get(yShape, builder.getI64Type()), (int64_t)0), loc);
    Value done = constant(DenseElementsAttr::get(RankedTensorType::get(yShape, builder.getI1Type()), false), loc);
    SmallVector<int64_t> axesList, stepsList;
    for (int64_t d = 0; d < spatial; ++d) {
      axesList.push_back(2 + d);
      stepsList.push_back(strides[d]);
    }
    int64_t positions = 1;
    for (int64_t k : kernel)
      positions *= k;
    for (int64_t p = 0; p < positions; ++p) {
      SmallVector<int64_t> starts(spatial), ends(spatial);
      for (int64_t d = spatial - 1, rest = p; d >= 0; rest /= kernel[d], --d) {
        starts[d] = (rest % kernel[d]) * dilations[d];
        ends[d] = starts[d] + (yShape[2 + d] - 1) * strides[d] + 1;
      }
      auto window = [&](Value v) {
        return op("Slice", {v, int64Constant(starts, loc), int64Constant(ends, loc), int64Constant(axesList, loc),
                            int64Constant(stepsList, loc)});
      };
      Value found = op("And", {op("Equal", {window(paddedX), y}), op("Not", {done})});
      indices = op("Where", {found, window(paddedI), indices});
      done = op("Or", {done, found});
    }
    Value results[] = {y, indices};
    return bindOutputs(node, results);
  }

  /// BatchNormalization in training mode (opset 14+): normalized with the
  /// batch's own mean and (biased) variance over every dim but the channels;
  /// running_mean/var = input_mean/var * momentum + batch statistic *
  /// (1 - momentum).
  LogicalResult importTrainingBatchNorm(const ::onnx::NodeProto &node, ArrayRef<Value> operands,
                                        const NamedAttrList &attrs, Location loc) {
    auto op = opsAt(loc);
    auto type = dyn_cast<RankedTensorType>(operands[0].getType());
    if (!type || type.getRank() < 2 || !isa<FloatType>(type.getElementType()) || operands.size() < 5)
      return emitError(loc) << "'BatchNormalization': training mode needs a float input of rank >= 2";
    auto floatAttrOr = [&](StringRef name, double dflt) { return floatAttr(attrs, name, dflt); };
    Type et = type.getElementType();
    int64_t rank = type.getRank();
    SmallVector<int64_t> axes = {0}, perChannel(rank - 1, 1);
    for (int64_t d = 2; d < rank; ++d)
      axes.push_back(d);
    perChannel[0] = -1; // [C, 1, ...]: C may be known only at run time
    NamedAttrList reduce = reduceAttrs(axes, true);
    Value mean = op("ReduceMean", {operands[0]}, reduce); // [1, C, 1, ...]
    Value centred = op("Sub", {operands[0], mean});
    Value var = op("ReduceMean", {op("Mul", {centred, centred})}, reduce);
    auto channelShaped = [&](Value v) { return op("Reshape", {v, int64Constant(perChannel, loc)}); };
    Value deviation = op("Sqrt", {op("Add", {var, scalar(et, floatAttrOr("epsilon", 1e-5), loc)})});
    Value y = op("Add", {op("Mul", {channelShaped(operands[1]), op("Div", {centred, deviation})}),
                         channelShaped(operands[2])});
    double momentum = floatAttrOr("momentum", 0.9);
    auto running = [&](Value input, Value batch) {
      return op("Add", {op("Mul", {input, scalar(et, momentum, loc)}),
                        op("Mul", {op("Reshape", {batch, int64Constant({-1}, loc)}), scalar(et, 1 - momentum, loc)})});
    };
    Value results[] = {y, running(operands[3], mean), running(operands[4], var)};
    return bindOutputs(node, results);
  }

  /// Normalizations that are functions of other ops, expanded here:
  ///  - LRN: y = x / (bias + alpha / size * sum of x^2 over `size` channels
  ///    centred on c)^beta; the windowed sum is an AveragePool (times size)
  ///    over [N, 1, C, rest] that counts the zero padding.
  ///  - GroupNormalization: x as [N, groups, rest], normalized by each
  ///    group's mean and variance (epsilon added), then scale and bias per
  ///    channel (opset 21) or per group (opset 18).
  ///  - MeanVarianceNormalization: (x - E[x]) / (sqrt(E[x^2] - E[x]^2) + 1e-9)
  ///    over `axes` (default 0, 2, 3), as its definition computes it.
  LogicalResult importNormalization(const ::onnx::NodeProto &node, ArrayRef<Value> operands,
                                    const NamedAttrList &attrs, Location loc) {
    StringRef kind = node.op_type();
    auto type = dyn_cast<RankedTensorType>(operands[0].getType());
    if (!type || !isa<FloatType>(type.getElementType()) || type.getRank() < 2)
      return emitError(loc) << "'" << kind << "' needs a float input of rank >= 2";
    if (kind == "GroupNormalization" && !type.hasStaticShape())
      return emitError(loc) << "'" << kind << "' needs an input of static shape";
    auto op = opsAt(loc);
    auto floatAttrOr = [&](StringRef name, double dflt) { return floatAttr(attrs, name, dflt); };
    auto reduceOver = [&](ArrayRef<int64_t> axes) { return reduceAttrs(axes, true); };
    Type et = type.getElementType();
    ArrayRef<int64_t> shape = type.getShape();
    int64_t rank = type.getRank(), n = shape[0], c = shape[1];
    int64_t rest = type.hasStaticShape() ? type.getNumElements() / std::max<int64_t>(n * c, 1) : 0;
    Value x = operands[0], y;
    if (kind == "LRN") {
      int64_t size = intAttr(attrs, "size", 0);
      if (size <= 0)
        return emitError(loc) << "'LRN' needs a positive size";
      if (!type.hasStaticShape() && rank > 4)
        return emitError(loc) << "'LRN' needs an input of static shape or rank <= 4";
      // The squares as [N, 1, C, rest] (static shape) or [N, 1, C, d..]
      // (dims known at run time), pooled over size x 1 (x 1) windows.
      int64_t poolRank = type.hasStaticShape() ? 2 : rank - 1;
      SmallVector<int64_t> kernel(poolRank, 1), pads(2 * poolRank, 0);
      kernel[0] = size;
      pads[0] = (size - 1) / 2;
      pads[poolRank] = size - 1 - (size - 1) / 2;
      NamedAttrList pool;
      pool.set("kernel_shape", builder.getI64ArrayAttr(kernel));
      pool.set("pads", builder.getI64ArrayAttr(pads));
      pool.set("count_include_pad", builder.getI64IntegerAttr(1));
      Value squares = op("Mul", {x, x}), mean;
      if (type.hasStaticShape()) {
        squares = op("Reshape", {squares, int64Constant({n, 1, c, rest}, loc)});
        mean = op("Reshape", {op("AveragePool", {squares}, pool), int64Constant(shape, loc)});
      } else {
        mean = op("Squeeze", {op("AveragePool", {op("Unsqueeze", {squares}, axesAttr({1}))}, pool)}, axesAttr({1}));
      }
      // alpha / size * sum = alpha * mean
      Value base = op("Add", {scalar(et, floatAttrOr("bias", 1.0), loc),
                              op("Mul", {mean, scalar(et, floatAttrOr("alpha", 1e-4), loc)})});
      y = op("Div", {x, op("Pow", {base, scalar(et, floatAttrOr("beta", 0.75), loc)})});
    } else if (kind == "GroupNormalization") {
      int64_t groups = intAttr(attrs, "num_groups", 0);
      if (groups <= 0 || c % groups || operands.size() < 3)
        return emitError(loc) << "'GroupNormalization' needs num_groups dividing the channels, scale and bias";
      Value grouped = op("Reshape", {x, int64Constant({n, groups, c / groups * rest}, loc)});
      Value mean = op("ReduceMean", {grouped}, reduceOver({2}));
      Value centred = op("Sub", {grouped, mean});
      Value variance = op("ReduceMean", {op("Mul", {centred, centred})}, reduceOver({2}));
      Value deviation = op("Sqrt", {op("Add", {variance, scalar(et, floatAttrOr("epsilon", 1e-5), loc)})});
      Value normalized = op("Reshape", {op("Div", {centred, deviation}), int64Constant(shape, loc)});
      // Scale and bias along the channels: [C, 1, ...]; opset 18's per-group
      // ones repeated for the channels of each group.
      SmallVector<int64_t> channelShape(rank - 1, 1);
      channelShape[0] = c;
      auto perChannel = [&](Value v) -> Value {
        auto vt = dyn_cast<RankedTensorType>(v.getType());
        if (!vt || vt.getRank() != 1 || (vt.getDimSize(0) != c && vt.getDimSize(0) != groups)) {
          emitError(loc) << "'GroupNormalization': scale and bias must have C or num_groups values";
          return Value();
        }
        if (vt.getDimSize(0) != c)
          v = op("Expand", {op("Reshape", {v, int64Constant({groups, 1}, loc)}),
                            int64Constant({groups, c / groups}, loc)});
        return op("Reshape", {v, int64Constant(channelShape, loc)});
      };
      Value scale = perChannel(operands[1]), bias = scale ? perChannel(operands[2]) : Value();
      y = op("Add", {op("Mul", {normalized, scale}), bias});
    } else { // MeanVarianceNormalization
      SmallVector<int64_t> axes = {0, 2, 3};
      if (auto a = dyn_cast_or_null<ArrayAttr>(attrs.get("axes")))
        axes = mlc::onnx::getI64s(a, 0, 0);
      Value mean = op("ReduceMean", {x}, reduceOver(axes));
      Value meanOfSquares = op("ReduceMean", {op("Mul", {x, x})}, reduceOver(axes));
      Value variance = op("Sub", {meanOfSquares, op("Mul", {mean, mean})});
      Value deviation = op("Add", {op("Sqrt", {variance}), scalar(et, 1e-9, loc)});
      y = op("Div", {op("Sub", {x, mean}), deviation});
    }
    return bindOutputs(node, {y});
  }

  /// RotaryEmbedding (opset 23): X as [batch, seq, heads, head size] (from
  /// [batch, heads, seq, size], or [batch, seq, hidden] with num_heads); its
  /// first rotary_embedding_dim (default all) features rotate as complex
  /// pairs, (x1, x2) -> (cos x1 - sin x2, sin x1 + cos x2), the pairs being
  /// the two halves or, interleaved, the even and odd features; cos and sin
  /// come from the caches, indexed by position_ids where given.
  LogicalResult importRotaryEmbedding(const ::onnx::NodeProto &node, ArrayRef<Value> operands,
                                      const NamedAttrList &attrs, Location loc) {
    auto refuse = [&](const Twine &why) { return emitError(loc) << "'RotaryEmbedding': " << why; };
    auto op = opsAt(loc);
    Value x = operands[0];
    // Y has X's shape: symbolic dims of X take the declared ones (checked).
    if (auto declared = declaredShape(node.output(0)); declared && !(x = withDeclaredShape(x, *declared, loc)))
      return failure();
    auto type = dyn_cast<RankedTensorType>(x.getType());
    if (!type || !type.hasStaticShape() || (type.getRank() != 3 && type.getRank() != 4) || operands.size() < 3)
      return refuse("needs X of static shape (or a declared output shape), 3-d or 4-d, and the cos and sin caches");
    SmallVector<int64_t> shape(type.getShape());
    int64_t batch = shape[0], seq = shape[type.getRank() == 4 ? 2 : 1], heads, size;
    if (type.getRank() == 4) {
      heads = shape[1];
      size = shape[3];
      x = op("Transpose", {x}, permAttr({0, 2, 1, 3}));
    } else {
      heads = intAttr(attrs, "num_heads", 0);
      if (heads <= 0 || shape[2] % heads)
        return refuse("3-d X needs num_heads dividing its hidden size");
      size = shape[2] / heads;
      x = op("Reshape", {x, int64Constant({batch, seq, heads, size}, loc)});
    }
    int64_t dim = intAttr(attrs, "rotary_embedding_dim", 0);
    if (dim == 0)
      dim = size;
    if (dim < 2 || dim > size || dim % 2)
      return refuse("rotary_embedding_dim must be even and at most the head size");
    bool interleaved = intAttr(attrs, "interleaved", 0) != 0;
    auto slice = [&](Value v, int64_t start, int64_t end, int64_t step) {
      return op("Slice", {v, int64Constant({start}, loc), int64Constant({end}, loc), int64Constant({3}, loc),
                          int64Constant({step}, loc)});
    };
    Value cosines = operands[1], sines = operands[2];
    if (Value positions = optionalOperand(operands, 3)) {
      cosines = op("Gather", {cosines, positions}, axisAttr(0));
      sines = op("Gather", {sines, positions}, axisAttr(0));
    }
    // [batch, seq, dim / 2] -> [batch, seq, 1, dim / 2]
    cosines = op("Unsqueeze", {cosines}, axesAttr({2}));
    sines = op("Unsqueeze", {sines}, axesAttr({2}));
    Value x1 = interleaved ? slice(x, 0, dim, 2) : slice(x, 0, dim / 2, 1);
    Value x2 = interleaved ? slice(x, 1, dim, 2) : slice(x, dim / 2, dim, 1);
    Value real = op("Sub", {op("Mul", {cosines, x1}), op("Mul", {sines, x2})});
    Value imag = op("Add", {op("Mul", {sines, x1}), op("Mul", {cosines, x2})});
    Value rotated;
    if (interleaved)
      rotated = op("Reshape", {op("Concat", {op("Unsqueeze", {real}, axesAttr({4})), op("Unsqueeze", {imag}, axesAttr({4}))},
                                  axisAttr(4)),
                               int64Constant({batch, seq, heads, dim}, loc)});
    else
      rotated = op("Concat", {real, imag}, axisAttr(3));
    Value y = dim < size ? op("Concat", {rotated, slice(x, dim, size, 1)}, axisAttr(3)) : rotated;
    y = type.getRank() == 4 ? op("Transpose", {y}, permAttr({0, 2, 1, 3}))
                            : op("Reshape", {y, int64Constant(shape, loc)});
    return bindOutputs(node, {y});
  }

  /// CenterCropPad: along each of `axes` (default all), an input longer than
  /// the target is cropped to its middle, starting at (n - t) / 2, and a
  /// shorter one padded with zeros, (t - n) / 2 of them in front. The target
  /// dims are `shape` when it is a constant, else the output's declared dims.
  LogicalResult importCenterCropPad(const ::onnx::NodeProto &node, ArrayRef<Value> operands,
                                    const NamedAttrList &attrs, Location loc) {
    auto type = dyn_cast<RankedTensorType>(operands[0].getType());
    if (!type || operands.size() < 2)
      return emitError(loc) << "'CenterCropPad' needs a ranked input and a shape";
    int64_t rank = type.getRank();
    SmallVector<int64_t> axes;
    if (auto a = dyn_cast_or_null<ArrayAttr>(attrs.get("axes")))
      for (int64_t axis : mlc::onnx::getI64s(a, 0, 0))
        axes.push_back(axis < 0 ? axis + rank : axis);
    else
      for (int64_t d = 0; d < rank; ++d)
        axes.push_back(d);
    if (!type.hasStaticShape()) {
      // Dims read at run time: pad each axis up to the target (half before,
      // the rest after), then slice the target's extent from the middle.
      auto op = opsAt(loc);
      if (llvm::any_of(axes, [&](int64_t a) { return a < 0 || a >= rank; }))
        return emitError(loc) << "'CenterCropPad': bad axis";
      Value axesValue = int64Constant(axes, loc), two = int64Constant({2}, loc);
      Value current = op("Gather", {op("Shape", {operands[0]}), axesValue}, axisAttr(0));
      Value target = op("Cast", {operands[1]}, castTo(builder.getI64Type()));
      Value padded = op("Max", {target, current});
      Value amount = op("Sub", {padded, current});
      Value before = op("Div", {amount, two}), after = op("Sub", {amount, before});
      // Pad's pads cover every dim: 0 for the dims not in axes.
      SmallVector<Value> pieces;
      for (Value side : {before, after})
        for (int64_t d = 0; d < rank; ++d) {
          auto it = llvm::find(axes, d);
          pieces.push_back(it == axes.end() ? int64Constant({0}, loc)
                                            : op("Gather", {side, int64Constant({it - axes.begin()}, loc)}, axisAttr(0)));
        }
      Value none = mlc::onnx::NoneOp::create(builder, loc, builder.getNoneType());
      Value x = op("Pad", {operands[0], op("Concat", pieces, axisAttr(0)), none});
      Value start = op("Div", {op("Sub", {padded, target}), two});
      return bindOutputs(node, {op("Slice", {x, start, op("Add", {start, target}), axesValue,
                                             int64Constant(SmallVector<int64_t>(axes.size(), 1), loc)})});
    }
    SmallVector<int64_t> target;
    if (auto shape = mlc::onnx::getConstantInts(operands[1]); succeeded(shape)) {
      target = *shape;
    } else if (auto declared = declaredShape(node.output(0)); declared && (int64_t)declared->size() == rank) {
      for (int64_t a : axes)
        target.push_back(a >= 0 && a < rank ? (*declared)[a] : -1);
    } else {
      return emitError(loc) << "'CenterCropPad': a computed shape needs the output's declared shape";
    }
    if (target.size() != axes.size())
      return emitError(loc) << "'CenterCropPad': shape has " << target.size() << " dims for "
                            << axes.size() << " axes";
    SmallVector<int64_t> pads(2 * rank, 0), starts, ends;
    bool pad = false;
    for (auto [a, t] : llvm::zip(axes, target)) {
      if (a < 0 || a >= rank || t < 0)
        return emitError(loc) << "'CenterCropPad': bad axis or target dim";
      int64_t n = type.getDimSize(a);
      if (t > n) {
        pads[a] = (t - n) / 2;
        pads[a + rank] = t - n - pads[a];
        pad = true;
      }
      int64_t start = t < n ? (n - t) / 2 : 0;
      starts.push_back(start);
      ends.push_back(start + t);
    }
    Value x = operands[0];
    if (pad) {
      Value none = mlc::onnx::NoneOp::create(builder, loc, builder.getNoneType());
      x = createOne("Pad", {x, int64Constant(pads, loc), none}, {}, loc);
    }
    Value y = createOne("Slice",
                        {x, int64Constant(starts, loc), int64Constant(ends, loc), int64Constant(axes, loc),
                         int64Constant(SmallVector<int64_t>(axes.size(), 1), loc)},
                        {}, loc);
    return bindOutputs(node, {y});
  }

  /// CausalConvWithState: a depthwise 1-d convolution over the input with
  /// past_state (zeros without one) in front, optionally followed by SiLU;
  /// present_state is the last k - 1 positions of that padded input.
  LogicalResult importCausalConvWithState(const ::onnx::NodeProto &node, ArrayRef<Value> operands,
                                          const NamedAttrList &attrs, Location loc) {
    auto refuse = [&](const Twine &why) { return emitError(loc) << "'CausalConvWithState': " << why; };
    auto op = opsAt(loc);
    if (operands.size() < 2)
      return refuse("needs input and weight");
    // Symbolic dims take the declared ones (checked): the output has the
    // input's shape, present_state is [batch, channels, k - 1].
    Value input = operands[0], weight = operands[1], past = optionalOperand(operands, 3);
    if (auto y = declaredShape(node.output(0)))
      input = withDeclaredShape(input, *y, loc);
    if (auto state = node.output_size() > 1 ? declaredShape(node.output(1)) : std::nullopt; state && state->size() == 3) {
      weight = withDeclaredShape(weight, {(*state)[1], 1, (*state)[2] + 1}, loc);
      if (past)
        past = withDeclaredShape(past, *state, loc);
    }
    if (!input || !weight || (optionalOperand(operands, 3) && !past))
      return failure(); // an EnsureShape failed and said why
    auto xType = dyn_cast<RankedTensorType>(input.getType());
    auto wType = dyn_cast<RankedTensorType>(weight.getType());
    if (!xType || !wType || !xType.hasStaticShape() || !wType.hasStaticShape() || xType.getRank() != 3 ||
        wType.getRank() != 3 || wType.getDimSize(1) != 1 || wType.getDimSize(0) != xType.getDimSize(1) ||
        !isa<FloatType>(xType.getElementType()))
      return refuse("needs float input [batch, channels, length] and weight [channels, 1, k] of static shapes");
    StringRef activation = "none";
    if (auto a = dyn_cast_or_null<StringAttr>(attrs.get("activation")))
      activation = a.getValue();
    if (activation != "none" && activation != "silu" && activation != "swish")
      return refuse("activation must be none, silu or swish");
    int64_t batch = xType.getDimSize(0), channels = xType.getDimSize(1), k = wType.getDimSize(2);
    int64_t length = xType.getDimSize(2);
    if (!past && k > 1)
      past = constant(DenseElementsAttr::get(RankedTensorType::get({batch, channels, k - 1}, xType.getElementType()),
                                             builder.getZeroAttr(xType.getElementType())),
                      loc);
    Value padded = k > 1 ? op("Concat", {past, input}, axisAttr(2)) : input;
    NamedAttrList conv;
    conv.set("group", builder.getI64IntegerAttr(channels));
    // Half precision: the convolution in float32, rounded once, then SiLU in
    // float32 of the rounded value (as the reference computes it).
    Type own = xType.getElementType(), f32 = builder.getF32Type();
    auto as = [&](Value x, Type t) {
      return x && cast<RankedTensorType>(x.getType()).getElementType() != t ? op("Cast", {x}, castTo(t)) : x;
    };
    Value bias = optionalOperand(operands, 2);
    Value none = mlc::onnx::NoneOp::create(builder, loc, builder.getNoneType());
    Value y = as(op("Conv", {as(padded, f32), as(weight, f32), bias ? as(bias, f32) : none}, conv), own);
    if (y && activation != "none") {
      Value x32 = as(y, f32);
      y = as(op("Mul", {x32, op("Sigmoid", {x32})}), own);
    }
    // The last k - 1 positions of the padded input (none for k = 1).
    Value present = k > 1 ? op("Slice", {padded, int64Constant({length}, loc), int64Constant({length + k - 1}, loc),
                                         int64Constant({2}, loc), int64Constant({1}, loc)})
                          : constant(DenseElementsAttr::get(RankedTensorType::get({batch, channels, 0}, own),
                                                            ArrayRef<Attribute>{}),
                                     loc);
    Value results[] = {y, present};
    return bindOutputs(node, results);
  }

  /// LinearAttention, its recurrence unrolled over the (static) sequence,
  /// in float32: per step t, with the state S [batch, kv heads, d_k, d_v]:
  ///   gated:  S *= exp(decay_t)              (per head or per key feature)
  ///   delta:  v_t = beta_t (v_t - k_t S)     (the delta rule)
  ///   S += k_t^T v_t;  o_t = scale q_t S     (S repeated for grouped queries)
  /// The outputs [batch, seq, q heads * d_v] and the final state.
  LogicalResult importLinearAttention(const ::onnx::NodeProto &node, ArrayRef<Value> operands,
                                      const NamedAttrList &attrs, Location loc) {
    auto refuse = [&](const Twine &why) { return emitError(loc) << "'LinearAttention': " << why; };
    auto op = opsAt(loc);
    auto shapeOf = [](Value v) -> ArrayRef<int64_t> { return cast<RankedTensorType>(v.getType()).getShape(); };
    Value q = operands[0], k = optionalOperand(operands, 1), v = optionalOperand(operands, 2);
    Value past = optionalOperand(operands, 3), decay = optionalOperand(operands, 4), beta = optionalOperand(operands, 5);
    int64_t qHeads = intAttr(attrs, "q_num_heads", 0), kvHeads = intAttr(attrs, "kv_num_heads", 0);
    // Symbolic dims of query, key, value and past_state take those the
    // declared outputs imply (checked at run time): output [b, t, hq * d_v],
    // present_state [b, h_kv, d_k, d_v].
    auto out = declaredShape(node.output(0));
    auto present = node.output_size() > 1 ? declaredShape(node.output(1)) : std::nullopt;
    if (out && present && out->size() == 3 && present->size() == 4 && qHeads > 0 && kvHeads > 0) {
      int64_t b = (*out)[0], t = (*out)[1], dk = (*present)[2], dv = (*present)[3];
      q = withDeclaredShape(q, {b, t, qHeads * dk}, loc);
      if (k)
        k = withDeclaredShape(k, {b, t, kvHeads * dk}, loc);
      if (v)
        v = withDeclaredShape(v, {b, t, kvHeads * dv}, loc);
      if (past)
        past = withDeclaredShape(past, *present, loc);
      // decay's and beta's last dims have two valid sizes each: kept.
      if (decay)
        decay = withDeclaredShape(decay, {b, t, -1}, loc);
      if (beta)
        beta = withDeclaredShape(beta, {b, t, -1}, loc);
      Value given[] = {q, k, v, past, decay, beta};
      for (auto [i, x] : llvm::enumerate(given))
        if (optionalOperand(operands, i) && !x)
          return failure(); // an EnsureShape failed and said why
    }
    for (Value x : {q, k, v, past})
      if (auto t = x ? dyn_cast<RankedTensorType>(x.getType()) : nullptr; x && (!t || !t.hasStaticShape()))
        return refuse("needs inputs of static shape (or the outputs' declared shapes)");
    for (Value x : {decay, beta})
      if (auto t = x ? dyn_cast<RankedTensorType>(x.getType()) : nullptr;
          x && (!t || t.getRank() != 3 || t.isDynamicDim(0) || t.isDynamicDim(1)))
        return refuse("needs decay and beta of rank 3 with static batch and sequence dims");
    StringRef rule = "gated_delta";
    if (auto r = dyn_cast_or_null<StringAttr>(attrs.get("update_rule")))
      rule = r.getValue();
    bool gating = rule == "gated" || rule == "gated_delta", delta = rule == "delta" || rule == "gated_delta";
    if (rule != "linear" && !gating && !delta)
      return refuse("update_rule must be linear, gated, delta or gated_delta");
    if (!k || !v || shapeOf(q).size() != 3 || shapeOf(k).size() != 3 || shapeOf(v).size() != 3)
      return refuse("needs query, key and value of rank 3");
    if (qHeads <= 0 || kvHeads <= 0 || qHeads % kvHeads || shapeOf(q)[2] % qHeads || shapeOf(v)[2] % kvHeads)
      return refuse("q_num_heads must be a positive multiple of kv_num_heads, dividing the hidden sizes");
    if (gating != (decay != nullptr) || delta != (beta != nullptr))
      return refuse("decay is needed exactly by the gated rules and beta by the delta rules");
    Type own = cast<RankedTensorType>(q.getType()).getElementType(), f32 = builder.getF32Type();
    int64_t batch = shapeOf(q)[0], steps = shapeOf(q)[1], dk = shapeOf(q)[2] / qHeads, dv = shapeOf(v)[2] / kvHeads;
    if (steps > 4096)
      return refuse("unrolls sequences of at most 4096 steps");
    auto f = [&](Value x) { return x && cast<RankedTensorType>(x.getType()).getElementType() != f32 ? op("Cast", {x}, castTo(f32)) : x; };
    // [b, t, h * d] -> [b, h, t, d]; a last dim known only at run time
    // splits with -1 (for decay and beta, whichever of their two sizes it
    // is, which then broadcasts).
    auto perHead = [&](Value x, int64_t h, int64_t d) {
      return op("Transpose", {op("Reshape", {f(x), int64Constant({batch, steps, h, d}, loc)})}, permAttr({0, 2, 1, 3}));
    };
    auto heads = [&](Value x, int64_t h) { return perHead(x, h, shapeOf(x)[2] / h); };
    Value q4 = heads(q, qHeads), k4 = heads(k, kvHeads), v4 = heads(v, kvHeads);
    Value decay4, beta4;
    if (decay) {
      int64_t last = shapeOf(decay)[2];
      if (!ShapedType::isDynamic(last) && last != kvHeads && last != kvHeads * dk)
        return refuse("decay's last dim must be kv_num_heads or kv_num_heads * d_k");
      decay4 = ShapedType::isDynamic(last) ? perHead(decay, kvHeads, -1) : heads(decay, kvHeads); // [b, h, t, 1 or d_k]
    }
    if (beta) {
      int64_t last = shapeOf(beta)[2];
      if (!ShapedType::isDynamic(last) && last != kvHeads && last != 1)
        return refuse("beta's last dim must be kv_num_heads or 1");
      beta4 = ShapedType::isDynamic(last) ? perHead(beta, -1, 1) : heads(beta, last); // [b, h or 1, t, 1]
    }
    auto step = [&](Value x, int64_t t) { // x[:, :, t, :]
      Value s2 = op("Slice", {x, int64Constant({t}, loc), int64Constant({t + 1}, loc), int64Constant({2}, loc),
                              int64Constant({1}, loc)});
      return op("Squeeze", {s2}, axesAttr({2}));
    };
    Value state = past ? f(past)
                       : constant(DenseElementsAttr::get(RankedTensorType::get({batch, kvHeads, dk, dv}, f32), 0.0f), loc);
    if (shapeOf(state) != ArrayRef<int64_t>({batch, kvHeads, dk, dv}))
      return refuse("past_state must be [batch, kv_num_heads, d_k, d_v]");
    double scale = 1.0 / std::sqrt((double)dk);
    if (auto a = dyn_cast_or_null<FloatAttr>(attrs.get("scale")); a && a.getValueAsDouble() != 0.0)
      scale = a.getValueAsDouble();
    Value scaleValue = scalar(f32, scale, loc);
    int64_t group = qHeads / kvHeads;
    SmallVector<Value> outs;
    for (int64_t t = 0; t < steps; ++t) {
      Value kt = step(k4, t), vt = step(v4, t);
      if (gating)
        state = op("Mul", {state, op("Unsqueeze", {op("Exp", {step(decay4, t)})}, axesAttr({3}))});
      if (delta) {
        Value retrieved = op("Squeeze", {op("MatMul", {op("Unsqueeze", {kt}, axesAttr({2})), state})}, axesAttr({2}));
        vt = op("Mul", {step(beta4, t), op("Sub", {vt, retrieved})});
      }
      state = op("Add", {state, op("Mul", {op("Unsqueeze", {kt}, axesAttr({3})), op("Unsqueeze", {vt}, axesAttr({2}))})});
      Value read = state;
      if (group > 1)
        read = op("Reshape", {op("Expand", {op("Unsqueeze", {state}, axesAttr({2})),
                                            int64Constant({batch, kvHeads, group, dk, dv}, loc)}),
                              int64Constant({batch, qHeads, dk, dv}, loc)});
      Value qt = op("Unsqueeze", {step(q4, t)}, axesAttr({2})); // [b, hq, 1, d_k]
      outs.push_back(op("Mul", {op("MatMul", {qt, read}), scaleValue}));   // [b, hq, 1, d_v]
    }
    Value o = outs.size() == 1 ? outs[0] : op("Concat", outs, axisAttr(2)); // [b, hq, t, d_v]
    o = op("Reshape", {op("Transpose", {o}, permAttr({0, 2, 1, 3})), int64Constant({batch, steps, qHeads * dv}, loc)});
    Type stateType = past ? cast<RankedTensorType>(past.getType()).getElementType() : own;
    Value results[] = {own == f32 ? o : op("Cast", {o}, castTo(own)),
                       stateType == f32 ? state : op("Cast", {state}, castTo(stateType))};
    return bindOutputs(node, results);
  }

  /// FlexAttention (ai.onnx.preview) expanded per its definition: Q [B, Hq,
  /// L, E], K [B, Hkv, S, E], V [B, Hkv, S, Ev] with each K/V head serving
  /// Hq / Hkv consecutive query heads;
  ///   Y = prob_mod(softmax(score_mod(Q K^T scale))) V
  /// with scale 1 / sqrt(E) unless given, score_mod and prob_mod the
  /// optional subgraphs (elementwise on [B, Hq, L, S]), imported inline.
  /// Half precision is computed in float32.
  LogicalResult importFlexAttention(const ::onnx::NodeProto &node, ArrayRef<Value> operands, Location loc) {
    auto refuse = [&](const Twine &why) { return emitError(loc) << "'FlexAttention': " << why; };
    auto op = opsAt(loc);
    const ::onnx::GraphProto *scoreMod = nullptr, *probMod = nullptr;
    std::optional<double> scale;
    for (const auto &a : node.attribute()) {
      if (a.name() == "score_mod" && a.type() == ::onnx::AttributeProto::GRAPH)
        scoreMod = &a.g();
      else if (a.name() == "prob_mod" && a.type() == ::onnx::AttributeProto::GRAPH)
        probMod = &a.g();
      else if (a.name() == "scale" && a.type() == ::onnx::AttributeProto::FLOAT)
        scale = a.f();
      else
        return refuse("attribute '" + a.name() + "' is not supported");
    }
    if (operands.size() != 3)
      return refuse("needs Q, K and V");
    auto rank4 = [](Value v) {
      auto t = dyn_cast<RankedTensorType>(v.getType());
      return t && t.getRank() == 4 && isa<FloatType>(t.getElementType()) ? t : RankedTensorType();
    };
    auto qType = rank4(operands[0]), kType = rank4(operands[1]), vType = rank4(operands[2]);
    if (!qType || !kType || !vType)
      return refuse("needs float Q, K and V of rank 4 ([batch, heads, sequence, head size])");
    Type own = qType.getElementType(), f32 = builder.getF32Type();
    Type et = own.getIntOrFloatBitWidth() < 32 ? f32 : own;
    auto inType = [&](Value v) { return own == et ? v : op("Cast", {v}, castTo(et)); };
    Value q = inType(operands[0]), k = inType(operands[1]), v = inType(operands[2]);
    // Grouped queries: each K/V head repeated Hq / Hkv times, consecutively.
    int64_t hq = qType.getDimSize(1), hkv = kType.getDimSize(1);
    if (ShapedType::isDynamic(hq) || ShapedType::isDynamic(hkv) || hq != hkv) {
      if (!ShapedType::isDynamic(hq) && !ShapedType::isDynamic(hkv) && hq % hkv)
        return refuse("the query heads must be a multiple of the key/value heads");
      auto dims = [&](Value x, int64_t from, int64_t to) { return shapeDims(x, from, to, loc); };
      Value group = op("Div", {dims(q, 1, 2), dims(k, 1, 2)});
      auto repeat = [&](Value x) {
        Value wide = op("Expand", {op("Unsqueeze", {x}, axesAttr({2})),
                                   op("Concat", {dims(x, 0, 2), group, dims(x, 2, 4)}, axisAttr(0))});
        return op("Reshape", {wide, op("Concat", {dims(x, 0, 1), dims(q, 1, 2), dims(x, 2, 4)}, axisAttr(0))});
      };
      k = repeat(k);
      v = repeat(v);
    }
    Value factor;
    if (scale)
      factor = scalar(et, *scale, loc);
    else if (!qType.isDynamicDim(3))
      factor = scalar(et, 1.0 / std::sqrt((double)qType.getDimSize(3)), loc);
    else
      factor = op("Reciprocal", {op("Sqrt", {op("Cast", {shapeDim(q, 3, loc)}, castTo(et))})});
    Value scores = op("Mul", {op("MatMul", {q, op("Transpose", {k}, permAttr({0, 1, 3, 2}))}), factor});
    auto apply = [&](const ::onnx::GraphProto *mod, Value x) -> Value {
      if (!mod || !x)
        return x;
      auto r = inlineGraph(*mod, {x}, loc);
      if (failed(r))
        return Value();
      if (r->size() != 1) {
        (void)refuse("a score_mod or prob_mod must have one output");
        return Value();
      }
      return (*r)[0];
    };
    scores = apply(scoreMod, scores);
    Value probs = scores ? op("Softmax", {scores}, axisAttr(-1)) : Value();
    probs = apply(probMod, probs);
    Value y = probs ? op("MatMul", {probs, v}) : Value();
    if (y && own != et)
      y = op("Cast", {y}, castTo(own));
    return bindOutputs(node, {y});
  }

  /// Attention (opsets 23-24) expanded per its definition. Q, K and V are
  /// [batch, heads, sequence, head size] (3-d inputs [batch, sequence,
  /// heads * size] are split by q_num_heads and kv_num_heads); past key and
  /// value go in front of K and V along the sequence (present_key/value);
  /// for grouped queries each K/V head serves q_heads / kv_heads
  /// consecutive query heads. Then
  ///   S = (Q sqrt(scale)) (K sqrt(scale))^T, softcapped to c tanh(S / c)
  ///   P = softmax(S + bias) (in softmax_precision), Y = P V
  /// where the bias sums the mask (boolean: 0 where true, else -inf; shorter
  /// than the total sequence: padded with -inf), with is_causal -inf above
  /// the diagonal shifted by the past length, and with nonpad_kv_seqlen -inf
  /// past each batch's valid keys. qk_matmul_output is S for modes 0 and 1,
  /// S + bias for 2 and P for 3, as the reference implementation has it.
  LogicalResult importAttention(const ::onnx::NodeProto &node, ArrayRef<Value> operands,
                                const NamedAttrList &attrs, Location loc) {
    auto refuse = [&](const Twine &why) { return emitError(loc) << "'Attention': " << why; };
    auto operand = [&](size_t i) { return optionalOperand(operands, i); };
    auto op = opsAt(loc);
    auto shapeOf = [](Value v) -> ArrayRef<int64_t> { return cast<RankedTensorType>(v.getType()).getShape(); };
    Value q = operand(0), k = operand(1), v = operand(2), mask = operand(3);
    Value pastKey = operand(4), pastValue = operand(5), nonpad = operand(6);
    // With symbolic dims every size below is read at run time (Shape,
    // Range, Reshape with 0 and -1); the static form builds constants.
    bool dynamic = false;
    for (Value x : {q, k, v, mask, pastKey, pastValue, nonpad}) {
      auto t = x ? dyn_cast<RankedTensorType>(x.getType()) : RankedTensorType();
      if (x && !t)
        return refuse("needs ranked inputs");
      dynamic |= t && !t.hasStaticShape();
    }
    // Dims [from, to) of `x`'s shape (an int64 1-d tensor), and one of them
    // as a scalar.
    auto dims = [&](Value x, int64_t from, int64_t to) { return shapeDims(x, from, to, loc); };
    auto dimScalar = [&](Value x, int64_t d) { return shapeDim(x, d, loc); };
    if (!q || !k || !v)
      return refuse("needs Q, K and V");
    auto qType = cast<RankedTensorType>(q.getType());
    Type et = qType.getElementType();
    int64_t rank = qType.getRank();
    if (!isa<FloatType>(et) || (rank != 3 && rank != 4) || shapeOf(k).size() != (size_t)rank ||
        shapeOf(v).size() != (size_t)rank)
      return refuse("Q, K and V must be float tensors, all 3-d or all 4-d");
    // Half-precision inputs are computed in float32 and rounded once at the
    // end, as the reference does (rounding every step loses ~1e-3).
    Type own = et;
    if (mask) {
      Type m = cast<RankedTensorType>(mask.getType()).getElementType();
      if (!m.isInteger(1) && m != et)
        return refuse("attn_mask must be boolean or have Q's element type");
    }
    if (et.getIntOrFloatBitWidth() < 32) {
      et = builder.getF32Type();
      for (Value *x : {&q, &k, &v, &pastKey, &pastValue})
        if (*x)
          *x = op("Cast", {*x}, castTo(et));
      if (mask && !cast<RankedTensorType>(mask.getType()).getElementType().isInteger(1))
        mask = op("Cast", {mask}, castTo(et));
    }
    int64_t batch = qType.getDimSize(0);
    if (rank == 3) {
      int64_t qHeads = intAttr(attrs, "q_num_heads", 0), kvHeads = intAttr(attrs, "kv_num_heads", 0);
      auto indivisible = [](int64_t size, int64_t heads) { return !ShapedType::isDynamic(size) && size % heads; };
      if (qHeads <= 0 || kvHeads <= 0 || indivisible(shapeOf(q)[2], qHeads) ||
          indivisible(shapeOf(k)[2], kvHeads) || indivisible(shapeOf(v)[2], kvHeads))
        return refuse("3-d inputs need q_num_heads and kv_num_heads that divide their hidden sizes");
      // [batch, seq, heads * size] -> [batch, heads, seq, size]
      auto split = [&](Value x, int64_t heads) {
        ArrayRef<int64_t> s = shapeOf(x);
        Value r = op("Reshape", {x, dynamic ? int64Constant({0, 0, heads, -1}, loc)
                                            : int64Constant({s[0], s[1], heads, s[2] / heads}, loc)});
        return op("Transpose", {r}, permAttr({0, 2, 1, 3}));
      };
      q = split(q, qHeads);
      k = split(k, kvHeads);
      v = split(v, kvHeads);
    }
    if (pastKey)
      k = op("Concat", {pastKey, k}, axisAttr(2));
    if (pastValue)
      v = op("Concat", {pastValue, v}, axisAttr(2));
    if (!q || !k || !v)
      return failure();
    Value presentKey = k, presentValue = v;
    int64_t qHeads = shapeOf(q)[1], qSeq = shapeOf(q)[2], headSize = shapeOf(q)[3];
    int64_t kvHeads = shapeOf(k)[1], total = shapeOf(k)[2];
    int64_t past = pastKey ? shapeOf(pastKey)[2] : 0;
    auto differ = [](int64_t a, int64_t b) { return !ShapedType::isDynamic(a) && !ShapedType::isDynamic(b) && a != b; };
    if (differ(shapeOf(k)[3], headSize) || differ(shapeOf(v)[1], kvHeads) || differ(shapeOf(v)[2], total))
      return refuse("K must match Q's head size, and V K's heads and sequence");
    if (dynamic && (ShapedType::isDynamic(qHeads) || ShapedType::isDynamic(kvHeads) || qHeads != kvHeads)) {
      // Head counts known at run time: each K/V head repeated for its group
      // of q_heads / kv_heads query heads (once when they are equal).
      Value group = op("Div", {dims(q, 1, 2), dims(k, 1, 2)});
      auto repeat = [&](Value x) {
        NamedAttrList axis0 = axisAttr(0);
        Value shape = op("Concat", {dims(x, 0, 2), group, dims(x, 2, 4)}, axis0);
        Value e = op("Expand", {op("Unsqueeze", {x}, axesAttr({2})), shape});
        return op("Reshape", {e, op("Concat", {dims(x, 0, 1), int64Constant({-1}, loc), dims(x, 2, 4)}, axis0)});
      };
      k = repeat(k);
      v = repeat(v);
    } else if (qHeads != kvHeads) {
      if (qHeads % kvHeads)
        return refuse("q_num_heads must be a multiple of kv_num_heads");
      // Repeat each K/V head for its group: [b, kv, 1, t, d] -> [b, kv, g, t, d] -> [b, q, t, d].
      auto repeat = [&](Value x) {
        ArrayRef<int64_t> s = shapeOf(x);
        Value e = op("Expand", {op("Unsqueeze", {x}, axesAttr({2})),
                                int64Constant({s[0], kvHeads, qHeads / kvHeads, s[2], s[3]}, loc)});
        return op("Reshape", {e, int64Constant({s[0], qHeads, s[2], s[3]}, loc)});
      };
      k = repeat(k);
      v = repeat(v);
    }

    double scale = floatAttr(attrs, "scale", 1.0 / std::sqrt((double)headSize));
    Value rootScale = scalar(et, std::sqrt(scale), loc);
    if (ShapedType::isDynamic(headSize) && !attrs.get("scale"))
      // sqrt(1 / sqrt(head size)), the head size read at run time.
      rootScale = op("Pow", {op("Cast", {dimScalar(q, 3)}, castTo(et)), scalar(et, -0.25, loc)});
    Value scores = op("MatMul", {op("Mul", {q, rootScale}),
                                 op("Mul", {op("Transpose", {k}, permAttr({0, 1, 3, 2})), rootScale})});
    double softcap = floatAttr(attrs, "softcap", 0.0);
    if (softcap > 0) {
      Value c = scalar(et, softcap, loc);
      scores = op("Mul", {op("Tanh", {op("Div", {scores, c})}), c});
    }

    Value zero = scalar(et, 0, loc), minusInf = scalar(et, -INFINITY, loc), bias;
    auto addBias = [&](Value b) { bias = bias ? op("Add", {bias, b}) : b; };
    if (mask) {
      auto maskType = cast<RankedTensorType>(mask.getType());
      if (maskType.getElementType().isInteger(1))
        mask = op("Where", {mask, zero, minusInf});
      if (maskType.getRank() < 1)
        return refuse("attn_mask needs a rank of at least 1");
      int64_t missing = total - maskType.getShape().back();
      if (ShapedType::isDynamic(total) || maskType.isDynamicDim(maskType.getRank() - 1)) {
        // Padded with -inf up to the total sequence, at run time.
        SmallVector<int64_t> zeros(2 * maskType.getRank() - 1, 0);
        Value pads = op("Concat", {int64Constant(zeros, loc),
                                   op("Sub", {dims(k, 2, 3), dims(mask, maskType.getRank() - 1, maskType.getRank())})},
                        axisAttr(0));
        mask = op("Pad", {mask, pads, minusInf});
      } else if (missing < 0) {
        return refuse("attn_mask is longer than the total sequence");
      } else if (missing > 0) {
        SmallVector<int64_t> pads(2 * maskType.getRank(), 0);
        pads.back() = missing;
        mask = op("Pad", {mask, int64Constant(pads, loc), minusInf});
      }
      addBias(mask);
    }
    if (intAttr(attrs, "is_causal", 0) && (ShapedType::isDynamic(qSeq) || ShapedType::isDynamic(total) ||
                                           ShapedType::isDynamic(past))) {
      // Query i (after `past` earlier positions) sees keys j <= past + i,
      // the positions counted at run time.
      Type i64 = builder.getI64Type();
      Value zero64 = scalar(i64, 0, loc), one64 = scalar(i64, 1, loc);
      Value rows = op("Unsqueeze", {op("Range", {zero64, dimScalar(q, 2), one64})}, axesAttr({1}));
      Value cols = op("Unsqueeze", {op("Range", {zero64, dimScalar(k, 2), one64})}, axesAttr({0}));
      Value pastLength = pastKey ? dimScalar(pastKey, 2) : zero64;
      Value hidden = op("Greater", {op("Sub", {cols, pastLength}), rows});
      addBias(op("Where", {hidden, minusInf, zero}));
    } else if (intAttr(attrs, "is_causal", 0)) {
      // Query i (after `past` earlier positions) sees keys j <= past + i.
      auto type = RankedTensorType::get({qSeq, total}, et);
      const llvm::fltSemantics &sem = cast<FloatType>(et).getFloatSemantics();
      SmallVector<APFloat> causal;
      for (int64_t i = 0; i < qSeq; ++i)
        for (int64_t j = 0; j < total; ++j)
          causal.push_back(j - past > i ? APFloat::getInf(sem, /*Negative=*/true) : APFloat::getZero(sem));
      addBias(constant(DenseElementsAttr::get(type, causal), loc));
    }
    if (nonpad && dynamic) {
      // Keys at or past nonpad_kv_seqlen[b] are padding.
      Type i64 = builder.getI64Type();
      Value positions = op("Range", {scalar(i64, 0, loc), dimScalar(k, 2), scalar(i64, 1, loc)});
      Value valid = op("Less", {positions, op("Unsqueeze", {op("Cast", {nonpad}, castTo(i64))}, axesAttr({1}))});
      addBias(op("Where", {op("Unsqueeze", {valid}, axesAttr({1, 2})), zero, minusInf}));
    } else if (nonpad) {
      // Keys at or past nonpad_kv_seqlen[b] are padding.
      SmallVector<int64_t> positions;
      for (int64_t j = 0; j < total; ++j)
        positions.push_back(j);
      NamedAttrList toI64 = castTo(builder.getI64Type());
      Value valid = op("Less", {int64Constant(positions, loc),
                                op("Unsqueeze", {op("Cast", {nonpad}, toI64)}, axesAttr({1}))});
      valid = op("Reshape", {valid, int64Constant({batch, 1, 1, total}, loc)});
      addBias(op("Where", {valid, zero, minusInf}));
    }
    Value biased = bias ? op("Add", {scores, bias}) : scores;

    Value probs = biased;
    // softmax_precision: a wider type than the computation's changes
    // nothing; a narrower one rounds the softmax's input and output.
    int64_t precision = intAttr(attrs, "softmax_precision", 0);
    bool recast = precision != 0 && precision != mlc::onnx::getONNXElementType(et);
    Type precisionType = recast ? mlc::onnx::convertONNXElementType(ctx, precision) : Type();
    if (recast && !precisionType)
      return refuse("softmax_precision names an unsupported type");
    if (recast)
      probs = op("Cast", {probs}, castTo(precisionType));
    probs = op("Softmax", {probs}, axisAttr(-1));
    if (recast)
      probs = op("Cast", {probs}, castTo(et));
    Value y = op("MatMul", {probs, v});
    if (y && rank == 3) {
      int64_t valueSize = shapeOf(y)[3];
      y = op("Reshape", {op("Transpose", {y}, permAttr({0, 2, 1, 3})),
                         dynamic ? int64Constant({0, 0, -1}, loc)
                                 : int64Constant({batch, qSeq, qHeads * valueSize}, loc)});
    }
    int64_t mode = intAttr(attrs, "qk_matmul_output_mode", 0);
    if (mode < 0 || mode > 3)
      return refuse("qk_matmul_output_mode must be 0, 1, 2 or 3");
    Value qk = mode == 3 ? probs : mode == 2 ? biased : scores;
    Value results[] = {y, presentKey, presentValue, qk};
    for (int i = 0; i < node.output_size() && i < 4; ++i) {
      if (node.output(i).empty())
        continue;
      Value r = results[i] && own != et ? op("Cast", {results[i]}, castTo(own)) : results[i];
      if (!r)
        return failure();
      values[node.output(i)] = r;
    }
    return success();
  }

  /// RNN, GRU and LSTM unrolled over a static sequence (X times every
  /// direction's input weights is one MatMul for all steps), or, where the
  /// sequence length or the batch is known only at run time, a loop
  /// (importRuntimeLoop) whose body projects its step's x. Each step adds
  /// H R^T and applies the gates, per the operators' definitions:
  ///   RNN   H = f(x W^T + H R^T + Wb + Rb)
  ///   GRU   z, r = f(..); h~ = g(x Wh^T + (r * H) Rh^T + Rbh + Wbh)
  ///         (linear_before_reset: r * (H Rh^T + Rbh)); H = (1 - z) * h~ + z * H
  ///   LSTM  i, f = f(.. + P * C); c~ = g(..); C = f * C + i * c~;
  ///         o = f(.. + Po * C); H = o * h(C)
  /// with f = Sigmoid, g = h = Tanh (RNN: Tanh), gate orders zrh and iofc.
  /// Y stacks every step's H, Y_h (and LSTM's Y_c) the last; layout 1 puts
  /// the batch first. With sequence_lens (forward only), a sequence that has
  /// ended keeps its state and outputs zeros.
  LogicalResult importRecurrent(const ::onnx::NodeProto &node, ArrayRef<Value> operands,
                                const NamedAttrList &attrs, Location loc) {
    StringRef kind = node.op_type();
    auto refuse = [&](const Twine &why) { return emitError(loc) << "'" << kind << "': " << why; };
    auto operand = [&](size_t i) { return optionalOperand(operands, i); };
    int64_t gates = kind == "RNN" ? 1 : kind == "GRU" ? 3 : 4;
    auto xType = dyn_cast<RankedTensorType>(operands[0].getType());
    auto wType = operands.size() > 1 ? dyn_cast<RankedTensorType>(operands[1].getType()) : nullptr;
    if (!xType || !wType || xType.getRank() != 3 || wType.getRank() != 3 || !isa<FloatType>(xType.getElementType()))
      return refuse("needs float X [seq, batch, input] and W [directions, gates * hidden, input]");
    bool batchFirst = intAttr(attrs, "layout", 0) != 0;
    StringRef direction = "forward";
    if (auto d = dyn_cast_or_null<StringAttr>(attrs.get("direction")))
      direction = d.getValue();
    int64_t numDirections = direction == "bidirectional" ? 2 : 1;
    int64_t hidden = intAttr(attrs, "hidden_size", wType.isDynamicDim(1) ? 0 : wType.getDimSize(1) / gates);
    // The steps are unrolled, so seq and batch must be known: from X, or,
    // where X's dims are known only at run time, from the declared Y
    // ([seq, dirs, batch, hidden]; layout 1: [batch, seq, dirs, hidden]) and
    // Y_h ([dirs, batch, hidden]; layout 1: [batch, dirs, hidden]).
    int64_t seq = xType.getDimSize(batchFirst ? 1 : 0), batch = xType.getDimSize(batchFirst ? 0 : 1);
    auto declaredDim = [&](int output, size_t rankWanted, int64_t dim) -> int64_t {
      if (node.output_size() <= output || node.output(output).empty())
        return ShapedType::kDynamic;
      auto d = declaredShape(node.output(output));
      return d && d->size() == rankWanted ? (*d)[dim] : ShapedType::kDynamic;
    };
    if (ShapedType::isDynamic(seq))
      seq = declaredDim(0, 4, batchFirst ? 1 : 0);
    if (ShapedType::isDynamic(batch))
      batch = declaredDim(0, 4, batchFirst ? 0 : 2);
    if (ShapedType::isDynamic(batch))
      batch = declaredDim(1, 3, batchFirst ? 0 : 1);
    if (hidden <= 0)
      return refuse("needs the hidden size (hidden_size, or W's static shape)");
    // Unrolled where seq and batch are known; otherwise a loop over the
    // run-time sequence (importRuntimeLoop) with the batch read at run time.
    bool unroll = !ShapedType::isDynamic(seq) && !ShapedType::isDynamic(batch);
    int64_t inputSize = xType.isDynamicDim(2) ? -1 : xType.getDimSize(2); // -1: read at run time
    if ((!wType.isDynamicDim(0) && wType.getDimSize(0) != numDirections) ||
        (!wType.isDynamicDim(1) && wType.getDimSize(1) != gates * hidden))
      return refuse("W's shape does not match the direction and hidden size");
    if (attrs.get("clip") || intAttr(attrs, "input_forget", 0) != 0)
      return refuse("clip and input_forget are not supported");
    if (auto acts = dyn_cast_or_null<ArrayAttr>(attrs.get("activations"))) {
      SmallVector<StringRef> expected = kind == "RNN"   ? SmallVector<StringRef>{"Tanh"}
                                        : kind == "GRU" ? SmallVector<StringRef>{"Sigmoid", "Tanh"}
                                                        : SmallVector<StringRef>{"Sigmoid", "Tanh", "Tanh"};
      for (auto [i, a] : llvm::enumerate(acts))
        if (cast<StringAttr>(a).getValue() != expected[i % expected.size()])
          return refuse("only the default activations are supported");
    }
    // Shorter sequences (sequence_lens) stop updating their state and
    // output zeros; supported forward only (backwards each sequence would
    // start at its own end).
    Value lens = operand(4);
    if (lens) {
      auto l = mlc::onnx::getConstantInts(lens);
      if (succeeded(l) && !ShapedType::isDynamic(seq) && llvm::all_of(*l, [&](int64_t v) { return v == seq; }))
        lens = Value(); // all full: nothing to mask
      else if (direction != "forward")
        return refuse("sequence_lens other than the full length needs direction forward");
    }
    Type et = xType.getElementType();
    auto op = opsAt(loc);
    NamedAttrList toI64 = castTo(builder.getI64Type());
    // [start, end) along `axis`.
    auto slice = [&](Value v, int64_t axis, int64_t start, int64_t end) {
      return op("Slice", {v, int64Constant({start}, loc), int64Constant({end}, loc),
                          int64Constant({axis}, loc), int64Constant({1}, loc)});
    };
    auto gate = [&](Value v, int64_t g) { return slice(v, 1, g * hidden, (g + 1) * hidden); };
    auto reshape = [&](Value v, ArrayRef<int64_t> shape) {
      return op("Reshape", {v, int64Constant(shape, loc)});
    };
    int64_t rows = unroll ? batch : -1; // a run-time batch is Reshape's -1
    Value x = operands[0];
    if (batchFirst)
      x = op("Transpose", {x}, permAttr({1, 0, 2}));
    Value zeros = scalar(et, 0, loc), one = scalar(et, 1, loc);
    auto state = [&](Value initial, int64_t d) -> Value {
      if (initial)
        return reshape(slice(initial, 0, d, d + 1), {rows, hidden});
      Value shape = unroll ? int64Constant({batch, hidden}, loc)
                           : op("Concat", {slice(op("Shape", {x}), 0, 1, 2), int64Constant({hidden}, loc)},
                                axisAttr(0));
      return op("Expand", {zeros, shape});
    };

    SmallVector<Value> ys, lastH, lastC;
    for (int64_t d = 0; d < numDirections; ++d) {
      bool reverse = direction == "reverse" || d == 1;
      Value w = reshape(slice(operands[1], 0, d, d + 1), {gates * hidden, inputSize});
      Value r = reshape(slice(operands[2], 0, d, d + 1), {gates * hidden, hidden});
      Value wT = op("Transpose", {w}, permAttr({1, 0}));
      Value rT = op("Transpose", {r}, permAttr({1, 0}));
      Value bias, rb; // both biases; GRU with linear_before_reset keeps Rbh apart
      if (Value b = operand(3)) {
        Value bd = reshape(slice(b, 0, d, d + 1), {2 * gates * hidden});
        Value wb = slice(bd, 0, 0, gates * hidden), rbAll = slice(bd, 0, gates * hidden, 2 * gates * hidden);
        bias = op("Add", {wb, rbAll});
        rb = rbAll;
      }
      Value peep = kind == "LSTM" ? operand(7) : Value();
      Value pd = peep ? reshape(slice(peep, 0, d, d + 1), {3 * hidden}) : Value();
      auto peepGate = [&](int64_t g) { return slice(pd, 0, g * hidden, (g + 1) * hidden); };
      // One step from the input projection xw [batch, gates * hidden] (both
      // biases in), the states and the step's position t (int64 [1]):
      // the new h and c and the step's output.
      auto step = [&](Value xw, Value h, Value c, Value t) -> std::tuple<Value, Value, Value> {
        Value previousH = h, previousC = c;
        Value pre = op("Add", {xw, op("MatMul", {h, rT})});
        if (kind == "RNN") {
          h = op("Tanh", {pre});
        } else if (kind == "GRU") {
          Value z = op("Sigmoid", {gate(pre, 0)}), rg = op("Sigmoid", {gate(pre, 1)});
          Value rh = slice(rT, 1, 2 * hidden, 3 * hidden);
          Value xh = gate(xw, 2);
          Value cand;
          if (intAttr(attrs, "linear_before_reset", 0)) {
            // xh holds Wbh + Rbh; Rbh belongs inside the reset product.
            Value hr = op("MatMul", {h, rh});
            if (rb) {
              Value rbh = slice(rb, 0, 2 * hidden, 3 * hidden);
              hr = op("Add", {hr, rbh});
              xh = op("Sub", {xh, rbh});
            }
            cand = op("Tanh", {op("Add", {xh, op("Mul", {rg, hr})})});
          } else {
            cand = op("Tanh", {op("Add", {xh, op("MatMul", {op("Mul", {rg, h}), rh})})});
          }
          h = op("Add", {op("Mul", {op("Sub", {one, z}), cand}), op("Mul", {z, h})});
        } else {
          Value ig = gate(pre, 0), og = gate(pre, 1), fg = gate(pre, 2), cg = gate(pre, 3);
          if (pd) {
            ig = op("Add", {ig, op("Mul", {peepGate(0), c})});
            fg = op("Add", {fg, op("Mul", {peepGate(2), c})});
          }
          Value iAct = op("Sigmoid", {ig}), fAct = op("Sigmoid", {fg}), cand = op("Tanh", {cg});
          c = op("Add", {op("Mul", {fAct, c}), op("Mul", {iAct, cand})});
          if (pd)
            og = op("Add", {og, op("Mul", {peepGate(1), c})});
          h = op("Mul", {op("Sigmoid", {og}), op("Tanh", {c})});
        }
        Value out = h;
        if (lens && h) { // rows whose sequence has ended keep their state, output 0
          Value live = reshape(op("Less", {t, op("Cast", {lens}, toI64)}), {rows, 1});
          h = op("Where", {live, h, previousH});
          if (c)
            c = op("Where", {live, c, previousC});
          out = op("Where", {live, h, zeros});
        }
        return {h, c, out};
      };
      Value h = state(operand(5), d), c = kind == "LSTM" ? state(operand(6), d) : Value();
      if (unroll) {
        // X times the input weights for all steps at once.
        Value xw = op("MatMul", {reshape(x, {seq * batch, inputSize}), wT}); // [seq * batch, gates * hidden]
        if (bias)
          xw = op("Add", {xw, bias});
        SmallVector<Value> steps(seq);
        for (int64_t i = 0; i < seq; ++i) {
          int64_t t = reverse ? seq - 1 - i : i;
          Value out;
          std::tie(h, c, out) = step(slice(xw, 0, t * batch, (t + 1) * batch), h, c, int64Constant({t}, loc));
          if (!h)
            return failure();
          steps[t] = reshape(out, {1, 1, batch, hidden});
        }
        ys.push_back(steps.size() == 1 ? steps[0] : op("Concat", steps, axisAttr(0)));
      } else {
        RuntimeLoop loop;
        loop.trips = tensor::DimOp::create(builder, loc, x, 0);
        loop.carried = {h};
        if (c)
          loop.carried.push_back(c);
        loop.reversed = {reverse};
        loop.inputs = [&](Value iv, ValueRange carried) -> FailureOr<SmallVector<Value>> {
          Value at = iv;
          if (reverse)
            at = fromEnd(loop.trips, iv, loc);
          SmallVector<Value> in = {reshape(iterationNumber(at, loc), {1})};
          in.append(carried.begin(), carried.end());
          return in;
        };
        loop.body = [&](ArrayRef<Value> in) -> FailureOr<SmallVector<Value>> {
          Value xw = op("MatMul", {op("Gather", {x, op("Reshape", {in[0], int64Constant({}, loc)})}, axisAttr(0)), wT});
          if (bias)
            xw = op("Add", {xw, bias});
          auto [hn, cn, out] = step(xw, in[1], c ? in[2] : Value(), in[0]);
          if (!hn || !out)
            return failure();
          SmallVector<Value> outs = {hn};
          if (cn)
            outs.push_back(cn);
          outs.push_back(reshape(out, {1, -1, hidden})); // stacked: [seq, 1, batch, hidden]
          return outs;
        };
        auto result = importRuntimeLoop(loop, loc);
        if (failed(result))
          return failure();
        h = (*result)[0];
        if (c)
          c = (*result)[1];
        ys.push_back(result->back());
      }
      lastH.push_back(reshape(h, {1, rows, hidden}));
      if (c)
        lastC.push_back(reshape(c, {1, rows, hidden}));
    }
    auto join = [&](ArrayRef<Value> parts, int64_t axis) {
      return parts.size() == 1 ? parts[0] : op("Concat", parts, axisAttr(axis));
    };
    Value y = join(ys, 1), yh = join(lastH, 0), yc = lastC.empty() ? Value() : join(lastC, 0);
    if (batchFirst) {
      y = op("Transpose", {y}, permAttr({2, 0, 1, 3}));
      yh = op("Transpose", {yh}, permAttr({1, 0, 2}));
      if (yc)
        yc = op("Transpose", {yc}, permAttr({1, 0, 2}));
    }
    Value results[] = {y, yh, yc};
    return bindOutputs(node, results);
  }

  LogicalResult importNode(const ::onnx::NodeProto &node, int index, const llvm::StringSet<llvm::MallocAllocator> &used) {
    Location loc = nodeLoc(node, index);
    StringRef opType = node.op_type();
    bool isML = node.domain() == "ai.onnx.ml" &&
                (opType == "Binarizer" || opType == "ArrayFeatureExtractor" || opType == "LabelEncoder");
    bool isPreview = node.domain() == "ai.onnx.preview" && opType == "FlexAttention";
    if (!node.domain().empty() && node.domain() != "ai.onnx" && !isML && !isPreview)
      return emitError(loc) << "operator '" << opType << "' of domain '" << node.domain()
                            << "' is not supported";
    if (opType.starts_with("Sequence") || opType == "ConcatFromSequence" || opType == "SplitToSequence")
      return importSequenceOp(node, loc);
    if (opType == "OptionalHasElement" || opType == "OptionalGetElement")
      return importOptionalOp(node, loc);
    // CastLike is Cast to the element type of its second input.
    bool castLike = opType == "CastLike";
    auto opName = RegisteredOperationName::lookup(("onnx." + (castLike ? StringRef("Cast") : opType)).str(), ctx);
    bool isLoss = opType == "NegativeLogLikelihoodLoss" || opType == "SoftmaxCrossEntropyLoss";
    bool isRecurrent = opType == "RNN" || opType == "GRU" || opType == "LSTM";
    bool isNormalization =
        opType == "LRN" || opType == "GroupNormalization" || opType == "MeanVarianceNormalization";
    bool isComputed = opType == "HannWindow" || opType == "HammingWindow" || opType == "BlackmanWindow" ||
                      opType == "DFT" || opType == "STFT" || opType == "MelWeightMatrix" ||
                      opType == "MaxUnpool" || opType == "AffineGrid" || opType == "Det";
    bool isQuantization = opType == "QuantizeLinear" || opType == "DequantizeLinear" ||
                          opType == "DynamicQuantizeLinear" || opType == "MatMulInteger" ||
                          opType == "ConvInteger" || opType == "QLinearMatMul" || opType == "QLinearConv";
    bool expanded = isLoss || isRecurrent || opType == "ConvTranspose" || opType == "Upsample" ||
                    opType == "LpPool" || opType == "Scatter" || opType == "Attention" ||
                    opType == "CenterCropPad" || isNormalization || opType == "RotaryEmbedding" || isPreview ||
                    isQuantization || isComputed || opType == "If" || opType == "Loop" || opType == "Scan" ||
                    opType == "Compress" || opType == "NonZero" || opType == "NonMaxSuppression" ||
                    opType == "Unique" || opType == "TfIdfVectorizer" || opType == "LinearAttention" ||
                    opType == "CausalConvWithState" || opType == "TensorScatter" || opType == "StringNormalizer" ||
                    opType == "Col2Im" || isML;
    if ((!opName && !expanded) || opType == "none")
      return emitError(loc) << "operator '" << opType << "' (opset " << opsetVersion
                            << ") is not supported";

    SmallVector<Value> operands;
    for (const auto &in : node.input()) {
      if (in.empty()) {
        operands.push_back(mlc::onnx::NoneOp::create(builder, loc, builder.getNoneType()));
        continue;
      }
      auto it = values.find(in);
      if (it == values.end())
        return emitError(loc) << "'" << opType << "': input '" << in
                              << "' is not produced by any earlier node, input or initializer";
      operands.push_back(it->second);
    }
    if (opType == "If" || opType == "Loop" || opType == "Scan")
      return importControlFlow(node, operands, loc);
    if (isPreview)
      return importFlexAttention(node, operands, loc);
    NamedAttrList attrs;
    for (const auto &a : node.attribute()) {
      auto attr = importAttribute(a, loc);
      if (failed(attr))
        return failure();
      attrs.set(a.name(), *attr);
    }
    unsigned numResults = node.output_size();
    if (isML)
      return importML(node, operands, attrs, loc);

    // Opset differences and optional outputs, resolved into one form.
    auto refuseUsedOutputsFrom = [&](unsigned first, StringRef what) -> LogicalResult {
      for (int i = first; i < node.output_size(); ++i)
        if (!node.output(i).empty() && used.contains(node.output(i)))
          return emitError(loc) << "'" << opType << "': the " << what << " output is not supported";
      numResults = std::min<unsigned>(numResults, first);
      return success();
    };
    if (isLoss)
      return importLoss(node, operands, attrs, loc);
    if (opType == "ConvTranspose")
      return importConvTranspose(node, operands, attrs, loc);
    if (opType == "LpPool")
      return importLpPool(node, operands, attrs, loc);
    if (isRecurrent)
      return importRecurrent(node, operands, attrs, loc);
    if (opType == "Attention")
      return importAttention(node, operands, attrs, loc);
    if (opType == "CenterCropPad")
      return importCenterCropPad(node, operands, attrs, loc);
    if (isNormalization)
      return importNormalization(node, operands, attrs, loc);
    if (opType == "RotaryEmbedding")
      return importRotaryEmbedding(node, operands, attrs, loc);
    if (isQuantization)
      return importQuantization(node, operands, attrs, loc);
    if (isComputed)
      return importComputed(node, operands, attrs, loc);
    if (opType == "Compress" || opType == "NonZero")
      return importSelection(node, operands, attrs, loc);
    if (opType == "NonMaxSuppression")
      return importNonMaxSuppression(node, operands, attrs, loc);
    if (opType == "Unique")
      return importUnique(node, operands, attrs, loc);
    if (opType == "TfIdfVectorizer")
      return importTfIdfVectorizer(node, operands, attrs, loc);
    if (opType == "LinearAttention")
      return importLinearAttention(node, operands, attrs, loc);
    if (opType == "CausalConvWithState")
      return importCausalConvWithState(node, operands, attrs, loc);
    if (opType == "TensorScatter")
      return importTensorScatter(node, operands, attrs, loc);
    if (opType == "StringNormalizer")
      return importStringNormalizer(node, operands, attrs, loc);
    if (opType == "Col2Im")
      return importCol2Im(node, operands, attrs, loc);
    if (opType == "Constant") {
      Attribute value;
      for (NamedAttribute named : attrs) {
        StringRef name = named.getName().getValue();
        Attribute attr = named.getValue();
        if (name == "value") value = attr;
        else if (name == "value_float") value = DenseElementsAttr::get(RankedTensorType::get({}, builder.getF32Type()), cast<FloatAttr>(attr).getValue());
        else if (name == "value_int") value = DenseElementsAttr::get(RankedTensorType::get({}, builder.getI64Type()), cast<IntegerAttr>(attr).getValue());
        else if (name == "value_ints") value = DenseElementsAttr::get(RankedTensorType::get({(int64_t)cast<ArrayAttr>(attr).size()}, builder.getI64Type()), ArrayRef<int64_t>(mlc::onnx::getI64s(cast<ArrayAttr>(attr), 0, 0)));
        else if (name == "value_string")
          value = DenseStringElementsAttr::get(RankedTensorType::get({}, mlc::onnx::StringType::get(ctx)),
                                               {cast<StringAttr>(attr).getValue()});
        else if (name == "value_strings") {
          SmallVector<StringRef> strings;
          for (Attribute x : cast<ArrayAttr>(attr)) strings.push_back(cast<StringAttr>(x).getValue());
          value = DenseStringElementsAttr::get(
              RankedTensorType::get({(int64_t)strings.size()}, mlc::onnx::StringType::get(ctx)), strings);
        } else if (name == "value_floats") {
          SmallVector<float> f;
          for (Attribute x : cast<ArrayAttr>(attr)) f.push_back(cast<FloatAttr>(x).getValueAsDouble());
          value = DenseElementsAttr::get(RankedTensorType::get({(int64_t)f.size()}, builder.getF32Type()), ArrayRef<float>(f));
        }
      }
      if (!value)
        return emitError(loc) << "'Constant': only value, value_float(s), value_int(s) and value_string(s) are supported";
      values[node.output(0)] = constant(cast<ElementsAttr>(value), loc);
      return success();
    }
    if (castLike) {
      if (operands.size() != 2)
        return emitError(loc) << "'CastLike' expects 2 inputs";
      int64_t to = mlc::onnx::getONNXElementType(cast<TensorType>(operands[1].getType()).getElementType());
      if (to == 0)
        return emitError(loc) << "'CastLike': the target element type is not supported";
      operands.pop_back();
      attrs.set("to", builder.getI64IntegerAttr(to));
    }
    if (opType == "Scatter") // opset 9-10: ScatterElements under another name
      opType = "ScatterElements";
    if (opType == "GridSample") // opset 16 names the modes bilinear and bicubic
      if (auto m = dyn_cast_or_null<StringAttr>(attrs.get("mode")))
        attrs.set("mode", builder.getStringAttr(m.getValue() == "bilinear"  ? "linear"
                                                : m.getValue() == "bicubic" ? "cubic"
                                                                            : m.getValue()));
    if (opType == "TopK" && opsetVersion < 10) {
      if (auto k = dyn_cast_or_null<IntegerAttr>(attrs.get("k")))
        operands.push_back(int64Constant({k.getInt()}, loc));
      attrs.erase("k");
    }
    if (opType == "Upsample" || (opType == "Resize" && opsetVersion < 11)) {
      // Upsample (scales an attribute before opset 9) and Resize 10 take X
      // and scales; both map input to output coordinates as x / scale and
      // round down in nearest mode.
      Value none = mlc::onnx::NoneOp::create(builder, loc, builder.getNoneType());
      Value scales = operands.size() > 1 ? operands[1] : none;
      if (auto a = dyn_cast_or_null<ArrayAttr>(attrs.get("scales"))) {
        SmallVector<float> values;
        for (Attribute v : a)
          values.push_back(cast<FloatAttr>(v).getValueAsDouble());
        scales = constant(DenseElementsAttr::get(
                              RankedTensorType::get({(int64_t)values.size()}, builder.getF32Type()),
                              ArrayRef<float>(values)),
                          loc);
        attrs.erase("scales");
      }
      operands.assign({operands[0], none, scales, none});
      attrs.set("coordinate_transformation_mode", builder.getStringAttr("asymmetric"));
      attrs.set("nearest_mode", builder.getStringAttr("floor"));
      opType = "Resize";
    }
    if (opType == "PRelu" && opsetVersion < 7 && operands.size() == 2) {
      // Before opset 7 a 1-d slope of C values applied per channel (dim 1);
      // since then it broadcasts numpy-style from the last dim.
      auto x = dyn_cast<RankedTensorType>(operands[0].getType());
      auto slope = dyn_cast<RankedTensorType>(operands[1].getType());
      // A symbolic length or channel count is taken to match (a length of
      // 1 broadcasts alike).
      bool perChannel = x && slope && x.getRank() > 2 && slope.getRank() == 1 &&
                        (slope.isDynamicDim(0) ||
                         (slope.getDimSize(0) > 1 &&
                          (x.isDynamicDim(1) || slope.getDimSize(0) == x.getDimSize(1))));
      if (perChannel) {
        SmallVector<int64_t> shape(x.getRank() - 1, 1);
        shape[0] = slope.isDynamicDim(0) ? -1 : slope.getDimSize(0);
        auto r = createOp("Reshape", {operands[1], int64Constant(shape, loc)}, {}, 1, loc);
        if (failed(r))
          return failure();
        operands[1] = (*r)[0];
      }
    }
    // Axes and splits that the graph computes or takes at run time: the
    // output shapes the model declares determine them where nothing else
    // depends on their values.
    bool computedInput1 = operands.size() > 1 && !isa<NoneType>(operands[1].getType()) &&
                          failed(mlc::onnx::getConstantInts(operands[1]));
    if ((opType == "Unsqueeze" || opType == "Squeeze") && opsetVersion >= 13) {
      if (computedInput1) {
        if (auto shape = declaredShape(node.output(0))) {
          // Only dims of size 1 come or go: a reshape to the declared shape.
          auto r = createOp("Reshape", {operands[0], int64Constant(*shape, loc)}, {}, 1, loc);
          if (failed(r))
            return failure();
          values[node.output(0)] = (*r)[0];
          return success();
        }
      }
      if (failed(inputToAttribute(operands, 1, "axes", attrs, loc, opType)))
        return failure();
    }
    if (opType.starts_with("Reduce") &&
        (opsetVersion >= 18 || (opType == "ReduceSum" && opsetVersion >= 13))) {
      auto out = computedInput1 ? declaredShapeOfSameShapedValues(node.output(0)) : std::nullopt;
      if (out) {
        SmallVector<SmallVector<int64_t>> candidates;
        if (failed(reduceAxesFromDeclaredShape(operands, attrs, *out, opType, loc, candidates)))
          return failure();
        if (!candidates.empty())
          return reduceOverRuntimeAxes(node, operands, attrs, candidates, loc,
                                       cast<RankedTensorType>(operands[0].getType()).hasStaticShape()
                                           ? ArrayRef<int64_t>()
                                           : ArrayRef<int64_t>(*out));
        operands.erase(operands.begin() + 1);
      } else if (failed(inputToAttribute(operands, 1, "axes", attrs, loc, opType)))
        return failure();
    }
    if (opType == "Split") {
      if (opsetVersion >= 13 && computedInput1 && failed(splitFromDeclaredShapes(node, operands, attrs)))
        return failure();
      // Sizes computed at run time (the outputs declare none): slices whose
      // bounds are the running sums of the sizes.
      if (opsetVersion >= 13 && computedInput1 && operands.size() > 1 && !isa<NoneType>(operands[1].getType())) {
        auto type = dyn_cast<RankedTensorType>(operands[0].getType());
        int64_t axis = 0;
        if (auto a = dyn_cast_or_null<IntegerAttr>(attrs.get("axis")))
          axis = a.getInt();
        if (!type || failed(mlc::onnx::normalizeAxis(axis, type.getRank())))
          return emitError(loc) << "'Split': needs a ranked input and an axis in range";
        return bindOutputs(node, slicesOfSizes(operands[0], operands[1], numResults,
                                               *mlc::onnx::normalizeAxis(axis, type.getRank()), loc));
      }
      if (opsetVersion >= 13 && failed(inputToAttribute(operands, 1, "split", attrs, loc, opType)))
        return failure();
      if (!attrs.get("split")) {
        auto type = dyn_cast<RankedTensorType>(operands[0].getType());
        int64_t axis = 0;
        if (auto a = attrs.get("axis")) axis = cast<IntegerAttr>(a).getInt();
        if (!type || failed(mlc::onnx::normalizeAxis(axis, type.getRank())))
          return emitError(loc) << "'Split': needs a ranked input and an axis in range";
        int64_t at = *mlc::onnx::normalizeAxis(axis, type.getRank());
        SmallVector<int64_t> split;
        if (type.isDynamicDim(at)) {
          // A symbolic dim: the parts' sizes that the outputs declare.
          for (int64_t i = 0; i < node.output_size(); ++i)
            if (auto d = declaredShape(node.output(i)); d && (int64_t)d->size() == type.getRank())
              split.push_back((*d)[at]);
          if ((int64_t)split.size() != node.output_size() || split.empty()) {
            // Else slices of ceil(dim / parts), bounded by the dim, read at
            // run time.
            auto op = opsAt(loc);
            int64_t parts = numResults;
            Value axisV = int64Constant({at}, loc), one = int64Constant({1}, loc);
            Value dim = op("Gather", {op("Shape", {operands[0]}), axisV}, axisAttr(0));
            Value chunk = op("Div", {op("Add", {dim, int64Constant({parts - 1}, loc)}), int64Constant({parts}, loc)});
            SmallVector<Value> results;
            for (int64_t i = 0; i < parts; ++i) {
              Value begin = op("Min", {op("Mul", {chunk, int64Constant({i}, loc)}), dim});
              Value end = op("Min", {op("Add", {begin, chunk}), dim});
              results.push_back(op("Slice", {operands[0], begin, end, axisV, one}));
            }
            return bindOutputs(node, results);
          }
        } else {
          int64_t dim = type.getDimSize(at);
          int64_t parts = numResults, chunk = (dim + parts - 1) / parts;
          for (int64_t i = 0; i < parts; ++i)
            split.push_back(std::max<int64_t>(0, std::min(chunk, dim - i * chunk)));
        }
        attrs.set("split", builder.getI64ArrayAttr(split));
      }
      attrs.erase("num_outputs");
    }
    if (opType == "Clip" && opsetVersion < 11) {
      auto bound = [&](StringRef name) -> Value {
        if (auto a = dyn_cast_or_null<FloatAttr>(attrs.get(name)))
          return constant(DenseElementsAttr::get(RankedTensorType::get({}, builder.getF32Type()), a.getValue()), loc);
        return mlc::onnx::NoneOp::create(builder, loc, builder.getNoneType());
      };
      operands.push_back(bound("min"));
      operands.push_back(bound("max"));
      attrs.erase("min");
      attrs.erase("max");
    }
    if (opType == "Pad" && opsetVersion < 11) {
      if (auto pads = dyn_cast_or_null<ArrayAttr>(attrs.get("pads")))
        operands.push_back(int64Constant(mlc::onnx::getI64s(pads, 0, 0), loc));
      float v = 0;
      if (auto a = dyn_cast_or_null<FloatAttr>(attrs.get("value"))) v = a.getValueAsDouble();
      operands.push_back(constant(DenseElementsAttr::get(RankedTensorType::get({}, builder.getF32Type()), v), loc));
      attrs.erase("pads");
      attrs.erase("value");
    }
    if (opType == "Pad") {
      while (operands.size() < 3)
        operands.push_back(mlc::onnx::NoneOp::create(builder, loc, builder.getNoneType()));
      if (operands.size() > 3 && !isa<NoneType>(operands[3].getType())) {
        // Opset 18's axes: pads name those axes only. The pads of every
        // axis gather them from pads ++ [0] (computed pads too).
        auto type = dyn_cast<RankedTensorType>(operands[0].getType());
        auto axes = mlc::onnx::getConstantInts(operands[3]);
        if (!type || failed(axes))
          return emitError(loc) << "'Pad': with axes, the input must be ranked and axes constant";
        int64_t rank = type.getRank(), n = axes->size();
        SmallVector<int64_t> from(2 * rank, 2 * n); // index 2n: the appended 0
        for (auto [i, axis] : llvm::enumerate(*axes)) {
          int64_t a = axis < 0 ? axis + rank : axis;
          if (a < 0 || a >= rank)
            return emitError(loc) << "'Pad': axis " << axis << " is out of range for rank " << rank;
          from[a] = i;
          from[a + rank] = i + n;
        }
        Value padded = createOne("Concat", {operands[1], int64Constant({0}, loc)}, axisAttr(0), loc);
        operands[1] = createOne("Gather", {padded, int64Constant(from, loc)}, axisAttr(0), loc);
        if (!operands[1])
          return failure();
      }
      operands.resize(3);
    }
    if (opType == "Slice" && opsetVersion < 10) {
      for (StringRef name : {"starts", "ends", "axes"})
        if (auto a = dyn_cast_or_null<ArrayAttr>(attrs.get(name))) {
          operands.push_back(int64Constant(mlc::onnx::getI64s(a, 0, 0), loc));
          attrs.erase(name);
        }
    }
    if ((opType == "Softmax" || opType == "LogSoftmax") && opsetVersion < 13) {
      // Before opset 13 softmax flattened the dims from `axis` on (default 1).
      auto type = dyn_cast<RankedTensorType>(operands[0].getType());
      int64_t axis = 1;
      if (auto a = attrs.get("axis")) axis = cast<IntegerAttr>(a).getInt();
      if (!type || *mlc::onnx::normalizeAxis(axis, type.getRank()) != type.getRank() - 1)
        return emitError(loc) << "'" << opType << "' before opset 13 is supported only on the last axis";
      attrs.set("axis", builder.getI64IntegerAttr(-1));
    }
    if (opType == "Dropout" && node.output_size() > 1 && !node.output(1).empty() &&
        used.contains(node.output(1))) {
      // Inference (training_mode absent or false) keeps every element: the
      // mask is all true. In training mode only ratio 0 is deterministic.
      if (failed(dropoutMask(operands, node.output(1), opType, loc)))
        return failure();
    }
    if (opType == "Dropout")
      numResults = 1;
    if (opType == "MaxPool" && node.output_size() > 1 && !node.output(1).empty() && used.contains(node.output(1)))
      return importMaxPoolWithIndices(node, operands, attrs, loc);
    if (opType == "MaxPool" && failed(refuseUsedOutputsFrom(1, "Indices")))
      return failure();
    if (opType == "BatchNormalization" && opsetVersion >= 14 && intAttr(attrs, "training_mode", 0) != 0)
      return importTrainingBatchNorm(node, operands, attrs, loc);
    if (opType == "BatchNormalization" && failed(refuseUsedOutputsFrom(1, "running mean/var")))
      return failure();
    if (opType == "LayerNormalization") {
      // Y comes from the fused op; the statistics, where used, from their
      // definition (models that read them are rare).
      for (int i = 1; i < node.output_size() && i < 3; ++i)
        if (!node.output(i).empty() && used.contains(node.output(i)) &&
            failed(layerNormStatistics(node, operands, attrs, loc)))
          return failure();
      if (failed(refuseUsedOutputsFrom(3, "fourth")))
        return failure();
      numResults = 1;
    }
    // Inputs an op may leave off at the end are `none`.
    static const llvm::StringMap<unsigned> arity = {
        {"Conv", 3}, {"Gemm", 3}, {"Clip", 3}, {"LayerNormalization", 3},
        {"Dropout", 3}, {"Slice", 5}, {"Trilu", 2}, {"Resize", 4}};
    if (auto it = arity.find(opType); it != arity.end())
      while (operands.size() < it->second)
        operands.push_back(mlc::onnx::NoneOp::create(builder, loc, builder.getNoneType()));
    if (opType == "Dropout" && attrs.get("ratio"))
      attrs.erase("ratio");

    auto results = createOp(castLike ? StringRef("Cast") : opType, operands, attrs, numResults, loc);
    if (failed(results))
      return failure();
    for (unsigned i = 0; i < numResults; ++i)
      if (!node.output(i).empty()) {
        refineWithDeclaredType((*results)[i], node.output(i));
        values[node.output(i)] = (*results)[i];
      }
    return success();
  }
};
} // namespace

OwningOpRef<ModuleOp> mlc::frontend::importONNXModel(StringRef path, const ImportOptions &options,
                                                     MLIRContext *context) {
  context->loadDialect<mlc::onnx::ONNXDialect, func::FuncDialect, arith::ArithDialect, scf::SCFDialect,
                       tensor::TensorDialect>();
  return Importer(context, path, options).run();
}
