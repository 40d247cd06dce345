#!/usr/bin/env python3
"""Independent float64 reference for the LoRA gradients of the C++ trainer (Python 3 + numpy).

Written from the GGUF format description and first principles; it shares no code or
structure with the C++ engine, so agreement is evidence that both are right.

* A GGUF reader with vectorized dequantization (F32, F16, BF16, Q8_0, Q4_K, Q6_K) and a
  float64 forward pass of the qwen3 / llama architectures with an unmerged LoRA adapter
  (effective weight W + scale·alpha/rank·B·A).
* --check-logits: self-validation of that forward pass against the reference logits listed
  in <testdata>/manifest.json (max per-position relative RMS per case; cases whose model
  holds a tensor type this file does not read are skipped).
* Gradient mode: loss = mean over positions 0..T-2 of the cross-entropy (natural log) of
  the logits at t against token t+1.  For every adapter tensor θ, K seeded Gaussian
  directions v_k give central differences r_k = (L(θ+εv_k) - L(θ-εv_k)) / 2ε, compared
  with <g, v_k> for the trainer's gradient g (GRAD.gguf: F32 tensors with the adapter's
  names and shapes, dL/dθ of θ as stored).  Per tensor rel = |<g,v> - r| / |r| over the K
  directions, which estimates the relative RMS error of the whole gradient tensor.
  Direction 0 is also evaluated at 2ε; fd_err is the resulting (Richardson) estimate of
  the finite-difference error itself.
* --write-grad OUT.gguf: an analytic float64 backprop gradient written in GRAD.gguf form
  (for testing this tool; `--write-grad X --grad X` must report max_rel ~1e-7).

Run (from the repository root):
  python3 tests/reference/lora_grad_reference.py --check-logits --testdata ../shared/testdata
  python3 tests/reference/lora_grad_reference.py --model M.gguf --lora A.gguf --tokens 1,2,3 \
      --grad GRAD.gguf [--lora-scale 1] [--directions 6] [--tolerance 1e-3] [--loss L]
Exit status: 0 pass, 1 over --tolerance (max_rel, or the loss's relative difference when
--loss is given), 2 usage or file error (one line on stderr).
"""
import argparse
import json
import os
import struct
import sys
import time
from concurrent.futures import ThreadPoolExecutor

try:
    import numpy as np
except ImportError:
    print('lora_grad_reference.py: error: numpy is required (apt-get install python3-numpy)', file=sys.stderr)
    sys.exit(2)


class InputError(Exception):
    """A problem with the command line or an input file: exit status 2."""


# ------------------------------------------------------------------ GGUF
TYPES = {0: ('F32', 1, 4), 1: ('F16', 1, 2), 30: ('BF16', 1, 2), 8: ('Q8_0', 32, 34),
         12: ('Q4_K', 256, 144), 14: ('Q6_K', 256, 210)}  # id -> (name, block values, block bytes)
SCALAR = {0: 'B', 1: 'b', 2: 'H', 3: 'h', 4: 'I', 5: 'i', 6: 'f', 7: '?', 10: 'Q', 11: 'q', 12: 'd'}


def f16(b):  # (nb, 2) uint8 -> (nb, 1) float64
    return np.ascontiguousarray(b).view('<f2').astype(np.float64)


