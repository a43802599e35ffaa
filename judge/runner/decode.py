"""Decode a reply from the child with every size bounded before anything is materialised.

``torch.load(weights_only=True)`` is safe against code execution but not against size: a
stride-0 tensor of 4 TB, ten thousand references to one storage, a DAG of shared lists
(2^32 paths through 64 objects) or an opcode flood all fit in a small reply and cost the
judge gigabytes or minutes. So the judge decodes replies itself:

1. the zip archive: stored entries only, one ``data.pkl`` of at most :data:`PICKLE_BYTES`,
   little-endian, every entry within the cap;
2. the pickle, by the C unpickler with an allowlist of globals that build *placeholders*
   (a storage is a key and a dtype, a tensor is a storage, offset, size and stride), so
   what it builds is bounded by the pickle's own length;
3. a walk over the placeholders that counts every node each time it is reached (a shared
   object counts once per reference, as copying it would), the depth, the bytes of every
   tensor (elements x element size, whatever its strides), with a deadline, and only then
   copies the tensors out of the archive, each as a fresh contiguous plain tensor.

Every string is passed through :func:`judge.text.clean` on the way. Anything out of bounds
raises :class:`BadReply`, which the sandbox turns into the submission's ``runtime_error``.
"""

from __future__ import annotations

import io
import math
import pickle
import time
import warnings
import zipfile
from typing import Any

from judge.text import clean

PICKLE_BYTES = 4 << 20
"""The largest ``data.pkl`` accepted: the structure of a reply, its tensors are elsewhere."""
MAX_OBJECTS = 200_000
"""Nodes of the decoded value, each shared object counted once per reference."""
MAX_DEPTH = 32
"""As ``convert.MAX_DEPTH``: the child never sends anything deeper."""
MAX_DIMS = 64
DEADLINE_S = 5.0
"""Seconds the walk may take (the unpickler's work is bounded by :data:`PICKLE_BYTES`)."""


class BadReply(Exception):
    """The child sent something that is not a well-formed reply (or is out of bounds)."""


class _Storage:
    __slots__ = ("dtype", "key", "numel")

    def __init__(self, key: str, dtype: Any, numel: int) -> None:
        self.key, self.dtype, self.numel = key, dtype, numel

    def __setstate__(self, state: object) -> None:
        raise BadReply("a pickle BUILD on a storage")


class _Tensor:
    __slots__ = ("dtype", "offset", "size", "storage", "stride")

    def __init__(self, storage: _Storage, offset: int, size: tuple, stride: tuple, dtype: Any):
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride
        self.dtype = dtype

    def __setstate__(self, state: object) -> None:
        raise BadReply("a pickle BUILD on a tensor")

    def nbytes(self) -> int:
        return math.prod(self.size) * self.dtype.itemsize


class _Hooks:
    """The empty ``OrderedDict()`` of backward hooks that ``torch.save`` writes per tensor."""

    __slots__ = ()

    def __setstate__(self, state: object) -> None:
        raise BadReply("a pickle BUILD on backward hooks")


_UNTYPED = object()


def _ints(value: object, what: str) -> tuple[int, ...]:
    # exact types, not isinstance: a subclass is not plain data (isinstance narrows for mypy)
    if type(value) not in (tuple, list) or not isinstance(value, tuple | list):
        raise BadReply(f"a tensor {what} that is not a short tuple")
    if len(value) > MAX_DIMS:
        raise BadReply(f"a tensor {what} that is not a short tuple")
    if not all(type(v) is int and 0 <= v < 1 << 62 for v in value):
        raise BadReply(f"a tensor {what} that is not non-negative integers")
    return tuple(value)


def _tensor(storage: object, offset: object, size: object, stride: object, dtype: Any) -> _Tensor:
    if not isinstance(storage, _Storage) or type(offset) is not int or offset < 0:
        raise BadReply("a tensor without a storage of the archive")
    size, stride = _ints(size, "size"), _ints(stride, "stride")
    if len(size) != len(stride):
        raise BadReply("a tensor whose size and stride differ in length")
    if dtype is None:
        dtype = storage.dtype
    if storage.dtype is _UNTYPED:
        elements = storage.numel // dtype.itemsize
    elif storage.dtype != dtype:
        raise BadReply("a tensor whose dtype is not its storage's")
    else:
        elements = storage.numel
    reach = sum((n - 1) * s for n, s in zip(size, stride, strict=True))
    if math.prod(size) and offset + reach >= elements:
        raise BadReply("a tensor that reaches past the end of its storage")
    return _Tensor(storage, offset, size, stride, dtype)


