"""The ``quiver`` command: ``quiver export MODEL_FILE PATH [--target ...]``."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(prog="quiver", description="quiver's command line.")
    commands = parser.add_subparsers(dest="command", required=True)
    ex = commands.add_parser(
        "export", help="compile a saved model or pipeline into a standalone scorer",
        description="Compile a model file (written by predict.save) into a standalone scorer: an executable "
                    "(predict, serve, stream), a C shared library, or a Go package.")
    ex.add_argument("model", help="the model file")
    ex.add_argument("path", help="where to write the scorer (a directory for --target go)")
    ex.add_argument("--target", default="exe", choices=["exe", "c-shared", "go"], help="what to build (default exe)")
    ex.add_argument("--goos", help="the operating system to build for, as Go names it (default: this one)")
    ex.add_argument("--goarch", help="the architecture to build for, as Go names it (default: this one)")
    ex.add_argument("--package", help="the Go package name for --target go (default scorer)")
    args = parser.parse_args(argv)

    import quiver

    try:
        predict = quiver.load(args.model)
        path = quiver.export(predict, args.path, target=args.target, goos=args.goos, goarch=args.goarch,
                             package=args.package)
    except (OSError, ValueError, RuntimeError, TypeError) as exc:
        print(f"quiver export: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
