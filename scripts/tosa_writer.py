"""Tiny TOSA 1.0 MLIR text writer (+ numpy reference interpreter).

There is no PyTorch -> MLIR importer in this environment, so example models
are exported by building the TOSA graph by hand with this module.  The text
it emits is accepted by MLIR 22's ``mlir-opt`` (TOSA 1.0 operand/attribute
forms: zero points and the ``mul`` shift are *operands*, reshape takes a
``!tosa.shape`` operand, ``tosa.const`` uses the ``values`` property).

Usage::

    w = TosaWriter()
    x = w.arg((1, 64))
    x3 = w.reshape(x, (1, 1, 64))
    h = w.relu(w.linear(x3, W_kn, b_n, name="fc1"))      # W_kn: [K, N]
    ...
    w.ret(out)
    text = w.text()                 # MLIR module as a string
    (y,) = w.evaluate(sample)       # numpy float reference of the same graph

Conventions (those of TOSA, not of PyTorch):
  * activations are NHWC;
  * conv2d weights are [OC, KH, KW, IC] (OHWI);
  * depthwise_conv2d weights are [KH, KW, C, M] (output channel = c*M + m);
  * matmul is batched 3-D: [N, H, C] x [N, C, W] -> [N, H, W];
  * pad attributes are [top, bottom, left, right];
  * elementwise ops need equal ranks and broadcast only size-1 dims.

``evaluate`` interprets the recorded graph with numpy (float64 math, rounded
to float32 after every op).  It exists to catch layout mistakes in exporters:
run it on a few inputs and compare against the framework's own outputs.
Only float tensors are supported by the interpreter.

Large constants are written as hex ``dense<"0x...">`` (little-endian raw
bytes, exact); small ones as decimal lists with 9 significant digits, which
round-trips float32 exactly.
"""

from __future__ import annotations

import re
from collections import OrderedDict

import numpy as np

F32_MAX = float(np.finfo(np.float32).max)

_NP_TO_MLIR = {
    np.dtype(np.float32): "f32",
    np.dtype(np.float16): "f16",
    np.dtype(np.int8): "i8",
    np.dtype(np.int16): "i16",
    np.dtype(np.int32): "i32",
    np.dtype(np.int64): "i64",
    np.dtype(np.bool_): "i1",
}
_MLIR_TO_NP = {v: k for k, v in _NP_TO_MLIR.items()}


def _is_float(dtype: str) -> bool:
    return dtype.startswith("f") or dtype == "bf16"


def fmt_float(x: float) -> str:
    """MLIR float literal that round-trips float32 exactly (always has a '.')."""
    x = float(np.float32(x))
    if not np.isfinite(x):
        raise ValueError(f"non-finite float constant {x}")
    return "%.8e" % x  # 9 significant digits


class Value:
    """An SSA value: name (without '%'), static shape and element type."""

    __slots__ = ("name", "shape", "dtype", "is_shape")

    def __init__(self, name, shape, dtype, is_shape=False):
        self.name = name
        self.shape = tuple(int(d) for d in shape)
        self.dtype = dtype
        self.is_shape = is_shape

    @property
    def ref(self) -> str:
        return "%" + self.name

    @property
    def type(self) -> str:
        if self.is_shape:
            return "!tosa.shape<%d>" % self.shape[0]
        if not self.shape:
            return "tensor<%s>" % self.dtype
        return "tensor<%sx%s>" % ("x".join(str(d) for d in self.shape), self.dtype)

    def __repr__(self):
        return "Value(%s : %s)" % (self.ref, self.type)


class Attr:
    """Attribute: MLIR text plus the python value (for the interpreter)."""

    __slots__ = ("text", "value")

    def __init__(self, text, value):
        self.text = text
        self.value = value

    @staticmethod
    def i64_array(vals):
        vals = [int(v) for v in vals]
        return Attr("array<i64: %s>" % ", ".join(map(str, vals)), vals)

    @staticmethod
    def i32_array(vals):
        vals = [int(v) for v in vals]
        return Attr("array<i32: %s>" % ", ".join(map(str, vals)), vals)

    @staticmethod
    def i32(v):
        return Attr("%d : i32" % int(v), int(v))

    @staticmethod
    def f32(v):
        return Attr("%s : f32" % fmt_float(v), float(np.float32(v)))

    @staticmethod
    def type_(t):
        return Attr(t, t)


