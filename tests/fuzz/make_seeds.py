#!/usr/bin/python3
"""Writes small ONNX seed models for the reader fuzzer into seeds/ (run with
Debian's /usr/bin/python3, which has the onnx package). Small seeds run in
microseconds, so the fuzzer explores far more than from the real models."""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "seeds")
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(7)


def const(name, shape, dtype=np.float32):
    return numpy_helper.from_array(rng.uniform(-1, 1, shape).astype(dtype), name)


def save(name, nodes, inputs, outputs, inits, opset=13):
    g = helper.make_graph(nodes, name, inputs, outputs, inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], producer_name="nnrt-seeds")
    m.ir_version = 7
    onnx.checker.check_model(m)
    onnx.save(m, os.path.join(out, name + ".onnx"))


f = TensorProto.FLOAT
x = helper.make_tensor_value_info("x", f, [1, 3, 8, 8])
save("conv_bn_relu", [
    helper.make_node("Conv", ["x", "w", "b"], ["c"], "conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2]),
    helper.make_node("BatchNormalization", ["c", "s", "o", "m", "v"], ["n"], "bn", epsilon=1e-3),
    helper.make_node("Relu", ["n"], ["y"], "relu"),
], [x], [helper.make_tensor_value_info("y", f, [1, 4, 4, 4])],
    [const("w", [4, 3, 3, 3]), const("b", [4]), const("s", [4]), const("o", [4]), const("m", [4]),
     numpy_helper.from_array(np.ones(4, np.float32), "v")])

save("pad_concat_pool", [
    helper.make_node("Transpose", ["x"], ["t"], "nhwc", perm=[0, 2, 3, 1]),
    helper.make_node("Transpose", ["t"], ["u"], "nchw", perm=[0, 3, 1, 2]),
    helper.make_node("ConstantOfShape", ["shape"], ["z"], "zeros",
                     value=numpy_helper.from_array(np.zeros(1, np.float32))),
    helper.make_node("Concat", ["u", "z"], ["cat"], "pad_channels", axis=1),
    helper.make_node("MaxPool", ["cat"], ["p"], "pool", kernel_shape=[2, 2], strides=[2, 2]),
    helper.make_node("Conv", ["p", "dw"], ["d"], "depthwise", kernel_shape=[3, 3], pads=[0, 0, 2, 2], group=4),
    helper.make_node("Add", ["d", "p"], ["a"], "residual"),
    helper.make_node("Reshape", ["a", "rs"], ["y"], "flatten"),
], [x], [helper.make_tensor_value_info("y", f, [1, 64])],
    [numpy_helper.from_array(np.array([1, 1, 8, 8], np.int64), "shape"), const("dw", [4, 1, 3, 3]),
     numpy_helper.from_array(np.array([1, -1], np.int64), "rs"), const("unused", [3])])

a = helper.make_tensor_value_info("a", f, ["N", 6])
save("gemm_softmax", [
    helper.make_node("Gemm", ["a", "gw", "gb"], ["g"], "fc", transB=1, alpha=0.5),
    helper.make_node("Identity", ["g"], ["i"], "id"),
    helper.make_node("Clip", ["i", "lo", "hi"], ["c"], "clip"),
    helper.make_node("Softmax", ["c"], ["y"], "softmax", axis=1),
], [a], [helper.make_tensor_value_info("y", f, ["N", 5])],
    [const("gw", [5, 6]), const("gb", [5]), numpy_helper.from_array(np.array(0, np.float32), "lo"),
     numpy_helper.from_array(np.array(6, np.float32), "hi")])
print("seeds written to", out)
