"""The allowlist root of the isolated level: what the child may see, computed, not listed.

The child's root is a fresh tmpfs holding read-only binds of exactly: the interpreter (and the
symlinks that lead to it), its standard library, the site-packages entries of torch, numpy
and the distributions they require (their own files, by each distribution's ``RECORD``), the
shared libraries all of those link against (read from their ELF headers, not by running
``ldd``), and ``/etc/ld.so.cache``. Nothing else of the host: not the judge's own package,
not the folder of a checkout, not the venv's other packages. ``harness/boot.py`` builds it
from the :class:`RootPlan` this module computes in the judge (trusted, standard library only,
no torch import; once per judge process).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
import re
import struct
import sys
import sysconfig
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

BASE_DISTRIBUTIONS = ("torch", "numpy")
"""What every submission may import besides the standard library (and what they require)."""
SYSTEM_LIB_DIRS = (
    "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib",
)  # fmt: skip
_PT_DYNAMIC, _PT_INTERP, _PT_LOAD = 2, 3, 1
_DT_NEEDED, _DT_STRTAB, _DT_RPATH, _DT_RUNPATH = 1, 5, 15, 29


@dataclass
class RootPlan:
    """What ``boot.py`` builds, all paths as the child sees them."""

    binds: list[tuple[str, str]] = field(default_factory=list)
    """(path in the root, host real path) pairs, bound read-only, parents first."""
    symlinks: dict[str, str] = field(default_factory=dict)
    """Symlinks to recreate (``/lib`` -> ``usr/lib``, the venv's ``bin/python``)."""
    masks: list[str] = field(default_factory=list)
    """Site folders inside a bound folder, covered by an empty tmpfs (then bound into)."""
    files: dict[str, str] = field(default_factory=dict)
    """Small files written into the root (the venv's ``pyvenv.cfg``)."""
    python: str = ""
    """The interpreter's path in the root."""
    library_path: list[str] = field(default_factory=list)
    """``LD_LIBRARY_PATH`` for a relocated interpreter whose RPATH names its host folder
    (the harness removes it from ``os.environ`` before the submission runs)."""

    def to_json(self) -> dict:
        return {"binds": self.binds, "symlinks": self.symlinks, "masks": self.masks,
                "files": self.files, "python": self.python,
                "library_path": self.library_path}  # fmt: skip

    @classmethod
    def from_json(cls, data: dict) -> RootPlan:
        return cls([tuple(b) for b in data["binds"]], dict(data["symlinks"]),
                   list(data["masks"]), dict(data["files"]), str(data["python"]),
                   list(data["library_path"]))  # fmt: skip


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _expose(path: str, symlinks: dict[str, str], depth: int = 0) -> str | None:
    """The path with every symlink on the way recorded (to recreate); the real path, or None."""
    if depth > 20 or not os.path.isabs(path):
        return None
    parts = PurePosixPath(os.path.normpath(path)).parts
    current = "/"
    for i, part in enumerate(parts[1:], start=1):
        step = os.path.join(current, part)
        if os.path.islink(step):
            target = os.readlink(step)
            symlinks[step] = target
            resolved = os.path.normpath(os.path.join(current, target))
            return _expose(os.path.join(resolved, *parts[i + 1 :]), symlinks, depth + 1)
        current = step
    return current if os.path.exists(current) else None


def _requirement_applies(marker: str) -> bool:
    if "extra" in marker:
        return False
    try:  # packaging is not a dependency of the judge: without it, keep the requirement
        from packaging.markers import Marker  # optional: see the comment above
    except ImportError:
        return True
    try:
        return Marker(marker).evaluate()
    except Exception:
        return True


def distribution_closure(names: tuple[str, ...]) -> list[importlib.metadata.Distribution]:
    """The installed distributions ``names`` and everything they require (missing ones skipped)."""
    seen: dict[str, importlib.metadata.Distribution] = {}
    todo = list(names)
    while todo:
        name = re.sub(r"[-_.]+", "-", todo.pop()).lower()
        if name in seen:
            continue
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        seen[name] = dist
        for requirement in dist.requires or ():
            spec, _, marker = requirement.partition(";")
            match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec)
            if match and _requirement_applies(marker.strip()):
                todo.append(match.group(1))
    return list(seen.values())


def distribution_entries(dist: importlib.metadata.Distribution) -> list[str]:
    """The top-level site-packages entries a distribution installed (a file in a shared
    ``__pycache__`` by itself), as absolute paths (read from ``RECORD``, without parsing
    every line into a path object: torch's has 20,000)."""
    site = os.path.realpath(str(dist.locate_file("")))
    entries: set[str] = set()
    for line in (dist.read_text("RECORD") or "").splitlines():
        name = line.rsplit(",", 2)[0] if line.count(",") >= 2 else line
        parts = name.split("/")
        if not parts[0] or parts[0] == "..":
            continue
        keep = parts[:2] if parts[0] == "__pycache__" else parts[:1]
        entries.add(os.path.join(site, *keep))
    return sorted(e for e in entries if os.path.exists(e))


