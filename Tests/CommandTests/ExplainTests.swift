import Foundation
import Testing
@testable import VideoDistill
@testable import VideoDistillCommandKit
@testable import VideoDistillVideo
import _VDTestSupport
import _VDFixtureModels

/// `videodistill explain`'s pieces: the PNG writer (read back by libavcodec's PNG decoder, which shares no
/// code with it), the font, text layout, and the contact sheet of a fixture against ONNX Runtime's selection
/// and gates and the float64 pipeline's resized frames. The whole command is in Tests/command/test_cli_eval.py.
@Suite struct ExplainPartsTests {
    /// Exact round trip through a PNG file, odd sizes and random (incompressible) pixels included.
    @Test(.enabled(if: TestVideos.ffmpeg != nil, "libav's PNG decoder is tested alongside ffmpeg"),
          arguments: [(1, 1), (37, 23), (300, 7)])
    func pngReadsBackExactly(_ size: (Int, Int)) throws {
        var image = try RGBImage(width: size.0, height: size.1, background: RGB(1, 2, 3))
        var rng = SystemRandomNumberGenerator()
        for y in 0..<image.height { for x in 0..<image.width where (x + y) % 3 != 0 {
            image[x, y] = RGB(.random(in: 0...255, using: &rng), .random(in: 0...255, using: &rng), .random(in: 0...255, using: &rng))
        } }
        let dir = try TestVideos.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("image.png").path
        try PNGWriter.write(image, to: path)
        let decoded = try VideoFile(path: path, threads: 1)
        #expect((decoded.width, decoded.height, decoded.frameCount) == (image.width, image.height, 1))
        var rgb = [UInt8](repeating: 0, count: decoded.frameBytes)
        try rgb.withUnsafeMutableBufferPointer { try decoded.readFrame(0, into: $0) }
        #expect(rgb == image.pixels)
    }

    @Test func pngRefusesUnwritablePaths() throws {
        let image = try RGBImage(width: 2, height: 2, background: RGB(0, 0, 0))
        #expect(throws: CommandFailure.self) { try PNGWriter.write(image, to: "/nonexistent-folder/x.png") }
        #expect(throws: CommandFailure.self) { _ = try RGBImage(width: 0, height: 5, background: RGB(0, 0, 0)) }
    }

    @Test func fontDrawsPrintableASCIIAndQuestionMarksForTheRest() {
        let printable = (0x20...0x7E).map { Character(Unicode.Scalar($0)!) }
        let glyphs = printable.map { Array(BitmapFont.glyph($0)) }
        #expect(Set(glyphs.map { $0.description }).count == printable.count, "every glyph differs")
        #expect(glyphs.allSatisfy { $0.count == BitmapFont.height && $0.allSatisfy { $0 < 1 << BitmapFont.width } })
        #expect(glyphs[0] == Array(repeating: 0, count: BitmapFont.height))
        for other: Character in ["é", "雪", "\n", "\u{7F}", "😀", "e\u{301}"] {
            #expect(Array(BitmapFont.glyph(other)) == Array(BitmapFont.glyph("?")), "\(other.unicodeScalars.map(\.value))")
        }
        // Drawing clips at the picture's edges.
        var image = try! RGBImage(width: 10, height: 4, background: RGB(0, 0, 0))
        #expect(image.draw(text: "Hi!", at: -3, y: -2, scale: 2, RGB(9, 9, 9)) == 3 * BitmapFont.advance * 2)
    }

    @Test func textWrapsAtWordsAndCutsLongWords() {
        #expect(ContactSheet.wrap("", columns: 5) == [""])
        #expect(ContactSheet.wrap("what colour is the ball", columns: 10) == ["what", "colour is", "the ball"])
        #expect(ContactSheet.wrap("abcdefghijkl xy", columns: 5) == ["abcde", "fghij", "kl xy"])
        #expect(ContactSheet.wrap("abcdefghij", columns: 5) == ["abcde", "fghij"])
        #expect(ContactSheet.fit("n12 f345", 6 * 5, 1) == "n12..")   // 5 characters fit
        #expect(ContactSheet.fit("n1", 6 * 5, 1) == "n1")
    }

    @Test func heatRampIsSignedAndZeroAtZero() {
        #expect(ContactSheet.heat(0).alpha == 0 && ContactSheet.heat(.nan).alpha == 0)
        #expect(ContactSheet.heat(1) == (ContactSheet.positive, ContactSheet.maxAlpha))
        #expect(ContactSheet.heat(-4) == (ContactSheet.negative, ContactSheet.maxAlpha))
        #expect(abs(ContactSheet.heat(0.25).alpha - ContactSheet.maxAlpha * 0.5) < 1e-6)
    }
}

/// A fixture's video in memory as a frame source.
private final class ArrayFrames: FrameSource {
    let video: FixtureVideo
    init(_ video: FixtureVideo) { self.video = video }
    var frameCount: Int { video.count }
    var height: Int { video.height }
    var width: Int { video.width }
    var name: String { "video.npy" }
    func readFrame(_ index: Int, into out: UnsafeMutableBufferPointer<UInt8>) throws {
        for (i, b) in video.frame(index).enumerated() { out[i] = b }
    }
}

