"""Generates the two ONNX graphs that the qbn4j benchmarks run on ONNX Runtime as a peer.

Run by hand, never in CI: /tmp/onnxvenv/bin/python make_graphs.py   (pip install onnx numpy)
Provenance of the committed files: onnx 1.23.2, numpy (any), Python 3.11.7, opset 13 +
com.microsoft 1, written on 2026-11-26 on the benchmark machine described in BENCHMARKS.md.

Both graphs take the layer's per-channel constants as graph inputs rather than initializers, so one
file serves every layer and shape (the benchmark feeds the constants of its own layer):

* bn_qlinear.onnx  QLinearMul(x, a_q) -> QLinearAdd(., b_q): the integer-only form ONNX Runtime
                   offers (com.microsoft contrib ops). Scales and zero points are per tensor; a and b
                   are int8 vectors of length C that broadcast over the channel axis.
* bn_qdq.onnx      DequantizeLinear(x) -> Mul(a_f) -> Add(b_f) -> QuantizeLinear(per-axis scales,
                   axis = 3): the QDQ form with float a and b, and per-channel output scales.

Neither reproduces quantizeml's float32 integer chain, so their outputs are expected to differ in
some elements; the benchmark reports how many.
"""
import onnx
from onnx import TensorProto, helper

X = ["N", "H", "W", "C"]


def qlinear():
    inputs = [
        helper.make_tensor_value_info("x", TensorProto.INT8, X),
        helper.make_tensor_value_info("x_scale", TensorProto.FLOAT, []),
        helper.make_tensor_value_info("x_zp", TensorProto.INT8, []),
        helper.make_tensor_value_info("a", TensorProto.INT8, ["C"]),
        helper.make_tensor_value_info("a_scale", TensorProto.FLOAT, []),
        helper.make_tensor_value_info("a_zp", TensorProto.INT8, []),
        helper.make_tensor_value_info("p_scale", TensorProto.FLOAT, []),
        helper.make_tensor_value_info("p_zp", TensorProto.INT8, []),
        helper.make_tensor_value_info("b", TensorProto.INT8, ["C"]),
        helper.make_tensor_value_info("b_scale", TensorProto.FLOAT, []),
        helper.make_tensor_value_info("b_zp", TensorProto.INT8, []),
        helper.make_tensor_value_info("y_scale", TensorProto.FLOAT, []),
        helper.make_tensor_value_info("y_zp", TensorProto.INT8, []),
    ]
    nodes = [
        helper.make_node("QLinearMul", ["x", "x_scale", "x_zp", "a", "a_scale", "a_zp", "p_scale", "p_zp"], ["p"],
                         domain="com.microsoft"),
        helper.make_node("QLinearAdd", ["p", "p_scale", "p_zp", "b", "b_scale", "b_zp", "y_scale", "y_zp"], ["y"],
                         domain="com.microsoft"),
    ]
    out = [helper.make_tensor_value_info("y", TensorProto.INT8, X)]
    graph = helper.make_graph(nodes, "bn_qlinear", inputs, out)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid("com.microsoft", 1)],
                             producer_name="qbn4j make_graphs.py")


def qdq():
    inputs = [
        helper.make_tensor_value_info("x", TensorProto.INT8, X),
        helper.make_tensor_value_info("x_scale", TensorProto.FLOAT, []),
        helper.make_tensor_value_info("x_zp", TensorProto.INT8, []),
        helper.make_tensor_value_info("a", TensorProto.FLOAT, ["C"]),
        helper.make_tensor_value_info("b", TensorProto.FLOAT, ["C"]),
        helper.make_tensor_value_info("y_scale", TensorProto.FLOAT, ["C"]),
        helper.make_tensor_value_info("y_zp", TensorProto.INT8, ["C"]),
    ]
    nodes = [
        helper.make_node("DequantizeLinear", ["x", "x_scale", "x_zp"], ["xf"]),
        helper.make_node("Mul", ["xf", "a"], ["p"]),
        helper.make_node("Add", ["p", "b"], ["s"]),
        helper.make_node("QuantizeLinear", ["s", "y_scale", "y_zp"], ["y"], axis=3),
    ]
    out = [helper.make_tensor_value_info("y", TensorProto.INT8, X)]
    graph = helper.make_graph(nodes, "bn_qdq", inputs, out)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="qbn4j make_graphs.py")


for name, model in (("bn_qlinear.onnx", qlinear()), ("bn_qdq.onnx", qdq())):
    model.ir_version = 8  # readable by ONNX Runtime 1.20
    onnx.checker.check_model(model)
    onnx.save(model, name)
    print(name, "written,", len(model.SerializeToString()), "bytes")