def _broadcast(a, b):
    if len(a) != len(b):
        raise ValueError("TOSA elementwise ops need equal ranks: %s vs %s" % (a, b))
    out = []
    for x, y in zip(a, b):
        if x != y and x != 1 and y != 1:
            raise ValueError("shapes not broadcastable: %s vs %s" % (a, b))
        out.append(max(x, y))
    return tuple(out)


def _pool_out(size, k, s, p0, p1, dil=1):
    return (size + p0 + p1 - dil * (k - 1) - 1) // s + 1


class TosaWriter:
    """Builds one ``func.func`` of TOSA ops and prints it as MLIR text."""

    def __init__(self, func_name="main", hex_threshold=16, comment=None):
        self.func_name = func_name
        self.hex_threshold = hex_threshold
        self.comment = comment
        self.args = []       # [Value]
        self.ops = []        # [dict]
        self.results = None  # [Value]
        self._names = set()
        self._cache = {}

    # ------------------------------------------------------------------ names
    def _fresh(self, hint):
        base = re.sub(r"[^A-Za-z0-9_]", "_", hint or "v")
        if base[0].isdigit():
            base = "v" + base
        name, i = base, 1
        while name in self._names:
            name = "%s_%d" % (base, i)
            i += 1
        self._names.add(name)
        return name

    def _emit(self, op, operands, attrs, shape, dtype, name=None, **extra):
        res = Value(self._fresh(name or op.split(".")[-1]), shape, dtype,
                    is_shape=extra.pop("is_shape", False))
        rec = dict(op=op, operands=list(operands), attrs=attrs, result=res)
        rec.update(extra)
        self.ops.append(rec)
        return res

    # ------------------------------------------------------------ arguments
    def arg(self, shape, dtype="f32"):
        if self.ops:
            raise RuntimeError("declare all arguments before emitting ops")
        v = Value("arg%d" % len(self.args), shape, dtype)
        self._names.add(v.name)
        self.args.append(v)
        return v

    # ------------------------------------------------------------ constants
    def const(self, array, name=None, dtype=None):
        arr = np.asarray(array)
        if dtype is not None:
            arr = arr.astype(_MLIR_TO_NP[dtype])
        elif arr.dtype == np.float64:
            arr = arr.astype(np.float32)
        arr = np.ascontiguousarray(arr)
        mdt = _NP_TO_MLIR[arr.dtype]
        return self._emit("tosa.const", [], OrderedDict(), arr.shape, mdt,
                          name=name or "cst", value=arr)

    def zero_point(self, dtype="f32"):
        """Cached ``tensor<1xdtype>`` zero (for *_zp operands)."""
        key = ("zp", dtype)
        if key not in self._cache:
            self._cache[key] = self.const(np.zeros(1, _MLIR_TO_NP[dtype]),
                                          name="zp_" + dtype)
        return self._cache[key]

    def shift0(self):
        """Cached ``tensor<1xi8>`` zero (the ``mul`` shift operand)."""
        key = ("shift",)
        if key not in self._cache:
            self._cache[key] = self.const(np.zeros(1, np.int8), name="shift0")
        return self._cache[key]

    def const_shape(self, dims, name=None):
        dims = tuple(int(d) for d in dims)
        key = ("shape", dims)
        if key not in self._cache:
            self._cache[key] = self._emit(
                "tosa.const_shape", [], OrderedDict(), (len(dims),), "index",
                name=name or "shape_" + "x".join(map(str, dims)),
                is_shape=True, value=dims)
        return self._cache[key]

    # ------------------------------------------------------------ data movement
    def reshape(self, x, shape, name=None):
        shape = tuple(int(d) for d in shape)
        if int(np.prod(shape)) != int(np.prod(x.shape)):
            raise ValueError("reshape %s -> %s changes size" % (x.shape, shape))
        s = self.const_shape(shape)
        return self._emit("tosa.reshape", [x, s], OrderedDict(), shape, x.dtype, name)

    def transpose(self, x, perms, name=None):
        perms = [int(p) for p in perms]
        shape = tuple(x.shape[p] for p in perms)
        return self._emit("tosa.transpose", [x],
                          OrderedDict(perms=Attr.i32_array(perms)), shape, x.dtype, name)

    # ------------------------------------------------------------ elementwise
    def _binary(self, op, a, b, name):
        if a.dtype != b.dtype:
            raise ValueError("%s: dtype mismatch %s vs %s" % (op, a.dtype, b.dtype))
        return self._emit(op, [a, b], OrderedDict(), _broadcast(a.shape, b.shape),
                          a.dtype, name)

    def add(self, a, b, name=None):
        return self._binary("tosa.add", a, b, name)

    def sub(self, a, b, name=None):
        return self._binary("tosa.sub", a, b, name)

    def maximum(self, a, b, name=None):
        return self._binary("tosa.maximum", a, b, name)

    def minimum(self, a, b, name=None):
        return self._binary("tosa.minimum", a, b, name)

    def mul(self, a, b, name=None):
        if a.dtype != b.dtype:
            raise ValueError("mul: dtype mismatch")
        return self._emit("tosa.mul", [a, b, self.shift0()], OrderedDict(),
                          _broadcast(a.shape, b.shape), a.dtype, name)

    def _unary(self, op, x, name):
        return self._emit(op, [x], OrderedDict(), x.shape, x.dtype, name)

    def exp(self, x, name=None):
        return self._unary("tosa.exp", x, name)

    def reciprocal(self, x, name=None):
        return self._unary("tosa.reciprocal", x, name)

    def tanh(self, x, name=None):
        return self._unary("tosa.tanh", x, name)

    def sigmoid(self, x, name=None):
        return self._unary("tosa.sigmoid", x, name)

    def clamp(self, x, lo, hi, name=None):
        if not _is_float(x.dtype):
            raise NotImplementedError("integer clamp not needed yet")
        attrs = OrderedDict(min_val=Attr.f32(lo), max_val=Attr.f32(hi))
        return self._emit("tosa.clamp", [x], attrs, x.shape, x.dtype, name)

    def relu(self, x, name=None):
        return self.clamp(x, 0.0, F32_MAX, name=name or "relu")

    def relu6(self, x, name=None):
        return self.clamp(x, 0.0, 6.0, name=name or "relu6")

    # ------------------------------------------------------------ reductions
    def _reduce(self, op, x, axis, name):
        axis = axis % len(x.shape)
        shape = list(x.shape)
        shape[axis] = 1
        return self._emit(op, [x], OrderedDict(axis=Attr.i32(axis)), shape, x.dtype, name)

    def reduce_max(self, x, axis, name=None):
        return self._reduce("tosa.reduce_max", x, axis, name)

    def reduce_sum(self, x, axis, name=None):
        return self._reduce("tosa.reduce_sum", x, axis, name)

    # ------------------------------------------------------------ linear algebra
    def matmul(self, a, b, name=None):
        if len(a.shape) != 3 or len(b.shape) != 3:
            raise ValueError("tosa.matmul is 3-D: %s x %s" % (a.shape, b.shape))
        n, h, c = a.shape
        n2, c2, wd = b.shape
        if n != n2 or c != c2:
            raise ValueError("matmul shape mismatch %s x %s" % (a.shape, b.shape))
        zp = self.zero_point(a.dtype)
        return self._emit("tosa.matmul", [a, b, zp, zp], OrderedDict(),
                          (n, h, wd), a.dtype, name)

    def _acc_type(self, dtype):
        return {"f32": "f32", "f16": "f32", "bf16": "f32",
                "i8": "i32", "i16": "i48"}[dtype]

    def conv2d(self, x, weight, bias, pad=(0, 0, 0, 0), stride=(1, 1),
               dilation=(1, 1), name=None):
        """x: NHWC Value; weight: Value or array [OC,KH,KW,IC]; bias: [OC]."""
        if not isinstance(weight, Value):
            weight = self.const(weight, name=(name or "conv") + "_w")
        if not isinstance(bias, Value):
            bias = self.const(bias, name=(name or "conv") + "_b")
        n, h, wd, c = x.shape
        oc, kh, kw, ic = weight.shape
        if ic != c:
            raise ValueError("conv2d: input has %d channels, weight expects %d" % (c, ic))
        oh = _pool_out(h, kh, stride[0], pad[0], pad[1], dilation[0])
        ow = _pool_out(wd, kw, stride[1], pad[2], pad[3], dilation[1])
        zp = self.zero_point(x.dtype)
        attrs = OrderedDict(pad=Attr.i64_array(pad), stride=Attr.i64_array(stride),
                            dilation=Attr.i64_array(dilation),
                            acc_type=Attr.type_(self._acc_type(x.dtype)))
        return self._emit("tosa.conv2d", [x, weight, bias, zp, zp], attrs,
                          (n, oh, ow, oc), x.dtype, name)

    def depthwise_conv2d(self, x, weight, bias, pad=(0, 0, 0, 0), stride=(1, 1),
                         dilation=(1, 1), name=None):
        """x: NHWC; weight [KH,KW,C,M]; bias [C*M]; out channel = c*M + m."""
        if not isinstance(weight, Value):
            weight = self.const(weight, name=(name or "dwconv") + "_w")
        if not isinstance(bias, Value):
            bias = self.const(bias, name=(name or "dwconv") + "_b")
        n, h, wd, c = x.shape
        kh, kw, c2, m = weight.shape
        if c2 != c:
            raise ValueError("depthwise_conv2d: channel mismatch %d vs %d" % (c, c2))
        oh = _pool_out(h, kh, stride[0], pad[0], pad[1], dilation[0])
        ow = _pool_out(wd, kw, stride[1], pad[2], pad[3], dilation[1])
        zp = self.zero_point(x.dtype)
        attrs = OrderedDict(pad=Attr.i64_array(pad), stride=Attr.i64_array(stride),
                            dilation=Attr.i64_array(dilation),
                            acc_type=Attr.type_(self._acc_type(x.dtype)))
        return self._emit("tosa.depthwise_conv2d", [x, weight, bias, zp, zp], attrs,
                          (n, oh, ow, c * m), x.dtype, name)

    def max_pool2d(self, x, kernel, stride, pad=(0, 0, 0, 0), name=None):
        n, h, wd, c = x.shape
        oh = _pool_out(h, kernel[0], stride[0], pad[0], pad[1])
        ow = _pool_out(wd, kernel[1], stride[1], pad[2], pad[3])
        attrs = OrderedDict(kernel=Attr.i64_array(kernel), stride=Attr.i64_array(stride),
                            pad=Attr.i64_array(pad))
        return self._emit("tosa.max_pool2d", [x], attrs, (n, oh, ow, c), x.dtype, name)

    def avg_pool2d(self, x, kernel, stride, pad=(0, 0, 0, 0), name=None):
        n, h, wd, c = x.shape
        oh = _pool_out(h, kernel[0], stride[0], pad[0], pad[1])
        ow = _pool_out(wd, kernel[1], stride[1], pad[2], pad[3])
        zp = self.zero_point(x.dtype)
        attrs = OrderedDict(kernel=Attr.i64_array(kernel), stride=Attr.i64_array(stride),
                            pad=Attr.i64_array(pad),
                            acc_type=Attr.type_(self._acc_type(x.dtype)))
        return self._emit("tosa.avg_pool2d", [x, zp, zp], attrs, (n, oh, ow, c),
                          x.dtype, name)

    # ------------------------------------------------------------ composites
    def linear(self, x, w_kn, b_n, name="fc"):
        """x: [1, M, K] Value; w_kn: array [K, N]; b_n: array [N] -> [1, M, N].

        (PyTorch nn.Linear weights are [N, K]: pass ``weight.T``.)
        """
        w_kn = np.asarray(w_kn, np.float32)
        b_n = np.asarray(b_n, np.float32)
        w = self.const(w_kn.reshape((1,) + w_kn.shape), name=name + "_w")
        b = self.const(b_n.reshape(1, 1, -1), name=name + "_b")
        mm = self.matmul(x, w, name=name + "_mm")
        return self.add(mm, b, name=name)

    def softmax(self, x, axis=-1, name="softmax"):
        mx = self.reduce_max(x, axis, name=name + "_max")
        sh = self.sub(x, mx, name=name + "_sub")
        e = self.exp(sh, name=name + "_exp")
        s = self.reduce_sum(e, axis, name=name + "_sum")
        r = self.reciprocal(s, name=name + "_rcp")
        return self.mul(e, r, name=name)

    # ------------------------------------------------------------ output
    def ret(self, *values):
        self.results = list(values)

    def _const_text(self, arr, mdt):
        if arr.size == 0:
            raise ValueError("empty constant")
        if arr.size > 1 and np.all(arr == arr.flat[0]) and mdt != "i1":
            v = arr.flat[0]  # splat
            body = fmt_float(v) if _is_float(mdt) else str(int(v))
        elif arr.size > self.hex_threshold and mdt != "i1":
            body = '"0x%s"' % arr.astype(arr.dtype.newbyteorder("<")).tobytes().hex().upper()
        else:
            if _is_float(mdt):
                items = [fmt_float(v) for v in arr.reshape(-1)]
            elif mdt == "i1":
                items = ["true" if v else "false" for v in arr.reshape(-1)]
            else:
                items = [str(int(v)) for v in arr.reshape(-1)]
            # a flat list is accepted for any shape only if rank <= 1, so nest
            body = self._nest(items, arr.shape)
        return body

    @staticmethod
    def _nest(items, shape):
        if len(shape) == 0:
            return items[0]

        def rec(flat, dims):
            if len(dims) == 1:
                return "[" + ", ".join(flat) + "]"
            step = len(flat) // dims[0]
            return "[" + ", ".join(rec(flat[i * step:(i + 1) * step], dims[1:])
                                   for i in range(dims[0])) + "]"
        return rec(items, list(shape))

    def _op_text(self, rec):
        r = rec["result"]
        op = rec["op"]
        if op == "tosa.const":
            body = self._const_text(rec["value"], r.dtype)
            return '%s = "tosa.const"() <{values = dense<%s> : %s}> : () -> %s' % (
                r.ref, body, r.type, r.type)
        if op == "tosa.const_shape":
            dims = rec["value"]
            return "%s = tosa.const_shape {values = dense<[%s]> : tensor<%dxindex>} : () -> %s" % (
                r.ref, ", ".join(map(str, dims)), len(dims), r.type)
        ops = ", ".join(v.ref for v in rec["operands"])
        attrs = ""
        if rec["attrs"]:
            attrs = " {%s}" % ", ".join("%s = %s" % (k, a.text) for k, a in rec["attrs"].items())
        types = ", ".join(v.type for v in rec["operands"])
        return "%s = %s %s%s : (%s) -> %s" % (r.ref, op, ops, attrs, types, r.type)

    def text(self):
        if self.results is None:
            raise RuntimeError("call ret() first")
        lines = []
        if self.comment:
            lines += ["// " + l if l else "//" for l in self.comment.splitlines()]
        args = ", ".join("%s: %s" % (a.ref, a.type) for a in self.args)
        rtypes = ", ".join(v.type for v in self.results)
        if len(self.results) > 1:
            rtypes = "(%s)" % rtypes
        lines.append("module {")
        lines.append("  func.func @%s(%s) -> %s {" % (self.func_name, args, rtypes))
        for rec in self.ops:
            lines.append("    " + self._op_text(rec))
        lines.append("    return %s : %s" % (", ".join(v.ref for v in self.results),
                                            ", ".join(v.type for v in self.results)))
        lines.append("  }")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def write(self, path):
        with open(path, "w") as f:
            f.write(self.text())

    def param_count(self):
        """Number of elements in float constants (excluding zero points)."""
        n = 0
        for rec in self.ops:
            if rec["op"] == "tosa.const" and _is_float(rec["result"].dtype) \
                    and not rec["result"].name.startswith("zp_"):
                n += rec["value"].size
        return n

    # ------------------------------------------------------------ interpreter
    def evaluate(self, *inputs):
        """Run the graph on numpy inputs (shapes must match the arguments)."""
        if len(inputs) != len(self.args):
            raise ValueError("expected %d inputs" % len(self.args))
        env = {}
        for a, x in zip(self.args, inputs):
            x = np.asarray(x)
            if tuple(x.shape) != a.shape:
                raise ValueError("input %s: shape %s != %s" % (a.ref, x.shape, a.shape))
            env[a.name] = x.astype(_MLIR_TO_NP[a.dtype])
        for rec in self.ops:
            r = rec["result"]
            y = _eval_op(rec, [env[v.name] for v in rec["operands"]])
            if not r.is_shape:
                y = np.asarray(y)
                if tuple(y.shape) != r.shape:
                    raise AssertionError("%s: interpreter shape %s != declared %s"
                                         % (rec["op"], y.shape, r.shape))
                if _is_float(r.dtype):
                    y = y.astype(np.float32)
            env[r.name] = y
        return [env[v.name] for v in self.results]


