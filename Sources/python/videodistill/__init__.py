"""VideoDistill video question answering on the CPU, through libvideodistill (ctypes + numpy).

    import videodistill
    model = videodistill.Model("model.gguf", threads=2)
    video = model.encode_video("clip.mp4")      # or model.encode_frames(frames), uint8 [F, H, W, 3]
    result = model.answer(video, "what colour is the ball?")
    print(result.answers[0], result.probabilities[0])
"""

import ctypes
import os
from typing import Callable, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import _lib

PathLike = Union[str, bytes, "os.PathLike[str]"]

__all__ = ["Model", "Video", "Answer", "VideoDistillError", "VideoFrames", "version", "compute_info", "frame_indices",
           "uniform_selection", "read_video_frames"]

_L = _lib.load_library()

_STATUS_NAMES = {
    1: "NullPointer", 2: "InvalidArgument", 3: "InvalidText", 4: "NonFinite", 5: "IO", 6: "ModelFile",
    7: "MissingHead", 8: "WrongModel", 9: "Numerical", 10: "Aborted", 11: "Internal",
    12: "NotFound", 13: "Undecodable", 14: "NoFrames", 15: "VideoFile",
}


class VideoDistillError(Exception):
    """A failed runtime call: `status` is the C status code, the message is the runtime's own."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status

    def __reduce__(self):   # pickled whole (worker processes raise these to the corpus' coordinator)
        return type(self), (self.status, str(self))


# One subclass per status, so callers can catch exactly what they expect (videodistill.InvalidTextError, ...).
_ERRORS = {}
for _code, _name in _STATUS_NAMES.items():
    _cls = type(_name + "Error", (VideoDistillError,), {})
    _ERRORS[_code] = _cls
    globals()[_cls.__name__] = _cls
    __all__.append(_cls.__name__)


def _check(status):
    if status != 0:
        message = _L.vd_last_error().decode("utf-8", "replace")
        raise _ERRORS.get(status, VideoDistillError)(status, message)


def version() -> str:
    return _L.vd_version().decode()


def compute_info() -> dict:
    """What computes on this machine: {"kernels", "int8", "int8_activation_max", "blas_core", "isa_cap"}. On the
    "avx2" int8 path (CPUs without VNNI) with VD_INT8_NARROW=1, int8 layers quantize activations to [-64, 64] instead of
    [-127, 127];
    "isa_cap" is the VD_ISA environment variable's cap, or None."""
    info = _lib.ComputeInfo()
    _check(_L.vd_get_compute_info(ctypes.byref(info)))
    text = lambda b: None if b is None else b.decode()   # noqa: E731
    return {"kernels": text(info.kernels), "int8": text(info.int8), "int8_activation_max": info.int8_activation_max,
            "blas_core": text(info.blas_core), "isa_cap": text(info.isa_cap)}


def _text(s):
    if isinstance(s, bytes):
        return s
    if not isinstance(s, str):
        raise TypeError(f"text must be str or bytes, not {type(s).__name__}")
    return s.encode("utf-8", "surrogatepass")


def _array(ptr, *shape):
    n = int(np.prod(shape))
    if n == 0 or not ptr:
        return np.zeros(shape, dtype=np.float32 if ptr is None else np.dtype(ptr._type_))
    return np.ctypeslib.as_array(ptr, shape=(n,)).reshape(shape).copy()


PRECISIONS = ("float32", "float16", "int8")   # vd_video_precision, in its order


def frame_indices(count: int, n: int) -> List[int]:
    """SPEC 1's evenly spaced pick of n of count items, ((2i + 1) count) div (2n), as the runtime computes it
    (vd_frame_indices): the frames a video of `count` frames is sampled at (n = num_frames)."""
    out = (ctypes.c_int64 * int(n))()
    _check(_L.vd_frame_indices(int(count), int(n), out))
    return list(out)


def uniform_selection(num_frames: int, num_selected: int) -> List[int]:
    """The paper's uniform baseline: num_selected evenly spaced indices of the num_frames sampled frames, SPEC 1's
    rule again (Model.uniform_selection for a loaded model)."""
    return frame_indices(num_frames, num_selected)


