"""The child's request loop: import the submission, then run one call per request.

Run as ``python -I <box>/harness/child.py REQ_FD REPLY_FD`` with the box as the working
directory. It may not import the ``judge`` package: the harness directory is loaded as the
package ``harness`` by path. Messages both ways are an 8-byte little-endian length and
``torch.save`` bytes. The child trusts the judge's requests; the judge trusts nothing the
child sends (it decodes replies with ``torch.load(weights_only=True)`` and checks them).

Replies: ``{"kind": "ready"}`` once torch is imported; then ``{"kind": "started",
"signatures": ...}`` or ``{"kind": "failed", ...}`` for the submission's import; then one
``{"kind": "reply", "nonce", "value", "args_after", "kwargs_after", "probe", "second"}`` or
``{"kind": "failed", "nonce", "verdict", "message", "exc_type", "detail"}`` per request.

The submission runs in this interpreter, so what decides a verdict is bound before it is
imported (torch's functions, the probes, the conversions; the harness then leaves
``sys.modules``), and the seal (``integrity.py``) taken just before the import is checked
after every call of the submission (the probe's included) and before each reply: torch, the
harness or this object changed is ``forbidden``. See the runner's theory of operation for
what this does not stop.
"""

from __future__ import annotations

import contextlib
import importlib.util
import inspect
import io
import json
import os
import resource
import struct
import sys
import time
import traceback
import types
from collections.abc import Callable

HEADER = struct.Struct("<Q")
BOX = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MEMORY_MESSAGES = ("can't allocate memory", "not enough memory", "out of memory")


def _load_harness() -> object:
    """Import the harness directory as the package ``harness`` (not on sys.path)."""
    here = os.path.join(BOX, "harness")
    spec = importlib.util.spec_from_file_location(
        "harness", os.path.join(here, "__init__.py"), submodule_search_locations=[here]
    )
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the harness from {here}")
    package = importlib.util.module_from_spec(spec)
    sys.modules["harness"] = package
    spec.loader.exec_module(package)
    return package


def _read_exact(fd: int, n: int) -> bytes | None:
    chunks, left = [], n
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _text(value: object, limit: int = 2000) -> str:
    """``str(value)``, cut short, and never raising (exceptions may carry hostile __str__)."""
    try:
        text = str(value)
    except BaseException:
        text = "<unprintable>"
    return text if len(text) <= limit else text[:limit] + " ..."


