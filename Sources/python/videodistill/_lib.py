"""Finds and loads libvideodistill_video.so (or libvideodistill.so, without video files) and declares the C
signatures of include/videodistill.h and include/videodistill_video.h."""

import ctypes
import ctypes.util
import os

_HERE = os.path.dirname(os.path.abspath(__file__))


#: The libraries, best first: libvideodistill_video.so is the core plus video files (Model.encode_video).
NAMES = ("libvideodistill_video.so", "libvideodistill.so")


def _candidates():
    env = os.environ.get("VIDEODISTILL_LIBRARY")
    if env:
        yield env
    for name in NAMES:
        yield os.path.join(_HERE, name)
    # A source checkout: Sources/python/videodistill -> repository root; the newer of the release and debug
    # builds, so a stale release build never shadows the one just made.
    root = os.path.normpath(os.path.join(_HERE, "..", "..", ".."))
    for name in NAMES:
        builds = [os.path.join(root, ".build", config, name) for config in ("release", "debug")]
        yield from sorted(builds, key=lambda p: os.path.getmtime(p) if os.path.exists(p) else 0, reverse=True)
    for name in ("videodistill_video", "videodistill"):
        found = ctypes.util.find_library(name)
        if found:
            yield found


def load_library():
    tried = []
    for path in _candidates():
        if os.path.sep in path and not os.path.exists(path):
            tried.append(path)
            continue
        try:
            return _declare(ctypes.CDLL(path))
        except OSError as e:
            tried.append(f"{path} ({e})")
    raise OSError("libvideodistill_video.so / libvideodistill.so not found; build them with `swift build -c release` or set "
                  "VIDEODISTILL_LIBRARY. Tried: " + "; ".join(tried))


class ModelInfo(ctypes.Structure):
    _fields_ = [(n, ctypes.c_int32) for n in (
        "image_size", "resize_short", "patch_size", "vision_width", "vision_layers", "vision_heads",
        "text_width", "text_layers", "text_heads", "vocab_size", "context_length", "text_embed_dim",
        "model_dim", "model_heads", "fs_layers", "vr_layers", "num_frames", "num_selected", "qa_hidden",
        "num_answers", "patches_per_frame")] + [
        ("mean", ctypes.c_float * 3), ("std", ctypes.c_float * 3),
        ("clip_ln_eps", ctypes.c_float), ("ln_eps", ctypes.c_float),
        ("has_qa", ctypes.c_bool), ("has_vtm", ctypes.c_bool), ("has_cl", ctypes.c_bool),
        ("weight_type", ctypes.c_char_p)]


PROGRESS = ctypes.CFUNCTYPE(None, ctypes.c_int32, ctypes.c_int32, ctypes.c_void_p)
ABORT = ctypes.CFUNCTYPE(ctypes.c_bool, ctypes.c_void_p)


class EncodeParams(ctypes.Structure):
    _fields_ = [("n_threads", ctypes.c_int32), ("progress", PROGRESS), ("progress_user_data", ctypes.c_void_p),
                ("abort", ABORT), ("abort_user_data", ctypes.c_void_p)]


class VideoFileParams(ctypes.Structure):
    _fields_ = [("n_threads", ctypes.c_int32), ("decode_threads", ctypes.c_int32), ("progress", PROGRESS),
                ("progress_user_data", ctypes.c_void_p), ("abort", ABORT), ("abort_user_data", ctypes.c_void_p),
                ("strict", ctypes.c_bool)]


class VideoFileInfo(ctypes.Structure):
    _fields_ = [("frame_count", ctypes.c_int64), ("declared_frames", ctypes.c_int64), ("width", ctypes.c_int32),
                ("height", ctypes.c_int32), ("replaced_frames", ctypes.c_int32)]


class AnswerParams(ctypes.Structure):
    _fields_ = [("n_threads", ctypes.c_int32), ("top_k", ctypes.c_int32),
                ("selection", ctypes.POINTER(ctypes.c_int32))]


class ModelParams(ctypes.Structure):
    _fields_ = [("reserved", ctypes.c_int32)]


class ComputeInfo(ctypes.Structure):
    _fields_ = [("kernels", ctypes.c_char_p), ("int8", ctypes.c_char_p), ("int8_activation_max", ctypes.c_int32),
                ("blas_core", ctypes.c_char_p), ("isa_cap", ctypes.c_char_p)]