class VideoFrames:
    """The frames SPEC 1 picks from a video file, decoded by the runtime's video library: `frames` uint8
    [N, H, W, 3] in pick order, `source_frames` [N] (the frame each holds), `seconds` [N] (NaN: unknown),
    `info` (frame_count, declared_frames, width, height, replaced_frames)."""

    def __init__(self, frames, source_frames, seconds, info):
        self.frames, self.source_frames, self.seconds, self.info = frames, source_frames, seconds, info


def _video_file_params(threads=1, decode_threads=0, strict=False):
    if not _L.has_video_files:
        raise VideoDistillError(0, "video files need libvideodistill_video.so (the library loaded has none); build "
                                   "it with `swift build -c release`")
    params = _L.vd_video_file_default_params()
    params.n_threads = int(threads)
    params.decode_threads = int(decode_threads)
    params.strict = bool(strict)
    return params


def read_video_frames(path: PathLike, num_frames: int, decode_threads: int = 0, strict: bool = False) -> "VideoFrames":
    """The num_frames frames SPEC 1 picks from a video file, an image or a folder of images, decoded exactly as
    Model.encode_video decodes them (colour conversion, rotation, the policy for frames that cannot be decoded:
    include/videodistill_video.h) -> VideoFrames. For pipelines that preprocess frames themselves (training)."""
    params = _video_file_params(decode_threads=decode_threads, strict=strict)
    info = _lib.VideoFileInfo()
    name = os.fsencode(path)
    _check(_L.vd_read_video_file_frames(name, int(num_frames), ctypes.byref(params), None, 0, None, None,
                                        ctypes.byref(info)))
    frames = np.empty((int(num_frames), info.height, info.width, 3), dtype=np.uint8)
    sources = np.empty(int(num_frames), dtype=np.int64)
    seconds = np.empty(int(num_frames), dtype=np.float64)
    _check(_L.vd_read_video_file_frames(name, int(num_frames), ctypes.byref(params),
                                        frames.ctypes.data_as(ctypes.c_void_p), frames.nbytes,
                                        sources.ctypes.data_as(ctypes.POINTER(ctypes.c_int64)),
                                        seconds.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), ctypes.byref(info)))
    return VideoFrames(frames, sources, seconds, {n: getattr(info, n) for n, _ in _lib.VideoFileInfo._fields_})


class _Callbacks:
    """A Python progress callable as the C progress and abort callbacks of `params`, kept alive for one call; an
    exception the callable raises asks the runtime to stop, and is raised again when the call returns."""

    def __init__(self, params, progress):
        self.params, self.progress, self.error = params, progress, None

    def __enter__(self):
        if self.progress is not None:
            def on_progress(done, total, _):
                if self.error is None:
                    try:
                        self.progress(done, total)
                    except BaseException as e:   # noqa: B036 -- re-raised after the C call
                        self.error = e
            self._c = (_lib.PROGRESS(on_progress), _lib.ABORT(lambda _: self.error is not None))
            self.params.progress, self.params.abort = self._c
        return self

    def __exit__(self, kind, value, tb):
        if self.error is not None:
            raise self.error
        return False


class _Handle:
    """A runtime handle freed by `close()`, at the end of a `with` block, or when garbage-collected."""

    _free = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        """Free the handle now (twice is fine)."""
        if getattr(self, "_handle", None):
            type(self)._free(self._handle)
            self._handle = None

    def __del__(self):
        self.close()


