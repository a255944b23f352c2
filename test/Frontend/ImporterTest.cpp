//===- ImporterTest.cpp - tests of the ONNX front end ---------------------===//
#include "mlc/Frontend/ONNXImporter.h"

#include "dialects/ONNX/ONNXDialect.h"
#include "onnx.pb.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <fstream>
#include <gtest/gtest.h>

using namespace mlir;

namespace {

/// Sets graph input or output `v` to `name`, of element type `elemType` and
/// the given dims.
void addValue(::onnx::ValueInfoProto *v, const std::string &name, int elemType,
              std::vector<int64_t> dims) {
  v->set_name(name);
  auto *tt = v->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(elemType);
  for (int64_t d : dims)
    tt->mutable_shape()->add_dim()->set_dim_value(d);
}

/// A scratch folder removed at the end of each test.
class ImporterTest : public ::testing::Test {
protected:
  void SetUp() override {
    llvm::SmallString<128> path;
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("mlc-frontend-test", path));
    dir = path.str().str();
  }
  void TearDown() override { llvm::sys::fs::remove_directories(dir); }

  std::string write(const std::string &name, const std::string &bytes) {
    std::string path = dir + "/" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  /// Imports `path`, returning whether it worked and the diagnostics.
  bool import(const std::string &path, std::string &messages,
              mlc::frontend::ImportOptions options = {}) {
    MLIRContext ctx;
    ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
      std::string loc;
      llvm::raw_string_ostream os(loc);
      d.getLocation().print(os);
      messages += os.str() + ": " + d.str() + "\n";
      return success();
    });
    return static_cast<bool>(mlc::frontend::importONNXModel(path, options, &ctx));
  }

  /// A one-node model: y = OpType(x) on a float [2, 3] input.
  std::string oneNodeModel(const std::string &opType) {
    ::onnx::ModelProto model;
    model.set_ir_version(8);
    model.add_opset_import()->set_version(17);
    auto *graph = model.mutable_graph();
    auto *input = graph->add_input();
    input->set_name("x");
    auto *tt = input->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(1);
    tt->mutable_shape()->add_dim()->set_dim_value(2);
    tt->mutable_shape()->add_dim()->set_dim_value(3);
    auto *node = graph->add_node();
    node->set_op_type(opType);
    node->set_name("the_node");
    node->add_input("x");
    node->add_output("y");
    graph->add_output()->set_name("y");
    return model.SerializeAsString();
  }

  /// Imports `model` and returns the onnx op names of `forward` in order
  /// (constants left out), or the diagnostics on failure.
  /// The onnx ops of the imported `forward`, by name without the prefix;
  /// `otherOps` collects the other dialects' ops (scf.for, ...).
  std::vector<std::string> importedOps(const ::onnx::ModelProto &model, std::string &messages,
                                       std::vector<std::string> *resultTypes = nullptr,
                                       std::vector<std::string> *otherOps = nullptr) {
    std::string path = write("model.onnx", model.SerializeAsString());
    MLIRContext ctx;
    ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
      messages += d.str() + "\n";
      return success();
    });
    auto module = mlc::frontend::importONNXModel(path, {}, &ctx);
    std::vector<std::string> ops;
    if (!module)
      return ops;
    auto forward = module->lookupSymbol<func::FuncOp>("forward");
    forward.walk([&](Operation *op) {
      StringRef name = op->getName().getStringRef();
      if (name.starts_with("onnx.") && name != "onnx.Constant" && name != "onnx.none")
        ops.push_back(name.drop_front(5).str());
      else if (otherOps && !name.starts_with("onnx.") && !isa<func::FuncOp>(op))
        otherOps->push_back(name.str());
    });
    if (resultTypes)
      for (Type t : forward.getResultTypes()) {
        std::string text;
        llvm::raw_string_ostream os(text);
        t.print(os);
        resultTypes->push_back(os.str());
      }
    return ops;
  }

  std::string dir;
};

TEST_F(ImporterTest, ImportsTheExampleModel) {
  MLIRContext ctx;
  auto module = mlc::frontend::importONNXModel(MLC_EXAMPLE_MODEL, {}, &ctx);
  ASSERT_TRUE(module);
  auto forward = module->lookupSymbol<func::FuncOp>("forward");
  ASSERT_TRUE(forward);
  EXPECT_EQ(forward.getNumArguments(), 1u);
  auto names = forward->getAttrOfType<ArrayAttr>("mlc.input_names");
  ASSERT_TRUE(names);
  EXPECT_EQ(cast<StringAttr>(names[0]).getValue(), "input");
  // Every op carries its ONNX node's name.
  int convs = 0;
  forward.walk([&](mlc::onnx::ConvOp conv) {
    EXPECT_TRUE(isa<NameLoc>(conv.getLoc()));
    ++convs;
  });
  EXPECT_EQ(convs, 3);
}

TEST_F(ImporterTest, TruncatedModelIsAnError) {
  std::ifstream in(MLC_EXAMPLE_MODEL, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 1000u);
  std::string path = write("truncated.onnx", bytes.substr(0, bytes.size() / 2));
  std::string messages;
  EXPECT_FALSE(import(path, messages));
  EXPECT_NE(messages.find("not a valid ONNX model"), std::string::npos) << messages;
  EXPECT_NE(messages.find("truncated.onnx"), std::string::npos) << messages;
}

TEST_F(ImporterTest, NonONNXFileIsAnError) {
  std::string path = write("text.onnx", "this is not a model at all\n");
  std::string messages;
  EXPECT_FALSE(import(path, messages));
  EXPECT_NE(messages.find("not a valid ONNX model"), std::string::npos) << messages;
}

TEST_F(ImporterTest, UnknownOperatorNamesNodeAndOperator) {
  std::string path = write("unknown.onnx", oneNodeModel("FrobnicateTensor"));
  std::string messages;
  EXPECT_FALSE(import(path, messages));
  EXPECT_NE(messages.find("FrobnicateTensor"), std::string::npos) << messages;
  EXPECT_NE(messages.find("the_node"), std::string::npos) << messages;
}

TEST_F(ImporterTest, KnownOperatorImports) {
  std::string path = write("relu.onnx", oneNodeModel("Relu"));
  std::string messages;
  EXPECT_TRUE(import(path, messages)) << messages;
}

