#!/usr/bin/python3
"""Convert face-api's AgeGenderNet (TF.js weights) into an equivalent ONNX graph.

Source: @vladmandic/face-api@1.7.15, model/age_gender_model-weights_manifest.json
and model/age_gender_model.bin. The architecture is transcribed from the
package's src/xception/TinyXception.ts, src/ageGenderNet/AgeGenderNet.ts and
src/common/ (depthwiseSeparableConv, fullyConnectedLayer):

  x = (rgb - mean_rgb) / 255                         normalize(), in the graph
  x = relu(conv3x3/2(x))                             entry_flow/conv_in
  x = reduction(x, act=False) ; x = reduction(x)     entry_flow/reduction_block_0,1
  x = main(x) ; x = main(x)                          middle_flow/main_block_0,1
  x = reduction(x)                                   exit_flow/reduction_block
  x = relu(sepconv(x))                               exit_flow/separable_conv
  p = avgpool7x7/2 'valid'(x) -> [1,512]
  age = p @ W_age + b_age                            [1,1] years
  gender = softmax(p @ W_gender + b_gender)          [1,2] (P(male), P(female))

  reduction(x) = maxpool3x3/2 'same'(sep1(relu(sep0(relu?(x))))) + conv1x1/2(x)
  main(x)      = sep2(relu(sep1(relu(sep0(relu(x)))))) + x

TF 'same' padding puts the odd pixel of padding at the end (bottom/right);
the converter computes explicit ONNX pads from the static shapes so stride-2
layers get (0 top/left, 1 bottom/right) exactly as TF.js does.

Weights quantised to uint8 in the manifest are dequantised the way tfjs-core's
io.decodeWeights does it: float32(q * scale + min), computed in double.

The output is byte-for-byte deterministic (fixed producer fields, no
timestamps, initializers in manifest order) so tools/rebuild-models can
compare sha256 against the committed models/age-gender.onnx.

Usage: convert-age-gender.py FACE_API_PACKAGE_DIR OUTPUT.onnx
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

INPUT_SIZE = 112
MEAN_RGB = (122.782, 117.001, 104.298)  # TinyXception.forwardInput
NUM_MAIN_BLOCKS = 2                     # AgeGenderNet: new TinyXception(2)
PRODUCER = "faceattr tools/convert-age-gender.py"
PRODUCER_VERSION = "1"
SOURCE = "@vladmandic/face-api@1.7.15 model/age_gender_model"


def load_weights(package_dir):
    """Returns {name: float32 ndarray in TF layout} in manifest order."""
    model_dir = os.path.join(package_dir, "model")
    with open(os.path.join(model_dir, "age_gender_model-weights_manifest.json")) as f:
        manifest = json.load(f)
    weights = {}
    for group in manifest:
        blob = b"".join(open(os.path.join(model_dir, p), "rb").read() for p in group["paths"])
        offset = 0
        for entry in group["weights"]:
            shape = entry["shape"]
            count = int(np.prod(shape))
            if entry["dtype"] != "float32":
                raise ValueError("%s: unsupported dtype %s" % (entry["name"], entry["dtype"]))
            quant = entry.get("quantization")
            if quant is None:
                values = np.frombuffer(blob, "<f4", count, offset).astype(np.float32)
                offset += 4 * count
            elif quant["dtype"] == "uint8":
                q = np.frombuffer(blob, np.uint8, count, offset)
                values = (q.astype(np.float64) * quant["scale"] + quant["min"]).astype(np.float32)
                offset += count
            else:
                raise ValueError("%s: unsupported quantisation %s" % (entry["name"], quant["dtype"]))
            weights[entry["name"]] = values.reshape(shape)
        if offset != len(blob):
            raise ValueError("weights file size %d does not match manifest (%d bytes used)"
                             % (len(blob), offset))
    return weights


def same_pads(size, kernel, stride):
    """TF 'same' padding for one spatial axis: (begin, end, output size)."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2, out


