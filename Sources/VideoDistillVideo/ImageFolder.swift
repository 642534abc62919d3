import Foundation

/// A folder of images as a video: its PNG, JPEG and BMP files in name order (digit runs compared as
/// numbers, so `frame2.png` comes before `frame10.png`; hidden files skipped), one frame each, all of one
/// size. Each image is decoded by `_VDVideoIO` when its frame is read.
public final class ImageFolder: FrameSource {
    /// File name endings taken as images (compared without case).
    public static let extensions: Set<String> = ["png", "jpg", "jpeg", "bmp"]

    public let frameCount: Int
    public let height: Int
    public let width: Int
    public let name: String
    /// The images, in frame order.
    public let files: [String]
    private let threads: Int

    /// Lists the folder and checks that the images that open have one size. An image that does not open is
    /// kept as a frame that cannot be decoded (`readFrame` throws `.undecodable`, and the video library's policy
    /// replaces it); a folder none of whose images opens is `.undecodable`.
    public init(path: String, threads: Int) throws {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw FrameSourceError.notFound("\(path): cannot list the folder (\(error.localizedDescription))")
        }
        let images = names.filter { !$0.hasPrefix(".") && Self.extensions.contains(($0 as NSString).pathExtension.lowercased()) }
            .sorted(by: Self.nameOrder)
        guard !images.isEmpty else {
            throw FrameSourceError.noFrames("\(path): the folder has no images (\(Self.extensions.sorted().joined(separator: ", ")))")
        }
        files = images.map { (path as NSString).appendingPathComponent($0) }
        var size: (width: Int, height: Int, file: String)?
        var broken: [Int: String] = [:]
        for (i, file) in files.enumerated() {
            let image: VideoFile
            do { image = try VideoFile(path: file, threads: 1) } catch FrameSourceError.undecodable(let why) {
                broken[i] = why
                continue
            }
            if let s = size, (s.width, s.height) != (image.width, image.height) {
                throw FrameSourceError.undecodable(
                    "\(file) is \(image.width) x \(image.height) but \(s.file) is \(s.width) x \(s.height); all images of a folder need one size")
            }
            size = (image.width, image.height, file)
        }
        guard let size else {
            throw FrameSourceError.undecodable("\(path): none of its \(files.count) images can be decoded (\(broken[0] ?? ""))")
        }
        (frameCount, width, height, name, self.threads) = (files.count, size.width, size.height, path, threads)
        self.broken = broken
    }

    /// The images that did not open, with libav's reason.
    private let broken: [Int: String]

    public func readFrame(_ index: Int, into out: UnsafeMutableBufferPointer<UInt8>) throws {
        guard files.indices.contains(index) else {
            throw FrameSourceError.invalidArgument("frame index \(index) is out of range 0..<\(frameCount)")
        }
        if let why = broken[index] { throw FrameSourceError.undecodable(why) }
        let image = try VideoFile(path: files[index], threads: threads)
        guard (image.width, image.height) == (width, height) else {
            throw FrameSourceError.undecodable("\(files[index]) changed size to \(image.width) x \(image.height)")
        }
        try image.readFrame(0, into: out)
    }

    /// Name order with digit runs compared as numbers (then as text, so "01" and "1" keep a fixed order).
    static func nameOrder(_ a: String, _ b: String) -> Bool {
        let x = runs(a), y = runs(b)
        for (p, q) in zip(x, y) where p != q {
            if p.first!.isASCII && p.first!.isNumber && q.first!.isASCII && q.first!.isNumber {
                // Numbers of any length: fewer significant digits is smaller, then digit by digit.
                let m = p.drop { $0 == "0" }, n = q.drop { $0 == "0" }
                if m.count != n.count { return m.count < n.count }
                if m != n { return m < n }
            }
            return p < q
        }
        return x.count != y.count ? x.count < y.count : a < b
    }

    /// `s` split into runs of ASCII digits and runs of anything else (each run non-empty).
    private static func runs(_ s: String) -> [Substring] {
        var out: [Substring] = []
        var start = s.startIndex
        for i in s.indices where i != start {
            let isDigit = { (c: Character) in c.isASCII && c.isNumber }
            if isDigit(s[i]) != isDigit(s[s.index(before: i)]) {
                out.append(s[start..<i])
                start = i
            }
        }
        if start < s.endIndex { out.append(s[start...]) }
        return out
    }
}
