/// A unified diff (`diff -u` format, 3 lines of context) of two texts, for `enable --dry-run`.
/// Line-based longest common subsequence; PAM files and jcfed.conf are small.
package enum UnifiedDiff {
    /// Empty when the texts are equal. `old` nil means the file does not exist yet, `new` nil
    /// that it would be removed.
    package static func diff(path: String, old: String?, new: String?, context: Int = 3) -> [String] {
        guard old != new else { return [] }
        let a = old.map { $0.splitLines().lines } ?? []
        let b = new.map { $0.splitLines().lines } ?? []
        let n = a.count, m = b.count
        // lcs[i][j]: length of the LCS of a[i...] and b[j...].
        var lcs = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
        var i = n - 1
        while i >= 0 {
            var j = m - 1
            while j >= 0 {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
                j -= 1
            }
            i -= 1
        }
        enum Op { case same(String), del(String), add(String) }
        var ops: [Op] = []
        var x = 0, y = 0
        while x < n || y < m {
            if x < n && y < m && a[x] == b[y] { ops.append(.same(a[x])); x += 1; y += 1 }
            // Deletions before additions, as diff -u shows a replaced line.
            else if x < n && (y == m || lcs[x + 1][y] >= lcs[x][y + 1]) { ops.append(.del(a[x])); x += 1 }
            else { ops.append(.add(b[y])); y += 1 }
        }
        var out = ["--- " + (old == nil ? "/dev/null" : "a" + path), "+++ " + (new == nil ? "/dev/null" : "b" + path)]
        // Group changes into hunks with `context` lines around them.
        let changed = ops.indices.filter { if case .same = ops[$0] { return false }; return true }
        guard !changed.isEmpty else {
            // Only the final line end differs.
            return out + ["@@ -\(n) +\(m) @@", "\\ the last line end differs"]
        }
        var hunks: [(Int, Int)] = []
        for c in changed {
            let lo = max(0, c - context), hi = min(ops.count - 1, c + context)
            if let last = hunks.last, lo <= last.1 + 1 { hunks[hunks.count - 1].1 = hi } else { hunks.append((lo, hi)) }
        }
        // Line numbers at each op index.
        var oldLine = [Int](repeating: 0, count: ops.count + 1), newLine = oldLine
        for (k, op) in ops.enumerated() {
            oldLine[k + 1] = oldLine[k]; newLine[k + 1] = newLine[k]
            switch op {
            case .same: oldLine[k + 1] += 1; newLine[k + 1] += 1
            case .del: oldLine[k + 1] += 1
            case .add: newLine[k + 1] += 1
            }
        }
        for (lo, hi) in hunks {
            let oldCount = oldLine[hi + 1] - oldLine[lo], newCount = newLine[hi + 1] - newLine[lo]
            let oldStart = oldCount == 0 ? oldLine[lo] : oldLine[lo] + 1
            let newStart = newCount == 0 ? newLine[lo] : newLine[lo] + 1
            out.append("@@ -\(oldStart),\(oldCount) +\(newStart),\(newCount) @@")
            for op in ops[lo...hi] {
                switch op {
                case .same(let s): out.append(" " + s)
                case .del(let s): out.append("-" + s)
                case .add(let s): out.append("+" + s)
                }
            }
        }
        return out
    }
}