class Child:
    """The harness state: channel, guard, converted results."""

    def __init__(self, req_fd: int, reply_fd: int, config: dict) -> None:
        began = time.perf_counter()
        import torch  # imported here, before the guard, once

        self.torch_import_s = time.perf_counter() - began
        torch.set_num_threads(1)
        self.torch = torch
        self.save = torch.save
        self.load = torch.load
        self.req_fd, self.reply_fd = req_fd, reply_fd
        self.config = config
        harness = sys.modules.get("harness") or _load_harness()  # loaded: a warm start
        from harness import convert, guard, integrity, probes

        self.convert, self.guard, self.probes = convert, guard, probes
        self.integrity = integrity
        self.harness = harness
        # What decides a verdict is bound now, before the submission is imported, and the
        # harness leaves sys.modules: patching harness.probes / harness.convert changes nothing.
        self.to_data, self.arguments_after = convert.to_data, convert.arguments_after
        self.probe_fns = {name: getattr(probes, name) for name in probes.__all__}
        for name in [n for n in sys.modules if n.partition(".")[0] == "harness"]:
            del sys.modules[name]
        self.blocked = guard.FORBIDDEN_MODULES
        self.module: types.ModuleType | None = None
        self.memory_mb = config.get("memory_mb")

    def send(self, message: dict) -> None:
        buffer = io.BytesIO()
        self.save(message, buffer)
        data = buffer.getvalue()
        view = memoryview(HEADER.pack(len(data)) + data)
        while view:
            view = view[os.write(self.reply_fd, view) :]

    def receive(self) -> bytes | None:
        header = _read_exact(self.req_fd, HEADER.size)
        if header is None:
            return None
        return _read_exact(self.req_fd, HEADER.unpack(header)[0])

    def failure(self, exc: BaseException, what: str) -> dict:
        """Classify what the submission raised into a verdict (a ``failed`` message)."""
        name = _text(type(exc).__name__, 200)
        text = _text(exc)
        try:
            detail = _text("".join(traceback.format_exception(exc)), 20000)
        except BaseException:
            detail = ""
        verdict, message = "runtime_error", f"{what} raised {name}" + (f": {text}" if text else "")
        seen = self.guard.violations()
        if isinstance(exc, ImportError) and (exc.name or "").partition(".")[0] in self.blocked:
            # e.g. the guard's finder removed: the module is hidden or absent, still forbidden
            seen = seen or [f"importing {exc.name!r} is not allowed in a submission"]
        if seen:
            verdict, message = "forbidden", seen[0]
        elif isinstance(exc, MemoryError) or (
            isinstance(exc, RuntimeError) and any(m in text for m in MEMORY_MESSAGES)
        ):
            verdict = "memory_limit"
            message = f"{what} ran out of memory (limit {self.memory_mb} MB): {name}: {text}"
        elif isinstance(exc, SystemExit):
            message = f"{what} called sys.exit({_text(exc.code, 200)})"
        return {
            "kind": "failed",
            "verdict": verdict,
            "message": message,
            "exc_type": name,
            "detail": detail,
        }

    def start(self) -> dict:
        """Compile and import the submission; check its entry points."""
        path = os.path.join(BOX, self.config["submission"])
        shown = self.config["submission"]
        try:
            with open(path, encoding="utf-8") as f:
                code = compile(f.read(), shown, "exec")
        except SyntaxError as exc:
            return {
                "kind": "failed",
                "verdict": "compile_error",
                "message": f"{shown}:{exc.lineno}:{exc.offset}: syntax error: {exc.msg}",
                "exc_type": type(exc).__name__,
                "detail": "",
                "line": exc.lineno,
                "column": exc.offset,
            }
        except (UnicodeDecodeError, ValueError) as exc:
            return {"kind": "failed", "verdict": "compile_error", "message": _text(exc),
                    "exc_type": type(exc).__name__, "detail": ""}  # fmt: skip
        spec = importlib.util.spec_from_loader("submission", loader=None, origin=path)
        assert spec is not None  # spec_from_loader returns None only without a loader and origin
        module = importlib.util.module_from_spec(spec)
        module.__file__ = path
        sys.modules["submission"] = module
        try:
            exec(code, module.__dict__)
        except BaseException as exc:  # SystemExit included
            return self.failure(exc, f"importing {shown}")
        if self.guard.violations():
            return self.failure(ImportError("forbidden"), f"importing {shown}")
        signatures = {}
        for entry in self.config["entry_points"]:
            fn = getattr(module, entry, None)
            if not callable(fn):
                return {
                    "kind": "failed",
                    "verdict": "compile_error",
                    "message": f"{shown} does not define the function {entry!r}",
                    "exc_type": None,
                    "detail": "",
                }
            try:
                signatures[entry] = _text(inspect.signature(fn), 500)
            except (TypeError, ValueError):
                signatures[entry] = "(...)"
        self.module = module
        return {"kind": "started", "signatures": signatures}

    def seal(self) -> Callable[[], list[str]]:
        """The seal's checker (``integrity.py``), taken just before the submission is imported:
        torch's namespaces, the harness's modules and this object, by identity."""
        harness = (self.convert, self.guard, self.integrity, self.probes)
        here = sys.modules.get(__name__)
        spaces = [("Child", self.__dict__), ("Child.class", type(self).__dict__)]
        if here is not None:
            spaces.append(("harness.child", vars(here)))
        return self.integrity.seal(harness, spaces, free=("module",))

    def handle(self, request: bytes, check: Callable[[], list[str]] | None = None) -> dict:
        """One call: the entry point on the arguments; then, when the request says ``twice``,
        the entry point again on the very same objects (as the first call left them, with
        the request's fresh values in the positions or keywords it names: the parent compares
        that second value with the reference's on the original inputs, so a call that changed
        its inputs is caught whatever it reports about them); then (optionally) the probe.
        Each call of the submission is followed by ``check`` (the seal): a change is
        ``forbidden``."""
        try:
            req = self.load(io.BytesIO(request), weights_only=False)
            probe_req = None
            if req["probe"] is not None:
                probe_req = self.load(io.BytesIO(request), weights_only=False)
        except BaseException as exc:
            self.guard.reset()
            return {"kind": "bad_request", "message": f"{type(exc).__name__}: {_text(exc)}"}
        entry, args, kwargs = req["entry"], tuple(req["args"]), dict(req["kwargs"])
        self.guard.reset()
        fn = getattr(self.module, entry, None)
        if entry not in self.config["entry_points"] or not callable(fn):
            shown = self.config["submission"]
            message = f"{shown} does not define the function {entry!r}"
            return {"kind": "failed", "verdict": "compile_error", "exc_type": None,
                    "message": message, "detail": ""}  # fmt: skip
        if check is not None:
            fn = self.integrity.checked(fn, check, self.guard.record)
        try:
            result = fn(*args, **kwargs)
        except BaseException as exc:
            return self.failure(exc, f"{entry}()")
        try:  # now: a second call may change what the result and the arguments hold
            value = self.to_data(result)
            args_after, kwargs_after = self.arguments_after(args, kwargs)
        except self.convert.NotData as exc:
            return self.not_data(entry, exc)
        except BaseException as exc:  # a hostile tensor, a state_dict hook
            return self.failure(exc, f"converting the result of {entry}()")
        second = None
        twice = req.get("twice")
        if twice is not None:  # the same objects again, as the first call left them
            again, again_kw = self.convert.second_call_arguments(args, kwargs, twice)
            try:
                second = fn(*again, **again_kw)
            except BaseException as exc:
                return self.failure(exc, f"{entry}() called again on the same arguments")
        measured = None
        if probe_req is not None:
            name, extra = probe_req["probe"]
            measure = self.probe_fns.get(name)
            if measure is None:
                return {"kind": "bad_request", "message": f"no probe {name!r}"}
            try:
                measured = measure(fn, tuple(probe_req["args"]), dict(probe_req["kwargs"]), *extra)
            except BaseException as exc:
                return self.failure(exc, f"probe {name} on {entry}()")
        if self.guard.violations():
            return self.failure(PermissionError("forbidden"), f"{entry}()")
        try:
            second = self.to_data(second)
            measured = self.to_data(measured)
        except self.convert.NotData as exc:
            return self.not_data(entry, exc)
        except BaseException as exc:
            return self.failure(exc, f"converting the result of {entry}()")
        return {
            "kind": "reply",
            "value": value,
            "args_after": args_after,
            "kwargs_after": kwargs_after,
            "probe": measured,
            "second": second,
        }

    def not_data(self, entry: str, exc: BaseException) -> dict:
        message = f"{entry}() returned {_text(exc)}: not plain data"
        return {"kind": "failed", "verdict": "runtime_error", "exc_type": None,
                "message": message, "detail": ""}  # fmt: skip

    def serve(self) -> None:
        seccomp = bool(self.config.get("seccomp")) and self.guard.install_seccomp()
        self.send({"kind": "ready", "torch_import_s": self.torch_import_s, "seccomp": seccomp})
        self.guard.install(self.config["forbidden_roots"], self.config["allowed_roots"])
        receive, handle, send = self.receive, self.handle, self.send  # before Child is patched
        check, guard, tampered = self.seal(), self.guard, self.integrity.Tampered
        started = self.start()
        if check():  # torch or the harness patched at import
            guard.record(self.integrity.describe(check()))
            started = self.failure(tampered(), f"importing {self.config['submission']}")
        send(started)
        if started["kind"] != "started":
            return
        while True:
            request = receive()
            if request is None:
                return
            nonce = struct.unpack("<Q", request[:8])[0]
            reply = handle(request[8:], check)
            changed = check()
            if changed and reply.get("kind") == "reply":  # changed after the last call
                guard.record(self.integrity.describe(changed))
                reply = self.failure(tampered(), "the call")
            reply["nonce"] = nonce
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(BaseException):
                    stream.flush()
            send(reply)


def main() -> None:
    # Only for the loader of a relocated interpreter (already read): not the submission's.
    os.environ.pop("LD_LIBRARY_PATH", None)
    req_fd, reply_fd = int(sys.argv[1]), int(sys.argv[2])
    with open(os.path.join(BOX, "harness", "config.json"), encoding="utf-8") as f:
        config = json.load(f)
    for name, (soft, hard) in config.get("rlimits", {}).items():
        resource.setrlimit(getattr(resource, name), (soft, hard))
    try:
        Child(req_fd, reply_fd, config).serve()
    except BaseException:
        # The harness itself failed (its reply pipe closed or replaced, builtins patched):
        # exit at once, without the seconds of interpreter teardown torch can take.
        with contextlib.suppress(BaseException):
            traceback.print_exc()
            sys.stderr.flush()
        os._exit(70)
    os._exit(0)


if __name__ == "__main__":
    main()