def _pad_nhwc(x, pad, value=0.0):
    t, b, l, r = pad
    return np.pad(x, ((0, 0), (t, b), (l, r), (0, 0)), constant_values=value)


def _windows(xp, kh, kw, oh, ow, stride, dilation=(1, 1)):
    """Yield (i, j, slice) for each kernel tap; slice is [N, OH, OW, C]."""
    sh, sw = stride
    dh, dw = dilation
    for i in range(kh):
        for j in range(kw):
            yield i, j, xp[:, i * dh: i * dh + (oh - 1) * sh + 1: sh,
                           j * dw: j * dw + (ow - 1) * sw + 1: sw, :]


def _eval_op(rec, args):
    op = rec["op"]
    at = {k: a.value for k, a in rec["attrs"].items()}
    shape = rec["result"].shape
    f = lambda a: np.asarray(a, np.float64)  # noqa: E731
    if op == "tosa.const":
        return rec["value"]
    if op == "tosa.const_shape":
        return rec["value"]
    if op == "tosa.reshape":
        return args[0].reshape(args[1])
    if op == "tosa.transpose":
        return np.transpose(args[0], at["perms"])
    if op == "tosa.add":
        return f(args[0]) + f(args[1])
    if op == "tosa.sub":
        return f(args[0]) - f(args[1])
    if op == "tosa.mul":
        return f(args[0]) * f(args[1])
    if op == "tosa.maximum":
        return np.maximum(f(args[0]), f(args[1]))
    if op == "tosa.minimum":
        return np.minimum(f(args[0]), f(args[1]))
    if op == "tosa.exp":
        return np.exp(f(args[0]))
    if op == "tosa.reciprocal":
        return 1.0 / f(args[0])
    if op == "tosa.tanh":
        return np.tanh(f(args[0]))
    if op == "tosa.sigmoid":
        return 1.0 / (1.0 + np.exp(-f(args[0])))
    if op == "tosa.clamp":
        return np.clip(f(args[0]), at["min_val"], at["max_val"])
    if op == "tosa.reduce_max":
        return np.max(args[0], axis=at["axis"], keepdims=True)
    if op == "tosa.reduce_sum":
        return np.sum(f(args[0]), axis=at["axis"], keepdims=True)
    if op == "tosa.matmul":
        a, b, azp, bzp = args
        return np.matmul(f(a) - f(azp)[0], f(b) - f(bzp)[0])
    if op == "tosa.conv2d":
        x, w, b, xzp, wzp = args
        x = f(x) - f(xzp)[0]
        w = f(w) - f(wzp)[0]
        oc, kh, kw, ic = w.shape
        _, oh, ow, _ = shape
        xp = _pad_nhwc(x, at["pad"])
        out = np.zeros(shape, np.float64) + f(b)
        for i, j, win in _windows(xp, kh, kw, oh, ow, at["stride"], at["dilation"]):
            out += win @ w[:, i, j, :].T
        return out
    if op == "tosa.depthwise_conv2d":
        x, w, b, xzp, wzp = args
        x = f(x) - f(xzp)[0]
        w = f(w) - f(wzp)[0]
        kh, kw, c, m = w.shape
        n, oh, ow, _ = shape
        xp = _pad_nhwc(x, at["pad"])
        out = np.zeros((n, oh, ow, c, m), np.float64)
        for i, j, win in _windows(xp, kh, kw, oh, ow, at["stride"], at["dilation"]):
            out += win[..., :, None] * w[i, j][None, None, None, :, :]
        return out.reshape(shape) + f(b)
    if op == "tosa.max_pool2d":
        kh, kw = at["kernel"]
        _, oh, ow, _ = shape
        xp = _pad_nhwc(f(args[0]), at["pad"], value=-np.inf)
        out = np.full(shape, -np.inf)
        for _, _, win in _windows(xp, kh, kw, oh, ow, at["stride"]):
            out = np.maximum(out, win)
        return out
    if op == "tosa.avg_pool2d":
        x, izp, ozp = args
        kh, kw = at["kernel"]
        _, oh, ow, _ = shape
        xp = _pad_nhwc(f(x) - f(izp)[0], at["pad"])
        ones = _pad_nhwc(np.ones((1,) + x.shape[1:3] + (1,)), at["pad"])
        out = np.zeros(shape)
        cnt = np.zeros((1, oh, ow, 1))
        for (_, _, win), (_, _, cw) in zip(_windows(xp, kh, kw, oh, ow, at["stride"]),
                                           _windows(ones, kh, kw, oh, ow, at["stride"])):
            out += win
            cnt += cw
        return out / cnt + f(ozp)[0]  # divisor counts only non-padding taps
    raise NotImplementedError("interpreter: " + op)