def dequantize(ttype, raw):
    """raw: uint8 array of whole blocks -> flat float64 values."""
    if ttype == 0:
        return raw.view('<f4').astype(np.float64)
    if ttype == 1:
        return raw.view('<f2').astype(np.float64)
    if ttype == 30:  # the upper 16 bits of a float32
        return (raw.view('<u2').astype(np.uint32) << 16).view('<f4').astype(np.float64)
    if ttype == 8:   # Q8_0: d, int8 q[32]; x = d·q
        b = raw.reshape(-1, 34)
        return (f16(b[:, :2]) * b[:, 2:].view(np.int8)).ravel()
    if ttype == 12:  # Q4_K: d, dmin, 12 bytes of 6-bit scales and mins, 4 runs of 32 bytes
        b = raw.reshape(-1, 144)
        s = b[:, 4:16].astype(np.int32)
        sc = np.concatenate([s[:, 0:4] & 63, (s[:, 8:12] & 15) | ((s[:, 0:4] >> 6) << 4)], 1)
        mn = np.concatenate([s[:, 4:8] & 63, (s[:, 8:12] >> 4) | ((s[:, 4:8] >> 6) << 4)], 1)
        qs = b[:, 16:].reshape(-1, 4, 32)
        q = np.stack([qs & 15, qs >> 4], axis=2).reshape(-1, 8, 32)  # run j: sub-blocks 2j, 2j+1
        return ((f16(b[:, 0:2]) * sc)[:, :, None] * q - (f16(b[:, 2:4]) * mn)[:, :, None]).ravel()
    if ttype == 14:  # Q6_K: ql[128], qh[64], int8 scales[16], d; two halves of 128 values
        b = raw.reshape(-1, 210)
        ql, qh = b[:, :128].reshape(-1, 2, 64), b[:, 128:192].reshape(-1, 2, 32)
        lo = np.concatenate([ql & 15, ql >> 4], axis=2)  # values k and k+64 of a half
        hi = np.stack([(qh >> (2 * s)) & 3 for s in range(4)], axis=2).reshape(-1, 2, 128)  # 32s+k
        q = (lo | (hi << 4)).reshape(-1, 256).astype(np.int32) - 32
        return (f16(b[:, 208:210]) * np.repeat(b[:, 192:208].view(np.int8), 16, axis=1) * q).ravel()
    raise InputError('unsupported tensor type %d' % ttype)