/// A model of one loss node: scores [2, 5, 3] and int64 labels [2, 3].
::onnx::ModelProto lossModel(const std::string &opType, const std::string &reduction,
                             bool weights, bool ignoreIndex, int outputs) {
  ::onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(13);
  auto *graph = model.mutable_graph();
  addValue(graph->add_input(), "x", 1, {2, 5, 3});
  addValue(graph->add_input(), "t", 7, {2, 3});
  auto *node = graph->add_node();
  node->set_op_type(opType);
  node->set_name("loss");
  node->add_input("x");
  node->add_input("t");
  if (weights) {
    addValue(graph->add_input(), "w", 1, {5});
    node->add_input("w");
  }
  auto *r = node->add_attribute();
  r->set_name("reduction");
  r->set_type(::onnx::AttributeProto::STRING);
  r->set_s(reduction);
  if (ignoreIndex) {
    auto *ii = node->add_attribute();
    ii->set_name("ignore_index");
    ii->set_type(::onnx::AttributeProto::INT);
    ii->set_i(-1);
  }
  for (int i = 0; i < outputs; ++i) {
    node->add_output(i == 0 ? "loss_value" : "log_prob");
    graph->add_output()->set_name(i == 0 ? "loss_value" : "log_prob");
  }
  return model;
}

TEST_F(ImporterTest, LossOperatorsExpandIntoOtherOps) {
  std::string messages;
  std::vector<std::string> types;
  // Mean over the weights of the targets that are not ignore_index.
  auto ops = importedOps(lossModel("SoftmaxCrossEntropyLoss", "mean", true, true, 2), messages,
                         &types);
  std::vector<std::string> expected = {"LogSoftmax", "Equal", "Where", "Unsqueeze",
                                       "GatherElements", "Squeeze", "Neg", "Gather", "Mul",
                                       "Where", "Where", "ReduceSum", "ReduceSum", "Div"};
  EXPECT_EQ(ops, expected) << messages;
  EXPECT_EQ(types, (std::vector<std::string>{"tensor<f32>", "tensor<2x5x3xf32>"}));

  // No weights, no ignore_index: the plain mean; 'none' keeps [N, d].
  messages.clear();
  types.clear();
  ops = importedOps(lossModel("NegativeLogLikelihoodLoss", "mean", false, false, 1), messages);
  expected = {"Unsqueeze", "GatherElements", "Squeeze", "Neg", "ReduceMean"};
  EXPECT_EQ(ops, expected) << messages;
  ops = importedOps(lossModel("NegativeLogLikelihoodLoss", "none", true, false, 1), messages,
                    &types);
  expected = {"Unsqueeze", "GatherElements", "Squeeze", "Neg", "Gather", "Mul"};
  EXPECT_EQ(ops, expected) << messages;
  EXPECT_EQ(types, (std::vector<std::string>{"tensor<2x3xf32>"}));

  // Errors name the node and what is wrong.
  messages.clear();
  ops = importedOps(lossModel("NegativeLogLikelihoodLoss", "average", false, false, 1), messages);
  EXPECT_TRUE(ops.empty());
  EXPECT_NE(messages.find("unknown reduction 'average'"), std::string::npos) << messages;
  messages.clear();
  importedOps(lossModel("NegativeLogLikelihoodLoss", "sum", false, false, 2), messages);
  EXPECT_NE(messages.find("'NegativeLogLikelihoodLoss' has one output"), std::string::npos)
      << messages;
}

TEST_F(ImporterTest, DropoutMaskIsAllTrueAtInference) {
  ::onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(13);
  auto *graph = model.mutable_graph();
  addValue(graph->add_input(), "x", 1, {2, 3});
  auto *node = graph->add_node();
  node->set_op_type("Dropout");
  node->add_input("x");
  node->add_output("y");
  node->add_output("mask");
  graph->add_output()->set_name("y");
  graph->add_output()->set_name("mask");
  std::string messages;
  std::vector<std::string> types;
  importedOps(model, messages, &types);
  EXPECT_EQ(types, (std::vector<std::string>{"tensor<2x3xf32>", "tensor<2x3xi1>"})) << messages;
  // Training mode with the default ratio (0.5) drops at random: refused.
  addValue(graph->add_input(), "training", 9, {});
  node->add_input("");
  node->add_input("training");
  messages.clear();
  importedOps(model, messages);
  EXPECT_NE(messages.find("training mode with a nonzero ratio is random"), std::string::npos)
      << messages;
}

/// ReduceSum (opset 13) of a [3, 2, 2] input whose axes are a graph input,
/// with the output declared as `out`.
::onnx::ModelProto reduceWithComputedAxes(std::vector<int64_t> out, int64_t keepdims,
                                          const std::string &opType = "ReduceSum") {
  ::onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(18);
  auto *graph = model.mutable_graph();
  addValue(graph->add_input(), "x", 1, {3, 2, 2});
  addValue(graph->add_input(), "axes", 7, {1});
  auto *node = graph->add_node();
  node->set_op_type(opType);
  node->set_name("reduce");
  node->add_input("x");
  node->add_input("axes");
  node->add_output("y");
  auto *k = node->add_attribute();
  k->set_name("keepdims");
  k->set_type(::onnx::AttributeProto::INT);
  k->set_i(keepdims);
  addValue(graph->add_output(), "y", 1, out);
  return model;
}

TEST_F(ImporterTest, ComputedReduceAxesComeFromTheDeclaredShape) {
  std::string messages;
  std::vector<std::string> types;
  // keepdims: the dims the output has as 1 and the input does not.
  auto ops = importedOps(reduceWithComputedAxes({3, 1, 2}, 1), messages, &types);
  EXPECT_EQ(ops, std::vector<std::string>{"ReduceSum"}) << messages;
  EXPECT_EQ(types, std::vector<std::string>{"tensor<3x1x2xf32>"});
  // Without keepdims, [3, 2] could drop either dim of size 2: both are
  // computed and the axes input picks one at run time (two candidates and
  // the match count are ReduceSums; Where normalizes negative axes and picks).
  messages.clear();
  types.clear();
  ops = importedOps(reduceWithComputedAxes({3, 2}, 0), messages, &types);
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "ReduceSum"), 3) << messages;
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "Where"), 2) << messages;
  EXPECT_EQ(types, std::vector<std::string>{"tensor<3x2xf32>"});
  // ... while [2, 2] can only drop the first.
  messages.clear();
  types.clear();
  ops = importedOps(reduceWithComputedAxes({2, 2}, 0), messages, &types);
  EXPECT_EQ(ops, std::vector<std::string>{"ReduceSum"}) << messages;
  EXPECT_EQ(types, std::vector<std::string>{"tensor<2x2xf32>"});
  // Nothing reduced: the identity for ReduceSum, ambiguous for ReduceL1
  // (|x| if the axes named dims of size 1, x if they were empty).
  messages.clear();
  ops = importedOps(reduceWithComputedAxes({3, 2, 2}, 1, "ReduceL1"), messages);
  EXPECT_TRUE(ops.empty());
  EXPECT_NE(messages.find("does not determine it"), std::string::npos) << messages;
}