@Suite(.enabled(if: fixtureExists("tiny_b", "vr_gates.npy"), "needs the fixtures"))
struct ExplainSheetTests {
    /// tiny_b question 2 selects frame 5 in slots 0 and 3; tiny_a's selections are distinct or repeat too.
    @Test(arguments: [("tiny_a", 0), ("tiny_b", 2)])
    func sheetShowsTheFramesSelectionAndGates(_ name: String, _ q: Int) throws {
        let f = try ParityFixture(name)
        let c = f.model.config
        let (N, K, S, P) = (c.numFrames, c.numSelected, c.imageSize, c.patchesPerFrame)
        let frames = try SeenFrames(source: ArrayFrames(try FixtureVideo(name)), config: c)

        // The frames the model saw: the float64 pipeline's resized crop, rounded (within SPEC 8's 0.01, so
        // rounding can differ by 1 at a half).
        let resized = try f.npy("resized").floats   // [N, 3, S, S]
        for n in 0..<N { for ch in 0..<3 { for p in 0..<(S * S) {
            let want = resized[(n * 3 + ch) * S * S + p].rounded()
            #expect(abs(Float(frames.rgb[(n * S * S + p) * 3 + ch]) - want) <= 1)
        } } }

        // The gate map: ONNX Runtime's vr_gates [Q, L_vr, 1+K*P, H] at the last layer, mean over heads.
        let vr = try f.npy("vr_gates")
        let (L, T, H) = (vr.shape[1], vr.shape[2], vr.shape[3])
        let perQ = Array(vr.floats[q * L * T * H ..< (q + 1) * L * T * H])
        let gates = try SlotGates(vrGates: perQ, config: c)
        #expect(gates.layer == c.vrLayers - 1)
        for k in 0..<K { for p in 0..<P {
            let mean = (0..<H).map { perQ[((L - 1) * T + 1 + k * P + p) * H + $0] }.reduce(0, +) / Float(H)
            #expect(abs(gates.patches[k][p] - mean) <= 1e-6)
        } }
        #expect(throws: VideoDistillError.self) { _ = try SlotGates(vrGates: Array(perQ.dropLast()), config: c) }

        let selected = try f.npy("selected").int64s[q * K ..< (q + 1) * K].map { Int($0) }
        let sheet = try ContactSheet(frames: frames, config: c, frameCount: frames.sourceFrames.count, selected: selected,
                                     gates: gates, question: "¿which? 雪", top: [("red", 0.5), ("blue", 0.25)])
        let image = sheet.image, b = sheet.outlineThickness, T2 = S * sheet.zoom
        #expect(sheet.zoom == ContactSheet.defaultZoom(side: S) && T2 >= 96)
        #expect(sheet.grid.map(\.n) == Array(0..<N) && sheet.slots.map(\.n) == selected)
        let all = sheet.grid + sheet.slots
        for (i, t) in all.enumerated() {
            #expect(t.rect.width == T2 && t.rect.height == T2)
            #expect(t.rect.x >= b && t.rect.y >= b && t.rect.x + T2 + b <= image.width && t.rect.y + T2 + b <= image.height)
            for u in all[(i + 1)...] {   // outlines never touch another tile
                let apart = t.rect.x + T2 + b <= u.rect.x - b || u.rect.x + T2 + b <= t.rect.x - b
                    || t.rect.y + T2 + b <= u.rect.y - b || u.rect.y + T2 + b <= t.rect.y - b
                #expect(apart)
            }
        }
        for t in sheet.grid {
            #expect(t.slots == (0..<K).filter { selected[$0] == t.n })
            let ring = t.slots.isEmpty ? ContactSheet.background : ContactSheet.outlineColour
            for d in 0..<(T2 + 2 * b) {   // the four sides of the outline, b pixels out
                #expect(image[t.rect.x - b + d, t.rect.y - 1] == ring && image[t.rect.x - b + d, t.rect.y + T2] == ring)
                #expect(image[t.rect.x - 1, t.rect.y - b + d] == ring && image[t.rect.x + T2, t.rect.y - b + d] == ring)
            }
            // Inside, the plain frame.
            #expect(image[t.rect.x + T2 - 1, t.rect.y + T2 - 1] == pixel(frames, t.n, S - 1, S - 1))
        }
        // Slot tiles: the frame where the gate is 0, changed where it is far from 0.
        for (k, t) in sheet.slots.enumerated() {
            for p in 0..<P {
                let G = S / c.patchSize, side = c.patchSize * sheet.zoom
                let (px, py) = ((p % G) * c.patchSize, (p / G) * c.patchSize)
                let shown = image[t.rect.x + (p % G) * side, t.rect.y + (p / G) * side]
                if abs(gates.patches[k][p]) > 0.1 { #expect(shown != pixel(frames, selected[k], px, py)) }
            }
        }
    }

    private func pixel(_ f: SeenFrames, _ n: Int, _ x: Int, _ y: Int) -> RGB {
        let i = ((n * f.side + y) * f.side + x) * 3
        return RGB(f.rgb[i], f.rgb[i + 1], f.rgb[i + 2])
    }
}