def _declare(lib):
    P, i32, f32 = ctypes.c_void_p, ctypes.c_int32, ctypes.c_float
    pi32, pf32 = ctypes.POINTER(i32), ctypes.POINTER(f32)
    sigs = {
        "vd_status_string": (ctypes.c_char_p, [i32]),
        "vd_last_error": (ctypes.c_char_p, []),
        "vd_version": (ctypes.c_char_p, []),
        "vd_get_compute_info": (i32, [ctypes.POINTER(ComputeInfo)]),
        "vd_model_default_params": (ModelParams, []),
        "vd_model_load": (i32, [ctypes.c_char_p, ctypes.POINTER(ModelParams), ctypes.POINTER(P)]),
        "vd_model_load_from_buffer": (i32, [P, ctypes.c_size_t, ctypes.POINTER(ModelParams), ctypes.POINTER(P)]),
        "vd_model_free": (None, [P]),
        "vd_model_get_info": (i32, [P, ctypes.POINTER(ModelInfo)]),
        "vd_model_answer": (ctypes.c_char_p, [P, i32]),
        "vd_encode_default_params": (EncodeParams, []),
        "vd_encode_frames": (i32, [P, P, i32, i32, i32, ctypes.c_size_t, ctypes.POINTER(EncodeParams),
                                   ctypes.POINTER(P)]),
        "vd_encode_pixels": (i32, [P, P, i32, ctypes.POINTER(EncodeParams), ctypes.POINTER(P)]),
        "vd_video_free": (None, [P]),
        "vd_video_num_frames": (i32, [P]),
        "vd_video_source_frame": (i32, [P, i32]),
        "vd_video_source_seconds": (ctypes.c_double, [P, i32]),
        "vd_video_sample_replaced": (i32, [P, i32]),
        "vd_video_source_size": (ctypes.c_int64, [P, ctypes.POINTER(i32), ctypes.POINTER(i32)]),
        "vd_answer_default_params": (AnswerParams, []),
        "vd_answer": (i32, [P, P, ctypes.c_char_p, ctypes.POINTER(AnswerParams), ctypes.POINTER(P)]),
        "vd_result_free": (None, [P]),
        "vd_result_top_k": (i32, [P]),
        "vd_result_answer_index": (i32, [P, i32]),
        "vd_result_answer_text": (ctypes.c_char_p, [P, i32]),
        "vd_result_answer_probability": (f32, [P, i32]),
        "vd_result_qa_logits": (pf32, [P, pi32]),
        "vd_result_selected_frames": (pi32, [P, pi32]),
        "vd_result_selected_samples": (pi32, [P, pi32]),
        "vd_result_selection_logits": (pf32, [P, pi32, pi32]),
        "vd_result_selection_probabilities": (pf32, [P, pi32, pi32]),
        "vd_result_v_star": (pf32, [P, pi32]),
        "vd_result_fs_gates": (pf32, [P, pi32, pi32, pi32]),
        "vd_result_vr_gates": (pf32, [P, pi32, pi32, pi32]),
        "vd_match": (i32, [P, P, ctypes.c_char_p, ctypes.POINTER(AnswerParams), pf32]),
        "vd_choose": (i32, [P, P, ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p), i32,
                            ctypes.POINTER(AnswerParams), pf32, pi32]),
        "vd_choose_video": (i32, [P, ctypes.POINTER(P), i32, ctypes.c_char_p, ctypes.POINTER(AnswerParams), pf32,
                                  pi32]),
        "vd_uniform_selection": (i32, [P, pi32, i32, pi32]),
        "vd_similarity": (i32, [P, P, ctypes.c_char_p, ctypes.POINTER(AnswerParams), pf32]),
        "vd_tokenize": (i32, [P, ctypes.c_char_p, pi32, i32, pi32]),
        "vd_frame_indices": (i32, [ctypes.c_int64, i32, ctypes.POINTER(ctypes.c_int64)]),
        "vd_explain": (i32, [P, P, ctypes.c_char_p, ctypes.POINTER(AnswerParams), ctypes.POINTER(P)]),
        "vd_result_match_score": (f32, [P]),
        "vd_result_similarity": (f32, [P]),
        "vd_video_save": (i32, [P, P, ctypes.c_char_p, i32]),
        "vd_video_load": (i32, [P, ctypes.c_char_p, ctypes.POINTER(P)]),
        "vd_video_stored_precision": (i32, [P]),
        "vd_video_tokens": (pf32, [P, pi32, pi32, pi32]),
        "vd_video_from_tokens": (i32, [P, pf32, i32, i32, i32, ctypes.POINTER(P)]),
    }
    video = {   # libvideodistill_video.so only
        "vd_video_file_default_params": (VideoFileParams, []),
        "vd_encode_video_file": (i32, [P, ctypes.c_char_p, ctypes.POINTER(VideoFileParams), ctypes.POINTER(P),
                                       ctypes.POINTER(VideoFileInfo)]),
        "vd_read_video_file_frames": (i32, [ctypes.c_char_p, i32, ctypes.POINTER(VideoFileParams), P, ctypes.c_size_t,
                                            ctypes.POINTER(ctypes.c_int64), ctypes.POINTER(ctypes.c_double),
                                            ctypes.POINTER(VideoFileInfo)]),
    }
    lib.has_video_files = hasattr(lib, "vd_encode_video_file")
    for name, (restype, argtypes) in list(sigs.items()) + (list(video.items()) if lib.has_video_files else []):
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = restype, argtypes
    return lib