class Video(_Handle):
    """A video encoded once by one model (its frame tokens); reuse it for any number of questions."""

    def __init__(self, model, handle):
        self._model, self._handle = model, handle

    @property
    def source_frames(self) -> np.ndarray:
        """For each of the N sampled frames, the index into the frames given to encode_frames (or of the video
        file's frames; for a replaced frame, the neighbour that stands in for it)."""
        n = _L.vd_video_num_frames(self._handle)
        return np.array([_L.vd_video_source_frame(self._handle, i) for i in range(n)], dtype=np.int64)

    @property
    def source_seconds(self) -> np.ndarray:
        """For a video from encode_video: each sampled frame's time in seconds after the file's first frame (NaN
        where the file does not say, and for videos from frames or pixels)."""
        n = _L.vd_video_num_frames(self._handle)
        return np.array([_L.vd_video_source_seconds(self._handle, i) for i in range(n)], dtype=np.float64)

    @property
    def source_size(self) -> Optional[Tuple[int, int, int]]:
        """(F, width, height) of the video the N frames were picked from (kept by saved files), or None when
        unknown (a video from pixels or tokens)."""
        w, h = ctypes.c_int32(), ctypes.c_int32()
        F = _L.vd_video_source_size(self._handle, ctypes.byref(w), ctypes.byref(h))
        return None if F < 0 else (int(F), w.value, h.value)

    @property
    def replaced(self) -> List[int]:
        """The sampled frames (0..N-1) whose own frame could not be decoded and that hold their nearest decoded
        neighbour's instead (encode_video's policy; strict=True refuses them)."""
        n = _L.vd_video_num_frames(self._handle)
        return [i for i in range(n) if _L.vd_video_sample_replaced(self._handle, i) == 1]

    @property
    def tokens(self) -> np.ndarray:
        """The frame tokens, float32 [N, 1 + P, Dv] (token 0 of a frame is its v_cls), read-only: a view of the
        video's own memory for an encoded video (no copy); for a video loaded from a file, widened into memory once.
        The array keeps the video alive."""
        n, t, w = ctypes.c_int32(), ctypes.c_int32(), ctypes.c_int32()
        ptr = _L.vd_video_tokens(self._handle, ctypes.byref(n), ctypes.byref(t), ctypes.byref(w))
        if not ptr:
            _check(2)   # VD_ERR_INVALID_ARGUMENT, with the library's message
        shape = (n.value, t.value, w.value)
        buf = (ctypes.c_float * (shape[0] * shape[1] * shape[2])).from_address(ctypes.addressof(ptr.contents))
        a = np.frombuffer(buf, dtype=np.float32).reshape(shape)
        a.flags.writeable = False
        buf._video = self   # the array's base is `buf`: it holds the video, whose memory the array is
        return a

    @property
    def precision(self) -> str:
        """'float32', 'float16' or 'int8': how the file this video was loaded from stores its tokens ('float32' for
        a video in memory)."""
        return PRECISIONS[_L.vd_video_stored_precision(self._handle)]

    def save(self, path: PathLike, precision: str = "float32") -> None:
        """Write this video to an encoded-video file (include/videodistill.h, "Encoded-video files"): precision
        'float32' (exact), 'float16' or 'int8' (compact). Model.load_video maps it back, for the same frame encoder."""
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
        _check(_L.vd_video_save(self._model._handle, self._handle, os.fsencode(path), PRECISIONS.index(precision)))

    _free = staticmethod(lambda handle: _L.vd_video_free(handle))


class Answer:
    """One answered question: ranked answers and every output that explains them."""

    def __init__(self, handle):
        L, h = _L, handle
        k = L.vd_result_top_k(h)
        self.answers = [L.vd_result_answer_text(h, r).decode("utf-8") for r in range(k)]
        self.answer_indices = [L.vd_result_answer_index(h, r) for r in range(k)]
        self.probabilities = np.array([L.vd_result_answer_probability(h, r) for r in range(k)], dtype=np.float32)
        n = ctypes.c_int32()
        m = ctypes.c_int32()
        t = ctypes.c_int32()
        self.logits = _array(L.vd_result_qa_logits(h, ctypes.byref(n)), n.value)
        self.selected_frames = _array(L.vd_result_selected_frames(h, ctypes.byref(n)), n.value).astype(np.int64)
        self.selected_samples = _array(L.vd_result_selected_samples(h, ctypes.byref(n)), n.value).astype(np.int64)
        self.selection_logits = _array(L.vd_result_selection_logits(h, ctypes.byref(n), ctypes.byref(m)),
                                       n.value, m.value)
        self.selection_probabilities = _array(
            L.vd_result_selection_probabilities(h, ctypes.byref(n), ctypes.byref(m)), n.value, m.value)
        self.v_star = _array(L.vd_result_v_star(h, ctypes.byref(n)), n.value)
        self.fs_gates = _array(L.vd_result_fs_gates(h, ctypes.byref(n), ctypes.byref(m), ctypes.byref(t)),
                               n.value, m.value, t.value)
        self.vr_gates = _array(L.vd_result_vr_gates(h, ctypes.byref(n), ctypes.byref(m), ctypes.byref(t)),
                               n.value, m.value, t.value)
        # The VTM head's log p(match) and the CL head's similarity of (video, text); NaN without the head.
        self.match_score = float(L.vd_result_match_score(h))
        self.similarity = float(L.vd_result_similarity(h))

    def __repr__(self):
        if not self.answers:
            return f"Answer(no QA head, match_score={self.match_score:.3f})"
        return f"Answer({self.answers[0]!r}, p={self.probabilities[0]:.3f})"


