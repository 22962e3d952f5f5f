import CQREncode
import JCFedCore

/// The QR encoder: libqrencode turns the text into a module matrix, which QRRenderer draws for a
/// terminal with Unicode half blocks (two rows per line, no colour escapes).
public enum LibQREncode {
    /// nil when the text cannot be encoded or the code would not fit 80 columns.
    public static func render(_ text: String) -> String? {
        guard let code = jcfed_QRcode_encodeString(text, 0, QR_ECLEVEL_L, QR_MODE_8, 1) else { return nil }
        defer { jcfed_QRcode_free(code) }
        let width = Int(code.pointee.width)
        guard width > 0, width < 200, let data = code.pointee.data else { return nil }
        var modules: [[Bool]] = []
        for y in 0..<width {
            var row: [Bool] = []
            for x in 0..<width { row.append(data[y * width + x] & 1 == 1) }
            modules.append(row)
        }
        return QRRenderer.draw(modules)
    }
}
