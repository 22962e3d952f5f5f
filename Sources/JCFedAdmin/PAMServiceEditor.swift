/// Edits one /etc/pam.d/<service> file for `jcfed enable --services`: our lines go in with a
/// marker comment above each, and `disable` removes exactly the marked pairs.
///
/// Where the auth line goes: just before the line that brings in the password check
/// (`@include common-auth`, `auth include|substack F`, else the first pam_unix auth line).
/// Lines before it stay before it: login's pam_nologin and su's pam_rootok keep running first.
/// With success=done, a federated success ends the auth stack there, like a `sufficient` module.
/// The account line goes before the first account line.
package enum PAMServiceEditor {
    package struct Edit {
        package var text: String
        package var notes: [String]
    }

    package static func insert(into text: String, authLine: String, accountLine: String) throws -> Edit {
        var lines = removeMarked(from: text).lines
        var notes: [String] = []
        let parsed = lines.map { PAMConfigLine($0) }
        guard let authAt = parsed.firstIndex(where: isAuthInclude)
            ?? parsed.firstIndex(where: { $0.type == "auth" && $0.moduleBaseName == "pam_unix.so" })
        else {
            throw ToolFailure("no '@include common-auth' or pam_unix.so auth line found")
        }
        if let jumper = parsed.prefix(authAt).first(where: { $0.type == "auth" && $0.hasNumericJump }) {
            if case .rule(_, _, _, let t) = jumper {
                throw ToolFailure("an earlier auth line jumps over lines ('\(t)'); inserting would change where it lands")
            }
        }
        let accountAt = parsed.firstIndex(where: { $0.type == "account" || isAccountInclude($0) })
        // Insert the later one first so the earlier index stays valid. A comment right above the
        // target line describes it: our lines go above that comment, not between the two.
        let insertions = [(authAt, authLine), (accountAt, accountLine)]
            .compactMap { at, line in at.map { (attachedCommentStart(lines, $0), line) } }
            .sorted { $0.0 > $1.0 }
        for (at, line) in insertions {
            lines.insert(contentsOf: [PAMLines.marker, line], at: at)
        }
        if accountAt == nil { notes.append("no account lines: the account check (suspended, locked) is not added") }
        return Edit(text: joined(lines, like: text), notes: notes)
    }

    /// The first line of the comment block directly above `index` (no blank line between), not
    /// moving above a `#%PAM-1.0` header.
    package static func attachedCommentStart(_ lines: [String], _ index: Int) -> Int {
        var i = index
        while i > 0 {
            let above = lines[i - 1].trimmingSpaces()
            guard above.hasPrefix("#"), !above.hasPrefix("#%PAM"), above != PAMLines.marker else { break }
            i -= 1
        }
        return i
    }

    private static func isAuthInclude(_ l: PAMConfigLine) -> Bool {
        switch l {
        case .include(let f): return f == "common-auth"
        case .rule(let t, let c, _, _): return t == "auth" && (c == "include" || c == "substack")
        case .other: return false
        }
    }

    private static func isAccountInclude(_ l: PAMConfigLine) -> Bool {
        if case .include(let f) = l { return f == "common-account" }
        return false
    }

    /// Removes every marker comment and the pam_jcfed.so line right after it.
    package static func removeMarked(from text: String) -> (lines: [String], text: String, removed: Int) {
        var lines = splitLines(text)
        var removed = 0
        var i = 0
        while i < lines.count {
            if lines[i].trimmingSpaces() == PAMLines.marker {
                lines.remove(at: i)
                if i < lines.count, PAMConfigLine(lines[i]).isJCFed {
                    lines.remove(at: i)
                    removed += 1
                }
                continue
            }
            i += 1
        }
        return (lines, joined(lines, like: text), removed)
    }

    package static func splitLines(_ text: String) -> [String] { text.splitLines().lines }

    /// Joins lines with the original's line end and final-line-end convention.
    package static func joined(_ lines: [String], like original: String) -> String {
        let ending = original.splitLines().ending
        let body = lines.joined(separator: ending)
        return original.hasSuffix("\n") || original.hasSuffix("\r\n") || original.isEmpty ? body + ending : body
    }
}