def _rebuild_v2(storage, offset, size, stride, requires_grad, hooks, metadata=None) -> _Tensor:
    return _tensor(storage, offset, size, stride, None)


def _rebuild_v3(storage, offset, size, stride, requires_grad, hooks, dtype, metadata=None):
    import torch  # only once a reply holds a tensor: the judge may run without it

    if not isinstance(dtype, torch.dtype):
        raise BadReply("a tensor whose dtype is not a dtype")
    return _tensor(storage, offset, size, stride, dtype)


def _ordered_dict(*args: object) -> _Hooks:
    if args:
        raise BadReply("an OrderedDict with contents")
    return _Hooks()


class _Unpickler(pickle.Unpickler):
    """The C unpickler, allowed to build only placeholders, dtypes and empty hook dicts."""

    def __init__(self, data: bytes, entries: dict[str, int]) -> None:
        super().__init__(io.BytesIO(data))
        self.entries = entries
        self.storages: dict[str, _Storage] = {}

    def find_class(self, module: str, name: str) -> Any:
        import torch  # only once a reply holds a tensor: the judge may run without it

        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return _rebuild_v2
        if module == "torch._utils" and name == "_rebuild_tensor_v3":
            return _rebuild_v3
        if module == "collections" and name == "OrderedDict":
            return _ordered_dict
        if module == "torch.storage" and name == "UntypedStorage":
            return ("storage-type", _UNTYPED)
        if module == "torch" and name.endswith("Storage") and name.isidentifier():
            with warnings.catch_warnings():  # "TypedStorage is deprecated"
                warnings.simplefilter("ignore")
                kind = getattr(torch, name, None)
                dtype = getattr(kind, "dtype", None) if isinstance(kind, type) else None
            if isinstance(dtype, torch.dtype) and not str(dtype).startswith("torch.q"):
                return ("storage-type", dtype)
        if module == "torch" and name.isidentifier():
            value = getattr(torch, name, None)
            if isinstance(value, torch.dtype) and not str(value).startswith("torch.q"):
                return value
        raise BadReply(f"the reply names {module}.{name}"[:200])

    def persistent_load(self, pid: object) -> _Storage:
        if type(pid) is not tuple or len(pid) != 5 or pid[0] != "storage":
            raise BadReply("a persistent id that is not a storage")
        _, kind, key, _location, numel = pid
        if type(kind) is not tuple or len(kind) != 2 or kind[0] != "storage-type":
            raise BadReply("a storage of an unknown type")
        if type(key) is not str or type(numel) is not int or numel < 0:
            raise BadReply("a storage with a malformed key")
        if key in self.storages:
            return self.storages[key]
        dtype = kind[1]
        itemsize = 1 if dtype is _UNTYPED else dtype.itemsize
        if self.entries.get(key) != numel * itemsize:
            raise BadReply("a storage whose size is not its archive entry's")
        self.storages[key] = _Storage(key, dtype, numel)
        return self.storages[key]


