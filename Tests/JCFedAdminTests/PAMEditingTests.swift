import Testing
import JCFedAdmin
import JCFedCore

@Suite struct PAMConfigLineTests {
    @Test func rulesIncludesAndOther() {
        #expect(PAMConfigLine("auth required pam_unix.so nullok") == .rule(type: "auth", control: "required", module: "pam_unix.so", text: "auth required pam_unix.so nullok"))
        #expect(PAMConfigLine("  -session\toptional\tpam_systemd.so").type == "session")
        #expect(PAMConfigLine("@include common-auth") == .include(file: "common-auth"))
        #expect(PAMConfigLine("@include") == .other)
        #expect(PAMConfigLine("# auth required pam_unix.so") == .other)
        #expect(PAMConfigLine("") == .other)
        #expect(PAMConfigLine("auth required") == .other)
        #expect(PAMConfigLine("bogus required pam_unix.so") == .other)
    }

    @Test func bracketedControlIsOneWord() {
        let line = PAMConfigLine("auth [success=2 default=ignore] pam_unix.so nullok")
        guard case .rule(_, let control, let module, _) = line else { Issue.record("not a rule"); return }
        #expect(control == "[success=2 default=ignore]")
        #expect(module == "pam_unix.so")
        #expect(line.hasNumericJump)
        #expect(!PAMConfigLine("auth [success=ok default=bad] pam_unix.so").hasNumericJump)
    }

    @Test func moduleBaseNameAndOurs() {
        #expect(PAMConfigLine("auth sufficient /lib/x86_64-linux-gnu/security/pam_jcfed.so config=/x").isJCFed)
        #expect(PAMConfigLine("account required pam_jcfed.so").moduleBaseName == "pam_jcfed.so")
        #expect(!PAMConfigLine("auth required pam_unix.so").isJCFed)
    }

    @Test func includedFiles() {
        #expect(PAMConfigLine("@include common-auth").includedFile(for: "auth") == "common-auth")
        #expect(PAMConfigLine("auth substack system-auth").includedFile(for: "auth") == "system-auth")
        #expect(PAMConfigLine("auth include system-auth").includedFile(for: "account") == nil)
    }
}

@Suite struct PAMServiceEditorTests {
    static let sshd = """
        #%PAM-1.0
        # Standard Un*x authentication.
        @include common-auth
        account    required     pam_nologin.so
        @include common-account
        @include common-session

        """
    static let auth = PAMLines.serviceAuthLine(.localPassword, arguments: "")
    static let account = PAMLines.serviceAccountLine(.localPassword, arguments: "")

    @Test func addsMarkedLinesAboveTheAttachedComment() throws {
        let edit = try PAMServiceEditor.insert(into: Self.sshd, authLine: Self.auth, accountLine: Self.account)
        let lines = edit.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "#%PAM-1.0")
        #expect(lines[1] == PAMLines.marker)
        #expect(lines[2] == Self.auth)
        #expect(lines[3] == "# Standard Un*x authentication.")
        #expect(lines[4] == "@include common-auth")
        #expect(lines[5] == PAMLines.marker)
        #expect(lines[6] == Self.account)
        #expect(lines[7] == "account    required     pam_nologin.so")
        #expect(edit.notes.isEmpty)
    }

    @Test func insertingTwiceIsIdempotent() throws {
        let once = try PAMServiceEditor.insert(into: Self.sshd, authLine: Self.auth, accountLine: Self.account)
        let twice = try PAMServiceEditor.insert(into: once.text, authLine: Self.auth, accountLine: Self.account)
        #expect(twice.text == once.text)
    }

    @Test func removeRestoresTheOriginalExactly() throws {
        for original in [Self.sshd, Self.sshd.replacingOccurrences(of: "\n", with: "\r\n"), String(Self.sshd.dropLast())] {
            let edit = try PAMServiceEditor.insert(into: original, authLine: Self.auth, accountLine: Self.account)
            let removed = PAMServiceEditor.removeMarked(from: edit.text)
            #expect(removed.removed == 2)
            #expect(removed.text == original)
            #expect(PAMServiceEditor.removeMarked(from: original).removed == 0)
        }
    }

    @Test func refusesAStackWithoutAPasswordCheckOrWithAJumpBeforeIt() {
        #expect(throws: ToolFailure.self) {
            try PAMServiceEditor.insert(into: "auth required pam_deny.so\n", authLine: Self.auth, accountLine: Self.account)
        }
        #expect(throws: ToolFailure.self) {
            try PAMServiceEditor.insert(into: "auth [success=1 default=ignore] pam_succeed_if.so\nauth required pam_unix.so\n",
                                        authLine: Self.auth, accountLine: Self.account)
        }
    }

    @Test func noAccountLinesIsANote() throws {
        let edit = try PAMServiceEditor.insert(into: "auth required pam_unix.so\n", authLine: Self.auth, accountLine: Self.account)
        #expect(edit.text == PAMLines.marker + "\n" + Self.auth + "\nauth required pam_unix.so\n")
        #expect(edit.notes.count == 1)
    }
}

