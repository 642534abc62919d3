#!/usr/bin/env python3
"""The package's target graph, for tools/fuzz/build.sh: what it builds and links, read from SwiftPM.

Usage: graph.py DESCRIBE.json DUMP.json ROOT...
  DESCRIBE.json: `swift package describe --type json` (targets, their folders, sources, dependencies);
  DUMP.json:     `swift package dump-package` (each target's settings: defines, unsafe flags, linked libraries);
  ROOT:          a target name, `product:NAME` (a product's targets) or `imports:FILE` (the package targets that a
                 Swift file imports, e.g. a fuzz harness).
Prints the dependency closure of the roots, dependencies first, one target per line, fields separated by the
unit separator 0x1F (not tabs: bash's `read` merges empty tab-separated fields):
  kind (swift | clang | system), name, folder, sources, compiler flags, linker flags
(sources and flags space-separated, paths absolute; a path with a space is not supported).
"""
import json
import os
import re
import subprocess
import sys


def pkg_config(option, package):
    """pkg-config's answer as a list of flags (none when pkg-config or the package is missing)."""
    try:
        r = subprocess.run(["pkg-config", option, package], capture_output=True, text=True)
    except OSError:
        return []
    return r.stdout.split() if r.returncode == 0 else []


def settings_of(target):
    """(compiler flags by tool, linker flags) from a target's settings in dump-package."""
    flags, link = {"c": [], "cxx": [], "swift": []}, []
    for s in target.get("settings", []):
        kind, tool = s["kind"], s["tool"]
        if "define" in kind:
            define = kind["define"]["_0"]
            flags[tool].append("-D" + (define.split("=")[0] if tool == "swift" else define))   # Swift: no values
        elif "unsafeFlags" in kind:
            if tool == "linker":
                link += kind["unsafeFlags"]["_0"]
            elif tool in flags:
                flags[tool] += kind["unsafeFlags"]["_0"]
        elif "linkedLibrary" in kind:
            link.append("-l" + kind["linkedLibrary"]["_0"])
    return flags, link


def main():
    describe, dump = (json.load(open(p)) for p in sys.argv[1:3])
    root = describe["path"]
    targets = {t["name"]: t for t in describe["targets"]}
    manifest = {t["name"]: t for t in dump["targets"]}
    products = {p["name"]: p["targets"] for p in describe["products"]}

    roots = []
    for arg in sys.argv[3:]:
        if arg.startswith("product:"):
            roots += products[arg[len("product:"):]]
        elif arg.startswith("imports:"):
            text = open(arg[len("imports:"):]).read()
            roots += [m for m in re.findall(r"^\s*(?:@testable\s+)?import\s+(\w+)", text, re.M) if m in targets]
        else:
            roots.append(arg)

    order, seen = [], set()

    def visit(name):
        if name in seen:
            return
        seen.add(name)
        for dep in targets[name].get("target_dependencies", []):
            visit(dep)
        order.append(name)

    for r in roots:
        visit(r)

    for name in order:
        t = targets[name]
        folder = os.path.join(root, t["path"])
        flags, link = settings_of(manifest[name])
        kind = {"SwiftTarget": "swift", "ClangTarget": "clang", "SystemLibraryTarget": "system"}[t["module_type"]]
        sources = [os.path.join(folder, s) for s in t.get("sources", [])]
        if kind == "swift":
            compile_flags = flags["swift"]
        elif kind == "clang":
            # c and c++ flags apart: build.sh passes -Xc / -Xcxx prefixed ones to the matching sources.
            compile_flags = ["-Xc:" + f for f in flags["c"]] + ["-Xcxx:" + f for f in flags["cxx"]]
            if any(s.endswith((".cpp", ".cc", ".cxx")) for s in sources):
                link.append("-lstdc++")
        else:
            mm = open(os.path.join(folder, "module.modulemap")).read()
            link += ["-l" + lib for lib in re.findall(r'\blink\s+"([^"]+)"', mm)]
            compile_flags = []
            if manifest[name].get("pkgConfig"):   # as SwiftPM does: the package's cflags and libs, if pkg-config knows it
                compile_flags += pkg_config("--cflags", manifest[name]["pkgConfig"])
                link += pkg_config("--libs", manifest[name]["pkgConfig"])
        print("\x1f".join([kind, name, folder, " ".join(sources), " ".join(compile_flags), " ".join(link)]))


if __name__ == "__main__":
    main()
