/// Draws a QR code's module matrix (made by the QR encoder, e.g. LibQREncode) as terminal text
/// with Unicode half blocks: each text line carries two module rows, with a two-module quiet zone. Dark modules are drawn as spaces on a light block so the
/// code reads on dark terminals too (the usual "inverted" rendering scanners accept).
public enum QRRenderer {
    public static let maxColumns = 80

    public static func draw(_ modules: [[Bool]]) -> String? {
        let size = modules.count
        guard size > 0, modules.allSatisfy({ $0.count == size }) else { return nil }
        let quiet = 2
        let total = size + 2 * quiet
        guard total <= maxColumns else { return nil }
        func dark(_ x: Int, _ y: Int) -> Bool {
            let mx = x - quiet, my = y - quiet
            guard mx >= 0, my >= 0, mx < size, my < size else { return false }
            return modules[my][mx]
        }
        var lines: [String] = []
        var y = 0
        while y < total {
            var line = ""
            for x in 0..<total {
                // Light is drawn, dark is blank: upper/lower half of each cell.
                let top = !dark(x, y)
                let bottom = y + 1 < total ? !dark(x, y + 1) : false
                switch (top, bottom) {
                case (true, true): line += "\u{2588}"
                case (true, false): line += "\u{2580}"
                case (false, true): line += "\u{2584}"
                case (false, false): line += " "
                }
            }
            lines.append(line)
            y += 2
        }
        return lines.joined(separator: "\n")
    }
}
