import Foundation
import VideoDistill

/// `vd-bench --video-files`: encoded-video files on the model's config. For each precision: the file's size, the
/// time to open it with its pages out of the page cache, the pages one question reads from it (cold cache,
/// counted with mincore), and the answer time from the file against the video in memory (warm, in alternation).
/// The tokens are random (the answer's cost does not depend on their values).
func measureVideoFiles(_ model: VideoDistillModel, _ o: Options) throws {
    let c = model.config
    var rng = XorShift(seed: 11)
    let memory = try model.encodedVideo(tokens: (0..<(c.numFrames * c.tokensPerFrame * c.visionWidth)).map { _ in rng.uniform() * 2 })
    let dir = NSTemporaryDirectory() + "vd-bench-videos-\(getpid())"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let ids = try model.tokenIds("what is the person in the video doing with the red ball?")
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    let (N, K, P, Dv) = (c.numFrames, c.numSelected, c.patchesPerFrame, c.visionWidth)
    print("encoded-video files: N = \(N), 1 + P = \(c.tokensPerFrame), Dv = \(Dv); a question needs (N + K P) Dv = \((N + K * P) * Dv) of the N (1 + P) Dv = \(N * c.tokensPerFrame * Dv) values")
    var videos: [(String, EncodedVideo)] = [("memory", memory)]
    for precision in TokenPrecision.allCases {
        let path = "\(dir)/video-\(precision.name).vdv"
        try model.save(memory, to: path, precision: precision)
        let size = try (FileManager.default.attributesOfItem(atPath: path)[.size] as! NSNumber).intValue
        let open = try timeMedian(runs: o.runs) { evict(path); _ = try model.loadVideo(path: path) }
        evict(path)
        let video = try model.loadVideo(path: path)
        _ = try model.answer(video, tokenIds: ids, threads: o.threads)
        let touched = residentPages(path) * page
        let element = precision == .float32 ? 4 : precision == .float16 ? 2 : 1
        let needed = (N + K * P) * Dv * element + (precision == .int8 ? 4 * (N + K * P) : 0)
        print(String(format: "  %@: %.2f MB per video (%.2fx float32's); open %.2f ms (cold); one question read %.2f MB of it (%d pages) against (N + K P) Dv values = %.2f MB, %.1f%% of the file",
                     precision.name, Double(size) / 1e6, Double(size) / Double(N * c.tokensPerFrame * Dv * 4 + 4096),
                     open * 1000, Double(touched) / 1e6, touched / page, Double(needed) / 1e6,
                     100 * Double(touched) / Double(size)))
        videos.append((precision.name, video))
    }
    let times = try timeMedians(runs: o.runs, videos.map { v in { _ = try model.answer(v.1, tokenIds: ids, threads: o.threads) } })
    print("  answer (warm cache, in alternation): " + zip(videos, times).map { v, t in
        String(format: "%@ %.1f ms (%.3fx memory)", v.0, t * 1000, t / times[0])
    }.joined(separator: ", "))
}

/// Drops the file's pages from the page cache (it was written and synced, so they are clean).
private func evict(_ path: String) {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return }
    fsync(fd)
    _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_DONTNEED))
    close(fd)
}

/// Pages of the file now in the page cache (mincore over a fresh mapping of it).
private func residentPages(_ path: String) -> Int {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return -1 }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0, st.st_size > 0, let p = mmap(nil, Int(st.st_size), PROT_READ, MAP_SHARED, fd, 0),
          p != MAP_FAILED else { return -1 }
    defer { munmap(p, Int(st.st_size)) }
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    var vec = [UInt8](repeating: 0, count: (Int(st.st_size) + page - 1) / page)
    guard mincore(p, Int(st.st_size), &vec) == 0 else { return -1 }
    return vec.filter { $0 & 1 != 0 }.count
}
