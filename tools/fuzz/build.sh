#!/usr/bin/env bash
# Builds the libFuzzer targets of tools/fuzz/targets into $VD_FUZZ_OUT (default .build-fuzz), outside SwiftPM so
# the normal build stays untouched. Every object (Swift core, converter, C kernels, C API shim, C++ ONNX reader)
# is compiled with coverage and AddressSanitizer (+ UndefinedBehaviorSanitizer for C and C++), so a fuzz run
# checks the whole path an input takes, not only the harness.
# What to build comes from the package (tools/fuzz/graph.py over `swift package describe` and `dump-package`):
# the package targets a harness imports (the capi harness: the `videodistill` library product) and everything
# they depend on, with each target's folder, sources, defines, flags and libraries. A new target or dependency in
# Package.swift needs no edit here.
#
# Usage: bash tools/fuzz/build.sh [target ...]     (targets: gguf modelfile onnx safetensors tokenizer capi video videofile; default all)
# Then:  bash tools/fuzz/run.sh TARGET ...         (see tools/fuzz/README.md)
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
out="${VD_FUZZ_OUT:-$root/.build-fuzz}"
mkdir -p "$out/obj" "$out/mods" "$out/maps"
swift_bin="$(dirname "$(command -v swiftc)")"
CC="${CC:-$swift_bin/clang}"
CXX="${CXX:-$swift_bin/clang++}"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(gguf modelfile onnx safetensors tokenizer capi video videofile)

# Sanitizers: coverage for libFuzzer, ASan, and UBSan for the C and C++ code (its handlers live in the ASan
# runtime that swiftc links). -fno-sanitize-recover turns every UBSan report into a crash the fuzzer keeps.
csan=(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
copt=(-O2 -g "${csan[@]}")
sopt=(-O -g -sanitize=fuzzer,address -enable-testing -parse-as-library -swift-version 5 -package-name VideoDistill)

mkdir -p "$out/graph"
swift package describe --type json > "$out/graph/describe.json"
swift package dump-package > "$out/graph/dump.json"
# graph ROOT...: the closure of ROOT (graph.py's arguments), one line per target (fields split by 0x1F), dependencies first.
graph() { python3 "$root/tools/fuzz/graph.py" "$out/graph/describe.json" "$out/graph/dump.json" "$@"; }
# The package's C and C++ standards (cLanguageStandard, cxxLanguageStandard).
read -r c_std cxx_std < <(python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))
print(d.get("c_language_standard") or "c11", d.get("cxx_language_standard") or "c++17")' "$out/graph/describe.json")
# harness TARGET: the target's Swift harness, tools/fuzz/targets/Fuzz<Target>.swift (any capitalisation).
harness() {
    local f
    for f in "$root"/tools/fuzz/targets/Fuzz*.swift; do
        [ "$(basename "$f" .swift | tr '[:upper:]' '[:lower:]')" = "fuzz$1" ] && { echo "$f"; return 0; }
    done
    echo "no harness tools/fuzz/targets/Fuzz$1.swift" >&2
    return 1
}
# roots TARGET: what the fuzz target's harness needs from the package.
roots() {
    case "$1" in
        capi) echo "product:videodistill" ;;   # the C harness calls the library's C API
        *) echo "imports:$root/tools/fuzz/targets/FuzzSupport.swift imports:$(harness "$1")" ;;
    esac
}
all_roots=()
for t in "${targets[@]}"; do
    [ "$t" = capi ] || harness "$t" >/dev/null || exit 2
    read -ra r <<<"$(roots "$t")"
    all_roots+=("${r[@]}")
    graph "${r[@]}" > "$out/graph/fuzz-$t.txt"
done
graph "${all_roots[@]}" > "$out/graph/all.txt"
for n in $(cut -d$'\x1f' -f2 "$out/graph/all.txt"); do graph "$n" > "$out/graph/target-$n.txt"; done

