"""Builds quiver's Go engine into a CPython extension with gopy.

`pip install .` runs this. It needs a Go toolchain (go.dev/dl) and a C
compiler; gopy and goimports are compiled from the versions pinned in go.mod
and pybindgen comes from the build requirements, so nothing else has to be
installed by hand.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

ROOT = Path(__file__).resolve().parent
# A directory whose name starts with "." is invisible to `go ./...`, so the Go
# files gopy generates never reach `go vet` or `go test`.
WORK = ROOT / ".build"
ENGINE = "qvengine"


def run(cmd, **kwargs):
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT, **kwargs)


def build_engine(dest: Path) -> None:
    go = shutil.which("go")
    if go is None:
        sys.exit(
            "quiver-ml: building the engine needs the Go toolchain (1.26 or newer) on PATH; "
            "install it from https://go.dev/dl and run pip again"
        )
    tools = WORK / "tools"
    tools.mkdir(parents=True, exist_ok=True)
    # Building the tools from this module marks gopy a direct requirement,
    # and gopy builds with -mod=mod, which rewrites go.mod to suit its
    # generated code; the checkout is left as it was.
    saved = {name: (ROOT / name).read_bytes() for name in ("go.mod", "go.sum")}
    try:
        run([go, "build", "-o", str(tools / "gopy"), "github.com/go-python/gopy"])
        run([go, "build", "-o", str(tools / "goimports"), "golang.org/x/tools/cmd/goimports"])
        env = dict(os.environ)
        # gopy calls goimports and the Python it generates for by name.
        env["PATH"] = os.pathsep.join([str(tools), str(Path(sys.executable).parent), env.get("PATH", "")])
        out = WORK / "gopy"
        shutil.rmtree(out, ignore_errors=True)
        run(
            [str(tools / "gopy"), "build", f"-output={out}", f"-vm={sys.executable}",
             f"-name={ENGINE}", "-no-make", "./pybridge"],
            env=env,
        )
    finally:
        for name, content in saved.items():
            (ROOT / name).write_bytes(content)
    dest.mkdir(parents=True, exist_ok=True)
    for f in out.iterdir():
        if f.suffix == ".py" or (f.name.startswith(f"_{ENGINE}") and f.suffix == ".so"):
            shutil.copy2(f, dest / f.name)


def copy_scorer_sources(dest: Path) -> None:
    """Copy what an exported scorer builds against into the package:
    go.mod, go.sum and the Go packages that go inside scorers (never tests,
    never training code), so that quiver.export works from an installed
    wheel without the checkout."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    for name in ("go.mod", "go.sum"):
        shutil.copy2(ROOT / name, dest / name)
    for package in ("engine/prob", "engine/texthash", "export/runtime", "export/runtime/capi",
                    "export/runtime/arrowgo", "export/runtime/columnar",
                    "export/runtime/internal/http1", "export/runtime/internal/ipc",
                    "export/runtime/internal/parquet"):
        target = dest / package
        target.mkdir(parents=True, exist_ok=True)
        for f in (ROOT / package).iterdir():
            if f.is_file() and (f.suffix == ".h" or (f.suffix in (".go", ".s") and not f.name.endswith("_test.go"))):
                shutil.copy2(f, target / f.name)


class BuildPyWithEngine(build_py):
    def run(self):
        super().run()
        build_engine(Path(self.build_lib) / "quiver" / "_gopy")
        copy_scorer_sources(Path(self.build_lib) / "quiver" / "_gosrc")


class BinaryDistribution(Distribution):
    """The wheel carries a compiled extension, so it is platform-specific."""

    def has_ext_modules(self):
        return True


setup(cmdclass={"build_py": BuildPyWithEngine}, distclass=BinaryDistribution)
