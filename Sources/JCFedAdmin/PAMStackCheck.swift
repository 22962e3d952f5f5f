/// Proves a PAM stack keeps root's way in: after pam_jcfed's auth line there is a pam_unix
/// auth line, and pam_jcfed lets PAM_IGNORE (what it returns for root) through to it.
/// Stacks are expanded the way libpam reads them: `@include F` and `type include|substack F`
/// splice in the lines of /etc/pam.d/F of the same type.
package struct PAMStackCheck {
    /// Reads a service file's text by name (host files under --root; tests pass a dictionary).
    package let read: (String) -> String?

    package init(read: @escaping (String) -> String?) { self.read = read }

    /// The auth (or other type) rules of a service in the order libpam runs them.
    package func expand(service: String, type: String, text: String? = nil, depth: Int = 0) -> [PAMConfigLine]? {
        guard depth < 8, let body = text ?? read(service) else { return nil }
        var out: [PAMConfigLine] = []
        for raw in body.splitLines().lines {
            let line = PAMConfigLine(String(raw))
            if let file = line.includedFile(for: type) {
                guard let inner = expand(service: file, type: type, depth: depth + 1) else { return nil }
                out += inner
            } else if line.type == type {
                out.append(line)
            }
        }
        return out
    }

    /// Problems that make a stack unsafe for root; empty when it is safe. `text` overrides the
    /// service's file (to check a change before writing it).
    package func problems(service: String, text: String? = nil) -> [String] {
        guard let rules = expand(service: service, type: "auth", text: text) else {
            return ["\(service): cannot read the stack (a missing included file?)"]
        }
        guard let ours = rules.firstIndex(where: { $0.isJCFed }) else {
            return ["\(service): no pam_jcfed.so auth line"]
        }
        var problems: [String] = []
        if case .rule(_, let control, _, _) = rules[ours], !control.contains("ignore=ignore") {
            problems.append("\(service): the pam_jcfed.so auth line does not pass PAM_IGNORE on (ignore=ignore), so root could not reach pam_unix")
        }
        if !rules.suffix(from: ours + 1).contains(where: { $0.moduleBaseName == "pam_unix.so" }) {
            problems.append("\(service): no pam_unix.so auth line after pam_jcfed.so: root could not log in with a local password")
        }
        return problems
    }


    package static func containsJCFed(_ text: String) -> Bool {
        text.splitLines().lines.contains { PAMConfigLine($0).isJCFed }
    }
}
