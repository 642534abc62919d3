#!/usr/bin/env bash
# Builds the libFuzzer targets of tools/fuzz/targets into $VD_FUZZ_OUT (default .build-fuzz), outside SwiftPM so
# the normal build stays untouched. Every object (Swift core, converter, C kernels, C API shim, C++ ONNX reader)
# is compiled with coverage and AddressSanitizer (+ UndefinedBehaviorSanitizer for C and C++), so a fuzz run
# checks the whole path an input takes, not only the harness.
#
# Usage: bash tools/fuzz/build.sh [target ...]     (targets: gguf modelfile onnx tokenizer capi video videofile; default all)
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
[ ${#targets[@]} -gt 0 ] || targets=(gguf modelfile onnx tokenizer capi video videofile)

# Sanitizers: coverage for libFuzzer, ASan, and UBSan for the C and C++ code (its handlers live in the ASan
# runtime that swiftc links). -fno-sanitize-recover turns every UBSan report into a crash the fuzzer keeps.
csan=(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
copt=(-O2 -g "${csan[@]}")
sopt=(-O -g -sanitize=fuzzer,address -enable-testing -parse-as-library -swift-version 5 -package-name VideoDistill)

# Module maps for the C targets, as SwiftPM would make them.
mkdir -p "$out/maps/_VDKernels" "$out/maps/CVideoDistillAPI" "$out/maps/_ONNXReader" "$out/maps/_CLIPVocabulary" \
    "$out/maps/_VDVideoIO"
printf 'module _VDVideoIO {\n    header "%s"\n    export *\n}\n' "$root/Sources/_VDVideoIO/include/vd_video_io.h" \
    > "$out/maps/_VDVideoIO/module.modulemap"
printf 'module _VDKernels {\n    umbrella "%s"\n    export *\n}\n' "$root/Sources/_VDKernels/include" \
    > "$out/maps/_VDKernels/module.modulemap"
printf 'module CVideoDistillAPI {\n    header "%s"\n    export *\n}\n' \
    "$root/Sources/CVideoDistillAPI/include/CVideoDistillAPI.h" > "$out/maps/CVideoDistillAPI/module.modulemap"
printf 'module _ONNXReader {\n    header "%s"\n    export *\n}\n' \
    "$root/Sources/_ONNXReader/include/onnx_reader.h" > "$out/maps/_ONNXReader/module.modulemap"
vocab="$root/tools/convert-weights/Sources/_CLIPVocabulary"
printf 'module _CLIPVocabulary {\n    header "%s"\n    export *\n}\n' "$vocab/include/clip_vocabulary.h" \
    > "$out/maps/_CLIPVocabulary/module.modulemap"
incs=(-I "$out/maps/_VDKernels" -I "$out/maps/CVideoDistillAPI" -I "$out/maps/_ONNXReader" -I "$out/maps/_CLIPVocabulary"
      -I "$out/maps/_VDVideoIO"
      -I "$root/Sources/COpenBLAS" -I "$root/tools/convert-weights/Sources/CZlib" -I "$out/mods")

echo "== C and C++ objects"
objs=()
for f in "$root"/Sources/_VDKernels/*.c "$root"/Sources/CVideoDistillAPI/*.c; do
    o="$out/obj/$(basename "$(dirname "$f")")_$(basename "${f%.c}").o"
    "$CC" -std=c11 "${copt[@]}" -I "$root/Sources/_VDKernels/include" -I "$root/Sources/CVideoDistillAPI/include" \
        -fvisibility=hidden -c "$f" -o "$o" &
    objs+=("$o")
done
# The converter's pieces: the ONNX reader (C++) and the built-in BPE vocabulary (C, #embed).
convert_objs=("$out/obj/clip_vocabulary.o")
"$CC" -std=c11 "${copt[@]}" -I "$vocab/include" -c "$vocab/clip_vocabulary.c" -o "$out/obj/clip_vocabulary.o" &
video_objs=()
for f in "$root"/Sources/_VDVideoIO/*.c; do
    o="$out/obj/videoio_$(basename "${f%.c}").o"
    "$CC" -std=c11 "${copt[@]}" -I "$root/Sources/_VDVideoIO/include" -c "$f" -o "$o" &
    video_objs+=("$o")
done
for f in "$root"/Sources/_ONNXReader/*.cpp; do
    o="$out/obj/onnx_$(basename "${f%.cpp}").o"
    "$CXX" -std=c++17 "${copt[@]}" -DONNX_ML=1 -DONNX_NAMESPACE=onnx -I "$root/Sources/_ONNXReader/include" \
        -c "$f" -o "$o" &
    convert_objs+=("$o")
done
wait

# swift_module NAME DIR: the Swift module NAME from DIR's sources, as one object and its .swiftmodule.
swift_module() {
    echo "== Swift module $1"
    local sources
    mapfile -t sources < <(find "$2" -name '*.swift' | sort)
    swiftc "${sopt[@]}" "${incs[@]}" -wmo -module-name "$1" -emit-module \
        -emit-module-path "$out/mods/$1.swiftmodule" -c "${sources[@]}" -o "$out/obj/$1.o"
}
wants() { local t; for t in "${targets[@]}"; do [ "$t" = "$1" ] && return 0; done; return 1; }

swift_module VideoDistill "$root/Sources/VideoDistill"
if wants video; then swift_module VideoDistillVideo "$root/Sources/VideoDistillVideo"; fi
if wants onnx; then swift_module VideoDistillConvert "$root/tools/convert-weights/Sources/VideoDistillConvert"; fi

libs=(-lopenblas -lstdc++ -lm -use-ld=lld)
for t in "${targets[@]}"; do
    echo "== fuzz-$t"
    case "$t" in
        capi)
            "$CC" -std=c11 "${copt[@]}" -I "$root/include" -c "$root/tools/fuzz/targets/fuzz_capi.c" -o "$out/obj/fuzz_capi.o"
            swiftc -sanitize=fuzzer,address "$out/obj/fuzz_capi.o" "$out/obj/VideoDistill.o" "${objs[@]}" \
                "${libs[@]}" -o "$out/fuzz-capi"
            ;;
        onnx)
            swiftc "${sopt[@]}" "${incs[@]}" "$root/tools/fuzz/targets/FuzzSupport.swift" \
                "$root/tools/fuzz/targets/FuzzONNX.swift" "$out/obj/VideoDistillConvert.o" "$out/obj/VideoDistill.o" \
                "${objs[@]}" "${convert_objs[@]}" -lonnx_proto -lprotobuf -lz "${libs[@]}" -o "$out/fuzz-onnx"
            ;;
        video)
            swiftc "${sopt[@]}" "${incs[@]}" "$root/tools/fuzz/targets/FuzzSupport.swift" \
                "$root/tools/fuzz/targets/FuzzVideo.swift" "$out/obj/VideoDistillVideo.o" "$out/obj/VideoDistill.o" \
                "${objs[@]}" "${video_objs[@]}" -lavformat -lavcodec -lswscale -lavutil "${libs[@]}" -o "$out/fuzz-video"
            ;;
        gguf|modelfile|tokenizer|videofile)
            name="$(tr '[:lower:]' '[:upper:]' <<<"${t:0:1}")${t:1}"
            swiftc "${sopt[@]}" "${incs[@]}" "$root/tools/fuzz/targets/FuzzSupport.swift" \
                "$root/tools/fuzz/targets/Fuzz$name.swift" "$out/obj/VideoDistill.o" "${objs[@]}" "${libs[@]}" \
                -o "$out/fuzz-$t"
            ;;
        *) echo "unknown target $t" >&2; exit 2 ;;
    esac
done
echo "built: $(for t in "${targets[@]}"; do printf '%s ' "$out/fuzz-$t"; done)"