# Include paths: one module map per C target, as SwiftPM makes it (include/NAME.h as umbrella header, else the
# include folder as umbrella directory), the system targets' own module maps and their pkg-config flags.
incs=(-I "$out/mods")
while IFS=$'\x1f' read -r kind name dir _ cflags _; do
    case "$kind" in
        clang)
            mkdir -p "$out/maps/$name"
            if [ -f "$dir/include/module.modulemap" ]; then incs+=(-I "$dir/include"); continue; fi
            if [ -f "$dir/include/$name.h" ]; then umbrella="header \"$dir/include/$name.h\""
            else umbrella="umbrella \"$dir/include\""; fi
            printf 'module %s {\n    %s\n    export *\n}\n' "$name" "$umbrella" > "$out/maps/$name/module.modulemap"
            incs+=(-I "$out/maps/$name") ;;
        system)
            incs+=(-I "$dir")
            for f in $cflags; do incs+=(-Xcc "$f"); done ;;
    esac
done < "$out/graph/all.txt"

echo "== C and C++ objects"
# Each C/C++ target's sources with its own include folder, its dependencies' and its settings (-Xc:/-Xcxx:).
declare -A target_objs
while IFS=$'\x1f' read -r kind name dir sources cflags _; do
    [ "$kind" = clang ] || continue
    extra_c=() extra_cxx=() dep_incs=()
    for f in $cflags; do
        case "$f" in -Xc:*) extra_c+=("${f#-Xc:}") ;; -Xcxx:*) extra_cxx+=("${f#-Xcxx:}") ;; esac
    done
    while IFS=$'\x1f' read -r dkind _ ddir _; do
        [ "$dkind" = clang ] && dep_incs+=(-I "$ddir/include")
    done < "$out/graph/target-$name.txt"
    objs=()
    for f in $sources; do
        o="$out/obj/${name}_$(basename "${f%.*}").o"
        case "$f" in
            *.c) "$CC" -std="$c_std" "${copt[@]}" "${dep_incs[@]}" "${extra_c[@]}" -c "$f" -o "$o" & ;;
            *) "$CXX" -std="$cxx_std" "${copt[@]}" "${dep_incs[@]}" "${extra_cxx[@]}" -c "$f" -o "$o" & ;;
        esac
        objs+=("$o")
    done
    target_objs[$name]="${objs[*]}"
done < "$out/graph/all.txt"
wait

# Each Swift target in dependency order, as one object and its .swiftmodule.
while IFS=$'\x1f' read -r kind name _ sources sflags _; do
    [ "$kind" = swift ] || continue
    echo "== Swift module $name"
    read -ra src <<<"$sources"
    read -ra extra <<<"$sflags"
    swiftc "${sopt[@]}" "${incs[@]}" "${extra[@]}" -wmo -module-name "$name" -emit-module \
        -emit-module-path "$out/mods/$name.swiftmodule" -c "${src[@]}" -o "$out/obj/$name.o"
    target_objs[$name]="$out/obj/$name.o"
done < "$out/graph/all.txt"

for t in "${targets[@]}"; do
    echo "== fuzz-$t"
    objs=() libs=()
    while IFS=$'\x1f' read -r _ name _ _ _ lflags; do
        read -ra o <<<"${target_objs[$name]:-}"
        read -ra l <<<"$lflags"
        objs+=("${o[@]}") libs+=("${l[@]}")
    done < "$out/graph/fuzz-$t.txt"
    libs+=(-lm -use-ld=lld)
    if [ "$t" = capi ]; then
        "$CC" -std="$c_std" "${copt[@]}" -I "$root/include" -c "$root/tools/fuzz/targets/fuzz_capi.c" -o "$out/obj/fuzz_capi.o"
        swiftc -sanitize=fuzzer,address "$out/obj/fuzz_capi.o" "${objs[@]}" "${libs[@]}" -o "$out/fuzz-capi"
    else
        swiftc "${sopt[@]}" "${incs[@]}" "$root/tools/fuzz/targets/FuzzSupport.swift" "$(harness "$t")" "${objs[@]}" "${libs[@]}" -o "$out/fuzz-$t"
    fi
done
echo "built: $(for t in "${targets[@]}"; do printf '%s ' "$out/fuzz-$t"; done)"
