#!/usr/bin/python3
"""Expected outputs of Float/Inputs/ops.mlir on the inputs harness/ops_main.c
builds, computed with NumPy alone (independent of MLIR). Prints CHECK lines
for the integration tests."""
import numpy as np


def fill(shape, k):
    n = int(np.prod(shape))
    i = np.arange(n)
    return (((((i + 3 * k) * 37) % 17) - 8) * 0.25).astype(np.float32).reshape(shape)


def conv2d_nhwc(x, w, b, pad, stride):  # w: [O, KH, KW, I]
    n, h, wd, c = x.shape
    o, kh, kw, _ = w.shape
    xp = np.pad(x, ((0, 0), (pad[0], pad[1]), (pad[2], pad[3]), (0, 0)))
    oh = (h + pad[0] + pad[1] - kh) // stride[0] + 1
    ow = (wd + pad[2] + pad[3] - kw) // stride[1] + 1
    y = np.zeros((n, oh, ow, o), np.float32)
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, i * stride[0]:i * stride[0] + kh, j * stride[1]:j * stride[1] + kw, :]
            y[:, i, j, :] = np.einsum("nhwc,ohwc->no", patch, w) + b
    return y


def depthwise_nhwc(x, w, b, pad, stride):  # w: [KH, KW, C, 1]
    c = x.shape[3]
    outs = [conv2d_nhwc(x[..., ch:ch + 1], w[:, :, ch, :].transpose(2, 0, 1)[..., None],
                        b[ch:ch + 1], pad, stride) for ch in range(c)]
    return np.concatenate(outs, axis=3)


def pool(x, reduce):
    n, h, w, c = x.shape
    return reduce(x.reshape(n, h // 2, 2, w // 2, 2, c), axis=(2, 4))


def emit(name, y):
    print("// CHECK: %s:%s" % (name, "".join(" %.4f" % v for v in y.ravel())))


x = fill((2, 3), 0)
w = np.array([[1.0, -2.0], [0.5, 1.0], [-1.0, 0.25]], np.float32)
emit("ops_fc", np.maximum(x @ w + np.array([0.5, -0.25], np.float32), 0))

x = fill((1, 4, 4, 1), 0)
w = np.array([[[[1], [0], [-1]], [[2], [0], [-2]], [[1], [0], [-1]]],
              [[[.5], [.5], [.5]], [[.5], [1], [.5]], [[.5], [.5], [.5]]]], np.float32)
emit("ops_conv", conv2d_nhwc(x, w, np.array([0.25, -1.0], np.float32), (1, 1, 1, 1), (1, 1)))

x = fill((1, 5, 5, 2), 0)
w = np.array([[[[1], [-1]], [[2], [.5]], [[1], [-1]]],
              [[[0], [1]], [[-1], [.5]], [[0], [1]]],
              [[[1], [-1]], [[.5], [.5]], [[1], [-1]]]], np.float32)
emit("ops_dwconv", depthwise_nhwc(x, w, np.array([0.0, 1.0], np.float32), (1, 1, 1, 1), (2, 2)))

a, b = fill((2, 3), 0), fill((1, 3), 1)
emit("ops_addmul", np.clip((a + b) * a, -1, 6))

x = fill((1, 4, 4, 2), 0)
emit("ops_pools.max", pool(x, np.max))
emit("ops_pools.avg", pool(x, np.mean))

x, y = fill((2, 3), 0), fill((2, 3), 1)
emit("ops_shape", np.concatenate([x.T, y.T], axis=1).reshape(4, 3))

x = fill((2, 4), 0)
e = np.exp(x - x.max(axis=1, keepdims=True))
emit("ops_softmax", e / e.sum(axis=1, keepdims=True))
