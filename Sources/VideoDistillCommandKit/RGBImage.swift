/// An 8-bit RGB colour.
public struct RGB: Equatable, Sendable {
    public var r: UInt8, g: UInt8, b: UInt8
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) { (self.r, self.g, self.b) = (r, g, b) }
}

/// A rectangle of pixels: columns x ..< x + width, rows y ..< y + height.
public struct PixelRect: Equatable, Encodable, Sendable {
    public var x: Int, y: Int, width: Int, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) { (self.x, self.y, self.width, self.height) = (x, y, width, height) }
}

/// An RGB picture in memory: `pixels` [height, width, 3], rows top to bottom. Every drawing call clips to
/// the picture, so no coordinate can index outside it.
public struct RGBImage {
    public let width: Int, height: Int
    public private(set) var pixels: [UInt8]

    /// A picture filled with `background`; sizes must be 1...32768 (PNG allows more, memory does not).
    public init(width: Int, height: Int, background: RGB) throws {
        guard (1...32768).contains(width), (1...32768).contains(height) else {
            throw CommandFailure(.failure, "a \(width) x \(height) picture is out of range 1...32768")
        }
        (self.width, self.height) = (width, height)
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        fill(PixelRect(x: 0, y: 0, width: width, height: height), background)
    }

    public subscript(x: Int, y: Int) -> RGB {
        get { let i = 3 * (y * width + x); return RGB(pixels[i], pixels[i + 1], pixels[i + 2]) }
        set { let i = 3 * (y * width + x); (pixels[i], pixels[i + 1], pixels[i + 2]) = (newValue.r, newValue.g, newValue.b) }
    }

    /// The part of `rect` inside the picture (empty ranges when none).
    func clipped(_ rect: PixelRect) -> (xs: Range<Int>, ys: Range<Int>) {
        let x0 = min(max(rect.x, 0), width), x1 = min(max(rect.x + max(rect.width, 0), x0), width)
        let y0 = min(max(rect.y, 0), height), y1 = min(max(rect.y + max(rect.height, 0), y0), height)
        return (x0 ..< x1, y0 ..< y1)
    }

    public mutating func fill(_ rect: PixelRect, _ colour: RGB) {
        let (xs, ys) = clipped(rect)
        for y in ys { for x in xs { self[x, y] = colour } }
    }

    /// A frame `thickness` pixels wide drawn just outside `rect` (the pixels of `rect` stay as they are).
    public mutating func outline(_ rect: PixelRect, thickness t: Int, _ colour: RGB) {
        let outer = PixelRect(x: rect.x - t, y: rect.y - t, width: rect.width + 2 * t, height: rect.height + 2 * t)
        fill(PixelRect(x: outer.x, y: outer.y, width: outer.width, height: t), colour)
        fill(PixelRect(x: outer.x, y: rect.y + rect.height, width: outer.width, height: t), colour)
        fill(PixelRect(x: outer.x, y: rect.y, width: t, height: rect.height), colour)
        fill(PixelRect(x: rect.x + rect.width, y: rect.y, width: t, height: rect.height), colour)
    }

    /// Mixes `colour` into `rect` with weight `alpha` (0...1): p = round((1 - alpha) p + alpha colour).
    public mutating func blend(_ rect: PixelRect, _ colour: RGB, alpha: Float) {
        let a = min(max(alpha.isNaN ? 0 : alpha, 0), 1)
        guard a > 0 else { return }
        let (xs, ys) = clipped(rect)
        let mix = { (p: UInt8, c: UInt8) in UInt8(((1 - a) * Float(p) + a * Float(c)).rounded()) }
        for y in ys {
            for x in xs {
                let p = self[x, y]
                self[x, y] = RGB(mix(p.r, colour.r), mix(p.g, colour.g), mix(p.b, colour.b))
            }
        }
    }

    /// Copies an S x S RGB picture (`rgb` [S, S, 3]) to (x, y), each pixel as a `zoom` x `zoom` block.
    public mutating func draw(square rgb: ArraySlice<UInt8>, side S: Int, zoom: Int, at x: Int, y: Int) {
        let base = rgb.startIndex
        for sy in 0..<S {
            for sx in 0..<S {
                let i = base + 3 * (sy * S + sx)
                fill(PixelRect(x: x + sx * zoom, y: y + sy * zoom, width: zoom, height: zoom), RGB(rgb[i], rgb[i + 1], rgb[i + 2]))
            }
        }
    }

    /// Draws `text` with `BitmapFont` at `scale`, top-left at (x, y); returns the width drawn.
    @discardableResult
    public mutating func draw(text: String, at x: Int, y: Int, scale: Int, _ colour: RGB) -> Int {
        var cx = x
        for c in text {
            let rows = BitmapFont.glyph(c)
            for (row, bits) in rows.enumerated() {
                for col in 0..<BitmapFont.width where bits & (1 << (BitmapFont.width - 1 - col)) != 0 {
                    fill(PixelRect(x: cx + col * scale, y: y + row * scale, width: scale, height: scale), colour)
                }
            }
            cx += BitmapFont.advance * scale
        }
        return cx - x
    }
}