/// ConvTranspose of x (dims; a negative one symbolic) by constant weights
/// [4, 3, 3, 3], stride 2, pads 1.
::onnx::ModelProto convTransposeModel(std::vector<int64_t> xDims) {
  ::onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(13);
  auto *graph = model.mutable_graph();
  addValue(graph->add_input(), "x", 1, xDims);
  auto *shape = graph->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape();
  for (size_t i = 0; i < xDims.size(); ++i)
    if (xDims[i] < 0)
      shape->mutable_dim((int)i)->set_dim_param("d" + std::to_string(i));
  auto *w = graph->add_initializer();
  w->set_name("w");
  w->set_data_type(1);
  for (int64_t d : {4, 3, 3, 3})
    w->add_dims(d);
  for (int i = 0; i < 4 * 3 * 3 * 3; ++i)
    w->add_float_data(0.01f * i);
  auto *node = graph->add_node();
  node->set_op_type("ConvTranspose");
  node->add_input("x");
  node->add_input("w");
  node->add_output("y");
  for (const char *name : {"strides", "pads"}) {
    auto *a = node->add_attribute();
    a->set_name(name);
    a->set_type(::onnx::AttributeProto::INTS);
    for (int64_t v : std::string(name) == "strides" ? std::vector<int64_t>{2, 2}
                                                    : std::vector<int64_t>{1, 1, 1, 1})
      a->add_ints(v);
  }
  graph->add_output()->set_name("y");
  return model;
}

TEST_F(ImporterTest, ConvTransposeBecomesAConvolution) {
  // X [1, 4, 5, 5]: the input dilated to 10x10 (zeros between; the conv's
  // end padding, 2 - 1, absorbs the extra zero), convolved at stride 1 with
  // the weights regrouped and reversed (Transpose, Reshape, Slice of the
  // constant: folded into a new constant), cropped by the pads.
  std::string messages;
  std::vector<std::string> types;
  auto ops = importedOps(convTransposeModel({1, 4, 5, 5}), messages, &types);
  std::vector<std::string> expected = {"Unsqueeze", "Pad", "Reshape", "Conv", "Slice"};
  EXPECT_EQ(ops, expected) << messages;
  // (5 - 1) * 2 + 3 = 11, minus the pads: 9.
  EXPECT_EQ(types, std::vector<std::string>{"tensor<1x3x9x9xf32>"});
  // A run-time batch (Mask R-CNN's rois) stays one: the dilation's Reshape
  // copies it (0).
  types.clear();
  ops = importedOps(convTransposeModel({-1, 4, 5, 5}), messages, &types);
  EXPECT_EQ(ops, expected) << messages;
  EXPECT_EQ(types, std::vector<std::string>{"tensor<?x3x9x9xf32>"});
  // A run-time spatial dim keeps the op (it lowers to a gather); the other
  // spatial dim is still known: (5 - 1) * 2 + 3 - 2 = 9.
  types.clear();
  ops = importedOps(convTransposeModel({1, 4, -1, 5}), messages, &types);
  EXPECT_EQ(ops, std::vector<std::string>{"ConvTranspose"}) << messages;
  EXPECT_EQ(types, std::vector<std::string>{"tensor<1x3x?x9xf32>"});
  // Ranks that do not match are refused, naming the types.
  messages.clear();
  ops = importedOps(convTransposeModel({4, -1, 5}), messages);
  EXPECT_TRUE(ops.empty());
  EXPECT_NE(messages.find("of one rank >= 3; got 'tensor<4x?x5xf32>'"), std::string::npos) << messages;
}

TEST_F(ImporterTest, LpPoolIsAnAveragePoolOfPowers) {
  // p = 2: sqrt(window size * AveragePool(|x|^2) counting the padding).
  ::onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(18);
  auto *graph = model.mutable_graph();
  addValue(graph->add_input(), "x", 1, {1, 2, 6, 6});
  auto *node = graph->add_node();
  node->set_op_type("LpPool");
  node->add_input("x");
  node->add_output("y");
  auto *k = node->add_attribute();
  k->set_name("kernel_shape");
  k->set_type(::onnx::AttributeProto::INTS);
  k->add_ints(3);
  k->add_ints(3);
  graph->add_output()->set_name("y");
  std::string messages;
  std::vector<std::string> types;
  auto ops = importedOps(model, messages, &types);
  std::vector<std::string> expected = {"Abs", "Mul", "AveragePool", "Mul", "Sqrt"};
  EXPECT_EQ(ops, expected) << messages;
  EXPECT_EQ(types, std::vector<std::string>{"tensor<1x2x4x4xf32>"});
}

/// An RNN node over X [5, 2, 3] with hidden size 4, W/R as graph inputs,
/// and optionally sequence_lens as a graph input.
::onnx::ModelProto rnnModel(const std::string &direction, bool lens) {
  ::onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(14);
  auto *graph = model.mutable_graph();
  int64_t dirs = direction == "bidirectional" ? 2 : 1;
  addValue(graph->add_input(), "x", 1, {5, 2, 3});
  addValue(graph->add_input(), "w", 1, {dirs, 4, 3});
  addValue(graph->add_input(), "r", 1, {dirs, 4, 4});
  auto *node = graph->add_node();
  node->set_op_type("RNN");
  node->set_name("rnn");
  for (const char *in : {"x", "w", "r", ""})
    node->add_input(in);
  if (lens) {
    addValue(graph->add_input(), "lens", 6, {2});
    node->add_input("lens");
  }
  node->add_output("y");
  auto *h = node->add_attribute();
  h->set_name("hidden_size");
  h->set_type(::onnx::AttributeProto::INT);
  h->set_i(4);
  auto *d = node->add_attribute();
  d->set_name("direction");
  d->set_type(::onnx::AttributeProto::STRING);
  d->set_s(direction);
  graph->add_output()->set_name("y");
  return model;
}

TEST_F(ImporterTest, RecurrentOpsUnrollOverTheSequence) {
  std::string messages;
  std::vector<std::string> types;
  auto ops = importedOps(rnnModel("bidirectional", false), messages, &types);
  // One Tanh per step and direction; Y is [seq, directions, batch, hidden].
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "Tanh"), 10) << messages;
  EXPECT_EQ(types, std::vector<std::string>{"tensor<5x2x2x4xf32>"});
  // Run-time sequence lengths mask the steps, forward only.
  messages.clear();
  ops = importedOps(rnnModel("forward", true), messages);
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "Less"), 5) << messages;
  messages.clear();
  ops = importedOps(rnnModel("reverse", true), messages);
  EXPECT_TRUE(ops.empty());
  EXPECT_NE(messages.find("sequence_lens other than the full length needs direction forward"),
            std::string::npos)
      << messages;
}

