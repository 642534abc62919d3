import Foundation
import VideoDistill

/// `videodistill explain`'s picture of one answer: the question and answer, a grid of the N frames the model
/// saw (S x S, as after SPEC 1.1's resize and crop, each pixel drawn `zoom` x `zoom`) with the K selected ones
/// outlined and labelled with their slots, then the K selected frames in slot order with the last VR block's
/// gate map (`SlotGates`) laid over their patches as a heat overlay (`heat`), and a legend.
///
/// Labels: `n` is the sampled frame (0..<N), `f` the frame in the video, `k` the slot (0..<K). Text uses
/// `BitmapFont` (printable ASCII; any other character shows as `?`).
public struct ContactSheet {
    /// A frame drawn on the sheet: where its S x S pixels are (the outline, if any, lies just outside).
    public struct Tile: Encodable {
        /// Sampled frame n and its frame in the video.
        public let n: Int, frame: Int
        /// Grid tiles: the slots that selected this frame (empty: not selected). Slot tiles: [k].
        public let slots: [Int]
        public let rect: PixelRect
    }

    public private(set) var image: RGBImage
    /// Screen pixels per frame pixel.
    public let zoom: Int
    /// The outline around selected grid tiles: its width in pixels, just outside the tile's rect.
    public let outlineThickness: Int
    /// N grid tiles in sampled order, then K slot tiles in slot order.
    public private(set) var grid: [Tile] = []
    public private(set) var slots: [Tile] = []

    public static let background = RGB(24, 24, 24)
    public static let textColour = RGB(230, 230, 230)
    public static let dimText = RGB(150, 150, 150)
    /// Selected frames' outline and slot labels.
    public static let outlineColour = RGB(255, 210, 0)
    /// The overlay colours of positive and negative gates.
    public static let positive = RGB(255, 48, 0), negative = RGB(0, 96, 255)
    /// The overlay's opacity at |g| = 1.
    public static let maxAlpha: Float = 0.75

    /// The overlay of gate g: `positive` for g > 0, `negative` for g < 0, opacity `maxAlpha` * sqrt(|g|) (g
    /// clamped to [-1, 1]; NaN and 0 leave the frame as it is). The square root keeps the small means of
    /// cosines that disagree across heads visible.
    public static func heat(_ g: Float) -> (colour: RGB, alpha: Float) {
        guard !g.isNaN else { return (positive, 0) }
        let c = min(max(g, -1), 1)
        return (c < 0 ? negative : positive, maxAlpha * abs(c).squareRoot())
    }

    /// The default zoom: the smallest that draws an S-pixel frame at least 96 pixels wide.
    public static func defaultZoom(side S: Int) -> Int { max(1, (96 + S - 1) / max(S, 1)) }

