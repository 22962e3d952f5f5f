#if canImport(Glibc)
import Glibc
#endif

enum FuzzTargets {
    static let selected: String = {
        guard let raw = getenv("JCFED_FUZZ_TARGET") else { return "json" }
        return String(cString: raw)
    }()

    static func run(_ target: String, _ bytes: [UInt8]) {
        switch target {
        case "json":
            _ = JSONParser.parse(bytes)
        case "config":
            _ = ConfigParser.parse(String(decoding: bytes, as: UTF8.self), path: "fuzz.conf")
        default:
            break
        }
    }
}