@Suite struct PAMStackCheckTests {
    static func check(_ files: [String: String]) -> PAMStackCheck { PAMStackCheck(read: { files[$0] }) }

    @Test func rootKeepsItsWayIn() {
        let files = [
            "sshd": "@include common-auth\n",
            "common-auth": "auth [success=end ignore=ignore default=die] pam_jcfed.so\nauth required pam_unix.so\n",
        ]
        #expect(Self.check(files).problems(service: "sshd").isEmpty)
    }

    @Test func aStackThatLocksRootOutIsReported() {
        let noIgnore = ["sshd": "auth [success=done default=die] pam_jcfed.so\nauth required pam_unix.so\n"]
        #expect(Self.check(noIgnore).problems(service: "sshd").count == 1)
        let noUnix = ["sshd": "auth [success=done ignore=ignore default=die] pam_jcfed.so\n"]
        #expect(Self.check(noUnix).problems(service: "sshd").count == 1)
        let missingInclude = ["sshd": "@include common-auth\n"]
        #expect(Self.check(missingInclude).problems(service: "sshd") == ["sshd: cannot read the stack (a missing included file?)"])
        let loop = ["sshd": "@include sshd\n"]
        #expect(!Self.check(loop).problems(service: "sshd").isEmpty)
    }

    @Test func containsJCFed() {
        #expect(PAMStackCheck.containsJCFed("auth required pam_jcfed.so\n"))
        #expect(!PAMStackCheck.containsJCFed("# auth required pam_jcfed.so\n"))
    }
}

@Suite struct PAMLinesTests {
    @Test func controlsFollowTheOfflinePolicy() {
        #expect(PAMLines.authControl(.deny, success: "done") == "[success=done ignore=ignore user_unknown=ignore module_unknown=ignore default=die]")
        #expect(PAMLines.authControl(.localPassword, success: "end").contains("authinfo_unavail=ignore"))
        #expect(PAMLines.accountControl(.deny) == "[success=ok ignore=ignore user_unknown=ignore module_unknown=ignore default=bad]")
        #expect(PAMLines.moduleArguments(configTargetPath: ConfigLoader.defaultPath) == "")
        #expect(PAMLines.moduleArguments(configTargetPath: "/etc/other.conf") == " config=/etc/other.conf")
    }
}

@Suite struct UnifiedDiffTests {
    @Test func sameTextIsNoDiff() {
        #expect(UnifiedDiff.diff(path: "/etc/x", old: "a\n", new: "a\n").isEmpty)
    }

    @Test func aChangedLineWithContext() {
        let old = (1...10).map { "line \($0)" }.joined(separator: "\n") + "\n"
        let new = old.replacingOccurrences(of: "line 5\n", with: "line five\n")
        #expect(UnifiedDiff.diff(path: "/etc/x", old: old, new: new) == [
            "--- a/etc/x", "+++ b/etc/x", "@@ -2,7 +2,7 @@",
            " line 2", " line 3", " line 4", "-line 5", "+line five", " line 6", " line 7", " line 8",
        ])
    }

    @Test func newAndDeletedFiles() {
        #expect(UnifiedDiff.diff(path: "/etc/x", old: nil, new: "a\nb\n") == ["--- /dev/null", "+++ b/etc/x", "@@ -0,0 +1,2 @@", "+a", "+b"])
        #expect(UnifiedDiff.diff(path: "/etc/x", old: "a\n", new: nil) == ["--- a/etc/x", "+++ /dev/null", "@@ -1,1 +0,0 @@", "-a"])
    }

    @Test func onlyTheLastLineEndDiffers() {
        #expect(UnifiedDiff.diff(path: "/x", old: "a", new: "a\n").last == "\\ the last line end differs")
    }
}
