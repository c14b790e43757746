#!/usr/bin/python3
"""Generates the nnrt op zoo: small ONNX models that together cover every op
nnrt supports and every attribute value it accepts (odd sizes, stride 2,
asymmetric pads, channel counts that are not multiples of 4/8/16,
broadcasting, and the opset variants 7/9/10/11/13/14/15/17 where
semantics differ; nnrt loads opsets 7 to 17, so nothing older or newer), with weights and inputs drawn from a fixed seed.

    /usr/bin/python3 tools/gen-op-zoo.py OUTDIR

writes OUTDIR/<case>/model.onnx, OUTDIR/<case>/<input>.npy and
OUTDIR/manifest.json ([{"name", "model", "inputs": {name: file}, "ops"}]), and the
models nnrt must refuse (unsupported or invalid attribute values) into
OUTDIR/refuse/ with OUTDIR/refusals.json ([{"name", "model", "inputs",
"node", "expect"}]: the message must name the node and contain `expect`).
Needs the onnx and numpy modules (Debian's python3-onnx, python3-numpy).
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SEED = 20240601
INT64_MAX = np.iinfo(np.int64).max


class Zoo:
    def __init__(self, outdir):
        self.outdir = outdir
        self.rng = np.random.default_rng(SEED)
        self.cases = []
        self.refusals = []
        self.names = set()

    # random data ------------------------------------------------------------
    def rand(self, *shape, lo=-1.0, hi=1.0):
        return self.rng.uniform(lo, hi, size=shape).astype(np.float32)

    def away_from_zero(self, *shape):
        """Values in [-2, -0.5] u [0.5, 2]: safe divisors."""
        mag = self.rng.uniform(0.5, 2.0, size=shape)
        sign = np.where(self.rng.uniform(size=shape) < 0.5, -1.0, 1.0)
        return (mag * sign).astype(np.float32)

    # model assembly -----------------------------------------------------------
    def refuse(self, name, nodes, inputs, outputs, expect, inits=None, opset=13, bad=-1):
        """A model whose node nodes[bad] nnrt must refuse; the message must
        contain that node's name and `expect`."""
        nodes[bad].name = "bad_" + name
        self.case("refuse/" + name, nodes, inputs, outputs, inits, opset, record=False)
        case = self.last
        case.update({"node": nodes[bad].name, "expect": expect})
        self.refusals.append(case)

    def case(self, name, nodes, inputs, outputs, inits=None, opset=13, data=None, record=True):
        """inputs: {name: shape} of float32 graph inputs (data[name] overrides
        the random values); inits: {name: np.ndarray}; outputs: names."""
        assert name not in self.names, name
        self.names.add(name)
        inits = inits or {}
        data = data or {}
        graph = helper.make_graph(
            nodes,
            name,
            [helper.make_tensor_value_info(k, TensorProto.FLOAT, list(v)) for k, v in inputs.items()],
            [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outputs],
            initializer=[numpy_helper.from_array(np.asarray(v), k) for k, v in inits.items()],
        )
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                                  producer_name="faceattr-gen-op-zoo")
        # ONNX Runtime reads IR 8 for every opset used here. Outputs carry no
        # shape (the runtimes infer it), which onnx's checker refuses, so
        # ONNX Runtime is the validator.
        model.ir_version = 8
        d = os.path.join(self.outdir, name)
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, "model.onnx")
        onnx.save(model, path)
        files = {}
        for k, shape in inputs.items():
            arr = data.get(k)
            if arr is None:
                arr = self.rand(*shape)
            f = os.path.join(d, "in_%s.npy" % k)
            np.save(f, np.asarray(arr, dtype=np.float32))
            files[k] = f
        self.last = {"name": name, "model": path, "inputs": files, "ops": sorted({n.op_type for n in nodes})}
        if record:
            self.cases.append(self.last)

    def write_manifest(self):
        with open(os.path.join(self.outdir, "manifest.json"), "w") as f:
            json.dump(self.cases, f, indent=1)
        with open(os.path.join(self.outdir, "refusals.json"), "w") as f:
            json.dump(self.refusals, f, indent=1)


def node(op, ins, outs, **attrs):
    return helper.make_node(op, ins, outs, **attrs)


def i64(*v):
    return np.array(v, dtype=np.int64)