/// An Attention node (opset 23) over Q [2, 4, 3, 8], K/V [2, 2, 5, 8] (or
/// 3-d [batch, seq, heads * 8] with `threeD`) of element type `elemType`,
/// with the given int attributes.
::onnx::ModelProto attentionModel(bool threeD, int elemType,
                                  std::vector<std::pair<std::string, int64_t>> ints) {
  ::onnx::ModelProto model;
  model.set_ir_version(10);
  model.add_opset_import()->set_version(23);
  auto *graph = model.mutable_graph();
  if (threeD) {
    addValue(graph->add_input(), "q", elemType, {2, 3, 32});
    addValue(graph->add_input(), "k", elemType, {2, 5, 16});
    addValue(graph->add_input(), "v", elemType, {2, 5, 16});
    ints.push_back({"q_num_heads", 4});
    ints.push_back({"kv_num_heads", 2});
  } else {
    addValue(graph->add_input(), "q", elemType, {2, 4, 3, 8});
    addValue(graph->add_input(), "k", elemType, {2, 2, 5, 8});
    addValue(graph->add_input(), "v", elemType, {2, 2, 5, 8});
  }
  auto *node = graph->add_node();
  node->set_op_type("Attention");
  for (const char *in : {"q", "k", "v"})
    node->add_input(in);
  for (const char *out : {"y", "", "", "qk"})
    node->add_output(out);
  for (auto &[name, value] : ints) {
    auto *a = node->add_attribute();
    a->set_name(name);
    a->set_type(::onnx::AttributeProto::INT);
    a->set_i(value);
  }
  graph->add_output()->set_name("y");
  graph->add_output()->set_name("qk");
  return model;
}

TEST_F(ImporterTest, AttentionExpandsIntoMatMulsAndSoftmax) {
  // Grouped queries: each of the 2 K/V heads is repeated for 2 query heads.
  std::string messages;
  std::vector<std::string> types;
  auto ops = importedOps(attentionModel(false, 1, {{"qk_matmul_output_mode", 3}}), messages, &types);
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "MatMul"), 2) << messages;
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "Softmax"), 1) << messages;
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "Expand"), 2) << messages;
  EXPECT_EQ(types, (std::vector<std::string>{"tensor<2x4x3x8xf32>", "tensor<2x4x3x5xf32>"}));
  // 3-d inputs: heads split off and joined again; causal adds a constant bias.
  messages.clear();
  types.clear();
  ops = importedOps(attentionModel(true, 1, {{"is_causal", 1}}), messages, &types);
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "Add"), 1) << messages;
  EXPECT_EQ(types, (std::vector<std::string>{"tensor<2x3x32xf32>", "tensor<2x4x3x5xf32>"}));
  // Half precision is computed in float32 and rounded at the end.
  messages.clear();
  types.clear();
  ops = importedOps(attentionModel(false, 10, {}), messages, &types);
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "Cast"), 5) << messages;
  EXPECT_EQ(types, (std::vector<std::string>{"tensor<2x4x3x8xf16>", "tensor<2x4x3x5xf16>"}));
  // Bad attributes name the problem.
  messages.clear();
  ops = importedOps(attentionModel(false, 1, {{"qk_matmul_output_mode", 7}}), messages);
  EXPECT_TRUE(ops.empty());
  EXPECT_NE(messages.find("qk_matmul_output_mode must be 0, 1, 2 or 3"), std::string::npos) << messages;
}

TEST_F(ImporterTest, CenterCropPadCropsAndPadsAroundTheMiddle) {
  // [5, 4] to [3, 7]: rows 1..3, columns padded 1 in front and 2 behind.
  ::onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(18);
  auto *graph = model.mutable_graph();
  addValue(graph->add_input(), "x", 1, {5, 4});
  auto *shape = graph->add_initializer();
  shape->set_name("shape");
  shape->set_data_type(7);
  shape->add_dims(2);
  shape->add_int64_data(3);
  shape->add_int64_data(7);
  auto *node = graph->add_node();
  node->set_op_type("CenterCropPad");
  node->add_input("x");
  node->add_input("shape");
  node->add_output("y");
  graph->add_output()->set_name("y");
  std::string messages;
  std::vector<std::string> types;
  auto ops = importedOps(model, messages, &types);
  EXPECT_EQ(ops, (std::vector<std::string>{"Pad", "Slice"})) << messages;
  EXPECT_EQ(types, std::vector<std::string>{"tensor<3x7xf32>"});
}

/// A one-node model of `opType` over float inputs `inputs` (name, dims),
/// with int attributes `ints`, and output y.
::onnx::ModelProto nodeModel(const std::string &opType, int opset,
                             std::vector<std::pair<std::string, std::vector<int64_t>>> inputs,
                             std::vector<std::pair<std::string, int64_t>> ints) {
  ::onnx::ModelProto model;
  model.set_ir_version(10);
  model.add_opset_import()->set_version(opset);
  auto *graph = model.mutable_graph();
  auto *node = graph->add_node();
  node->set_op_type(opType);
  for (auto &[name, dims] : inputs) {
    addValue(graph->add_input(), name, name == "positions" ? 7 : 1, dims);
    node->add_input(name);
  }
  node->add_output("y");
  for (auto &[name, value] : ints) {
    auto *a = node->add_attribute();
    a->set_name(name);
    a->set_type(::onnx::AttributeProto::INT);
    a->set_i(value);
  }
  graph->add_output()->set_name("y");
  return model;
}

TEST_F(ImporterTest, FlexAttentionExpandsWithItsModifiers) {
  // Grouped queries (8 query heads over 2 key/value heads): K and V are
  // repeated by Expand and Reshape; the score_mod subgraph runs on the
  // scaled scores before the softmax.
  auto model = nodeModel("FlexAttention", 26, {{"q", {1, 8, 4, 16}}, {"k", {1, 2, 6, 16}}, {"v", {1, 2, 6, 16}}}, {});
  model.mutable_graph()->mutable_node(0)->set_domain("ai.onnx.preview");
  auto *preview = model.add_opset_import();
  preview->set_domain("ai.onnx.preview");
  preview->set_version(1);
  auto *mod = model.mutable_graph()->mutable_node(0)->add_attribute();
  mod->set_name("score_mod");
  mod->set_type(::onnx::AttributeProto::GRAPH);
  addValue(mod->mutable_g()->add_input(), "s", 1, {1, 8, 4, 6});
  auto *neg = mod->mutable_g()->add_node();
  neg->set_op_type("Neg");
  neg->add_input("s");
  neg->add_output("t");
  mod->mutable_g()->add_output()->set_name("t");
  std::string messages;
  std::vector<std::string> types;
  auto ops = importedOps(model, messages, &types);
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "Expand"), 2) << messages;
  for (const char *name : {"Neg", "Softmax"})
    EXPECT_EQ(std::count(ops.begin(), ops.end(), name), 1) << name << "\n" << messages;
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "MatMul"), 2) << messages;
  EXPECT_EQ(types, std::vector<std::string>{"tensor<1x8x4x16xf32>"});
  // An attribute the definition does not have is refused by name.
  auto *extra = model.mutable_graph()->mutable_node(0)->add_attribute();
  extra->set_name("softcap");
  extra->set_type(::onnx::AttributeProto::FLOAT);
  messages.clear();
  EXPECT_TRUE(importedOps(model, messages).empty());
  EXPECT_NE(messages.find("attribute 'softcap' is not supported"), std::string::npos) << messages;
}