# -- shared libraries, from ELF headers --------------------------------------------------------


def elf_dependencies(path: str) -> tuple[list[str], list[str], str | None]:
    """DT_NEEDED names, RPATH/RUNPATH folders (``$ORIGIN`` resolved) and PT_INTERP of an ELF64
    little-endian file; empty for anything else."""
    try:
        with open(path, "rb") as f:
            head = f.read(64)
            if len(head) < 64 or head[:4] != b"\x7fELF" or head[4] != 2 or head[5] != 1:
                return [], [], None
            phoff, phentsize, phnum = (
                struct.unpack_from("<Q", head, 32)[0],
                *struct.unpack_from("<HH", head, 54),
            )
            f.seek(phoff)
            table = f.read(phentsize * phnum)
            loads, dynamic, interp = [], None, None
            for i in range(phnum):
                p_type, _, p_offset, p_vaddr, _, p_filesz = struct.unpack_from(
                    "<IIQQQQ", table, i * phentsize
                )
                if p_type == _PT_LOAD:
                    loads.append((p_vaddr, p_offset, p_filesz))
                elif p_type == _PT_DYNAMIC:
                    dynamic = (p_offset, p_filesz)
                elif p_type == _PT_INTERP:
                    f.seek(p_offset)
                    interp = f.read(p_filesz).rstrip(b"\0").decode(errors="replace")
            if dynamic is None:
                return [], [], interp
            f.seek(dynamic[0])
            raw = f.read(dynamic[1])
            tags = [struct.unpack_from("<qQ", raw, i) for i in range(0, len(raw) - 15, 16)]
            strtab = next((v for t, v in tags if t == _DT_STRTAB), None)
            offset = next(
                (o + strtab - v for v, o, n in loads if v <= (strtab or -1) < v + n), None
            )
            if offset is None:
                return [], [], interp

            def string(at: int) -> str:
                f.seek(offset + at)
                return f.read(4096).split(b"\0", 1)[0].decode(errors="replace")

            needed = [string(v) for t, v in tags if t == _DT_NEEDED]
            origin = os.path.dirname(os.path.realpath(path))
            search = [
                os.path.normpath(d.replace("$ORIGIN", origin).replace("${ORIGIN}", origin))
                for t, v in tags
                if t in (_DT_RPATH, _DT_RUNPATH)
                for d in string(v).split(":")
                if d
            ]
            return needed, search, interp
    except (OSError, struct.error, ValueError):
        return [], [], None


def shared_libraries(roots: list[str], system_dirs: tuple[str, ...] = SYSTEM_LIB_DIRS) -> set[str]:
    """Every shared library (and ELF interpreter) the ELF files under ``roots`` need,
    transitively, found as the loader would (RPATH/RUNPATH, then the system folders)."""
    todo = []
    for root in roots:
        if os.path.isfile(root):
            todo.append(root)
            continue
        for folder, _, files in os.walk(root):
            todo += [os.path.join(folder, n) for n in files if ".so" in n]
    found: set[str] = set()
    done: set[str] = set()
    while todo:
        path = todo.pop()
        real = os.path.realpath(path)
        if real in done:
            continue
        done.add(real)
        needed, search, interp = elf_dependencies(real)
        if interp:
            found.add(interp)
            todo.append(interp)
        for name in needed:
            for folder in (*search, os.path.dirname(real), *system_dirs):
                candidate = os.path.join(folder, name)
                if os.path.exists(candidate):
                    found.add(candidate)
                    todo.append(candidate)
                    break
    return found


# -- the plan ---------------------------------------------------------------------------------

VENV, PYTHON = "/venv", "/python"
"""Where the venv (if any) and a base interpreter outside /usr appear in the child's root:
never at their host paths, which would name the folders that hold them (a checkout, /root)."""
HOST_TMP = "/host-tmp"
"""Where what the child needs from below the host's /tmp is bound (its own /tmp is empty)."""
SYSTEM_PREFIXES = ("/usr", "/usr/local", "/")


def _site_dirs() -> set[str]:
    dirs = set()
    for base in (sys.prefix, sys.base_prefix):
        paths = sysconfig.get_paths(vars={"base": base, "platbase": base})
        dirs |= {os.path.realpath(paths[k]) for k in ("purelib", "platlib")}
    return dirs


class _Mapper:
    """Host real paths -> paths in the child's root (the venv and a private interpreter
    relocated; system paths kept)."""

    def __init__(self) -> None:
        self.venv = os.path.realpath(sys.prefix) if sys.prefix != sys.base_prefix else None
        base = os.path.realpath(sys.base_prefix)
        self.base = None if base in SYSTEM_PREFIXES else base

    def __call__(self, real: str) -> str:
        # The child gets an empty /tmp of its own, which would cover anything bound below the
        # host's /tmp (a checkout or a venv there, as CI runners make): relocated instead.
        for host, there in ((self.venv, VENV), (self.base, PYTHON), ("/tmp", HOST_TMP)):
            if host is not None and _under(real, host):
                return there + real[len(host) :]
        return real