    /// Draws the sheet. `selected` [K] indexes `frames` (0..<N); `gates` has K rows of P values; `top` are the
    /// best answers with their probabilities, best first; `frameCount` is F.
    public init(frames: SeenFrames, config c: ModelConfig, frameCount: Int, selected: [Int], gates: SlotGates,
                question: String, top: [(answer: String, probability: Double)], zoom: Int? = nil) throws {
        let S = c.imageSize, N = c.numFrames, K = c.numSelected, patch = c.patchSize, G = S / patch
        guard frames.side == S, frames.sourceFrames.count == N, selected.count == K, selected.allSatisfy({ (0..<N).contains($0) }),
              gates.patches.count == K, gates.patches.allSatisfy({ $0.count == G * G }) else {
            throw VideoDistillError.invalidArgument("the frames, selection and gates do not have this model's sizes")
        }
        let z = zoom ?? Self.defaultZoom(side: S)
        guard (1...64).contains(z), S * z <= 4096 else {
            throw VideoDistillError.invalidArgument("zoom \(z) is out of range (1...64, at most 4096 pixels per frame)")
        }
        let T = S * z                          // tile side
        let f = min(2, max(1, T / 64))         // text scale
        let b = max(2, T / 48)                 // outline thickness
        let gap = b + 2 * f                    // tile edge to cell edge
        let line = (BitmapFont.height + 3) * f // text line height
        let cellW = T + 2 * gap, cellH = T + 2 * gap + line
        let C = Int(Double(N).squareRoot().rounded(.up))
        let margin = 8 * f
        let contentW = max(C * cellW, 40 * BitmapFont.advance * f)
        let columns = contentW / (BitmapFont.advance * f)

        // Text first, to know the height.
        let best = top.first.map { "A: \($0.answer) (p = \(String(format: "%.4f", $0.probability)))" } ?? "A: (no answer)"
        let others = top.dropFirst().map { "\($0.answer) \(String(format: "%.4f", $0.probability))" }
        let header = Self.wrap("Q: " + question, columns: columns)
            + Self.wrap(best + (others.isEmpty ? "" : "; then " + others.joined(separator: ", ")), columns: columns)
        let gridCaption = Self.wrap("The \(N) frames the model saw (of F = \(frameCount)); n = sampled frame, "
            + "f = video frame; outlined: selected for slots k.", columns: columns)
        let slotCaption = Self.wrap("Selected, in slot order: LA-Gate of the last VR block (layer \(gates.layer), mean of "
            + "\(c.modelHeads) heads) per patch:", columns: columns)
        let gridRows = (N + C - 1) / C, slotRows = (K + C - 1) / C
        let height = 2 * margin + line * (header.count + 1 + gridCaption.count + slotCaption.count + 2)
            + cellH * (gridRows + slotRows)
        image = try RGBImage(width: contentW + 2 * margin, height: height, background: Self.background)
        (self.zoom, outlineThickness) = (z, b)

        var y = margin
        for text in header + [""] + gridCaption {
            image.draw(text: text, at: margin, y: y, scale: f, Self.textColour)
            y += line
        }
        // The grid of N frames.
        for n in 0..<N {
            let cell = (x: margin + (n % C) * cellW, y: y + (n / C) * cellH)
            let rect = PixelRect(x: cell.x + gap, y: cell.y + gap, width: T, height: T)
            let ks = selected.indices.filter { selected[$0] == n }
            image.draw(square: frames.frame(n), side: S, zoom: z, at: rect.x, y: rect.y)
            var label = "n\(n) f\(frames.sourceFrames[n])"
            if !ks.isEmpty {
                image.outline(rect, thickness: b, Self.outlineColour)
                let slotText = "k" + ks.map(String.init).joined(separator: ",") + " "
                let w = image.draw(text: Self.fit(slotText, cellW, f), at: cell.x + gap, y: rect.y + T + gap, scale: f, Self.outlineColour)
                label = Self.fit(label, cellW - w, f)
                image.draw(text: label, at: cell.x + gap + w, y: rect.y + T + gap, scale: f, Self.dimText)
            } else {
                image.draw(text: Self.fit(label, cellW, f), at: cell.x + gap, y: rect.y + T + gap, scale: f, Self.dimText)
            }
            grid.append(Tile(n: n, frame: frames.sourceFrames[n], slots: ks, rect: rect))
        }
        y += gridRows * cellH + line / 2
        for text in slotCaption {
            image.draw(text: text, at: margin, y: y, scale: f, Self.textColour)
            y += line
        }
        drawLegend(x: margin, y: y, width: min(contentW, 256 * f), scale: f)
        y += line + line / 2
        // The K selected frames with their gate maps.
        for k in 0..<K {
            let n = selected[k]
            let cell = (x: margin + (k % C) * cellW, y: y + (k / C) * cellH)
            let rect = PixelRect(x: cell.x + gap, y: cell.y + gap, width: T, height: T)
            image.draw(square: frames.frame(n), side: S, zoom: z, at: rect.x, y: rect.y)
            for (p, g) in gates.patches[k].enumerated() {
                let (colour, alpha) = Self.heat(g)
                let side = patch * z
                image.blend(PixelRect(x: rect.x + (p % G) * side, y: rect.y + (p / G) * side, width: side, height: side), colour, alpha: alpha)
            }
            let w = image.draw(text: "k\(k) ", at: cell.x + gap, y: rect.y + T + gap, scale: f, Self.outlineColour)
            image.draw(text: Self.fit("n\(n) f\(frames.sourceFrames[n])", cellW - w, f), at: cell.x + gap + w,
                       y: rect.y + T + gap, scale: f, Self.dimText)
            slots.append(Tile(n: n, frame: frames.sourceFrames[n], slots: [k], rect: rect))
        }
    }

    /// "-1 [ramp] +1": the overlay of each g in [-1, 1] on mid-grey (128).
    private mutating func drawLegend(x: Int, y: Int, width: Int, scale f: Int) {
        let left = image.draw(text: "-1 ", at: x, y: y, scale: f, Self.textColour)
        let ramp = max(2, width - left - BitmapFont.textWidth(" +1", scale: f))
        for i in 0..<ramp {
            let column = PixelRect(x: x + left + i, y: y, width: 1, height: BitmapFont.height * f)
            image.fill(column, RGB(128, 128, 128))
            let (colour, alpha) = Self.heat(-1 + 2 * Float(i) / Float(ramp - 1))
            image.blend(column, colour, alpha: alpha)
        }
        image.draw(text: " +1", at: x + left + ramp, y: y, scale: f, Self.textColour)
    }

    /// `text` cut to fit `width` pixels at scale f (with ".." when cut).
    static func fit(_ text: String, _ width: Int, _ f: Int) -> String {
        let most = max(0, width / (BitmapFont.advance * f))
        return text.count <= most ? text : String(text.prefix(max(0, most - 2))) + ".."
    }

    /// Greedy word wrap to `columns` characters; words longer than a line are cut. Always at least one line.
    static func wrap(_ text: String, columns: Int) -> [String] {
        let width = max(columns, 1)
        var lines: [String] = [], current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true).map(String.init) {
            var w = word
            if !current.isEmpty, current.count + 1 + w.count <= width {
                current += " " + w
                continue
            }
            if !current.isEmpty { lines.append(current) }
            while w.count > width {
                lines.append(String(w.prefix(width)))
                w = String(w.dropFirst(width))
            }
            current = w
        }
        return current.isEmpty && !lines.isEmpty ? lines : lines + [current]
    }
}
