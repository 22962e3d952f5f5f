import Testing
@testable import JCFedCore

/// Drawing a QR matrix with Unicode half blocks: two module rows per text line, light modules
/// drawn, dark modules blank, a two-module light quiet zone, at most 80 columns, no escapes.
@Suite struct QRRendererTests {
    static let full = Character("\u{2588}"), upper = Character("\u{2580}"), lower = Character("\u{2584}")

    /// A deterministic pseudo-random square matrix.
    static func matrix(_ size: Int, seed: UInt32 = 7) -> [[Bool]] {
        var state = seed
        return (0..<size).map { _ in
            (0..<size).map { _ in
                state = state &* 1_664_525 &+ 1_013_904_223
                return state >> 31 == 1
            }
        }
    }

    /// Reads a drawing back into a grid of light (true) / dark (false) cells, including the
    /// quiet zone; nil when a character is not one of the four cells.
    static func readBack(_ drawing: String) -> [[Bool]]? {
        var grid: [[Bool]] = []
        for line in drawing.split(separator: "\n", omittingEmptySubsequences: false) {
            var top: [Bool] = [], bottom: [Bool] = []
            for c in line {
                switch c {
                case full: top.append(true); bottom.append(true)
                case upper: top.append(true); bottom.append(false)
                case lower: top.append(false); bottom.append(true)
                case " ": top.append(false); bottom.append(false)
                default: return nil
                }
            }
            grid.append(top)
            grid.append(bottom)
        }
        return grid
    }

    @Test func smallMatrixRendersAsExpectedHalfBlocks() {
        let modules = [
            [true, false, true],
            [false, true, false],
            [true, true, false],
        ]
        let expected = [
            "███████",
            "██▄▀▄██",
            "██▄▄███",
            "▀▀▀▀▀▀▀",
        ].joined(separator: "\n")
        #expect(QRRenderer.draw(modules) == expected)
    }

    @Test func singleDarkModule() {
        #expect(QRRenderer.draw([[true]]) == "█████\n██▄██\n▀▀▀▀▀")
        #expect(QRRenderer.draw([[false]]) == "█████\n█████\n▀▀▀▀▀")
    }

    @Test(arguments: [21, 25, 33, 2, 4])
    func drawingReadsBackToTheMatrixWithAQuietZone(_ size: Int) throws {
        let modules = Self.matrix(size, seed: UInt32(size))
        let drawing = try #require(QRRenderer.draw(modules))
        let grid = try #require(Self.readBack(drawing))
        let total = size + 4
        #expect(grid.count == total + total % 2)
        for y in 0..<total {
            #expect(grid[y].count == total)
            for x in 0..<total {
                let inQuietZone = x < 2 || y < 2 || x >= size + 2 || y >= size + 2
                let light = inQuietZone ? true : !modules[y - 2][x - 2]
                #expect(grid[y][x] == light, "cell \(x),\(y)")
            }
        }
        // An odd total leaves the lower half of the last line blank (outside the code).
        if total % 2 == 1 {
            #expect(grid[total].allSatisfy { !$0 })
        }
    }

    @Test func quietZoneIsLightOnEverySide() throws {
        // Worst case: every module dark. The frame must still be light.
        let size = 21
        let drawing = try #require(QRRenderer.draw(Array(repeating: Array(repeating: true, count: size), count: size)))
        let lines = drawing.split(separator: "\n").map(Array.init)
        #expect(lines.first?.allSatisfy { $0 == Self.full } == true)
        #expect(lines.last?.allSatisfy { $0 == Self.upper } == true)
        for line in lines.dropFirst().dropLast() {
            #expect(line.prefix(2) == [Self.full, Self.full])
            #expect(line.suffix(2) == [Self.full, Self.full])
        }
    }

    @Test func version4CodeFitsEightyColumns() throws {
        // 33x33 is a version 4 code: a verification URL with room to spare.
        let drawing = try #require(QRRenderer.draw(Self.matrix(33)))
        let lines = drawing.split(separator: "\n")
        #expect(lines.count == 19)
        #expect(lines.allSatisfy { $0.count == 37 })
        #expect(lines.allSatisfy { $0.count <= QRRenderer.maxColumns })
    }

    @Test func widestCodeThatFitsAndTheFirstThatDoesNot() {
        #expect(QRRenderer.draw(Self.matrix(76))?.split(separator: "\n").first?.count == 80)
        #expect(QRRenderer.draw(Self.matrix(77)) == nil)
        #expect(QRRenderer.draw(Self.matrix(177)) == nil)
    }

    @Test func noEscapesOrColours() throws {
        let drawing = try #require(QRRenderer.draw(Self.matrix(25)))
        #expect(!drawing.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        #expect(!drawing.hasSuffix("\n"))
    }

    @Test func malformedMatricesAreRefused() {
        #expect(QRRenderer.draw([]) == nil)
        #expect(QRRenderer.draw([[]]) == nil)
        #expect(QRRenderer.draw([[true, false], [true]]) == nil)
        #expect(QRRenderer.draw([[true, false, true], [true, false, true]]) == nil)
    }
}
