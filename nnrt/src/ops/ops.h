/* The op tables defined by the op_*.c files, collected by registry.c. */
#ifndef NNRT_OPS_H
#define NNRT_OPS_H

#include "graph.h"

#define NNRT_OPS_LIST(X)                                                                     \
  X(conv, "Conv") X(batchnorm, "BatchNormalization") X(relu, "Relu")                         \
  X(leaky_relu, "LeakyRelu") X(prelu, "PRelu") X(clip, "Clip") X(sigmoid, "Sigmoid")          \
  X(tanh, "Tanh") X(hard_sigmoid, "HardSigmoid") X(hard_swish, "HardSwish") X(add, "Add")    \
  X(sub, "Sub") X(mul, "Mul") X(div, "Div") X(maxpool, "MaxPool")                            \
  X(averagepool, "AveragePool") X(global_averagepool, "GlobalAveragePool")                   \
  X(global_maxpool, "GlobalMaxPool") X(gemm, "Gemm") X(matmul, "MatMul")                     \
  X(flatten, "Flatten") X(reshape, "Reshape") X(transpose, "Transpose") X(concat, "Concat")  \
  X(slice, "Slice") X(split, "Split") X(pad, "Pad") X(resize, "Resize")                      \
  X(upsample, "Upsample") X(softmax, "Softmax") X(lrn, "LRN") X(dropout, "Dropout")          \
  X(identity, "Identity") X(constant, "Constant") X(shape, "Shape") X(gather, "Gather")      \
  X(unsqueeze, "Unsqueeze") X(squeeze, "Squeeze") X(cast, "Cast")                            \
  X(constant_of_shape, "ConstantOfShape")

#define NNRT_OP_DECLARE(id, name) extern const nnrt_op nnrt_op_##id;
NNRT_OPS_LIST(NNRT_OP_DECLARE)
#undef NNRT_OP_DECLARE

#endif /* NNRT_OPS_H */