TEST_F(ImporterTest, NormalizationsExpandIntoReductions) {
  // LRN: the channel window's sum of squares is an AveragePool over [N, 1, C, H*W].
  std::string messages;
  std::vector<std::string> types;
  auto ops = importedOps(nodeModel("LRN", 13, {{"x", {1, 6, 2, 3}}}, {{"size", 3}}), messages, &types);
  EXPECT_EQ(ops, (std::vector<std::string>{"Mul", "Reshape", "AveragePool", "Reshape", "Mul", "Add",
                                           "Pow", "Div"}))
      << messages;
  EXPECT_EQ(types, std::vector<std::string>{"tensor<1x6x2x3xf32>"});
  // GroupNormalization (opset 21: per-channel scale and bias).
  messages.clear();
  types.clear();
  ops = importedOps(nodeModel("GroupNormalization", 21, {{"x", {2, 6, 4}}, {"scale", {6}}, {"bias", {6}}},
                              {{"num_groups", 3}}),
                    messages, &types);
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "ReduceMean"), 2) << messages;
  EXPECT_EQ(types, std::vector<std::string>{"tensor<2x6x4xf32>"});
  // Groups must divide the channels.
  messages.clear();
  ops = importedOps(nodeModel("GroupNormalization", 21, {{"x", {2, 6, 4}}, {"scale", {6}}, {"bias", {6}}},
                              {{"num_groups", 4}}),
                    messages);
  EXPECT_TRUE(ops.empty());
  EXPECT_NE(messages.find("num_groups dividing the channels"), std::string::npos) << messages;
}

TEST_F(ImporterTest, RotaryEmbeddingRotatesPairsOfFeatures) {
  // Interleaved over the first 4 of 8 features, caches gathered by position.
  std::string messages;
  std::vector<std::string> types;
  auto ops = importedOps(nodeModel("RotaryEmbedding", 23,
                                   {{"x", {2, 3, 5, 8}}, {"cos", {16, 2}}, {"sin", {16, 2}}, {"positions", {2, 5}}},
                                   {{"interleaved", 1}, {"rotary_embedding_dim", 4}}),
                         messages, &types);
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "Gather"), 2) << messages;
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "Slice"), 3) << messages;
  EXPECT_EQ(types, std::vector<std::string>{"tensor<2x3x5x8xf32>"});
  messages.clear();
  ops = importedOps(nodeModel("RotaryEmbedding", 23, {{"x", {2, 3, 5, 8}}, {"cos", {2, 5, 3}}, {"sin", {2, 5, 3}}},
                              {{"rotary_embedding_dim", 3}}),
                    messages);
  EXPECT_TRUE(ops.empty());
  EXPECT_NE(messages.find("rotary_embedding_dim must be even"), std::string::npos) << messages;
}

TEST_F(ImporterTest, QuantizationOpsExpandIntoIntegerArithmetic) {
  // QuantizeLinear to int8 per axis: divide, round, add the zero point,
  // clamp to [-128, 127], convert.
  ::onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(13);
  auto *graph = model.mutable_graph();
  addValue(graph->add_input(), "x", 1, {2, 4});
  addValue(graph->add_input(), "s", 1, {4});
  addValue(graph->add_input(), "z", 3, {4});
  auto *node = graph->add_node();
  node->set_op_type("QuantizeLinear");
  for (const char *in : {"x", "s", "z"})
    node->add_input(in);
  node->add_output("y");
  graph->add_output()->set_name("y");
  std::string messages;
  std::vector<std::string> types;
  auto ops = importedOps(model, messages, &types);
  EXPECT_EQ(ops, (std::vector<std::string>{"Reshape", "Reshape", "Cast", "Div", "Round", "Add", "Clip", "Cast"}))
      << messages;
  EXPECT_EQ(types, std::vector<std::string>{"tensor<2x4xi8>"});
  // A per-axis scale must match the axis.
  graph->mutable_input(1)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(0)->set_dim_value(3);
  messages.clear();
  EXPECT_TRUE(importedOps(model, messages).empty());
  EXPECT_NE(messages.find("one value per index of axis 1"), std::string::npos) << messages;
  // Float8 outputs are a division and a saturating cast, with no rounding
  // or clamping of their own.
  messages.clear();
  types.clear();
  graph->mutable_input(1)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(0)->set_dim_value(4);
  node->mutable_input()->RemoveLast();
  auto *dtype = node->add_attribute();
  dtype->set_name("output_dtype");
  dtype->set_type(::onnx::AttributeProto::INT);
  dtype->set_i(17);
  model.mutable_opset_import(0)->set_version(21);
  EXPECT_EQ(importedOps(model, messages, &types), (std::vector<std::string>{"Reshape", "Div", "Cast"})) << messages;
  EXPECT_EQ(types, std::vector<std::string>{"tensor<2x4xf8E4M3FN>"});
  // Types with no quantized form are refused by name.
  messages.clear();
  dtype->set_i(14); // complex64
  EXPECT_TRUE(importedOps(model, messages).empty());
  EXPECT_NE(messages.find("output_dtype 14 is not a supported element type"), std::string::npos) << messages;
}