# --- Conv ------------------------------------------------------------------------
def conv_cases(z):
    def conv(name, x, cout, k, group=1, bias=True, opset=13, post=None, **attrs):
        cin = x[1]
        kshape = k if isinstance(k, (list, tuple)) else [k] * (len(x) - 2)
        inits = {"W": z.rand(cout, cin // group, *kshape) * 0.5}
        ins = ["x", "W"]
        if bias:
            inits["B"] = z.rand(cout)
            ins.append("B")
        nodes = [node("Conv", ins, ["c" if post else "y"], group=group, **attrs)]
        if post:
            nodes += post(z, inits)
        z.case(name, nodes, {"x": x}, ["y"], inits, opset=opset)

    conv("conv_3x3_pad1", [1, 5, 9, 11], 7, 3, pads=[1, 1, 1, 1])
    conv("conv_3x3_s2_asym_pads", [1, 5, 10, 9], 6, 3, bias=False, strides=[2, 2], pads=[0, 1, 1, 2])
    conv("conv_5x5_s2_same_upper", [1, 3, 17, 13], 9, 5, strides=[2, 2], auto_pad="SAME_UPPER")
    conv("conv_4x4_same_upper", [1, 3, 9, 10], 5, 4, auto_pad="SAME_UPPER")
    conv("conv_4x4_s2_same_lower", [1, 3, 9, 10], 5, 4, strides=[2, 2], auto_pad="SAME_LOWER")
    conv("conv_3x3_s3_valid", [1, 4, 14, 11], 3, 3, strides=[3, 3], auto_pad="VALID")
    conv("conv_dilated", [1, 3, 13, 15], 4, 3, dilations=[2, 3], pads=[2, 1, 2, 3])
    conv("conv_rect_1x5", [1, 6, 7, 12], 5, [1, 5], pads=[0, 2, 0, 2])
    conv("conv_rect_7x1_s2x1", [1, 2, 15, 6], 3, [7, 1], strides=[2, 1], pads=[3, 0, 3, 0])
    conv("conv_1x1", [1, 19, 7, 9], 21, 1)
    conv("conv_1x1_nobias", [1, 16, 8, 8], 24, 1, bias=False)
    conv("conv_1x1_s2", [1, 7, 9, 9], 5, 1, strides=[2, 2])
    conv("conv_1x1_padded", [1, 3, 4, 5], 2, 1, pads=[1, 0, 0, 1])
    conv("conv_group2", [1, 6, 8, 7], 10, 3, group=2, pads=[1, 1, 1, 1])
    conv("conv_group3_1x1", [1, 9, 5, 5], 6, 1, group=3)
    conv("conv_dw_3x3", [1, 13, 9, 10], 13, 3, group=13, pads=[1, 1, 1, 1])
    conv("conv_dw_3x3_s2_asym", [1, 24, 16, 16], 24, 3, group=24, strides=[2, 2], pads=[0, 0, 1, 1])
    conv("conv_dw_5x5_same", [1, 7, 11, 9], 7, 5, group=7, auto_pad="SAME_UPPER")
    conv("conv_dw_dilated", [1, 5, 12, 12], 5, 3, group=5, dilations=[2, 2], pads=[2, 2, 2, 2])
    conv("conv_dw_multiplier2", [1, 6, 7, 7], 12, 3, group=6, pads=[1, 1, 1, 1])
    conv("conv_batch2", [2, 4, 6, 7], 5, 3, pads=[1, 1, 1, 1])
    conv("conv_dw_batch2", [2, 4, 6, 7], 4, 3, group=4, pads=[1, 1, 1, 1])
    conv("conv_1d", [1, 4, 20], 6, 5, strides=[2], pads=[2, 1])
    conv("conv_1d_dw", [1, 4, 15], 4, 3, group=4, pads=[1, 1])
    conv("conv_big_3x3", [1, 32, 32, 32], 48, 3, pads=[1, 1, 1, 1])
    conv("conv_big_1x1", [1, 64, 24, 24], 40, 1)
    conv("conv_opset7", [1, 3, 8, 8], 4, 3, opset=7, pads=[1, 1, 1, 1])
    conv("conv_kernel_shape_attr", [1, 3, 8, 8], 4, 3, kernel_shape=[3, 3])

    # activations the core fuses into Conv
    conv("conv_relu", [1, 5, 8, 9], 11, 3, pads=[1, 1, 1, 1], post=lambda z, i: [node("Relu", ["c"], ["y"])])
    conv("conv_leakyrelu", [1, 5, 8, 9], 6, 3, pads=[1, 1, 1, 1],
         post=lambda z, i: [node("LeakyRelu", ["c"], ["y"], alpha=0.2)])

    def clip6(z, inits):
        inits["lo"] = np.array(0.0, np.float32)
        inits["hi"] = np.array(0.25, np.float32)
        return [node("Clip", ["c", "lo", "hi"], ["y"])]
    conv("conv_clip_opset11", [1, 5, 8, 9], 6, 3, pads=[1, 1, 1, 1], post=clip6, opset=11)
    conv("conv_clip_opset7_attrs", [1, 5, 8, 9], 6, 3, pads=[1, 1, 1, 1], opset=7,
         post=lambda z, i: [node("Clip", ["c"], ["y"], min=-0.1, max=0.3)])
    conv("conv_dw_relu", [1, 9, 8, 8], 9, 3, group=9, pads=[1, 1, 1, 1],
         post=lambda z, i: [node("Relu", ["c"], ["y"])])
    conv("conv_1x1_sigmoid", [1, 10, 6, 6], 7, 1, post=lambda z, i: [node("Sigmoid", ["c"], ["y"])])
    conv("conv_tanh", [1, 4, 6, 6], 5, 3, post=lambda z, i: [node("Tanh", ["c"], ["y"])])
    conv("conv_hardswish", [1, 4, 6, 6], 5, 3, opset=14, post=lambda z, i: [node("HardSwish", ["c"], ["y"])])
    conv("conv_hardsigmoid", [1, 4, 6, 6], 5, 3,
         post=lambda z, i: [node("HardSigmoid", ["c"], ["y"], alpha=0.3, beta=0.4)])

    def bn_relu(z, inits, c=8):
        inits.update({"s": z.rand(c, lo=0.5, hi=1.5), "b": z.rand(c), "m": z.rand(c),
                      "v": z.rand(c, lo=0.2, hi=2.0)})
        return [node("BatchNormalization", ["c", "s", "b", "m", "v"], ["bn"], epsilon=1e-3),
                node("Relu", ["bn"], ["y"])]
    conv("conv_bn_relu", [1, 5, 9, 9], 8, 3, pads=[1, 1, 1, 1], post=bn_relu)
    conv("conv_nobias_bn_relu", [1, 5, 9, 9], 8, 3, bias=False, strides=[2, 2], post=bn_relu)
    conv("conv_dw_bn_relu", [1, 8, 9, 9], 8, 3, group=8, pads=[1, 1, 1, 1], post=bn_relu)


# --- element-wise -------------------------------------------------------------------
def elementwise_cases(z):
    x = [2, 5, 7, 3]
    z.case("relu", [node("Relu", ["x"], ["y"])], {"x": x}, ["y"])
    z.case("leakyrelu", [node("LeakyRelu", ["x"], ["y"], alpha=0.1)], {"x": x}, ["y"])
    z.case("leakyrelu_default", [node("LeakyRelu", ["x"], ["y"])], {"x": [37]}, ["y"])
    z.case("sigmoid", [node("Sigmoid", ["x"], ["y"])], {"x": x}, ["y"], data={"x": z.rand(*x) * 8})
    z.case("tanh", [node("Tanh", ["x"], ["y"])], {"x": x}, ["y"], data={"x": z.rand(*x) * 4})
    z.case("hardsigmoid", [node("HardSigmoid", ["x"], ["y"], alpha=0.3, beta=0.4)], {"x": x}, ["y"],
           data={"x": z.rand(*x) * 4})
    z.case("hardsigmoid_default", [node("HardSigmoid", ["x"], ["y"])], {"x": x}, ["y"], data={"x": z.rand(*x) * 4})
    z.case("hardswish", [node("HardSwish", ["x"], ["y"])], {"x": x}, ["y"], data={"x": z.rand(*x) * 5}, opset=14)
    z.case("clip_opset7_attrs", [node("Clip", ["x"], ["y"], min=-0.5, max=0.7)], {"x": x}, ["y"], opset=7)
    z.case("clip_opset10_default_max", [node("Clip", ["x"], ["y"], min=-0.2)], {"x": x}, ["y"], opset=10)
    z.case("clip_opset11_both", [node("Clip", ["x", "lo", "hi"], ["y"])], {"x": x}, ["y"],
           {"lo": np.array(-0.3, np.float32), "hi": np.array(0.6, np.float32)}, opset=11)
    z.case("clip_opset11_min_only", [node("Clip", ["x", "lo"], ["y"])], {"x": x}, ["y"],
           {"lo": np.array(0.1, np.float32)}, opset=11)
    z.case("clip_opset13_max_only", [node("Clip", ["x", "", "hi"], ["y"])], {"x": x}, ["y"],
           {"hi": np.array(0.2, np.float32)}, opset=13)
    z.case("clip_opset13_none", [node("Clip", ["x"], ["y"])], {"x": x}, ["y"])
    z.case("prelu_channel", [node("PRelu", ["x", "s"], ["y"])], {"x": x}, ["y"], {"s": z.rand(5, 1, 1)})
    z.case("prelu_scalar", [node("PRelu", ["x", "s"], ["y"])], {"x": x}, ["y"], {"s": z.rand(1)})
    z.case("prelu_full", [node("PRelu", ["x", "s"], ["y"])], {"x": x}, ["y"], {"s": z.rand(5, 7, 3)})
    z.case("prelu_opset7_input_slope", [node("PRelu", ["x", "s"], ["y"])], {"x": [1, 3, 4, 4], "s": [3, 1, 1]},
           ["y"], opset=7)

    for op in ["Add", "Sub", "Mul", "Div"]:
        lo = op.lower()
        safe = (lambda *s: z.away_from_zero(*s)) if op == "Div" else (lambda *s: z.rand(*s))
        z.case(lo + "_same", [node(op, ["a", "b"], ["y"])], {"a": [2, 3, 5, 7], "b": [2, 3, 5, 7]}, ["y"],
               data={"b": safe(2, 3, 5, 7)})
        z.case(lo + "_channel", [node(op, ["a", "b"], ["y"])], {"a": [2, 6, 5, 7]}, ["y"], {"b": safe(1, 6, 1, 1)})
        z.case(lo + "_channel3d", [node(op, ["a", "b"], ["y"])], {"a": [1, 6, 5, 7]}, ["y"], {"b": safe(6, 1, 1)})
        z.case(lo + "_scalar_right", [node(op, ["a", "b"], ["y"])], {"a": [3, 5, 7]}, ["y"],
               {"b": safe(1)[0].reshape(())})
        z.case(lo + "_scalar_left", [node(op, ["b", "a"], ["y"])], {"a": [3, 5, 7]}, ["y"], {"b": safe(1)},
               data={"a": safe(3, 5, 7)})
        z.case(lo + "_channel_left", [node(op, ["b", "a"], ["y"])], {"a": [1, 6, 4, 5]}, ["y"],
               {"b": safe(6, 1, 1)}, data={"a": safe(1, 6, 4, 5)})
        z.case(lo + "_both_ways", [node(op, ["a", "b"], ["y"])], {"a": [2, 1, 4], "b": [3, 1]}, ["y"],
               data={"b": safe(3, 1)})
        z.case(lo + "_rank_mix", [node(op, ["a", "b"], ["y"])], {"a": [2, 3, 4, 5], "b": [4, 1]}, ["y"],
               data={"b": safe(4, 1)})
        z.case(lo + "_last_axis", [node(op, ["a", "b"], ["y"])], {"a": [2, 3, 9]}, ["y"], {"b": safe(9)})
        z.case(lo + "_opset7", [node(op, ["a", "b"], ["y"])], {"a": [2, 3, 4], "b": [3, 1]}, ["y"], opset=7,
               data={"b": safe(3, 1)})


# --- pooling ------------------------------------------------------------------------
def pool_cases(z):
    neg = lambda *s: z.rand(*s) - 5.0  # all negative: padding must never win the max
    z.case("maxpool_3x3_s2_p1", [node("MaxPool", ["x"], ["y"], kernel_shape=[3, 3], strides=[2, 2],
                                      pads=[1, 1, 1, 1])], {"x": [1, 5, 11, 10]}, ["y"], data={"x": neg(1, 5, 11, 10)})
    z.case("maxpool_2x2_s2", [node("MaxPool", ["x"], ["y"], kernel_shape=[2, 2], strides=[2, 2])],
           {"x": [2, 3, 8, 9]}, ["y"])
    z.case("maxpool_ceil", [node("MaxPool", ["x"], ["y"], kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1)],
           {"x": [1, 3, 7, 9]}, ["y"], opset=10, data={"x": neg(1, 3, 7, 9)})
    z.case("maxpool_ceil_pads", [node("MaxPool", ["x"], ["y"], kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1,
                                      pads=[1, 1, 1, 1])], {"x": [1, 2, 8, 8]}, ["y"], opset=11)
    z.case("maxpool_asym_pads", [node("MaxPool", ["x"], ["y"], kernel_shape=[3, 2], strides=[1, 2],
                                      pads=[0, 1, 2, 0])], {"x": [1, 4, 6, 7]}, ["y"], data={"x": neg(1, 4, 6, 7)})
    z.case("maxpool_same_upper", [node("MaxPool", ["x"], ["y"], kernel_shape=[3, 3], strides=[2, 2],
                                       auto_pad="SAME_UPPER")], {"x": [1, 3, 9, 8]}, ["y"], data={"x": neg(1, 3, 9, 8)})
    z.case("maxpool_dilated", [node("MaxPool", ["x"], ["y"], kernel_shape=[2, 2], dilations=[2, 2])],
           {"x": [1, 2, 7, 7]}, ["y"], opset=10)
    z.case("maxpool_1d", [node("MaxPool", ["x"], ["y"], kernel_shape=[3], strides=[2], pads=[1, 1])],
           {"x": [1, 3, 12]}, ["y"])
    z.case("maxpool_opset7", [node("MaxPool", ["x"], ["y"], kernel_shape=[3, 3], strides=[2, 2])],
           {"x": [1, 3, 9, 9]}, ["y"], opset=7)
    for cip in [0, 1]:
        z.case("avgpool_3x3_s2_p1_cip%d" % cip,
               [node("AveragePool", ["x"], ["y"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1],
                     count_include_pad=cip)], {"x": [1, 5, 11, 10]}, ["y"])
        z.case("avgpool_asym_cip%d" % cip,
               [node("AveragePool", ["x"], ["y"], kernel_shape=[2, 3], strides=[2, 1], pads=[1, 0, 0, 2],
                     count_include_pad=cip)], {"x": [1, 3, 7, 6]}, ["y"])
        z.case("avgpool_ceil_cip%d" % cip,
               [node("AveragePool", ["x"], ["y"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1],
                     ceil_mode=1, count_include_pad=cip)], {"x": [1, 2, 8, 9]}, ["y"], opset=11)
        z.case("avgpool_same_upper_cip%d" % cip,
               [node("AveragePool", ["x"], ["y"], kernel_shape=[3, 3], strides=[2, 2], auto_pad="SAME_UPPER",
                     count_include_pad=cip)], {"x": [1, 3, 8, 9]}, ["y"])
    z.case("avgpool_2x2_s2", [node("AveragePool", ["x"], ["y"], kernel_shape=[2, 2], strides=[2, 2])],
           {"x": [2, 17, 8, 8]}, ["y"])
    z.case("avgpool_1d", [node("AveragePool", ["x"], ["y"], kernel_shape=[4], strides=[3])], {"x": [1, 3, 14]}, ["y"])
    z.case("avgpool_opset7", [node("AveragePool", ["x"], ["y"], kernel_shape=[3, 3], pads=[1, 1, 1, 1])],
           {"x": [1, 3, 6, 6]}, ["y"], opset=7)
    z.case("global_avgpool", [node("GlobalAveragePool", ["x"], ["y"])], {"x": [2, 7, 5, 9]}, ["y"])
    z.case("global_maxpool", [node("GlobalMaxPool", ["x"], ["y"])], {"x": [2, 7, 5, 9]}, ["y"])
    z.case("global_avgpool_1d", [node("GlobalAveragePool", ["x"], ["y"])], {"x": [1, 3, 10]}, ["y"])


# --- Gemm / MatMul --------------------------------------------------------------------
def gemm_cases(z):
    z.case("gemm_basic", [node("Gemm", ["a", "b", "c"], ["y"])], {"a": [3, 5]}, ["y"],
           {"b": z.rand(5, 4), "c": z.rand(4)})
    z.case("gemm_transb_alpha_beta", [node("Gemm", ["a", "b", "c"], ["y"], transB=1, alpha=0.5, beta=2.0)],
           {"a": [3, 5]}, ["y"], {"b": z.rand(4, 5), "c": z.rand(1, 4)})
    z.case("gemm_transa", [node("Gemm", ["a", "b", "c"], ["y"], transA=1)], {"a": [5, 3]}, ["y"],
           {"b": z.rand(5, 4), "c": z.rand(3, 1)})
    z.case("gemm_transab_c_full", [node("Gemm", ["a", "b", "c"], ["y"], transA=1, transB=1, beta=0.5)],
           {"a": [6, 3]}, ["y"], {"b": z.rand(7, 6), "c": z.rand(3, 7)})
    z.case("gemm_c_scalar", [node("Gemm", ["a", "b", "c"], ["y"])], {"a": [2, 5]}, ["y"],
           {"b": z.rand(5, 3), "c": z.rand(1)})
    z.case("gemm_no_c", [node("Gemm", ["a", "b"], ["y"], transB=1)], {"a": [4, 9]}, ["y"], {"b": z.rand(11, 9)})
    z.case("gemm_fc_relu", [node("Gemm", ["a", "b", "c"], ["g"], transB=1), node("Relu", ["g"], ["y"])],
           {"a": [1, 70]}, ["y"], {"b": z.rand(33, 70), "c": z.rand(33)})
    z.case("gemm_fc_batch3_sigmoid", [node("Gemm", ["a", "b", "c"], ["g"], transB=1), node("Sigmoid", ["g"], ["y"])],
           {"a": [3, 40]}, ["y"], {"b": z.rand(17, 40), "c": z.rand(17)})
    z.case("gemm_b_input", [node("Gemm", ["a", "b", "c"], ["y"], alpha=1.5)], {"a": [3, 4], "b": [4, 5]}, ["y"],
           {"c": z.rand(5)})
    z.case("gemm_opset7", [node("Gemm", ["a", "b", "c"], ["y"], transB=1)], {"a": [2, 6]}, ["y"],
           {"b": z.rand(3, 6), "c": z.rand(3)}, opset=7)
    z.case("matmul_2d_const", [node("MatMul", ["a", "b"], ["y"])], {"a": [3, 4]}, ["y"], {"b": z.rand(4, 5)})
    z.case("matmul_vec_const", [node("MatMul", ["a", "b"], ["y"])], {"a": [1, 64]}, ["y"], {"b": z.rand(64, 19)})
    z.case("matmul_3d_const", [node("MatMul", ["a", "b"], ["y"])], {"a": [2, 3, 4]}, ["y"], {"b": z.rand(4, 5)})
    z.case("matmul_batched_inputs", [node("MatMul", ["a", "b"], ["y"])], {"a": [2, 1, 3, 4], "b": [5, 4, 6]}, ["y"])
    z.case("matmul_1d_left", [node("MatMul", ["a", "b"], ["y"])], {"a": [4]}, ["y"], {"b": z.rand(4, 5)})
    z.case("matmul_1d_right", [node("MatMul", ["a", "b"], ["y"])], {"a": [2, 3, 4], "b": [4]}, ["y"])
    z.case("matmul_relu", [node("MatMul", ["a", "b"], ["m"]), node("Relu", ["m"], ["y"])], {"a": [2, 8]}, ["y"],
           {"b": z.rand(8, 6)})


# --- shapes and data movement ------------------------------------------------------------
def shape_cases(z):
    x = [2, 3, 4, 5]
    for axis in [0, 1, 2, -1]:
        z.case("flatten_axis%s" % str(axis).replace("-", "m"), [node("Flatten", ["x"], ["y"], axis=axis)], {"x": x},
               ["y"], opset=13)
    z.case("flatten_default_opset9", [node("Flatten", ["x"], ["y"])], {"x": x}, ["y"], opset=9)
    z.case("reshape_zero_minus1", [node("Reshape", ["x", "s"], ["y"])], {"x": x}, ["y"], {"s": i64(0, -1, 2)})
    z.case("reshape_plain", [node("Reshape", ["x", "s"], ["y"])], {"x": x}, ["y"], {"s": i64(6, 10, 2)})
    z.case("reshape_allowzero", [node("Reshape", ["x", "s"], ["y"], allowzero=1)], {"x": x}, ["y"],
           {"s": i64(4, 30)}, opset=14)
    z.case("transpose_nhwc", [node("Transpose", ["x"], ["y"], perm=[0, 2, 3, 1])], {"x": x}, ["y"])
    z.case("transpose_default", [node("Transpose", ["x"], ["y"])], {"x": x}, ["y"])
    z.case("transpose_5d", [node("Transpose", ["x"], ["y"], perm=[4, 1, 3, 0, 2])], {"x": [2, 3, 1, 4, 5]}, ["y"])
    z.case("transpose_2d", [node("Transpose", ["x"], ["y"], perm=[1, 0])], {"x": [7, 9]}, ["y"])
    z.case("concat_axis1", [node("Concat", ["a", "b", "c"], ["y"], axis=1)],
           {"a": [2, 3, 4, 5], "b": [2, 1, 4, 5], "c": [2, 6, 4, 5]}, ["y"])
    z.case("concat_axis_neg1_const", [node("Concat", ["a", "k"], ["y"], axis=-1)], {"a": [2, 3, 4]}, ["y"],
           {"k": z.rand(2, 3, 2)})
    z.case("concat_axis0_opset7", [node("Concat", ["a", "b"], ["y"], axis=0)], {"a": [2, 3], "b": [1, 3]}, ["y"],
           opset=7)
    z.case("concat_single", [node("Concat", ["a"], ["y"], axis=1)], {"a": [2, 3]}, ["y"])

    # Slice: attributes before opset 10, inputs after
    z.case("slice_opset9_attrs", [node("Slice", ["x"], ["y"], starts=[1, 0], ends=[3, -1], axes=[2, 3])],
           {"x": x}, ["y"], opset=9)
    z.case("slice_opset9_noaxes", [node("Slice", ["x"], ["y"], starts=[1, 1], ends=[2, 1000])], {"x": x}, ["y"],
           opset=9)
    z.case("slice_negative_steps", [node("Slice", ["x", "st", "en", "ax", "sp"], ["y"])], {"x": x}, ["y"],
           {"st": i64(-1, 0), "en": i64(-1000, 5), "ax": i64(3, 2), "sp": i64(-2, 3)})
    z.case("slice_clamped", [node("Slice", ["x", "st", "en", "ax"], ["y"])], {"x": x}, ["y"],
           {"st": i64(-100, 1), "en": i64(INT64_MAX, -1), "ax": i64(-1, 1)})
    z.case("slice_step2_noaxes", [node("Slice", ["x", "st", "en", "", "sp"], ["y"])], {"x": [9, 8]}, ["y"],
           {"st": i64(1, 0), "en": i64(9, 8), "sp": i64(2, 3)})
    z.case("slice_empty_then_concat", [node("Slice", ["x", "st", "en"], ["s"]), node("Concat", ["s", "x"], ["y"], axis=0)],
           {"x": [3, 4]}, ["y"], {"st": i64(2), "en": i64(1)})
    z.case("slice_opset10", [node("Slice", ["x", "st", "en", "ax", "sp"], ["y"])], {"x": x}, ["y"],
           {"st": i64(4), "en": i64(0), "ax": i64(3), "sp": i64(-1)}, opset=10)

    # Split
    z.case("split_opset11_attr", [node("Split", ["x"], ["a", "b", "c"], axis=1, split=[1, 3, 2])],
           {"x": [2, 6, 3]}, ["a", "b", "c"], opset=11)
    z.case("split_equal", [node("Split", ["x"], ["a", "b"], axis=-1)], {"x": [2, 3, 8]}, ["a", "b"])
    z.case("split_opset13_input", [node("Split", ["x", "s"], ["a", "b"], axis=0)], {"x": [5, 3]}, ["a", "b"],
           {"s": i64(2, 3)})

    # Pad
    z.case("pad_opset7_attrs", [node("Pad", ["x"], ["y"], pads=[0, 1, 2, 0, 0, 2, 1, 3], value=1.5)], {"x": x}, ["y"],
           opset=7)
    z.case("pad_opset10_reflect_attrs", [node("Pad", ["x"], ["y"], pads=[0, 0, 1, 2, 0, 0, 2, 1], mode="reflect")],
           {"x": x}, ["y"], opset=10)
    z.case("pad_constant_value_input", [node("Pad", ["x", "p", "v"], ["y"])], {"x": x}, ["y"],
           {"p": i64(0, 0, 1, 1, 0, 0, 2, 0), "v": np.array(-0.75, np.float32)}, opset=11)
    z.case("pad_channels_blazeface", [node("Pad", ["x", "p"], ["y"])], {"x": [1, 5, 4, 4]}, ["y"],
           {"p": i64(0, 0, 0, 0, 0, 7, 0, 0)})
    z.case("pad_reflect", [node("Pad", ["x", "p"], ["y"], mode="reflect")], {"x": x}, ["y"],
           {"p": i64(0, 0, 2, 1, 0, 0, 3, 4)})
    z.case("pad_edge", [node("Pad", ["x", "p"], ["y"], mode="edge")], {"x": x}, ["y"],
           {"p": i64(0, 1, 2, 3, 1, 0, 1, 5)})
    z.case("pad_negative_crop", [node("Pad", ["x", "p"], ["y"])], {"x": x}, ["y"],
           {"p": i64(0, 0, -1, 2, 0, 0, 1, -2)})

    # Gather
    z.case("gather_axis0", [node("Gather", ["x", "i"], ["y"], axis=0)], {"x": [5, 4]}, ["y"], {"i": i64(4, 0, -2, 1)})
    z.case("gather_axis1_2d_indices", [node("Gather", ["x", "i"], ["y"], axis=1)], {"x": [2, 6, 3]}, ["y"],
           {"i": np.array([[0, -1], [3, 2], [5, 5]], np.int64)})
    z.case("gather_axis_neg1_scalar", [node("Gather", ["x", "i"], ["y"], axis=-1)], {"x": [2, 3, 7]}, ["y"],
           {"i": np.array(-3, np.int64)})
    z.case("gather_int32_indices", [node("Gather", ["x", "i"], ["y"], axis=2)], {"x": [1, 2, 6, 2]}, ["y"],
           {"i": np.array([1, 4], np.int32)})

    # Squeeze / Unsqueeze: attribute axes before 13, input from 13
    z.case("squeeze_opset11_attr", [node("Squeeze", ["x"], ["y"], axes=[0, -2])], {"x": [1, 3, 1, 4]}, ["y"], opset=11)
    z.case("squeeze_opset13_input", [node("Squeeze", ["x", "a"], ["y"])], {"x": [1, 3, 1, 4]}, ["y"], {"a": i64(2)})
    z.case("squeeze_all", [node("Squeeze", ["x"], ["y"])], {"x": [1, 3, 1, 4]}, ["y"])
    z.case("unsqueeze_opset11_attr", [node("Unsqueeze", ["x"], ["y"], axes=[0, 3])], {"x": [3, 4]}, ["y"], opset=11)
    z.case("unsqueeze_opset13_input", [node("Unsqueeze", ["x", "a"], ["y"])], {"x": [3, 4]}, ["y"],
           {"a": i64(-1, 1)})

    # Identity / Dropout (inference: copies)
    z.case("identity", [node("Identity", ["x"], ["i"]), node("Relu", ["i"], ["y"])], {"x": x}, ["y"])
    z.case("dropout_opset7", [node("Dropout", ["x"], ["d"], ratio=0.3), node("Relu", ["d"], ["y"])], {"x": x}, ["y"],
           opset=7)
    z.case("dropout_opset13_ratio", [node("Dropout", ["x", "r"], ["d"]), node("Relu", ["d"], ["y"])], {"x": x}, ["y"],
           {"r": np.array(0.4, np.float32)})
    z.case("identity_output", [node("Identity", ["x"], ["y"])], {"x": x}, ["y"])


# --- integer shape arithmetic, constants, Cast ---------------------------------------------
def int_cases(z):
    x = [2, 3, 4, 5]
    # the usual exporter chain: Shape -> Gather -> Unsqueeze -> Concat -> Reshape
    z.case("shape_chain_reshape",
           [node("Shape", ["x"], ["s"]),
            node("Gather", ["s", "i0"], ["n"], axis=0),
            node("Unsqueeze", ["n", "ax"], ["nu"]),
            node("Concat", ["nu", "m1"], ["ns"], axis=0),
            node("Reshape", ["x", "ns"], ["y"])],
           {"x": x}, ["y"], {"i0": np.array(0, np.int64), "ax": i64(0), "m1": i64(-1)})
    z.case("shape_chain_opset11",
           [node("Shape", ["x"], ["s"]),
            node("Gather", ["s", "i1"], ["c"], axis=0),
            node("Unsqueeze", ["c"], ["cu"], axes=[0]),
            node("Mul", ["cu", "two"], ["c2"]),
            node("Div", ["c2", "three"], ["c3"]),
            node("Sub", ["c3", "one"], ["c4"]),
            node("Add", ["c4", "one"], ["c5"]),
            node("Concat", ["c5", "m1"], ["ns"], axis=0),
            node("Reshape", ["x", "ns"], ["y"])],
           {"x": x}, ["y"], {"i1": np.array(1, np.int64), "two": i64(2), "three": i64(3), "one": i64(1), "m1": i64(-1)},
           opset=11)
    z.case("shape_cast_float", [node("Shape", ["x"], ["s"]), node("Cast", ["s"], ["y"], to=TensorProto.FLOAT)],
           {"x": x}, ["y"])
    z.case("shape_opset15_start_end",
           [node("Shape", ["x"], ["s"], start=1, end=-1), node("Cast", ["s"], ["y"], to=TensorProto.FLOAT)],
           {"x": x}, ["y"], opset=15)
    z.case("shape_slice_int64",
           [node("Shape", ["x"], ["s"]), node("Slice", ["s", "st", "en"], ["t"]),
            node("Concat", ["t", "m1"], ["ns"], axis=0), node("Reshape", ["x", "ns"], ["y"])],
           {"x": x}, ["y"], {"st": i64(0), "en": i64(2), "m1": i64(-1)})
    z.case("constant_of_shape",
           [node("Shape", ["x"], ["s"]),
            node("ConstantOfShape", ["s"], ["k"], value=numpy_helper.from_array(np.array([0.5], np.float32))),
            node("Add", ["x", "k"], ["y"])], {"x": x}, ["y"])
    z.case("constant_of_shape_default",
           [node("ConstantOfShape", ["s"], ["k"]), node("Add", ["x", "k"], ["y"])], {"x": [3, 4]}, ["y"],
           {"s": i64(2, 3, 4)})
    z.case("constant_tensor",
           [node("Constant", [], ["k"], value=numpy_helper.from_array(z.rand(3, 1))), node("Mul", ["x", "k"], ["y"])],
           {"x": [2, 3, 4]}, ["y"])
    z.case("constant_value_float", [node("Constant", [], ["k"], value_float=2.5), node("Mul", ["x", "k"], ["y"])],
           {"x": [2, 3]}, ["y"])
    z.case("constant_value_ints_reshape",
           [node("Constant", [], ["s"], value_ints=[3, -1]), node("Reshape", ["x", "s"], ["y"])], {"x": [2, 3, 2]}, ["y"])
    z.case("cast_float_int64_float",
           [node("Mul", ["x", "k"], ["m"]), node("Cast", ["m"], ["i"], to=TensorProto.INT64),
            node("Cast", ["i"], ["y"], to=TensorProto.FLOAT)], {"x": [4, 5]}, ["y"], {"k": np.array(7.0, np.float32)})
    z.case("cast_int32_roundtrip",
           [node("Mul", ["x", "k"], ["m"]), node("Cast", ["m"], ["i"], to=TensorProto.INT32),
            node("Cast", ["i"], ["y"], to=TensorProto.FLOAT)], {"x": [4, 5]}, ["y"], {"k": np.array(9.0, np.float32)})
    z.case("cast_opset9_identity", [node("Cast", ["x"], ["y"], to=TensorProto.FLOAT)], {"x": [3, 3]}, ["y"], opset=9)
    z.case("int64_arith_gather_scalar",
           [node("Shape", ["x"], ["s"]), node("Gather", ["s", "i"], ["d"], axis=0),
            node("Mul", ["d", "k"], ["e"]), node("Cast", ["e"], ["ef"], to=TensorProto.FLOAT),
            node("Add", ["x", "ef"], ["y"])],
           {"x": [2, 6]}, ["y"], {"i": np.array(-1, np.int64), "k": np.array(3, np.int64)})


# --- Resize / Upsample -----------------------------------------------------------------------
def resize_cases(z):
    x = [1, 3, 5, 7]
    empty = np.array([], np.float32)
    roi = np.array([], np.float32)

    def scales(*v):
        return np.array(v, np.float32)

    # tf_half_pixel_for_nearest is left out: ONNX Runtime refuses it, so
    # there is no reference to compare with.
    coords = ["half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel"]
    for cm in coords:
        z.case("resize_nearest_up2_%s" % cm,
               [node("Resize", ["x", "roi", "sc"], ["y"], mode="nearest", coordinate_transformation_mode=cm)],
               {"x": x}, ["y"], {"roi": roi, "sc": scales(1, 1, 2, 2)}, opset=11)
        z.case("resize_nearest_sizes_%s" % cm,
               [node("Resize", ["x", "roi", "sc", "sz"], ["y"], mode="nearest", coordinate_transformation_mode=cm)],
               {"x": x}, ["y"], {"roi": roi, "sc": empty, "sz": i64(1, 3, 8, 4)}, opset=11)
    for nm in ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"]:
        z.case("resize_nearest_mode_%s" % nm,
               [node("Resize", ["x", "roi", "sc"], ["y"], mode="nearest", nearest_mode=nm,
                     coordinate_transformation_mode="asymmetric")],
               {"x": x}, ["y"], {"roi": roi, "sc": scales(1, 1, 1.5, 2.5)}, opset=13)
        z.case("resize_nearest_down_%s" % nm,
               [node("Resize", ["x", "", "sc"], ["y"], mode="nearest", nearest_mode=nm)],
               {"x": [1, 2, 9, 10]}, ["y"], {"sc": scales(1, 1, 0.5, 0.6)}, opset=13)
    for cm in ["half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel"]:
        z.case("resize_linear_up_%s" % cm,
               [node("Resize", ["x", "", "sc"], ["y"], mode="linear", coordinate_transformation_mode=cm)],
               {"x": x}, ["y"], {"sc": scales(1, 1, 2, 3)}, opset=13)
        z.case("resize_linear_sizes_%s" % cm,
               [node("Resize", ["x", "", "", "sz"], ["y"], mode="linear", coordinate_transformation_mode=cm)],
               {"x": x}, ["y"], {"sz": i64(1, 3, 3, 11)}, opset=13)
    z.case("resize_linear_to_one_row",
           [node("Resize", ["x", "", "", "sz"], ["y"], mode="linear", coordinate_transformation_mode="pytorch_half_pixel")],
           {"x": x}, ["y"], {"sz": i64(1, 3, 1, 4)}, opset=13)
    z.case("resize_nearest_opset17_default",
           [node("Resize", ["x", "", "sc"], ["y"])], {"x": [2, 3, 4, 4]}, ["y"], {"sc": scales(1, 1, 2, 2)}, opset=17)
    z.case("resize_nearest_channel_axis",
           [node("Resize", ["x", "", "sc"], ["y"], coordinate_transformation_mode="asymmetric", nearest_mode="floor")],
           {"x": [1, 3, 4, 4]}, ["y"], {"sc": scales(1, 2, 1, 1)}, opset=13)
    z.case("resize_opset10_nearest", [node("Resize", ["x", "sc"], ["y"], mode="nearest")], {"x": x}, ["y"],
           {"sc": scales(1, 1, 2, 3)}, opset=10)
    z.case("resize_opset10_nearest_down", [node("Resize", ["x", "sc"], ["y"], mode="nearest")],
           {"x": [1, 2, 9, 10]}, ["y"], {"sc": scales(1, 1, 0.5, 0.6)}, opset=10)
    z.case("resize_opset10_linear", [node("Resize", ["x", "sc"], ["y"], mode="linear")], {"x": x}, ["y"],
           {"sc": scales(1, 1, 2, 2)}, opset=10)
    z.case("upsample_opset7_nearest", [node("Upsample", ["x"], ["y"], scales=[1.0, 1.0, 2.0, 3.0])], {"x": x}, ["y"],
           opset=7)
    z.case("upsample_opset7_linear", [node("Upsample", ["x"], ["y"], mode="linear", scales=[1.0, 1.0, 2.0, 2.0])],
           {"x": x}, ["y"], opset=7)
    z.case("upsample_opset9_input", [node("Upsample", ["x", "sc"], ["y"], mode="nearest")], {"x": x}, ["y"],
           {"sc": scales(1, 1, 2, 2)}, opset=9)


# --- Softmax, LRN, BatchNormalization ------------------------------------------------------------
def norm_cases(z):
    big = lambda *s: z.rand(*s) * 6
    z.case("softmax_opset11_axis1_coerced", [node("Softmax", ["x"], ["y"], axis=1)], {"x": [2, 3, 4]}, ["y"],
           opset=11, data={"x": big(2, 3, 4)})
    z.case("softmax_opset11_default", [node("Softmax", ["x"], ["y"])], {"x": [2, 3, 4, 2]}, ["y"], opset=11)
    z.case("softmax_opset13_axis1", [node("Softmax", ["x"], ["y"], axis=1)], {"x": [2, 3, 4]}, ["y"],
           data={"x": big(2, 3, 4)})
    z.case("softmax_opset13_default", [node("Softmax", ["x"], ["y"])], {"x": [2, 3, 5]}, ["y"])
    z.case("softmax_opset7_axis0", [node("Softmax", ["x"], ["y"], axis=0)], {"x": [3, 4]}, ["y"], opset=7)
    z.case("lrn_size3", [node("LRN", ["x"], ["y"], size=3, alpha=1e-2, beta=0.6, bias=1.5)], {"x": [1, 7, 5, 5]},
           ["y"], data={"x": big(1, 7, 5, 5)})
    z.case("lrn_size5_defaults", [node("LRN", ["x"], ["y"], size=5)], {"x": [2, 6, 3, 4]}, ["y"],
           data={"x": big(2, 6, 3, 4)})

    def bn_inits(c):
        return {"s": z.rand(c, lo=0.5, hi=1.5), "b": z.rand(c), "m": z.rand(c), "v": z.rand(c, lo=0.2, hi=2.0)}
    z.case("batchnorm_opset15", [node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"], epsilon=1e-3)],
           {"x": [2, 5, 4, 3]}, ["y"], bn_inits(5), opset=15)
    z.case("batchnorm_opset7", [node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"])],
           {"x": [1, 6, 3, 3]}, ["y"], bn_inits(6), opset=7)
    z.case("batchnorm_2d_input", [node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"])],
           {"x": [4, 6]}, ["y"], bn_inits(6))


# --- a small network in the style of the product models -----------------------------------------
def network_cases(z):
    inits = {
        "w1": z.rand(12, 3, 5, 5) * 0.3, "b1": z.rand(12),
        "wd": z.rand(12, 1, 3, 3) * 0.5, "bd": z.rand(12),
        "wp": z.rand(20, 12, 1, 1) * 0.3, "bp": z.rand(20),
        "pads": i64(0, 0, 0, 0, 0, 8, 0, 0),
        "fc": z.rand(20, 7), "fb": z.rand(7),
        "shape": i64(1, -1),
    }
    nodes = [
        node("Conv", ["x", "w1", "b1"], ["c1"], strides=[2, 2], pads=[1, 1, 2, 2]),
        node("Relu", ["c1"], ["r1"]),
        node("Conv", ["r1", "wd", "bd"], ["d1"], group=12, pads=[1, 1, 1, 1]),
        node("Conv", ["d1", "wp", "bp"], ["p1"]),
        node("MaxPool", ["r1"], ["m1"], kernel_shape=[2, 2], strides=[2, 2]),
        node("Pad", ["m1", "pads"], ["m1p"]),
        node("MaxPool", ["p1"], ["p1m"], kernel_shape=[2, 2], strides=[2, 2]),
        node("Add", ["p1m", "m1p"], ["s1"]),
        node("Relu", ["s1"], ["r2"]),
        node("GlobalAveragePool", ["r2"], ["g"]),
        node("Reshape", ["g", "shape"], ["gf"]),
        node("MatMul", ["gf", "fc"], ["f"]),
        node("Add", ["f", "fb"], ["fo"]),
        node("Softmax", ["fo"], ["y"], axis=-1),
    ]
    z.case("net_blazeface_like", nodes, {"x": [1, 3, 32, 32]}, ["y", "r2"], inits)
    # an input scale in front of a Conv folds into its weights: one value
    # (AgeGenderNet's 1/255 after its mean), one per channel, grouped; not
    # when the scaled input is read twice or the Mul broadcasts x itself
    w4 = z.rand(6, 4, 3, 3)
    z.case("conv_input_scale_scalar",
           [node("Sub", ["x", "m"], ["d"]), node("Mul", ["d", "s"], ["xs"]),
            node("Conv", ["xs", "W", "B"], ["y"], strides=[2, 2], pads=[0, 0, 1, 1])],
           {"x": [1, 4, 9, 9]}, ["y"],
           {"m": z.rand(1, 4, 1, 1), "s": np.full((1, 1, 1, 1), 1 / 255, np.float32) * 40, "W": w4,
            "B": z.rand(6)})
    z.case("conv_input_scale_channels",
           [node("Mul", ["s", "x"], ["xs"]), node("Conv", ["xs", "W"], ["y"], pads=[1, 1, 1, 1])],
           {"x": [2, 4, 7, 8]}, ["y"], {"s": z.rand(4, 1, 1, lo=0.5, hi=2.0), "W": w4})
    z.case("conv_input_scale_grouped",
           [node("Mul", ["x", "s"], ["xs"]), node("Conv", ["xs", "W"], ["y"], group=2)],
           {"x": [1, 4, 6, 6]}, ["y"], {"s": np.array([0.7], np.float32), "W": z.rand(6, 2, 3, 3)})
    z.case("conv_input_scale_read_twice",
           [node("Mul", ["x", "s"], ["xs"]), node("Conv", ["xs", "W"], ["y"])],
           {"x": [1, 4, 6, 6]}, ["y", "xs"], {"s": np.array([0.7], np.float32), "W": w4})
    z.case("conv_input_scale_broadcasts_x",
           [node("Mul", ["x", "s"], ["xs"]), node("Conv", ["xs", "W"], ["y"])],
           {"x": [1, 1, 6, 6]}, ["y"], {"s": z.rand(1, 4, 1, 1), "W": w4})
    # AgeGenderNet's reduction: a 3x3/2 MaxPool plus a strided 1x1 shortcut,
    # the sum read raw and through a Relu (the Add fuses into the pool, the
    # Relu cannot); the shortcut first in the file so it runs first, or last
    # so it does not (no fusion); planes past the fused add's group size
    for name, shape, shortcut_first in (("net_maxpool_residual", [1, 16, 40, 40], True),
                                        ("net_maxpool_residual_later", [1, 16, 40, 40], False),
                                        ("net_maxpool_residual_wide", [1, 4, 130, 130], True)):
        c = shape[1]
        pool = node("MaxPool", ["x"], ["m"], kernel_shape=[3, 3], strides=[2, 2], pads=[0, 0, 1, 1])
        short = node("Conv", ["x", "ws" + name, "bs" + name], ["e"], strides=[2, 2])
        rest = [node("Add", ["m", "e"], ["s"]), node("Relu", ["s"], ["r"])]
        z.case(name, ([short, pool] if shortcut_first else [pool, short]) + rest, {"x": shape}, ["s", "r"],
               {"ws" + name: z.rand(c, c, 1, 1) * 0.5, "bs" + name: z.rand(c)})
    # large enough (98304 values) for Add and Relu to split over the pool
    z.case("net_large_residual_add_relu",
           [node("Add", ["a", "b"], ["s"]), node("Relu", ["s"], ["r"]), node("Sigmoid", ["r"], ["y"])],
           {"a": [1, 24, 64, 64], "b": [1, 24, 64, 64]}, ["y"])


# --- what nnrt must refuse, with a message naming node and attribute ---------------------------
def refusal_cases(z):
    x = [1, 4, 6, 6]
    w = {"W": z.rand(4, 4, 3, 3)}
    z.refuse("conv_auto_pad", [node("Conv", ["x", "W"], ["y"], auto_pad="SAME_MIDDLE")], {"x": x}, ["y"],
             "auto_pad", w)
    z.refuse("conv_3d", [node("Conv", ["x", "W"], ["y"])], {"x": [1, 2, 4, 4, 4]}, ["y"], "rank",
             {"W": z.rand(3, 2, 3, 3, 3)})
    z.refuse("conv_group", [node("Conv", ["x", "W"], ["y"], group=3)], {"x": x}, ["y"], "group", w)
    z.refuse("conv_kernel_shape", [node("Conv", ["x", "W"], ["y"], kernel_shape=[5, 5])], {"x": x}, ["y"],
             "kernel_shape", w)
    z.refuse("maxpool_storage_order", [node("MaxPool", ["x"], ["y"], kernel_shape=[2, 2], storage_order=1)],
             {"x": x}, ["y"], "storage_order")
    z.refuse("maxpool_indices", [node("MaxPool", ["x"], ["y", "i"], kernel_shape=[2, 2]),
                                 node("Cast", ["i"], ["yi"], to=TensorProto.FLOAT)], {"x": x}, ["y", "yi"],
             "output 1", bad=0)
    z.refuse("pool_no_kernel", [node("AveragePool", ["x"], ["y"])], {"x": x}, ["y"], "kernel_shape")
    z.refuse("resize_cubic", [node("Resize", ["x", "", "sc"], ["y"], mode="cubic")], {"x": x}, ["y"], "mode",
             {"sc": np.array([1, 1, 2, 2], np.float32)})
    z.refuse("resize_crop", [node("Resize", ["x", "", "sc"], ["y"], coordinate_transformation_mode="tf_crop_and_resize")],
             {"x": x}, ["y"], "coordinate_transformation_mode", {"sc": np.array([1, 1, 2, 2], np.float32)})
    z.refuse("resize_linear_channels", [node("Resize", ["x", "", "sc"], ["y"], mode="linear")], {"x": x}, ["y"],
             "last two axes", {"sc": np.array([1, 2, 1, 1], np.float32)})
    z.refuse("pad_wrap", [node("Pad", ["x", "p"], ["y"], mode="wrap")], {"x": x}, ["y"], "mode",
             {"p": i64(0, 0, 1, 1, 0, 0, 1, 1)})
    z.refuse("pad_reflect_too_wide", [node("Pad", ["x", "p"], ["y"], mode="reflect")], {"x": x}, ["y"], "reflect",
             {"p": i64(0, 0, 6, 0, 0, 0, 0, 0)})
    z.refuse("batchnorm_training", [node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"], training_mode=1)],
             {"x": x}, ["y"], "training_mode", {k: z.rand(4, lo=0.5, hi=1) for k in "sbmv"}, opset=15)
    z.refuse("softmax_axis", [node("Softmax", ["x"], ["y"], axis=4)], {"x": x}, ["y"], "axis")
    z.refuse("gemm_transa", [node("Gemm", ["a", "b"], ["y"], transA=2)], {"a": [3, 4]}, ["y"], "transA",
             {"b": z.rand(4, 2)})
    z.refuse("gemm_shapes", [node("Gemm", ["a", "b"], ["y"])], {"a": [3, 4]}, ["y"], "inner", {"b": z.rand(5, 2)})
    z.refuse("reshape_computed_shape",
             [node("Cast", ["s"], ["si"], to=TensorProto.INT64), node("Reshape", ["x", "si"], ["y"])],
             {"x": [2, 6], "s": [2]}, ["y"], "constant")
    z.refuse("reshape_two_minus1", [node("Reshape", ["x", "s"], ["y"])], {"x": [2, 6]}, ["y"], "-1",
             {"s": i64(-1, -1)})
    z.refuse("lrn_size0", [node("LRN", ["x"], ["y"], size=0)], {"x": x}, ["y"], "size")
    z.refuse("gather_index", [node("Gather", ["x", "i"], ["y"], axis=1)], {"x": x}, ["y"], "index",
             {"i": i64(0, 4)})
    z.refuse("split_sum", [node("Split", ["x", "s"], ["a", "b"], axis=1)], {"x": x}, ["a", "b"], "split",
             {"s": i64(1, 2)})
    z.refuse("concat_dims", [node("Concat", ["a", "b"], ["y"], axis=1)], {"a": [1, 2, 3], "b": [1, 2, 4]}, ["y"],
             "dimension")
    z.refuse("slice_step0", [node("Slice", ["x", "st", "en", "ax", "sp"], ["y"])], {"x": x}, ["y"], "step",
             {"st": i64(0), "en": i64(3), "ax": i64(2), "sp": i64(0)})
    z.refuse("add_broadcast", [node("Add", ["a", "b"], ["y"])], {"a": [2, 3], "b": [2, 4]}, ["y"], "broadcast")
    z.refuse("clip_bounds", [node("Clip", ["x", "lo"], ["y"])], {"x": x}, ["y"], "scalar",
             {"lo": z.rand(2)}, opset=11)
    z.refuse("cast_string", [node("Cast", ["x"], ["y"], to=TensorProto.STRING)], {"x": x}, ["y"], "to")
    z.refuse("squeeze_non1", [node("Squeeze", ["x", "a"], ["y"])], {"x": x}, ["y"], "squeeze", {"a": i64(1)})
    z.refuse("transpose_perm", [node("Transpose", ["x"], ["y"], perm=[0, 1, 1, 2])], {"x": x}, ["y"], "perm")


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: gen-op-zoo.py OUTDIR\n")
        return 2
    z = Zoo(sys.argv[1])
    os.makedirs(z.outdir, exist_ok=True)
    for gen in [conv_cases, elementwise_cases, pool_cases, gemm_cases, shape_cases, int_cases, resize_cases,
                norm_cases, network_cases, refusal_cases]:
        gen(z)
    z.write_manifest()
    print("gen-op-zoo: %d models and %d refusals in %s" % (len(z.cases), len(z.refusals), z.outdir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
