/// One line of a PAM service file as libpam reads it:
/// `[-]type control module-path [args...]` or `@include file`. Comments and blank lines are
/// kept as `.other`. A control is a word (required, sufficient, include, substack, ...) or a
/// bracketed `[value=action ...]` list.
package enum PAMConfigLine: Equatable {
    case rule(type: String, control: String, module: String, text: String)
    case include(file: String)
    case other

    package init(_ raw: String) {
        let line = raw.trimmingSpaces()
        if line.isEmpty || line.hasPrefix("#") { self = .other; return }
        if line.hasPrefix("@include") {
            let rest = String(line.dropFirst("@include".count)).trimmingSpaces()
            self = rest.isEmpty ? .other : .include(file: rest)
            return
        }
        var rest = Substring(line)
        func word() -> String {
            while let f = rest.first, f == " " || f == "\t" { rest = rest.dropFirst() }
            if rest.first == "[" {
                let end = rest.firstIndex(of: "]").map { rest.index(after: $0) } ?? rest.endIndex
                let w = String(rest[..<end]); rest = rest[end...]; return w
            }
            let end = rest.firstIndex(where: { $0 == " " || $0 == "\t" }) ?? rest.endIndex
            let w = String(rest[..<end]); rest = rest[end...]; return w
        }
        var type = word().lowercased()
        if type.hasPrefix("-") { type.removeFirst() }
        let control = word()
        let module = word()
        guard ["auth", "account", "password", "session"].contains(type), !control.isEmpty, !module.isEmpty else {
            self = .other
            return
        }
        self = .rule(type: type, control: control, module: module, text: line)
    }

    package var type: String? {
        if case .rule(let t, _, _, _) = self { return t }
        return nil
    }

    /// The file named by `@include F` or `type include|substack F`, when the line is one.
    package func includedFile(for wanted: String) -> String? {
        switch self {
        case .include(let f): return f
        case .rule(let t, let c, let m, _) where t == wanted && (c == "include" || c == "substack"): return m
        default: return nil
        }
    }

    /// The module's file name without its directory (`/lib/security/pam_unix.so` -> `pam_unix.so`).
    package var moduleBaseName: String? {
        guard case .rule(_, _, let m, _) = self else { return nil }
        return m.split(separator: "/").last.map(String.init) ?? m
    }

    package var isJCFed: Bool { moduleBaseName == PAMLines.moduleName }

    /// A bracketed control with a numeric jump (`success=2`): inserting a line after it and
    /// before its target would change where it lands.
    package var hasNumericJump: Bool {
        guard case .rule(_, let c, _, _) = self, c.hasPrefix("[") else { return false }
        let pairs = c.split(whereSeparator: { $0 == " " || $0 == "[" || $0 == "]" }).map(String.init)
        return pairs.contains { (pair: String) -> Bool in
            let halves = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard halves.count == 2, let action = halves.last else { return false }
            return !action.isEmpty && action.allSatisfy { $0.isNumber }
        }
    }
}
