import VideoDistill

/// `videodistill explain`: the answer, the contact sheet's layout and the gate map it draws.
public struct ExplainReport: Encodable {
    public struct Sheet: Encodable {
        public let path: String
        public let width: Int, height: Int
        /// Screen pixels per frame pixel, and the outline width of selected grid tiles (just outside their rect).
        public let zoom: Int, outlineThickness: Int
        enum CodingKeys: String, CodingKey { case path, width, height, zoom, outlineThickness = "outline_thickness" }
    }

    public let question: String
    public let answer: String
    public let top: [AnswerReport.Ranked]
    public let frames: FramesReport
    /// idx_k into the sampled frames, and as video frames.
    public let selected: [Int]
    public let selectedFrames: [Int]
    public let sheet: Sheet
    /// The N grid tiles, sampled order.
    public let grid: [ContactSheet.Tile]
    /// The K slot tiles, slot order.
    public let slots: [ContactSheet.Tile]
    /// The overlay: `SlotGates` (layer L_vr - 1, mean over heads), [K][P] and token 0's value.
    public let gates: SlotGates

    enum CodingKeys: String, CodingKey {
        case question, answer, top, frames, selected, selectedFrames = "selected_frames", sheet, grid, slots, gates
    }

    public init(answer: AnswerReport, sheet: ContactSheet, path: String, gates: SlotGates) {
        question = answer.question
        self.answer = answer.answer
        top = answer.top
        frames = answer.frames
        selected = answer.selected
        selectedFrames = answer.selectedFrames
        self.sheet = Sheet(path: path, width: sheet.image.width, height: sheet.image.height, zoom: sheet.zoom,
                           outlineThickness: sheet.outlineThickness)
        grid = sheet.grid
        slots = sheet.slots
        self.gates = gates
    }
}
