"""The SNN that bench/engine.ts converted, written directly in PyTorch eager, for comparison.

Reads the network that bench/snn-spec.ts wrote (the engine's rescaled weights, thresholds and
factors) and runs the same method with the same bookkeeping: the input-only part once per batch,
then per step every remaining node in order, IF-burst neurons (V += z; s = clip(floor(V/θ), 0, Γ);
V -= s·θ), LIPool in its cumulative form (C += x; M' = maxpool(C); y = M' - M), the output
accumulated; spike totals as the engine keeps them: a counter N += s for sites a LIPool reads (it
is that LIPool's C), the other sites' totals from the final states (N = (V0 + Σz - V)/θ) at the end
of the batch. In-place ops wherever PyTorch allows them.

Protocol: one JSON command per line on stdin, one JSON answer per line on stdout.
  {"cmd": "load", "name": ..., "dir": ...}                       -> {"ok": true}
  {"cmd": "run", "name": ..., "x": file, "batch": B, "steps": T, "out": file}
                                       -> {"seconds": ..., "stepSeconds": ...}  (acc written to "out")
"""
import json
import sys
import time

import torch
import torch.nn.functional as F


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Net:
    def __init__(self, folder):
        with open(f"{folder}/snn.json") as f:
            self.spec = json.load(f)
        with open(f"{folder}/snn.bin", "rb") as f:
            self.blob = torch.frombuffer(bytearray(f.read()), dtype=torch.float32)
        self.opts = self.spec["options"]
        self.nodes = self.spec["nodes"]
        self.by_id = {n["id"]: n for n in self.nodes}
        for n in self.nodes:
            n["w"] = self.take(n["weight"]["at"]).view(n["weight"]["shape"]) if n["weight"] else None
            n["b"] = self.take(n["bias"])
            n["th"] = self.take(n["theta"])
            n["f"] = [self.take(f) for f in n["factors"]]
        self.readout = self.take(self.spec["readout"])
        self.v_init = {v["site"]: v["init"] if isinstance(v["init"], (int, float)) else self.take(v["init"]) for v in self.spec["vInit"]}

    def take(self, at):
        if at is None:
            return None
        return self.blob[at[0]: at[0] + at[1]].clone()

    @staticmethod
    def per_channel(a, shape):
        return a.view(-1, *([1] * (len(shape) - 1)))

    def stateless(self, n, xs):
        k, a = n["kind"], n["attrs"]
        x = xs[0]
        if k == "conv":
            t, l, b, r = a["pads"]
            if t == b and l == r:
                return F.conv2d(x, n["w"], n["b"], a["strides"], (t, l), a["dilations"])
            return F.conv2d(F.pad(x, (l, r, t, b)), n["w"], n["b"], a["strides"], 0, a["dilations"])
        if k == "convTranspose":
            y = F.conv_transpose2d(x, n["w"], None, a["strides"], 0, 0, 1, a["dilations"])
            t, l, b, r = a["pads"]
            oh, ow = n["shape"][1], n["shape"][2]
            y = y[:, :, t:, l:]
            y = F.pad(y, (0, max(ow - y.shape[3], 0), 0, max(oh - y.shape[2], 0)))[:, :, :oh, :ow]
            return y if n["b"] is None else y + n["b"].view(1, -1, 1, 1)
        if k == "dense":
            return F.linear(x, n["w"], n["b"])
        if k == "avgPool":
            t, l, b, r = a["pads"]
            if t != b or l != r:
                raise NotImplementedError("asymmetric average pooling")
            return F.avg_pool2d(x, a["kernel"], a["strides"], (t, l), a["ceilMode"], a["countIncludePad"])
        if k == "globalAvgPool":
            return x.mean((2, 3), keepdim=True)
        if k == "flatten":
            return x.flatten(1)
        if k == "reshape":
            return x.reshape(x.shape[0], *a["shape"])
        if k == "transpose":
            return x.permute(0, *[p + 1 for p in a["perm"]])
        if k == "add":
            y = xs[0] + xs[1]
            for z in xs[2:]:
                y.add_(z)
            return y
        if k == "concat":
            return torch.cat(xs, a["axis"] + 1)
        if k == "pad":
            p = a["pads"]
            r = len(p) // 2
            pairs = []
            for i in reversed(range(r)):
                pairs += [p[i], p[r + i]]
            return F.pad(x, pairs)
        if k == "upsample":
            return F.interpolate(x, scale_factor=tuple(float(s) for s in a["scales"]), mode="nearest")
        if k in ("identity", "softmax"):
            return x
        if k == "sigmoid":
            return torch.sigmoid(x)
        raise NotImplementedError(k)

    def inputs(self, n, values):
        xs = [values[i] for i in n["inputs"]]
        for j, f in enumerate(n["f"]):
            if f is not None:
                xs[j] = xs[j] * self.per_channel(f, self.by_id[n["inputs"][j]]["shape"])
        return xs

    def pool(self, x, a):
        t, l, b, r = a["pads"]
        if t != b or l != r:
            return F.max_pool2d(F.pad(x, (l, r, t, b), value=float("-inf")), a["kernel"], a["strides"], 0, a["dilations"], a["ceilMode"])
        return F.max_pool2d(x, a["kernel"], a["strides"], (t, l), a["dilations"], a["ceilMode"])

    def run(self, x, steps):
        gamma, reset, lipool = float(self.opts["gamma"]), self.opts["reset"], self.opts["maxPool"] == "lipool"
        batch = x.shape[0]
        values = {self.spec["input"]: x}
        for n in self.nodes:
            if n["static"] and n["kind"] != "input":
                values[n["id"]] = self.stateless(n, self.inputs(n, values))
        state = {}
        for n in self.nodes:
            if n["static"]:
                continue
            if n["kind"] == "relu":
                state[n["id"]] = {"v": self.initial_v(n, batch), "n": torch.zeros(batch, *n["shape"]) if n["counter"] else None}
            elif n["kind"] == "maxPool":
                src = self.by_id[n["inputs"][0]]
                c = state[src["id"]]["n"] if n["poolsCounter"] else torch.zeros(batch, *src["shape"])
                state[n["id"]] = {"c": c, "own": not n["poolsCounter"], "m": torch.zeros(batch, *n["shape"]), "y": torch.zeros(batch, *n["shape"])}
        out_shape = self.by_id[self.spec["output"]]["shape"]
        acc = torch.zeros(batch, *out_shape)
        static_values = dict(values)
        for _ in range(steps):
            values = dict(static_values)
            for n in self.nodes:
                if n["static"]:
                    continue
                xs = self.inputs(n, values)
                k = n["kind"]
                if k == "relu":
                    st = state[n["id"]]
                    v = st["v"]
                    v.add_(xs[0])
                    if n["th"] is None:
                        s = v.clamp(0, gamma).floor_()
                    else:
                        th = self.per_channel(n["th"], n["shape"])
                        s = (v / th).clamp_(0, gamma).floor_()
                    if reset == "zero":
                        v.masked_fill_(s > 0, 0.0)
                    else:
                        v.sub_(s if n["th"] is None else s * th)
                    if st["n"] is not None:
                        st["n"].add_(s)
                    y = s
                elif k == "maxPool":
                    st = state[n["id"]]
                    if lipool:
                        if st["own"]:
                            st["c"].add_(xs[0])
                        m = self.pool(st["c"], n["attrs"])
                        y = m - st["m"]
                        st["m"] = m
                    else:
                        st["c"].add_(xs[0])
                        _, idx = F.max_pool2d(st["c"], n["attrs"]["kernel"], n["attrs"]["strides"], 0, n["attrs"]["dilations"], n["attrs"]["ceilMode"], return_indices=True)
                        y = xs[0].flatten(2).gather(2, idx.flatten(2)).view_as(idx)
                        st["y"].add_(y)
                else:
                    y = self.stateless(n, xs)
                values[n["id"]] = y
            out = values[self.spec["output"]]
            if self.readout is not None:
                out = out * self.per_channel(self.readout, out_shape)
            acc.add_(out)
        totals = self.totals(static_values, state, steps)
        return acc, totals

    def initial_v(self, n, batch):
        v0 = self.v_init[n["id"]]
        v = torch.zeros(batch, *n["shape"])
        if isinstance(v0, torch.Tensor):
            v += self.per_channel(v0, n["shape"])
        elif v0 != 0:
            v.fill_(v0)
        return v

    def totals(self, static_values, state, steps):
        """Spikes per population since the reset: counters, or (V0 + Σz - V)/θ rounded."""
        tot = {k: v * steps for k, v in static_values.items()}
        out = {}
        for n in self.nodes:
            if n["static"] or n["kind"] in ("sigmoid", "softmax"):
                continue
            k = n["kind"]
            if k == "maxPool":
                tot[n["id"]] = state[n["id"]]["m"] if self.opts["maxPool"] == "lipool" else state[n["id"]]["y"]
            elif k == "relu" and n["counter"]:
                tot[n["id"]] = state[n["id"]]["n"]
            elif k == "relu":
                batch = state[n["id"]]["v"].shape[0]
                q = self.inputs(n, tot)[0] - state[n["id"]]["v"] + self.initial_v(n, batch)
                if n["th"] is not None:
                    q = q / self.per_channel(n["th"], n["shape"])
                tot[n["id"]] = q.round()
            elif k in ("conv", "convTranspose", "dense"):
                b = n["b"]
                n["b"] = None
                y = self.stateless(n, self.inputs(n, tot))
                n["b"] = b
                tot[n["id"]] = y if b is None else y + self.per_channel(b, n["shape"]) * steps
            else:
                tot[n["id"]] = self.stateless(n, self.inputs(n, tot))
            if k in ("relu", "maxPool"):
                out[n["id"]] = tot[n["id"]].sum(0)
        return out


def main():
    nets = {}
    torch.set_grad_enabled(False)
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd["cmd"] == "threads":
            torch.set_num_threads(int(cmd["threads"]))
            answer = {"ok": True, "threads": torch.get_num_threads(), "version": torch.__version__}
        elif cmd["cmd"] == "load":
            nets[cmd["name"]] = Net(cmd["dir"])
            answer = {"ok": True}
        elif cmd["cmd"] == "run":
            net = nets[cmd["name"]]
            with open(cmd["x"], "rb") as f:
                x = torch.frombuffer(bytearray(f.read()), dtype=torch.float32).view(cmd["batch"], *net.by_id[net.spec["input"]]["shape"])
            with torch.inference_mode():
                t0, c0 = time.perf_counter(), time.process_time()
                acc, totals = net.run(x, cmd["steps"])
                seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
            spikes = {k: float(v.sum()) for k, v in totals.items()}
            with open(cmd["out"], "wb") as f:
                f.write(acc.contiguous().numpy().tobytes())
            answer = {"seconds": seconds, "cpuSeconds": cpu, "spikes": spikes}
        else:
            break
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