TEST_F(ImporterTest, PackedInt4InitializersAreUnpacked) {
  // int4 [-1, 7, -8] packs low nibble first: 0x7f, 0x08.
  ::onnx::ModelProto model;
  model.set_ir_version(10);
  model.add_opset_import()->set_version(21);
  auto *graph = model.mutable_graph();
  auto *w = graph->add_initializer();
  w->set_name("w");
  w->set_data_type(22);
  w->add_dims(3);
  w->set_raw_data(std::string("\x7f\x08", 2));
  auto *node = graph->add_node();
  node->set_op_type("Cast");
  node->add_input("w");
  node->add_output("y");
  auto *to = node->add_attribute();
  to->set_name("to");
  to->set_type(::onnx::AttributeProto::INT);
  to->set_i(1);
  graph->add_output()->set_name("y");
  std::string path = write("model.onnx", model.SerializeAsString());
  MLIRContext ctx;
  std::string messages;
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
    messages += d.str() + "\n";
    return success();
  });
  {
    auto module = mlc::frontend::importONNXModel(path, {}, &ctx);
    ASSERT_TRUE(module) << messages;
    std::string text;
    llvm::raw_string_ostream os(text);
    module->print(os);
    EXPECT_NE(text.find("dense<[-1, 7, -8]> : tensor<3xi4>"), std::string::npos) << text;
  }
  // Three values need two bytes.
  w->set_raw_data(std::string("\x7f", 1));
  path = write("model.onnx", model.SerializeAsString());
  EXPECT_FALSE(mlc::frontend::importONNXModel(path, {}, &ctx));
  EXPECT_NE(messages.find("tensor 'w' has 1 bytes of data but its shape needs 2"), std::string::npos) << messages;
}

TEST_F(ImporterTest, DetExpandsAlongTheFirstRowUpToFiveByFive) {
  // 3 x 3: 3 products of an element and a 2 x 2 minor (2 products each).
  std::string messages;
  std::vector<std::string> types;
  auto ops = importedOps(nodeModel("Det", 22, {{"x", {4, 3, 3}}}, {}), messages, &types);
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "Mul"), 9) << messages;
  EXPECT_EQ(types, std::vector<std::string>{"tensor<4xf32>"});
  messages.clear();
  ops = importedOps(nodeModel("Det", 22, {{"x", {6, 6}}}, {}), messages);
  EXPECT_TRUE(ops.empty());
  EXPECT_NE(messages.find("at most 5 x 5"), std::string::npos) << messages;
}

/// A Loop over y [2] with a trip count of 3 (or the graph input `m`: known
/// only at run time) whose body's condition is `condition` of the iteration
/// number and the graph input `limit`.
::onnx::ModelProto loopModel(bool earlyExit, bool runtimeTrips = false) {
  ::onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(16);
  auto *graph = model.mutable_graph();
  addValue(graph->add_input(), "y0", 1, {2});
  addValue(graph->add_input(), "limit", 7, {});
  if (runtimeTrips) {
    auto *m = graph->add_input();
    addValue(m, "m", 7, {});
    m->mutable_type()->mutable_tensor_type()->mutable_shape(); // a scalar
  } else {
    auto *m = graph->add_initializer();
    m->set_name("m");
    m->set_data_type(7);
    m->add_int64_data(3);
  }
  auto *c = graph->add_initializer();
  c->set_name("c");
  c->set_data_type(9);
  c->add_int32_data(1);
  auto *node = graph->add_node();
  node->set_op_type("Loop");
  for (const char *in : {"m", "c", "y0"})
    node->add_input(in);
  node->add_output("y");
  auto *a = node->add_attribute();
  a->set_name("body");
  a->set_type(::onnx::AttributeProto::GRAPH);
  auto *body = a->mutable_g();
  addValue(body->add_input(), "i", 7, {});
  addValue(body->add_input(), "c_in", 9, {});
  addValue(body->add_input(), "y_in", 1, {2});
  auto *cond = body->add_node();
  cond->set_op_type(earlyExit ? "Less" : "Identity");
  cond->add_input(earlyExit ? "i" : "c_in");
  if (earlyExit)
    cond->add_input("limit");
  cond->add_output("c_out");
  auto *add = body->add_node();
  add->set_op_type("Add");
  add->add_input("y_in");
  add->add_input("y_in");
  add->add_output("y_out");
  body->add_output()->set_name("c_out");
  body->add_output()->set_name("y_out");
  graph->add_output()->set_name("y");
  return model;
}

TEST_F(ImporterTest, LoopsUnrollAndRefuseComputedEarlyExits) {
  std::string messages;
  std::vector<std::string> types;
  auto ops = importedOps(loopModel(false), messages, &types);
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "Add"), 3) << messages;
  EXPECT_EQ(types, std::vector<std::string>{"tensor<2xf32>"});
  messages.clear();
  ops = importedOps(loopModel(true), messages);
  EXPECT_TRUE(ops.empty());
  EXPECT_NE(messages.find("early exit is not supported"), std::string::npos) << messages;
}

TEST_F(ImporterTest, LoopsOfRunTimeTripCountAreRealLoops) {
  // The body once, inside an scf.for whose trip count is read from m (a
  // computed initial condition would be read too; c is a constant true);
  // y is its loop-carried value.
  std::string messages;
  std::vector<std::string> types, others;
  auto ops = importedOps(loopModel(false, true), messages, &types, &others);
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "Add"), 1) << messages;
  EXPECT_EQ(std::count(others.begin(), others.end(), "scf.for"), 1) << messages;
  EXPECT_EQ(std::count(others.begin(), others.end(), "tensor.extract"), 1) << messages; // m (c is true)
  EXPECT_EQ(types, std::vector<std::string>{"tensor<2xf32>"});
  // A condition the body computes is still refused, naming the reason.
  messages.clear();
  ops = importedOps(loopModel(true, true), messages);
  EXPECT_TRUE(ops.empty());
  EXPECT_NE(messages.find("early exit is not supported"), std::string::npos) << messages;
}

TEST_F(ImporterTest, SequencesOfKnownLengthAreListsOfTensors) {
  // x [4, 3] split into pieces of 2 rows, stacked on a new axis 1: [2, 2, 3].
  ::onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(12);
  auto *graph = model.mutable_graph();
  addValue(graph->add_input(), "x", 1, {4, 3});
  auto *two = graph->add_initializer();
  two->set_name("two");
  two->set_data_type(7);
  two->add_int64_data(2);
  auto *split = graph->add_node();
  split->set_op_type("SplitToSequence");
  split->add_input("x");
  split->add_input("two");
  split->add_output("seq");
  auto *concat = graph->add_node();
  concat->set_op_type("ConcatFromSequence");
  concat->add_input("seq");
  concat->add_output("y");
  for (auto [name, value] : {std::pair<const char *, int64_t>{"axis", 1}, {"new_axis", 1}}) {
    auto *a = concat->add_attribute();
    a->set_name(name);
    a->set_type(::onnx::AttributeProto::INT);
    a->set_i(value);
  }
  graph->add_output()->set_name("y");
  std::string messages;
  std::vector<std::string> types;
  auto ops = importedOps(model, messages, &types);
  EXPECT_EQ(ops, (std::vector<std::string>{"Slice", "Slice", "Unsqueeze", "Unsqueeze", "Concat"})) << messages;
  EXPECT_EQ(types, std::vector<std::string>{"tensor<2x2x3xf32>"});
  // A sequence that is a graph input is refused by name.
  concat->set_input(0, "x");
  messages.clear();
  EXPECT_TRUE(importedOps(model, messages).empty());
  EXPECT_NE(messages.find("'x' is not a sequence built in this model"), std::string::npos) << messages;
}