def compute_plan(extra_distributions: tuple[str, ...] = ()) -> RootPlan:
    """The allowlist for this interpreter (see the module docstring)."""
    where = _Mapper()
    plan = RootPlan()
    binds: dict[str, str] = {}

    def bind(host: str) -> None:
        real = os.path.realpath(host)
        if os.path.exists(real):
            binds[where(real)] = real

    installed = sysconfig.get_paths(
        vars={"base": sys.base_prefix, "platbase": sys.base_exec_prefix}
    )
    stdlib = sorted({os.path.realpath(installed[k]) for k in ("stdlib", "platstdlib")})
    for folder in stdlib:
        bind(folder)
    interpreter = os.path.realpath(sys.executable)
    bind(interpreter)
    if where.venv is not None:
        plan.python = f"{VENV}/bin/python"
        plan.symlinks[plan.python] = where(interpreter)
        plan.files[f"{VENV}/pyvenv.cfg"] = (
            f"home = {os.path.dirname(where(interpreter))}\ninclude-system-site-packages = false\n"
        )
    else:
        plan.python = where(interpreter)
    site_entries = []
    dists = distribution_closure((*BASE_DISTRIBUTIONS, *extra_distributions))
    for dist in dists:
        site_entries += distribution_entries(dist)
    for entry in site_entries:
        bind(entry)
    # A distribution found through a .pth file or the base interpreter's site folder (a venv
    # made with --system-site-packages) is not on the child's own path: a .pth says where.
    paths = sysconfig.get_paths()
    own = {where(os.path.realpath(paths[k])) for k in ("purelib", "platlib")}
    elsewhere = {where(os.path.realpath(str(d.locate_file("")))) for d in dists} - own
    if elsewhere:
        primary = where(os.path.realpath(paths["purelib"]))
        plan.files[f"{primary}/_metajudge_sites.pth"] = "".join(f"{p}\n" for p in sorted(elsewhere))
    dynload = [os.path.join(d, "lib-dynload") for d in stdlib]
    elf_roots = [interpreter, *dynload, *(e for e in site_entries if not e.endswith(".py"))]
    for library in sorted(shared_libraries(elf_roots)):
        real = os.path.realpath(library)
        if where(real) != real:
            bind(real)
            if not any(_under(real, e) for e in site_entries):
                # the interpreter's own libpython, which its RPATH names at the host path
                plan.library_path.append(os.path.dirname(where(real)))
        elif (exposed := _expose(library, plan.symlinks)) is not None:
            binds[exposed] = exposed  # a system library, reached through its symlinks
    if os.path.isfile("/etc/ld.so.cache"):
        binds["/etc/ld.so.cache"] = "/etc/ld.so.cache"
    # A site-packages inside the bound standard library (a base interpreter's own) is
    # masked with an empty tmpfs; the entries needed from it are bound back inside.
    sites = {where(s) for s in _site_dirs() if os.path.isdir(s)}
    plan.masks = sorted(s for s in sites if any(_under(s, b) and s != b for b in binds))
    for target in sorted(binds):
        covering = [b for b in binds if b != target and _under(target, b)]
        unmasked = any(_under(target, m) and _under(m, b) for m in plan.masks for b in covering)
        if not covering or unmasked:
            plan.binds.append((target, binds[target]))
    kept = [t for t, _ in plan.binds]
    plan.symlinks = {p: t for p, t in plan.symlinks.items() if not any(_under(p, b) for b in kept)}
    plan.library_path = sorted(set(plan.library_path))
    return plan


_plans: dict[tuple[str, ...], RootPlan] = {}


def _cache_key(extra: tuple[str, ...] = ()) -> str:
    """What the plan depends on: the interpreter, the distributions, and the site folders'
    mtimes (installing or removing a package changes its site folder)."""
    stamp = [sys.executable, os.path.realpath(sys.executable), sys.prefix, *BASE_DISTRIBUTIONS]
    stamp += [f"+{name}" for name in extra]
    for folder in sorted(_site_dirs()):
        with contextlib.suppress(OSError):
            stamp.append(f"{folder}:{os.stat(folder).st_mtime_ns}")
    return hashlib.sha256(json.dumps(stamp).encode()).hexdigest()[:24]


def _cache_file(extra: tuple[str, ...] = ()) -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "metajudge" / f"rootfs-{_cache_key(extra)}.json"


def plan(extra: Sequence[str] = ()) -> RootPlan:
    """:func:`compute_plan` for the base distributions plus ``extra`` (those a problem
    declares in its ``packages``), once per judge process and set of extras, and cached on
    disk (computing it reads torch's RECORD and hundreds of ELF headers: half a second)."""
    key = tuple(sorted(set(extra)))
    if key in _plans:
        return _plans[key]
    with contextlib.suppress(Exception):
        cached = RootPlan.from_json(json.loads(_cache_file(key).read_text()))
        if all(os.path.exists(source) for _, source in cached.binds):
            _plans[key] = cached
            return cached
    made = _plans[key] = compute_plan(key)
    with contextlib.suppress(OSError):
        path = _cache_file(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(made.to_json()))
        partial.replace(path)
    return made