class GGUF:
    """Metadata and tensor directory of a GGUF v2/v3 file; get() dequantizes one tensor."""

    def __init__(self, path):
        self.path, self.pos = path, 4
        try:
            with open(path, 'rb') as f:
                self.data = f.read()
        except OSError as e:
            raise InputError('%s: %s' % (path, e.strerror))
        if self.data[:4] != b'GGUF':
            raise InputError('%s: not a GGUF file' % path)
        version, n_tensors, n_kv = self.take('I'), self.take('Q'), self.take('Q')
        if version not in (2, 3):
            raise InputError('%s: unsupported GGUF version %d' % (path, version))
        self.meta = {}
        for _ in range(n_kv):
            key = self.string()
            self.meta[key] = self.value(self.take('I'))
        align = self.meta.get('general.alignment', 32)
        self.tensors = {}
        for _ in range(n_tensors):
            name, n_dims = self.string(), self.take('I')
            if not 1 <= n_dims <= 4:
                raise InputError('%s: tensor %s has %d dimensions' % (path, name, n_dims))
            ne = [self.take('Q') for _ in range(n_dims)]
            self.tensors[name] = (ne, self.take('I'), self.take('Q'))
        start = (self.pos + align - 1) // align * align
        for name, (ne, ttype, off) in self.tensors.items():
            _, bs, nb = TYPES.get(ttype, ('', 1, 0))  # other types: refused by get()
            n = int(np.prod(ne, dtype=object))
            if ne[0] % bs or off % align or start + off + n // bs * nb > len(self.data):
                raise InputError('%s: tensor %s has a bad size or offset' % (path, name))
            self.tensors[name] = (ne, ttype, start + off)

    def take(self, fmt):
        size = struct.calcsize('<' + fmt)
        if self.pos + size > len(self.data):
            raise InputError('%s: truncated at byte %d' % (self.path, self.pos))
        self.pos += size
        return struct.unpack_from('<' + fmt, self.data, self.pos - size)[0]

    def string(self):
        n = self.take('Q')
        if self.pos + n > len(self.data):
            raise InputError('%s: truncated string' % self.path)
        self.pos += n
        return self.data[self.pos - n:self.pos].decode('utf-8', 'replace')

    def value(self, t):
        if t == 8:
            return self.string()
        if t == 9:
            et, n = self.take('I'), self.take('Q')
            return [self.value(et) for _ in range(n)]
        if t not in SCALAR:
            raise InputError('%s: bad metadata value type %d' % (self.path, t))
        return self.take(SCALAR[t])

    def get(self, name):
        """float64 array of shape reversed(ne): ne = [n_in, n_out] gives (n_out, n_in)."""
        if name not in self.tensors:
            raise InputError('%s: missing tensor %s' % (self.path, name))
        ne, ttype, off = self.tensors[name]
        if ttype not in TYPES:
            raise InputError('%s: tensor %s has unsupported type %d' % (self.path, name, ttype))
        _, bs, nb = TYPES[ttype]
        raw = np.frombuffer(self.data, np.uint8, int(np.prod(ne)) // bs * nb, off)
        return dequantize(ttype, raw).reshape(tuple(reversed(ne)))


def write_gguf(path, meta, tensors, align=32):
    """GGUF v3 with F32 tensors; meta values are str or float (f32)."""
    def s(x):
        return struct.pack('<Q', len(x.encode())) + x.encode()
    head = [b'GGUF', struct.pack('<IQQ', 3, len(tensors), len(meta))]
    head += [s(k) + (struct.pack('<I', 8) + s(v) if isinstance(v, str) else struct.pack('<If', 6, v))
             for k, v in meta.items()]
    blobs, off = [], 0
    for name, arr in tensors.items():
        a = np.ascontiguousarray(arr, dtype='<f4')
        dims = b''.join(struct.pack('<Q', d) for d in reversed(a.shape))
        head.append(s(name) + struct.pack('<I', a.ndim) + dims + struct.pack('<IQ', 0, off))
        blobs.append(a.tobytes() + b'\0' * (-a.nbytes % align))
        off += len(blobs[-1])
    head = b''.join(head)
    with open(path, 'wb') as f:
        f.write(head + b'\0' * (-len(head) % align) + b''.join(blobs))


# ------------------------------------------------------------------ model
MATS = ('attn_q', 'attn_k', 'attn_v', 'attn_output', 'ffn_gate', 'ffn_up', 'ffn_down')
KNOWN_KEYS = {'context_length', 'embedding_length', 'block_count', 'feed_forward_length', 'vocab_size',
              'attention.head_count', 'attention.head_count_kv', 'attention.key_length',
              'attention.value_length', 'attention.layer_norm_rms_epsilon', 'rope.freq_base',
              'rope.dimension_count'}


class Model:
    def __init__(self, path):
        g = GGUF(path)
        arch = g.meta.get('general.architecture')
        if arch not in ('qwen3', 'llama'):
            raise InputError('%s: unsupported architecture %r' % (path, arch))
        unknown = [k for k in g.meta if k.startswith(arch + '.') and k[len(arch) + 1:] not in KNOWN_KEYS]
        if unknown:  # rope scaling, soft-capping, sliding windows...: not modelled, so refused
            raise InputError('%s: unsupported metadata %s' % (path, ', '.join(unknown)))
        m = lambda key, default=None: g.meta.get(arch + '.' + key, default)
        self.arch, self.neox = arch, arch == 'qwen3'
        self.D, self.n_layer = m('embedding_length'), m('block_count')
        self.H, self.Hkv = m('attention.head_count'), m('attention.head_count_kv')
        self.hd = m('attention.key_length', self.D // self.H)
        if m('attention.value_length', self.hd) != self.hd or m('rope.dimension_count', self.hd) != self.hd:
            raise InputError('%s: value length or rope dimensions differ from the head size' % path)
        self.eps = float(m('attention.layer_norm_rms_epsilon'))
        self.base = float(m('rope.freq_base', 10000.0))
        self.types = sorted({TYPES.get(t, ('type%d' % t,))[0] for _, t, _ in g.tensors.values()})
        per_layer = ['attn_norm', 'ffn_norm'] + list(MATS) + ['attn_q_norm', 'attn_k_norm'] * self.neox
        names = {'token_embd.weight', 'output_norm.weight'} | ({'output.weight'} if arch == 'llama' else set())
        names |= {'blk.%d.%s.weight' % (l, n) for l in range(self.n_layer) for n in per_layer}
        if set(g.tensors) - names:
            raise InputError('%s: unsupported tensors %s' % (path, ', '.join(sorted(set(g.tensors) - names))))
        self.emb = g.get('token_embd.weight')
        self.out = g.get('output.weight') if arch == 'llama' else self.emb  # qwen3: tied
        self.out_norm, self.V = g.get('output_norm.weight'), self.emb.shape[0]
        self.layers = [{n: g.get('blk.%d.%s.weight' % (l, n)) for n in per_layer} for l in range(self.n_layer)]
        # contiguous W^T for x @ W^T: reference BLAS runs ~1.6x faster than with a transpose flag
        self.out_t = np.ascontiguousarray(self.out.T)
        self.wt = [{n: np.ascontiguousarray(w[n].T) for n in MATS} for w in self.layers]


def load_lora(path, model, scale):
    """-> tensor names in file order, {name: array}, {(layer, mat): (A, B, scale·alpha/rank)}."""
    g = GGUF(path)
    if g.meta.get('general.type', 'adapter') != 'adapter' or g.meta.get('adapter.type', 'lora') != 'lora':
        raise InputError('%s: not a LoRA adapter' % path)
    if g.meta.get('general.architecture', model.arch) != model.arch:
        raise InputError('%s: adapter architecture differs from the model\'s' % path)
    tens, pairs = {}, {}
    for name in g.tensors:
        p = name.split('.')
        if len(p) != 5 or p[0] != 'blk' or not p[1].isdigit() or int(p[1]) >= model.n_layer \
                or p[2] not in MATS or p[3] != 'weight' or p[4] not in ('lora_a', 'lora_b'):
            raise InputError('%s: unsupported adapter tensor %s' % (path, name))
        tens[name] = g.get(name)
        pairs.setdefault((int(p[1]), p[2]), [None, None])[p[4] == 'lora_b'] = tens[name]
    lora = {}
    for (l, mat), (A, B) in pairs.items():
        W = model.layers[l][mat]
        if A is None or B is None or A.shape != (B.shape[1], W.shape[1]) or B.shape[0] != W.shape[0]:
            raise InputError('%s: blk.%d.%s: missing lora_a/lora_b or wrong shapes' % (path, l, mat))
        alpha = float(g.meta.get('adapter.lora.alpha', 0.0)) or B.shape[1]  # alpha 0: factor 1
        lora[(l, mat)] = (A, B, scale * alpha / B.shape[1])
    return list(g.tensors), tens, lora


# ------------------------------------------------------------------ forward pass
def rmsnorm(x, w, eps):
    r = 1.0 / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps)
    return x * r * w, r


def rope(x, cos, sin, neox):
    """x (..., T, heads, hd); pairs (i, i+hd/2) for NEOX (qwen3), (2i, 2i+1) for llama."""
    h = x.shape[-1] // 2
    x1, x2 = (x[..., :h], x[..., h:]) if neox else (x[..., 0::2], x[..., 1::2])
    y1, y2 = x1 * cos - x2 * sin, x1 * sin + x2 * cos
    return np.concatenate([y1, y2], axis=-1) if neox else np.stack([y1, y2], axis=-1).reshape(x.shape)


def rope_tables(m, T):
    ang = np.arange(T, dtype=np.float64)[:, None] * m.base ** (-np.arange(0, m.hd, 2) / m.hd)
    return np.cos(ang)[:, None, :], np.sin(ang)[:, None, :]  # (T, 1, hd/2)


def lin(x, wt, lo):
    """x @ W^T (wt = W^T) + c·(x A^T) B^T.  A or B may carry a leading variant dimension; then
    the result does, by broadcasting, while x may or may not."""
    y = (x.reshape(-1, x.shape[-1]) @ wt).reshape(x.shape[:-1] + (wt.shape[1],))
    if lo is not None:
        A, B, c = lo
        y = y + c * ((x @ np.swapaxes(A, -1, -2)) @ np.swapaxes(B, -1, -2))
    return y


def layer_forward(m, l, x, lora, trig, keep=False):
    """One block on x (..., T, D); returns x, or (x, locals) for backprop when keep."""
    w, wt, L, T, G = m.layers[l], m.wt[l], (lambda n: lora.get((l, n))), x.shape[-2], m.H // m.Hkv
    heads = lambda y, n: y.reshape(y.shape[:-1] + (n, m.hd))
    n1, r1 = rmsnorm(x, w['attn_norm'], m.eps)
    qh = heads(lin(n1, wt['attn_q'], L('attn_q')), m.H)
    kh = heads(lin(n1, wt['attn_k'], L('attn_k')), m.Hkv)
    v = heads(lin(n1, wt['attn_v'], L('attn_v')), m.Hkv)
    qn, kn, rq, rk = qh, kh, None, None
    if m.neox:  # qwen3: RMS norm of each head's q and k before rope
        qn, rq = rmsnorm(qh, w['attn_q_norm'], m.eps)
        kn, rk = rmsnorm(kh, w['attn_k_norm'], m.eps)
    q = rope(qn, *trig, m.neox).reshape(qn.shape[:-2] + (m.Hkv, G, m.hd))  # q head h = kv·G + g
    k = rope(kn, *trig, m.neox)
    s = np.einsum('...tkgd,...skd->...kgts', q, k) / np.sqrt(m.hd) + np.triu(np.full((T, T), -np.inf), 1)
    p = np.exp(s - s.max(axis=-1, keepdims=True))
    p /= p.sum(axis=-1, keepdims=True)
    o = np.einsum('...kgts,...skd->...tkgd', p, v)
    o = o.reshape(o.shape[:-3] + (m.H * m.hd,))
    x2 = x + lin(o, wt['attn_output'], L('attn_output'))
    n2, r2 = rmsnorm(x2, w['ffn_norm'], m.eps)
    gt, up = lin(n2, wt['ffn_gate'], L('ffn_gate')), lin(n2, wt['ffn_up'], L('ffn_up'))
    sg = 1.0 / (1.0 + np.exp(-gt))
    a = gt * sg * up  # silu(gate) * up
    x3 = x2 + lin(a, wt['ffn_down'], L('ffn_down'))
    return (x3, locals()) if keep else x3


def forward(m, tokens, lora):
    """-> final residual stream (T, D) and the stream entering each layer."""
    x, trig, inputs = m.emb[np.asarray(tokens)], rope_tables(m, len(tokens)), []
    for l in range(m.n_layer):
        inputs.append(x)
        x = layer_forward(m, l, x, lora, trig)
    return x, inputs


def logits_of(m, x):
    return rmsnorm(x, m.out_norm, m.eps)[0] @ m.out_t


def softmax(z):
    p = np.exp(z - z.max(axis=-1, keepdims=True))
    return p / p.sum(axis=-1, keepdims=True)


def losses(m, x, targets, rows=2048):
    """Mean next-token cross-entropy for each leading index of x (..., T, D)."""
    xs, T = x.reshape(-1, x.shape[-2], m.D), x.shape[-2]
    out, step = np.empty(len(xs)), max(1, rows // T)
    for i in range(0, len(xs), step):
        z = logits_of(m, xs[i:i + step])
        zmax = z.max(axis=-1)
        lse = np.log(np.exp(z - zmax[..., None]).sum(axis=-1)) + zmax
        out[i:i + step] = np.mean(lse - z[:, np.arange(T), targets], axis=-1)
    return out.reshape(x.shape[:-2])


# ------------------------------------------------------------------ analytic gradient (--write-grad)
def rmsnorm_back(x, r, w, dy):
    gx = dy * w
    return r * gx - r ** 3 * x * np.mean(gx * x, axis=-1, keepdims=True)


def loss_and_grad(m, tokens, lora):
    """Float64 backprop of the mean loss -> loss, {(layer, mat): (dL/dA, dL/dB)}."""
    tgt, T, trig = np.asarray(tokens[1:]), len(tokens) - 1, rope_tables(m, len(tokens) - 1)
    x, caches, grads = m.emb[np.asarray(tokens[:-1])], [], {}
    for l in range(m.n_layer):
        x, c = layer_forward(m, l, x, lora, trig, keep=True)
        caches.append(c)
    nf, rf = rmsnorm(x, m.out_norm, m.eps)
    p = softmax(nf @ m.out_t)
    loss = float(np.mean(-np.log(p[np.arange(T), tgt])))
    p[np.arange(T), tgt] -= 1.0
    dx = rmsnorm_back(x, rf, m.out_norm, (p / T) @ m.out)

    def lin_back(l, mat, xin, dy):
        dx = dy @ m.layers[l][mat]
        if (l, mat) in lora:
            A, B, c = lora[(l, mat)]
            grads[(l, mat)] = (c * (dy @ B).T @ xin, c * dy.T @ (xin @ A.T))
            dx = dx + c * (dy @ B) @ A
        return dx

    for l in reversed(range(m.n_layer)):
        c, w = caches[l], m.layers[l]
        da = lin_back(l, 'ffn_down', c['a'], dx)
        gt, sg = c['gt'], c['sg']
        dn2 = (lin_back(l, 'ffn_gate', c['n2'], da * c['up'] * sg * (1.0 + gt * (1.0 - sg)))
               + lin_back(l, 'ffn_up', c['n2'], da * gt * sg))
        dx2 = dx + rmsnorm_back(c['x2'], c['r2'], w['ffn_norm'], dn2)
        do = lin_back(l, 'attn_output', c['o'], dx2).reshape(c['q'].shape)
        q, k, v, pa = c['q'], c['k'], c['v'], c['p']
        dp = np.einsum('tkgd,skd->kgts', do, v)
        dv = np.einsum('kgts,tkgd->skd', pa, do)
        ds = pa * (dp - np.sum(dp * pa, axis=-1, keepdims=True)) / np.sqrt(m.hd)
        dq = rope(np.einsum('kgts,skd->tkgd', ds, k).reshape(c['qh'].shape), trig[0], -trig[1], m.neox)
        dk = rope(np.einsum('kgts,tkgd->skd', ds, q), trig[0], -trig[1], m.neox)  # inverse rotation
        if m.neox:
            dq = rmsnorm_back(c['qh'], c['rq'], w['attn_q_norm'], dq)
            dk = rmsnorm_back(c['kh'], c['rk'], w['attn_k_norm'], dk)
        n1 = c['n1']
        dn1 = sum(lin_back(l, mat, n1, d.reshape(T, -1))
                  for mat, d in (('attn_q', dq), ('attn_k', dk), ('attn_v', dv)))
        dx = dx2 + rmsnorm_back(c['x'], c['r1'], w['attn_norm'], dn1)
    return loss, grads


# ------------------------------------------------------------------ finite-difference check
REL_STEP = 1e-5


def fd_step(m, lora, l, mat, is_b):
    """ε for directions with N(0,1) entries.  L depends on θ only through W_eff = W + c·B·A, so
    the FD error is governed by |ΔW_eff|, not by |θ| (θ = B may be all zero): perturbing A by
    εV gives ΔW = cε·B·V of rms cε·sqrt(rank)·rms(B) (B by εV: cε·sqrt(rank)·rms(A)).  ε makes
    that REL_STEP·rms(W).  At 1e-5 the float64 central difference has truncation ~(1e-5·κ)²
    and rounding ~1e-16·L/ΔL, both ~1e-9 or less here; fd_err measures it for every tensor."""
    A, B, c = lora[(l, mat)]
    denom = abs(c) * np.sqrt(B.shape[1]) * np.sqrt(np.mean((A if is_b else B) ** 2))
    w = np.sqrt(np.mean(m.layers[l][mat] ** 2))
    return REL_STEP * w / denom if denom > 0 and w > 0 else 1.0  # partner all 0: L is flat in θ


def perturbed_losses(m, lora, xin, head, l, mat, is_b, thetas, trig, rows=24000):
    """Loss values when the A (B if is_b) of (l, mat) takes each value of thetas (variants).
    Starts from the cached stream xin entering layer l; all variants form one batch.
    head ('exact', targets): the full loss.  head ('linear', n0, gn): the loss change
    linearized at the unperturbed final normed state n0, gn·(n - n0), gn = dL/dn0.  In the
    central difference its error cancels to O(ε²) like the FD truncation itself (the ± sides'
    quadratic terms differ by O(ε³)); it saves the 4101-wide output projection per variant."""
    out, (A, B, c) = [], lora[(l, mat)]
    step = max(1, rows // xin.shape[0])
    for i in range(0, len(thetas), step):
        lo = dict(lora)
        lo[(l, mat)] = (A, thetas[i:i + step], c) if is_b else (thetas[i:i + step], B, c)
        x = layer_forward(m, l, xin, lo, trig)  # what precedes the perturbed matrix stays unbatched
        for l2 in range(l + 1, m.n_layer):
            x = layer_forward(m, l2, x, lora, trig)
        if head[0] == 'exact':
            out.append(losses(m, x, head[1]))
        else:
            out.append(np.einsum('btd,td->b', rmsnorm(x, m.out_norm, m.eps)[0] - head[1], head[2]))
    return np.concatenate(out)


def load_grad(path, names, tens):
    g = GGUF(path)
    if set(g.tensors) != set(names):
        diff = sorted(set(g.tensors) ^ set(names))
        raise InputError('%s: tensor names differ from the adapter\'s: %s' % (path, ', '.join(diff[:4])))
    grad = {n: g.get(n) for n in names}
    for n in names:
        if grad[n].shape != tens[n].shape:
            raise InputError('%s: %s has shape %s, the adapter %s' % (path, n, grad[n].shape, tens[n].shape))
    return grad


def check_gradient(args):
    t0 = time.time()
    try:
        tokens = [int(t) for t in args.tokens.split(',') if t.strip()]
    except ValueError:
        raise InputError('--tokens must be comma-separated integers')
    m = Model(args.model)
    if len(tokens) < 2 or min(tokens) < 0 or max(tokens) >= m.V:
        raise InputError('--tokens needs at least 2 ids in [0, %d)' % m.V)
    names, tens, lora = load_lora(args.lora, m, args.lora_scale)
    if args.write_grad:
        grads = loss_and_grad(m, tokens, lora)[1]
        key = lambda n: (int(n.split('.')[1]), n.split('.')[2])
        write_gguf(args.write_grad, {'general.architecture': m.arch, 'general.type': 'lora-gradient'},
                   {n: grads[key(n)][n.endswith('lora_b')] for n in names})
        print('wrote %s (analytic float64 gradient as F32)' % args.write_grad)
        if not args.grad:
            return 0
    if not args.grad:
        raise InputError('gradient mode needs --grad (or --write-grad)')
    grad = load_grad(args.grad, names, tens)
    inp, tgt = tokens[:-1], np.asarray(tokens[1:])  # the last position's logits are not used
    trig = rope_tables(m, len(inp))
    xfinal, xin = forward(m, inp, lora)
    loss = float(losses(m, xfinal, tgt))
    head = ('exact', tgt)
    if not args.exact_head:
        p = softmax(logits_of(m, xfinal))
        p[np.arange(len(tgt)), tgt] -= 1.0
        head = ('linear', rmsnorm(xfinal, m.out_norm, m.eps)[0], p @ m.out / len(tgt))
    rng, K = np.random.default_rng(args.seed), args.directions
    dirs = {n: rng.standard_normal((K,) + tens[n].shape) for n in names}  # file order: seed-stable

    def fd_task(n):
        l, mat, is_b = int(n.split('.')[1]), n.split('.')[2], n.endswith('lora_b')
        eps = fd_step(m, lora, l, mat, is_b)
        steps = np.append(np.full(K, eps), 2 * eps)[:, None]  # direction 0 again at 2ε
        v = np.concatenate([dirs[n], dirs[n][:1]]).reshape(K + 1, -1)
        thetas = (tens[n].ravel() + np.concatenate([steps * v, -steps * v])).reshape((-1,) + tens[n].shape)
        ls = perturbed_losses(m, lora, xin[l], head, l, mat, is_b, thetas, trig)
        fd = (ls[:K + 1] - ls[K + 1:]) / (2 * steps[:, 0])
        return fd[:K], fd[K], dirs[n].reshape(K, -1) @ grad[n].ravel()

    # BLAS and large numpy operations release the GIL, so threads share the work across cores
    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        res = dict(zip(names, pool.map(fd_task, names)))
    norms = np.array([np.linalg.norm(r) for r, _, _ in res.values()])
    typical = np.median(norms[norms > 1e-9 * norms.max()]) if norms.max() > 0 else 1.0
    max_rel = fd_worst = 0.0
    # The whole adapter's gradient as one vector (every tensor's directions together):
    # sum over tensors of |<g,v> - r|^2 against sum of |r|^2 estimates |g - g*|^2 / |g*|^2.
    err2 = ref2 = 0.0
    for n in names:
        r, _, gv = res[n]
        err2 += float(np.sum((gv - r) ** 2))
        ref2 += float(np.sum(r ** 2))
    whole_rel = np.sqrt(err2 / ref2) if ref2 > 0 else (0.0 if err2 == 0 else np.inf)
    for n in names:
        r, r2, gv = res[n]
        nr = np.linalg.norm(r)
        # A tensor whose reference is ~0 (lora_a while its lora_b is all zero: the loss does not
        # depend on it) is judged absolutely: |<g,v> - r| over the typical (median) |r|.
        zero = nr <= 1e-9 * typical
        rel = np.linalg.norm(gv - r) / (typical if zero else nr)
        rel = rel if np.isfinite(rel) else np.inf  # a NaN gradient must fail
        fd_err = 0.0 if zero else abs(r2 - r[0]) / 3 / (nr / np.sqrt(K))  # Richardson: r(ε) - r'(0)
        max_rel, fd_worst = max(max_rel, rel), max(fd_worst, fd_err)
        print('%-34s rel=%.3e%s |<g,v>|=%.4e |fd|=%.4e fd_err=%.1e' % (
            n, rel, ' (abs: ref~0)' if zero else '', np.linalg.norm(gv) / np.sqrt(K), nr / np.sqrt(K), fd_err))
    ok = args.tolerance is None or max_rel <= args.tolerance
    if fd_worst > 1e-4:
        print('warning: the finite differences at eps and 2eps differ by %.1e' % fd_worst)
    if args.loss is not None:
        loss_rel = abs(args.loss - loss) / abs(loss)
        print('trainer_loss=%.9g loss_rel_diff=%.3e' % (args.loss, loss_rel))
        ok = ok and (args.tolerance is None or loss_rel <= args.tolerance)
    print('tensors=%d directions=%d fd_err_max=%.1e time=%.2fs' % (len(names), K, fd_worst, time.time() - t0))
    print('whole_rel=%.6e' % whole_rel)
    print('max_rel=%.6e loss=%.12g' % (max_rel, loss))
    return 0 if ok else 1


# ------------------------------------------------------------------ logits self-check
def check_logits(args):
    root = args.testdata
    try:
        with open(os.path.join(root, 'manifest.json')) as f:
            man = json.load(f)
    except (OSError, ValueError) as e:
        raise InputError('%s: %s' % (os.path.join(root, 'manifest.json'), e))
    models, loras, per_model, failed = {}, {}, {}, 0
    for case in man['cases']:
        if args.cases is not None and sum(len(v) for v in per_model.values()) >= args.cases:
            break
        name, lname = case['model'], case['lora']
        label = '%s %s%s' % (name, case['seq'], ' + %s x%g' % (lname, case['lora_scale']) if lname else '')
        if name not in models:
            try:
                models[name] = Model(os.path.join(root, 'models', name))
            except InputError as e:
                models[name] = str(e).split(': ', 1)[-1]
        m = models[name]
        if isinstance(m, str):
            print('skip %-60s (%s)' % (label, m))
            continue
        if lname and (lname, name, case['lora_scale']) not in loras:
            path = os.path.join(root, 'models', lname)
            loras[(lname, name, case['lora_scale'])] = load_lora(path, m, case['lora_scale'])[2]
        tokens = man['sequences'][case['seq']]
        got = logits_of(m, forward(m, tokens, loras.get((lname, name, case['lora_scale']), {}))[0])
        path = os.path.join(root, 'logits', case['logits'])
        ref = np.fromfile(path, '<f4').astype(np.float64) if os.path.isfile(path) else np.empty(0)
        if ref.size != got.size:
            raise InputError('%s: missing, or not %d x %d float32 values' % (path, *got.shape))
        ref = ref.reshape(got.shape)
        rel = (np.sqrt(np.mean((got - ref) ** 2, axis=1)) / np.sqrt(np.mean(ref ** 2, axis=1))).max()
        per_model.setdefault(name + (' + ' + lname if lname else ''), []).append(rel)
        bad = rel > case['tolerance_rel_rms']
        failed += bad
        print('%-4s %-60s [%s] max_rel_rms=%.2e tol=%g' % (
            'FAIL' if bad else 'ok', label, ','.join(m.types), rel, case['tolerance_rel_rms']))
    for name, rels in per_model.items():
        print('model %-52s cases=%d max_rel_rms=%.2e' % (name, len(rels), max(rels)))
    ran = sum(len(v) for v in per_model.values())
    print('cases=%d failed=%d' % (ran, failed))
    return 1 if failed or not ran else 0


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise InputError(message)


def main():
    p = Parser(description=__doc__.split('\n')[0])
    p.add_argument('--check-logits', action='store_true', help='validate the forward pass on testdata')
    p.add_argument('--testdata', default='../shared/testdata')
    p.add_argument('--cases', type=int, help='--check-logits: run at most N cases')
    p.add_argument('--model', help='base model GGUF')
    p.add_argument('--lora', help='LoRA adapter GGUF')
    p.add_argument('--grad', help="GGUF with the trainer's gradient of every adapter tensor")
    p.add_argument('--tokens', help='comma-separated token ids')
    p.add_argument('--lora-scale', type=float, default=1.0)
    p.add_argument('--directions', type=int, default=6)
    p.add_argument('--tolerance', type=float)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--loss', type=float, help="the trainer's loss, compared with the float64 loss")
    p.add_argument('--jobs', type=int, default=min(2, os.cpu_count() or 1), help='threads (default: 2)')
    p.add_argument('--exact-head', action='store_true',
                   help='evaluate the full output layer for every FD variant (slower; see perturbed_losses)')
    p.add_argument('--write-grad', metavar='OUT.gguf', help='write the analytic float64 gradient as F32 GGUF')
    try:
        args = p.parse_args()
        if args.check_logits:
            return check_logits(args)
        if not (args.model and args.lora and args.tokens) or args.directions < 1:
            raise InputError('gradient mode needs --model, --lora, --tokens and --grad (or --check-logits)')
        return check_gradient(args)
    except InputError as e:
        print('lora_grad_reference.py: error: %s' % e, file=sys.stderr)
        return 2


if __name__ == '__main__':
    sys.exit(main())