TEST_F(ImporterTest, CompressTakesItsCountFromTheDeclaredShapeOrTheRun) {
  ::onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(13);
  auto *graph = model.mutable_graph();
  addValue(graph->add_input(), "x", 1, {4, 3});
  addValue(graph->add_input(), "c", 9, {4});
  auto *node = graph->add_node();
  node->set_op_type("Compress");
  node->add_input("x");
  node->add_input("c");
  node->add_output("y");
  auto *axis = node->add_attribute();
  axis->set_name("axis");
  axis->set_type(::onnx::AttributeProto::INT);
  axis->set_i(0);
  addValue(graph->add_output(), "y", 1, {2, 3});
  std::string messages;
  std::vector<std::string> types;
  auto ops = importedOps(model, messages, &types);
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "CumSum"), 1) << messages;
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "Gather"), 1) << messages;
  EXPECT_EQ(types, std::vector<std::string>{"tensor<2x3xf32>"});
  // Without a declared shape the count is found at run time: the positions
  // are scattered into a buffer of that length (plus a slot for the rest).
  graph->mutable_output(0)->mutable_type()->mutable_tensor_type()->clear_shape();
  messages.clear();
  types.clear();
  ops = importedOps(model, messages, &types);
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "ScatterElements"), 1) << messages;
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "ConstantOfShape"), 1) << messages;
  EXPECT_EQ(types, std::vector<std::string>{"tensor<?x3xf32>"});
}

TEST_F(ImporterTest, NonMaxSuppressionExpandsWithADeclaredCountElseRunsTheKernel) {
  ::onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(11);
  auto *graph = model.mutable_graph();
  addValue(graph->add_input(), "boxes", 1, {1, 4, 4});
  addValue(graph->add_input(), "scores", 1, {1, 1, 4});
  addValue(graph->add_input(), "max", 7, {1});
  auto *node = graph->add_node();
  node->set_op_type("NonMaxSuppression");
  for (const char *in : {"boxes", "scores", "max"})
    node->add_input(in);
  node->add_output("y");
  addValue(graph->add_output(), "y", 7, {2, 3});
  std::string messages;
  std::vector<std::string> types;
  auto ops = importedOps(model, messages, &types);
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "TopK"), 1) << messages;
  EXPECT_EQ(types, std::vector<std::string>{"tensor<2x3xi64>"});
  // Without the count: onnx.NonMaxSuppression, whose result length the run
  // finds, with the absent thresholds as constants.
  graph->mutable_output(0)->mutable_type()->mutable_tensor_type()->clear_shape();
  messages.clear();
  types.clear();
  ops = importedOps(model, messages, &types);
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "NonMaxSuppression"), 1) << messages;
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "TopK"), 0) << messages;
  EXPECT_EQ(types, std::vector<std::string>{"tensor<?x3xi64>"});
}

TEST_F(ImporterTest, UniqueWithoutADeclaredCountFindsItAtRunTime) {
  // No declared output shapes: onnx.Unique, whose outputs have run-time
  // lengths (inverse_indices one per element), not the expansion.
  std::string messages;
  std::vector<std::string> types;
  auto ops = importedOps(nodeModel("Unique", 11, {{"x", {6}}}, {}), messages, &types);
  EXPECT_EQ(ops, std::vector<std::string>{"Unique"}) << messages;
  EXPECT_EQ(types, std::vector<std::string>{"tensor<?xf32>"});
}

TEST_F(ImporterTest, TfIdfVectorizerCountsEveryNGramAndSkip) {
  // Two bigrams with skips 0 and 1 over rows of 6: four match terms, the
  // counts mapped to 3 outputs by a MatMul.
  ::onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(9);
  auto *graph = model.mutable_graph();
  addValue(graph->add_input(), "x", 7, {2, 6});
  auto *node = graph->add_node();
  node->set_op_type("TfIdfVectorizer");
  node->add_input("x");
  node->add_output("y");
  auto addInts = [&](const char *name, std::vector<int64_t> v) {
    auto *a = node->add_attribute();
    a->set_name(name);
    a->set_type(::onnx::AttributeProto::INTS);
    for (int64_t x : v)
      a->add_ints(x);
  };
  auto addInt = [&](const char *name, int64_t v) {
    auto *a = node->add_attribute();
    a->set_name(name);
    a->set_type(::onnx::AttributeProto::INT);
    a->set_i(v);
  };
  addInts("pool_int64s", {1, 2, 2, 3});
  addInts("ngram_counts", {0, 0});
  addInts("ngram_indexes", {0, 2});
  addInt("min_gram_length", 2);
  addInt("max_gram_length", 2);
  addInt("max_skip_count", 1);
  auto *mode = node->add_attribute();
  mode->set_name("mode");
  mode->set_type(::onnx::AttributeProto::STRING);
  mode->set_s("TF");
  graph->add_output()->set_name("y");
  std::string messages;
  std::vector<std::string> types;
  auto ops = importedOps(model, messages, &types);
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "ReduceSum"), 4) << messages;
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "MatMul"), 1) << messages;
  EXPECT_EQ(types, std::vector<std::string>{"tensor<2x3xf32>"});
  // A pool level that is not whole n-grams is refused.
  node->mutable_attribute(1)->set_ints(1, 1);
  messages.clear();
  EXPECT_TRUE(importedOps(model, messages).empty());
  EXPECT_NE(messages.find("does not split the pool into whole n-grams"), std::string::npos) << messages;
}

TEST_F(ImporterTest, LinearAttentionUnrollsItsRecurrence) {
  // gated_delta over 3 steps, 4 query heads reading 2 state heads.
  auto model = nodeModel("LinearAttention", 27,
                         {{"q", {2, 3, 16}}, {"k", {2, 3, 8}}, {"v", {2, 3, 8}}, {"past", {2, 2, 4, 4}},
                          {"decay", {2, 3, 2}}, {"beta", {2, 3, 2}}},
                         {{"q_num_heads", 4}, {"kv_num_heads", 2}});
  model.mutable_graph()->mutable_node(0)->add_output("state");
  model.mutable_graph()->add_output()->set_name("state");
  std::string messages;
  std::vector<std::string> types;
  auto ops = importedOps(model, messages, &types);
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "Exp"), 3) << messages;
  EXPECT_EQ(types, (std::vector<std::string>{"tensor<2x3x16xf32>", "tensor<2x2x4x4xf32>"}));
  // The delta rules need beta.
  model.mutable_graph()->mutable_node(0)->mutable_input()->RemoveLast();
  messages.clear();
  EXPECT_TRUE(importedOps(model, messages).empty());
  EXPECT_NE(messages.find("beta by the delta rules"), std::string::npos) << messages;
}

