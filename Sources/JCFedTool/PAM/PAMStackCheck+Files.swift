import JCFedAdmin

extension PAMStackCheck {
    /// Service file names under a pam.d directory that run pam_jcfed.so directly (not through
    /// an include), skipping pam-auth-update's common-* files.
    static func servicesUsingJCFed(pamDir: String) -> [String] {
        FileSystem.list(pamDir).filter { name in
            guard !name.hasPrefix("common-"), !name.hasPrefix("."), let text = FileSystem.readText(pamDir + "/" + name) else { return false }
            return containsJCFed(text)
        }
    }
}
