"""The runner: where submitted code runs, and the whole trust boundary around it.

Theory of operation
===================

A submission is untrusted code that must be called like a library (``adapt(model, x, y,
...)``) and whose answers the judge compares with its own. It never runs in the judge's
process. This package holds everything between the two: the processes, the pipes, the
limits, and what crosses.

Processes (isolated level, warm start: the default where Linux namespaces work)::

    judge (trusted)                 grading.py -> Sandbox (sandbox.py) -> Template (warm.py)
      │ setpriv --pdeathsig KILL    dies with the judge, even a SIGKILLed one
      └ unshare [--user] --mount --net --ipc --uts --pid --fork --kill-child
          └ boot.py          PID 1 of the namespaces; builds the allowlist root and pivots
              │              into it; reports how its child ended on a status pipe
              └ template.py  imports torch once; never runs a submission; per submission:
                  └ warden   new mount/PID/IPC/net namespaces; fresh /box, /tmp, /dev/shm
                      └ init PID 1 of the submission's own PID namespace; private /proc;
                          │  reports the child's end on that submission's status pipe
                          └ child  the harness (child.py) running the submission

Without the warm start (``METAJUDGE_WARM=0``, or when the template cannot start) boot.py
forks the child itself and execs a fresh interpreter: the cold start, same boundary.

Who trusts whom. The judge trusts nothing the child sends. boot.py, template.py, the
warden and the init are trusted: they run before the submission exists or outside its
process, import only the standard library and torch, and never hold the submission's
objects. The child trusts the judge's requests (the judge wrote them). The submission and
the harness share the child process, so the harness's own reports (a verdict it classified,
a signature) are believed only where the judge cannot be fooled by them: a forged reply
lacks the per-call nonce, a reply is decoded as data only, and how the child ended comes
from its init's status pipe, which the child never holds.

What the child computes about the submission (probes: gradients, "the arguments after the
call") is the exception: it is computed in the submission's interpreter and believed. It is
guarded, not proven. The harness binds what it calls before the submission is imported and
leaves ``sys.modules``; the guard refuses the usual ways in (the garbage collector, other
threads' frames, tracing, replacing a harness function's code or defaults, ctypes,
``/proc/<pid>/mem``); the seal (``harness/integrity.py``) records, before the import, which
object every name of torch's autograd, ``torch.nn``, tensor, ``torch.func`` modules and
classes, ``builtins``, the harness's modules and the Child points to, and checks them by
identity after every call of the submission and before each reply: a change is
``forbidden``. Still possible for code in the same interpreter: frames (easy to get, not
audited) lead to the harness's locals, mutable objects can be changed and names put back
between two checks by code torch runs later (a hook during the probe's backward pass, a
finaliser, a signal handler), and numpy's ``__array_interface__`` writes any address without
ctypes. A probe is therefore a strong check against mistakes and a raised bar against
forgery, not proof; where a verdict must not rest on it, a test compares values of ordinary
calls (finite differences, a second call on the same objects) in the judge.

Pipes, per child: requests (judge -> child, fd 3: a length, a random nonce, ``torch.save``
bytes), replies (child -> judge, fd 4: a length and a ``torch.save`` zip of stored entries,
capped at ``Limits.reply_bytes``, decoded with ``torch.load(weights_only=True)`` and checked
to be plain data by ``harness/convert.py``: see channel.py), output (stdout and stderr,
drained with a cap: processes.py) and status (init -> judge, one JSON line per event). The
template talks to the judge over a Unix socket; the pipes' ends are passed to it as
SCM_RIGHTS and it answers with a pidfd of the new child's init, the judge's one handle to
kill the submission and everything it started.

What each level guarantees
--------------------------

``isolated`` (Linux with util-linux ``unshare``; as root, or as anyone where unprivileged
user namespaces work: ``isolation_available()`` says which, or why not):

- a root built from nothing (rootfs.py computes it, boot.py builds it): read-only binds of
  the interpreter, its standard library, the site-packages entries of torch, numpy and what
  they require, and the shared libraries those link against; the venv appears at /venv and
  an interpreter outside /usr at /python, so no host path of the judge's own files, a
  checkout, /root, /home, /opt or /srv exists; ``/box`` holds the submission only; /tmp and
  /dev/shm are empty tmpfs of their own; /dev has null, zero and urandom; /etc names no host;
  /proc shows the submission's own processes, with the kernel command line and the like
  masked;
- no network (an empty network namespace) and no host names (UTS namespace), no shared IPC;
- the child without any capability (bounding set dropped too) and with no_new_privs: as
  root under a fresh uid of its own (so RLIMIT_NPROC counts its processes only); from an
  unprivileged judge in a user namespace of its own, nested in the sandbox's, where it is a
  fresh uid (neither root of a namespace nor the judge's uid) and holds no capability over
  its mounts. To the kernel it is still the judge's uid, the only one a user namespace can map
  without the setuid newuidmap and a subordinate range (/etc/subuid), which are not used:
  what keeps it from the judge's processes and files is the namespaces, not the uid;
- rlimits (CPU, address space, processes, file size, open files, no core) and a seccomp
  filter (x86_64 and aarch64; elsewhere ``seccomp`` is false): no sockets but AF_UNIX, no
  namespaces, mounts, ptrace, bpf, io_uring, keys or modules, no signal to PID 1;
- killing the init kills every process the submission started; a SIGKILLed judge takes its
  sandboxes with it (parent-death signal), and box folders it left are reaped by the next;
- warm start: each child is a fork of the template, so nothing one submission changes
  (torch patched, caches, threads, files, environment) reaches the next.

``basic`` (anything else; ``reason`` says why): a subprocess in its own session with the
same rlimits, a scrubbed environment, the seccomp filter where it installs, the import
guard (``harness/guard.py``: the judge's packages and files refused, best effort) and a
kill of its process group plus a sweep by environment marker. A determined submission can
escape the guard and read the host; ``grade-batch`` refuses this level unless asked.

``in-process`` (inprocess.py): trusted code only (a problem's solution, alternatives and
mistakes), with the same call API and the same conversion of results.

The call API (protocol.py's ``Runner``)
---------------------------------------

``start()`` imports the submission (``SubmissionFailed``: compile_error, forbidden,
runtime_error...; ``JudgeError`` when the runner itself fails); ``call(entry, args, kwargs,
probe=None, twice=None) -> Reply(value, args_after, kwargs_after, probe, second)``, all plain
data, or ``SubmissionFailed`` (a timeout, a crash, output or reply over its cap kill the
child; the next call starts a fresh one); ``close()``; ``level`` and ``network``;
``signatures`` as the child saw them.

What the child says about a call is its own account: ``args_after`` (the arguments as the
call left them) and a probe's result are computed beside the submission, which may forge
them. Probes (``harness/probes.py``) run in the child on their own copy of the arguments,
for what only the live result shows (gradients through it, ``returned_aliases``: which
returned tensors overlap an input's bytes). ``twice`` asks for a check the parent makes
itself: the entry point is called a second time on the very same argument objects (some
replaced by fresh values the request names, e.g. a generator the call may advance) and
``second`` is that value, which ``judge.testing.expect_inputs_unchanged(..., reference=)``
compares with the reference's value on the original inputs: a call that changed its inputs
gets a wrong second value whatever it reports about them.

Map: sandbox.py (the Sandbox: choosing the level, start, call, close), replies.py (reading
the child's replies; a failure's verdict from its message or its end), launch.py (starting
the child: box, command line, environment, pipes, the warm fork; killing and reaping it),
isolation.py (where the isolated level works, the unshare command, stale boxes), warm.py
(the template, judge side), rootfs.py (the root's plan), channel.py (framing and decoding
replies), processes.py (status pipe, output drain, process sweeps), inprocess.py, limits.py,
protocol.py; harness/ is copied into the sandbox: boot.py, template.py, child.py, guard.py,
integrity.py, convert.py, probes.py.
"""