TEST_F(ImporterTest, MaxPoolIndicesCompareEachKernelPosition) {
  // A 2x2 kernel: four window slices of the padded input and index map.
  auto model = nodeModel("MaxPool", 12, {{"x", {1, 2, 4, 4}}}, {});
  auto *node = model.mutable_graph()->mutable_node(0);
  auto *k = node->add_attribute();
  k->set_name("kernel_shape");
  k->set_type(::onnx::AttributeProto::INTS);
  k->add_ints(2);
  k->add_ints(2);
  node->add_output("i");
  model.mutable_graph()->add_output()->set_name("i");
  std::string messages;
  std::vector<std::string> types;
  auto ops = importedOps(model, messages, &types);
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "Slice"), 8) << messages;
  EXPECT_EQ(types, (std::vector<std::string>{"tensor<1x2x3x3xf32>", "tensor<1x2x3x3xi64>"}));
}

TEST_F(ImporterTest, TensorScatterGathersTheUpdateAtRunTimeOffsets) {
  auto model = nodeModel("TensorScatter", 24, {{"past", {2, 3, 8, 4}}, {"update", {2, 3, 2, 4}}}, {});
  std::string messages;
  std::vector<std::string> types;
  auto ops = importedOps(model, messages, &types);
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "GatherElements"), 1) << messages;
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "Where"), 1) << messages;
  EXPECT_EQ(types, std::vector<std::string>{"tensor<2x3x8x4xf32>"});
  // The update must fit the cache.
  messages.clear();
  EXPECT_TRUE(importedOps(nodeModel("TensorScatter", 24, {{"past", {2, 3, 8, 4}}, {"update", {2, 3, 9, 4}}}, {}),
                          messages)
                  .empty());
  EXPECT_NE(messages.find("1 to cache-length long"), std::string::npos) << messages;
}

TEST_F(ImporterTest, OptionalsAreKnownAtImport) {
  // A tensor is present; a missing input is not.
  auto model = nodeModel("OptionalHasElement", 18, {{"x", {3}}}, {});
  std::string messages;
  std::vector<std::string> types;
  EXPECT_TRUE(importedOps(model, messages, &types).empty()) << messages; // only a constant
  EXPECT_EQ(types, std::vector<std::string>{"tensor<i1>"});
  model.mutable_graph()->mutable_node(0)->set_input(0, "");
  messages.clear();
  types.clear();
  importedOps(model, messages, &types);
  EXPECT_EQ(types, std::vector<std::string>{"tensor<i1>"}) << messages;
  model.mutable_graph()->mutable_node(0)->set_op_type("OptionalGetElement");
  messages.clear();
  EXPECT_TRUE(importedOps(model, messages).empty());
  EXPECT_NE(messages.find("the optional is empty"), std::string::npos) << messages;
}

TEST_F(ImporterTest, DeclaredShapesReachBackThroughShapePreservingOps) {
  // Range(0, n, 1) with n at run time, then Mul by a scalar, Cos, and the
  // declared output [7]: the Range takes the length 7.
  ::onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(17);
  auto *graph = model.mutable_graph();
  addValue(graph->add_input(), "n", 1, {});
  addValue(graph->add_input(), "step", 1, {});
  for (auto [name, value] : {std::pair<const char *, float>{"zero", 0}, {"one", 1}}) {
    auto *c = graph->add_initializer();
    c->set_name(name);
    c->set_data_type(1);
    c->add_float_data(value);
  }
  auto add = [&](const char *type, std::vector<std::string> ins, const char *out) {
    auto *node = graph->add_node();
    node->set_op_type(type);
    for (auto &in : ins)
      node->add_input(in);
    node->add_output(out);
  };
  add("Range", {"zero", "n", "one"}, "r");
  add("Mul", {"r", "step"}, "scaled");
  add("Cos", {"scaled"}, "y");
  addValue(graph->add_output(), "y", 1, {7});
  std::string messages;
  std::vector<std::string> types;
  auto ops = importedOps(model, messages, &types);
  EXPECT_EQ(ops, (std::vector<std::string>{"Range", "Mul", "Cos"})) << messages;
  EXPECT_EQ(types, std::vector<std::string>{"tensor<7xf32>"});
}

TEST_F(ImporterTest, InputShapeForUnknownInputIsAnError) {
  std::string path = write("relu.onnx", oneNodeModel("Relu"));
  mlc::frontend::ImportOptions options;
  options.inputShapes["nope"] = {1, 2};
  std::string messages;
  EXPECT_FALSE(import(path, messages, options));
  EXPECT_NE(messages.find("'nope'"), std::string::npos) << messages;
}

TEST_F(ImporterTest, ExternalDataInsideTheFolderIsRead) {
  write("weights.bin", std::string("0123456789"));
  std::vector<char> out;
  std::string error;
  ASSERT_TRUE(mlc::frontend::readExternalData(dir, "weights.bin", 2, 4, out, error)) << error;
  EXPECT_EQ(std::string(out.begin(), out.end()), "2345");
}

TEST_F(ImporterTest, ExternalDataOutOfBoundsIsRefused) {
  write("weights.bin", std::string("0123456789"));
  std::vector<char> out;
  std::string error;
  EXPECT_FALSE(mlc::frontend::readExternalData(dir, "weights.bin", 8, 4, out, error));
  EXPECT_NE(error.find("shorter"), std::string::npos) << error;
}

TEST_F(ImporterTest, ExternalDataEscapingTheFolderIsRefused) {
  std::vector<char> out;
  std::string error;
  EXPECT_FALSE(mlc::frontend::readExternalData(dir, "../etc/passwd", 0, -1, out, error));
  EXPECT_NE(error.find("leaves the model's folder"), std::string::npos) << error;
  EXPECT_FALSE(mlc::frontend::readExternalData(dir, "/etc/passwd", 0, -1, out, error));
  EXPECT_NE(error.find("relative path"), std::string::npos) << error;
  // A symbolic link inside the folder that points outside it.
  ASSERT_FALSE(llvm::sys::fs::create_link("/etc/hostname", dir + "/link.bin"));
  EXPECT_FALSE(mlc::frontend::readExternalData(dir, "link.bin", 0, -1, out, error));
  EXPECT_NE(error.find("outside the model's folder"), std::string::npos) << error;
}
} // namespace