class Model(_Handle):
    """A loaded model file (GGUF from convert-weights). Immutable; safe to share across threads."""

    def __init__(self, path: PathLike, threads: int = 1):
        if threads < 1:
            raise ValueError("threads must be >= 1")
        self.threads = int(threads)
        handle = ctypes.c_void_p()
        _check(_L.vd_model_load(str(path).encode(), None, ctypes.byref(handle)))
        self._handle = handle
        info = _lib.ModelInfo()
        _check(_L.vd_model_get_info(handle, ctypes.byref(info)))
        self.config = {name: getattr(info, name) for name, _ in _lib.ModelInfo._fields_[:21]}
        self.config.update(mean=list(info.mean), std=list(info.std), clip_ln_eps=info.clip_ln_eps,
                           ln_eps=info.ln_eps)
        self.heads = [h for h in ("qa", "vtm", "cl") if getattr(info, "has_" + h)]
        self.weight_type = info.weight_type.decode()
        self.answers = [_L.vd_model_answer(handle, i).decode("utf-8") for i in range(info.num_answers)]

    _free = staticmethod(lambda handle: _L.vd_model_free(handle))   # its videos keep what they need

    def _encode_params(self, threads):
        p = _L.vd_encode_default_params()
        p.n_threads = self.threads if threads is None else int(threads)
        return p

    def _answer_params(self, threads, top_k=5):
        p = _L.vd_answer_default_params()
        p.n_threads = self.threads if threads is None else int(threads)
        p.top_k = int(top_k)
        return p

    def encode_video(self, path: PathLike, threads: Optional[int] = None, decode_threads: int = 0, strict: bool = False,
                     progress: Optional[Callable[[int, int], None]] = None) -> "Video":
        """A video file (mp4, webm, mkv, avi, ...), an image, or a folder of images -> Video, decoded by the
        runtime's video library (libvideodistill_video.so; include/videodistill_video.h says how): only the N
        frames SPEC 1 picks are decoded. `video.info` holds the file's frame count, declared frame count and size.
        A sampled frame that cannot be decoded is replaced by its nearest decoded neighbour (video.replaced);
        strict=True raises UndecodableError instead. Missing file: NotFoundError; no frames: NoFramesError.

        progress: None, or a callable progress(done, total) called as the sampled frames are decoded, then as they
        are encoded; an exception it raises stops the encode and is raised here."""
        params = _video_file_params(self.threads if threads is None else threads, decode_threads, strict)
        info = _lib.VideoFileInfo()
        handle = ctypes.c_void_p()
        with _Callbacks(params, progress):
            _check(_L.vd_encode_video_file(self._handle, os.fsencode(path), ctypes.byref(params), ctypes.byref(handle),
                                           ctypes.byref(info)))
        video = Video(self, handle)
        video.info = {name: getattr(info, name) for name, _ in _lib.VideoFileInfo._fields_}
        return video

    def encode_videos(self, paths: Sequence[PathLike], workers: int = 2, threads: int = 1, **options) -> List["Video"]:
        """encode_video of each path, `workers` at a time on Python threads (the runtime releases the GIL, so they
        run in parallel; each encode uses `threads` threads) -> [Video] in the order of `paths`. The first failure
        is raised once every encode has ended."""
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(max_workers=max(1, int(workers))) as pool:
            futures = [pool.submit(self.encode_video, p, threads, **options) for p in paths]
        return [f.result() for f in futures]

    def encode_frames(self, frames: np.ndarray, threads: Optional[int] = None) -> "Video":
        """uint8 RGB frames [F, H, W, 3] (any F >= 1, any size) -> Video."""
        frames = np.asarray(frames)
        if frames.dtype != np.uint8 or frames.ndim != 4 or frames.shape[3] != 3:
            raise ValueError(f"frames must be uint8 [F, H, W, 3], got {frames.dtype} {frames.shape}")
        frames = np.ascontiguousarray(frames)
        F, H, W, _ = frames.shape
        handle = ctypes.c_void_p()
        params = self._encode_params(threads)
        _check(_L.vd_encode_frames(self._handle, frames.ctypes.data_as(ctypes.c_void_p), F, H, W, W * 3,
                                   ctypes.byref(params), ctypes.byref(handle)))
        return Video(self, handle)

    def encode_pixels(self, pixels: np.ndarray, threads: Optional[int] = None) -> "Video":
        """Preprocessed float32 pixels [N, 3, S, S] -> Video."""
        pixels = np.ascontiguousarray(np.asarray(pixels, dtype=np.float32))
        if pixels.ndim != 4:
            raise ValueError(f"pixels must be [N, 3, S, S], got shape {pixels.shape}")
        c = self.config
        if pixels.shape[1:] != (3, c["image_size"], c["image_size"]):
            raise ValueError(f"pixels must be [N, 3, {c['image_size']}, {c['image_size']}], got {pixels.shape}")
        handle = ctypes.c_void_p()
        params = self._encode_params(threads)
        _check(_L.vd_encode_pixels(self._handle, pixels.ctypes.data_as(ctypes.c_void_p), pixels.shape[0],
                                   ctypes.byref(params), ctypes.byref(handle)))
        return Video(self, handle)

    def load_video(self, path: PathLike) -> "Video":
        """An encoded-video file written by Video.save -> Video, memory-mapped: a question reads only the N frames'
        v_cls and the K selected frames' patches. WrongModelError unless this model's frame encoder made it;
        VideoFileError for a malformed file."""
        handle = ctypes.c_void_p()
        _check(_L.vd_video_load(self._handle, os.fsencode(path), ctypes.byref(handle)))
        return Video(self, handle)

    def video_from_tokens(self, tokens: np.ndarray) -> "Video":
        """Frame tokens computed elsewhere (a cache, Video.tokens of this model), float32 [N, 1 + P, Dv] -> Video."""
        tokens = np.ascontiguousarray(np.asarray(tokens, dtype=np.float32))
        if tokens.ndim != 3:
            raise ValueError(f"tokens must be [N, 1 + P, Dv], got shape {tokens.shape}")
        handle = ctypes.c_void_p()
        _check(_L.vd_video_from_tokens(self._handle, tokens.ctypes.data_as(ctypes.POINTER(ctypes.c_float)),
                                       *tokens.shape, ctypes.byref(handle)))
        return Video(self, handle)

    def _video(self, video):
        if not isinstance(video, Video):
            raise TypeError("video must come from Model.encode_frames or Model.encode_pixels")
        return video._handle

    def answer(self, video: "Video", question: str, top_k: int = 5, threads: Optional[int] = None,
               selection: Optional[Sequence[int]] = None) -> "Answer":
        """Answer an open question: an Answer with answers, probabilities, logits, selected_frames,
        selection_logits, v_star, fs_gates, vr_gates, match_score, similarity.

        selection: None (VideoDistill's learned selection), or K indices into the N sampled frames used
        instead (the paper's ablations, e.g. `uniform_selection(model)`)."""
        return self._result(_L.vd_answer, video, question, top_k, threads, selection)

    def explain(self, video: "Video", text: str, threads: Optional[int] = None,
                selection: Optional[Sequence[int]] = None) -> "Answer":
        """Every output of (video, text) for any model, with or without a QA head (vd_explain): an Answer whose
        answers are empty without a QA head, with the selection, v_star, gate maps, match_score (VTM) and
        similarity (CL) where the model has those heads."""
        return self._result(_L.vd_explain, video, text, 1, threads, selection)

    def _result(self, call, video, text, top_k, threads, selection):
        handle = ctypes.c_void_p()
        params = self._answer_params(threads, top_k)
        if selection is not None:
            sel = np.ascontiguousarray(selection, dtype=np.int32)
            if sel.shape != (self.config["num_selected"],):
                raise ValueError(f"selection must hold K = {self.config['num_selected']} indices")
            params.selection = sel.ctypes.data_as(ctypes.POINTER(ctypes.c_int32))
        _check(call(self._handle, self._video(video), _text(text), ctypes.byref(params), ctypes.byref(handle)))
        try:
            return Answer(handle)
        finally:
            _L.vd_result_free(handle)

    def uniform_selection(self) -> List[int]:
        """K evenly spaced indices of the N sampled frames ((2k+1) N div 2K), the paper's uniform baseline, as the
        runtime computes it (vd_uniform_selection): pass it as `answer(..., selection=...)`."""
        K = self.config["num_selected"]
        out, count = (ctypes.c_int32 * K)(), ctypes.c_int32()
        _check(_L.vd_uniform_selection(self._handle, out, K, ctypes.byref(count)))
        return list(out[:count.value])

    def match(self, video: "Video", text: str, threads: Optional[int] = None) -> float:
        """VTM match score log p(match) of (video, text)."""
        out = ctypes.c_float()
        params = self._answer_params(threads)
        _check(_L.vd_match(self._handle, self._video(video), _text(text), ctypes.byref(params), ctypes.byref(out)))
        return out.value

    def choose(self, video: "Video", question: str, candidates: Sequence[str],
               threads: Optional[int] = None) -> Tuple[int, np.ndarray]:
        """Multiple choice: (index of the best candidate, scores)."""
        cands = [_text(c) for c in candidates]
        arr = (ctypes.c_char_p * max(1, len(cands)))(*cands)
        scores = np.zeros(len(cands), dtype=np.float32)
        best = ctypes.c_int32()
        params = self._answer_params(threads)
        _check(_L.vd_choose(self._handle, self._video(video), _text(question), arr, len(cands),
                            ctypes.byref(params), scores.ctypes.data_as(ctypes.POINTER(ctypes.c_float)),
                            ctypes.byref(best)))
        return best.value, scores

    def choose_video(self, videos: Sequence["Video"], text: str, threads: Optional[int] = None) -> Tuple[int, np.ndarray]:
        """Multiple choice over videos (SPEC 7): (index of the video that best matches `text`, first on ties,
        and each video's match score)."""
        handles = [self._video(v) for v in videos]
        arr = (ctypes.c_void_p * max(1, len(handles)))(*handles)
        scores = np.zeros(len(handles), dtype=np.float32)
        best = ctypes.c_int32()
        params = self._answer_params(threads)
        _check(_L.vd_choose_video(self._handle, arr, len(handles), _text(text), ctypes.byref(params),
                                  scores.ctypes.data_as(ctypes.POINTER(ctypes.c_float)), ctypes.byref(best)))
        return best.value, scores

    def similarity(self, video: "Video", text: str, threads: Optional[int] = None) -> float:
        """CL head cosine similarity of (video, text)."""
        out = ctypes.c_float()
        params = self._answer_params(threads)
        _check(_L.vd_similarity(self._handle, self._video(video), _text(text), ctypes.byref(params),
                                ctypes.byref(out)))
        return out.value

    def tokenize(self, text: str) -> np.ndarray:
        """int64 [context_length] token ids, as the model sees `text`."""
        n = self.config["context_length"]
        ids = (ctypes.c_int32 * n)()
        count = ctypes.c_int32()
        _check(_L.vd_tokenize(self._handle, _text(text), ids, n, ctypes.byref(count)))
        return np.array(ids[:count.value], dtype=np.int64)