class Builder:
    """Collects nodes and initializers while tracking the static NCHW shape."""

    def __init__(self, weights):
        self.w = weights
        self.used = set()
        self.nodes = []
        self.inits = []
        self.counter = 0

    def name(self, hint):
        self.counter += 1
        return "%s:%d" % (hint, self.counter)

    def const(self, name, array):
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(array, np.float32), name))
        return name

    def weight(self, tf_name, onnx_array):
        self.used.add(tf_name)
        return self.const(tf_name, onnx_array)

    def node(self, op, inputs, hint, output=None, **attrs):
        out = output or self.name(hint)
        self.nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out

    def relu(self, x):
        return self.node("Relu", [x], "relu")

    def add(self, a, b):
        return self.node("Add", [a, b], "add")

    def conv(self, x, size, prefix, stride):
        """tf.conv2d(x, filters, stride, 'same') + bias; filters HWIO."""
        f = self.w[prefix + "/filters"]
        k = f.shape[0]
        pb, pe, out = same_pads(size, k, stride)
        y = self.node("Conv", [x, self.weight(prefix + "/filters", f.transpose(3, 2, 0, 1)),
                               self.weight(prefix + "/bias", self.w[prefix + "/bias"])],
                      prefix, kernel_shape=[k, k], strides=[stride, stride],
                      pads=[pb, pb, pe, pe])
        return y, out

    def sepconv(self, x, size, prefix):
        """tf.separableConv2d(x, dw, pw, 1, 'same') + bias: depthwise then 1x1."""
        dw = self.w[prefix + "/depthwise_filter"]  # [k, k, C, 1]
        pw = self.w[prefix + "/pointwise_filter"]  # [1, 1, C, O]
        k, channels = dw.shape[0], dw.shape[2]
        pb, pe, _ = same_pads(size, k, 1)
        d = self.node("Conv", [x, self.weight(prefix + "/depthwise_filter", dw.transpose(2, 3, 0, 1))],
                      prefix + "/depthwise", kernel_shape=[k, k], strides=[1, 1],
                      pads=[pb, pb, pe, pe], group=channels)
        return self.node("Conv", [d, self.weight(prefix + "/pointwise_filter", pw.transpose(3, 2, 0, 1)),
                                  self.weight(prefix + "/bias", self.w[prefix + "/bias"])],
                         prefix + "/pointwise", kernel_shape=[1, 1], strides=[1, 1],
                         pads=[0, 0, 0, 0])

    def reduction_block(self, x, size, prefix, activate_input=True):
        out = self.relu(x) if activate_input else x
        out = self.sepconv(out, size, prefix + "/separable_conv0")
        out = self.sepconv(self.relu(out), size, prefix + "/separable_conv1")
        pb, pe, half = same_pads(size, 3, 2)
        # ONNX MaxPool ignores padded cells, like TF's 'same' max pooling.
        out = self.node("MaxPool", [out], prefix + "/maxpool", kernel_shape=[3, 3],
                        strides=[2, 2], pads=[pb, pb, pe, pe])
        shortcut, half2 = self.conv(x, size, prefix + "/expansion_conv", 2)
        assert half == half2
        return self.add(out, shortcut), half

    def main_block(self, x, size, prefix):
        out = self.sepconv(self.relu(x), size, prefix + "/separable_conv0")
        out = self.sepconv(self.relu(out), size, prefix + "/separable_conv1")
        out = self.sepconv(self.relu(out), size, prefix + "/separable_conv2")
        return self.add(out, x)

    def fully_connected(self, x, prefix, output=None):
        """tf.matMul(x, W) + b; W is stored transposed ([out, in], transB=1),
        the layout most ONNX producers use."""
        return self.node("Gemm", [x, self.weight(prefix + "/weights", self.w[prefix + "/weights"].T),
                                  self.weight(prefix + "/bias", self.w[prefix + "/bias"])],
                         prefix, output, transB=1)


def build_model(weights):
    b = Builder(weights)
    # Preprocessing inside the graph: the input is the padded, resized crop
    # in raw RGB 0..255. Mul by float32(1/255) instead of TF's div by 255
    # differs by at most one ulp per pixel.
    mean = b.const("preprocess/mean_rgb", np.array(MEAN_RGB, np.float32).reshape(1, 3, 1, 1))
    scale = b.const("preprocess/inv_255", np.array([1.0 / 255.0], np.float32).reshape(1, 1, 1, 1))
    x = b.node("Sub", ["image", mean], "preprocess/sub_mean")
    x = b.node("Mul", [x, scale], "preprocess/scale")

    x, size = b.conv(x, INPUT_SIZE, "entry_flow/conv_in", 2)
    x = b.relu(x)
    x, size = b.reduction_block(x, size, "entry_flow/reduction_block_0", activate_input=False)
    x, size = b.reduction_block(x, size, "entry_flow/reduction_block_1")
    for i in range(NUM_MAIN_BLOCKS):
        x = b.main_block(x, size, "middle_flow/main_block_%d" % i)
    x, size = b.reduction_block(x, size, "exit_flow/reduction_block")
    x = b.relu(b.sepconv(x, size, "exit_flow/separable_conv"))
    if size != 7:
        raise ValueError("feature map is %dx%d, expected 7x7" % (size, size))
    x = b.node("AveragePool", [x], "avgpool", kernel_shape=[7, 7], strides=[2, 2])
    pooled = b.node("Flatten", [x], "flatten", axis=1)

    b.fully_connected(pooled, "fc/age", output="age")
    logits = b.fully_connected(pooled, "fc/gender")
    b.node("Softmax", [logits], "gender", output="gender", axis=1)

    unused = set(weights) - b.used
    if unused:
        raise ValueError("weights not used by the graph: %s" % sorted(unused))

    graph = helper.make_graph(
        b.nodes, "face-api AgeGenderNet",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, INPUT_SIZE, INPUT_SIZE])],
        [helper.make_tensor_value_info("age", TensorProto.FLOAT, [1, 1]),
         helper.make_tensor_value_info("gender", TensorProto.FLOAT, [1, 2])],
        initializer=b.inits,
        doc_string=("Converted from %s. Input: square crop (zero-padded, centred, odd pixel "
                    "bottom/right), bilinearly resized to 112x112 (TF legacy: "
                    "align_corners=false, half_pixel_centers=false), RGB 0..255, NCHW. "
                    "Outputs: age in years; gender = softmax (P(male), P(female))." % SOURCE))
    model = helper.make_model(graph, producer_name=PRODUCER, producer_version=PRODUCER_VERSION,
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    model.model_version = 1
    onnx.checker.check_model(model)
    return model


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__.split("\n\n")[-1] + "\n")
        return 2
    package_dir, output = argv[1], argv[2]
    try:
        model = build_model(load_weights(package_dir))
    except (OSError, ValueError, KeyError, onnx.checker.ValidationError) as e:
        sys.stderr.write("convert-age-gender: %s\n" % e)
        return 1
    with open(output, "wb") as f:
        f.write(model.SerializeToString(deterministic=True))
    print("convert-age-gender: wrote %s (%d nodes, %d initializers)"
          % (output, len(model.graph.node), len(model.graph.initializer)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