class _Walk:
    """Count, bound and materialise the placeholder tree."""

    def __init__(self, archive: zipfile.ZipFile, prefix: str, tensor_bytes: int) -> None:
        self.archive, self.prefix = archive, prefix
        self.tensor_bytes = tensor_bytes
        self.nodes = 0
        self.bytes = 0
        self.deadline = time.monotonic() + DEADLINE_S
        self.bases: dict[str, Any] = {}

    def count(self, node: object, depth: int) -> None:
        """Pass 1: bounds only, nothing copied."""
        if depth > MAX_DEPTH:
            raise BadReply(f"the reply is nested deeper than {MAX_DEPTH} levels")
        self.nodes += 1
        if self.nodes > MAX_OBJECTS:
            raise BadReply(f"the reply holds more than {MAX_OBJECTS} objects")
        if self.nodes % 4096 == 0 and time.monotonic() > self.deadline:
            raise BadReply(f"the reply took longer than {DEADLINE_S:g} s to decode")
        kind = type(node)
        if kind is _Tensor and isinstance(node, _Tensor):
            self.bytes += node.nbytes()
            if self.bytes > self.tensor_bytes:
                raise BadReply(f"the reply's tensors add up to more than {self.tensor_bytes} bytes")
        elif kind is int and isinstance(node, int):
            if node.bit_length() > 64:
                raise BadReply("the reply holds an integer of more than 64 bits")
        elif kind in (list, tuple) and isinstance(node, list | tuple):
            for item in node:
                self.count(item, depth + 1)
        elif kind is dict and isinstance(node, dict):
            for key, item in node.items():
                if type(key) is not str:
                    raise BadReply(f"a dict key of type {type(key).__name__}; keys must be str")
                self.count(item, depth + 1)
        elif node is not None and kind not in (bool, float, str):
            raise BadReply(f"the reply holds {kind.__name__}"[:200])

    def build(self, node: object) -> Any:
        """Pass 2: the plain data (run only after :meth:`count` accepted the tree)."""
        kind = type(node)
        # count() accepted only these exact types; isinstance narrows them for mypy
        if kind is _Tensor and isinstance(node, _Tensor):
            return self._materialise(node)
        if kind is str and isinstance(node, str):
            return clean(node)
        if kind is list and isinstance(node, list):
            return [self.build(v) for v in node]
        if kind is tuple and isinstance(node, tuple):
            return tuple(self.build(v) for v in node)
        if kind is dict and isinstance(node, dict):
            return {clean(k): self.build(v) for k, v in node.items()}
        return node

    def _materialise(self, ref: _Tensor) -> Any:
        import torch  # only once a reply holds a tensor: the judge may run without it

        storage = ref.storage
        base = self.bases.get(storage.key)
        if base is None:
            raw = bytearray(self.archive.read(f"{self.prefix}data/{storage.key}"))
            base = (
                torch.frombuffer(raw, dtype=torch.uint8)
                if raw
                else torch.empty(0, dtype=torch.uint8)
            )
            self.bases[storage.key] = base
        usable = base.numel() - base.numel() % ref.dtype.itemsize
        typed = base[:usable].view(ref.dtype)
        with torch.no_grad():
            view = torch.as_strided(typed, ref.size, ref.stride, ref.offset)
            return view.clone(memory_format=torch.contiguous_format)


def decode(data: bytes, cap: int, tensor_bytes: int | None = None) -> dict:
    """A reply's bytes -> a ``dict`` of plain data (tensors, numbers, str, None, lists,
    tuples, str-keyed dicts), or :class:`BadReply`. ``tensor_bytes``: the most bytes all
    tensors may add up to once copied (default ``cap``: the child sends each tensor as its
    own contiguous copy, so an honest reply never needs more than it sent)."""
    if not data.startswith(b"PK\x03\x04"):
        raise BadReply("the reply is not a torch.save archive")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise BadReply(f"the reply is not a valid archive: {clean(exc, 200)}") from exc
    if any(i.compress_type != zipfile.ZIP_STORED for i in infos):
        raise BadReply("the reply holds compressed entries")
    if sum(i.file_size for i in infos) > cap or len(infos) > MAX_OBJECTS:
        raise BadReply("the reply unpacks to more than the size limit")
    pickles = [i for i in infos if i.filename.endswith("/data.pkl")]
    if len(pickles) != 1:
        raise BadReply("the reply is not one torch.save archive")
    prefix = pickles[0].filename[: -len("data.pkl")]
    if pickles[0].file_size > PICKLE_BYTES:
        raise BadReply(f"the reply's pickle is over {PICKLE_BYTES} bytes")
    names = {i.filename: i.file_size for i in infos}
    order = names.get(f"{prefix}byteorder")
    if order is not None and archive.read(f"{prefix}byteorder") != b"little":
        raise BadReply("the reply is not little-endian")
    entries = {
        n[len(prefix) + 5 :]: size for n, size in names.items() if n.startswith(f"{prefix}data/")
    }
    try:
        tree = _Unpickler(archive.read(pickles[0].filename), entries).load()
    except BadReply:
        raise
    except RecursionError as exc:
        raise BadReply("the reply's pickle nests too deeply") from exc
    except MemoryError as exc:
        raise BadReply("the reply's pickle does not fit in memory") from exc
    except Exception as exc:
        raise BadReply(f"the reply is not data: {type(exc).__name__}: {clean(exc, 300)}") from exc
    if type(tree) is not dict or type(tree.get("kind")) is not str:
        raise BadReply("the reply is not a message of the judge's harness")
    walk = _Walk(archive, prefix, cap if tensor_bytes is None else tensor_bytes)
    try:
        walk.count(tree, 0)
        return walk.build(tree)
    except BadReply:
        raise
    except (RecursionError, MemoryError, RuntimeError, ValueError, OverflowError) as exc:
        raise BadReply(f"the reply cannot be decoded: {type(exc).__name__}") from exc
