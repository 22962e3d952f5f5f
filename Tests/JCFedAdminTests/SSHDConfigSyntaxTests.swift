import Testing
import JCFedAdmin

@Suite struct SSHDConfigSyntaxTests {
    @Test func wordsStopAtAComment() {
        #expect(SSHDConfigSyntax.words("UsePAM yes # on") == ["UsePAM", "yes"])
        #expect(SSHDConfigSyntax.words("  LoginGraceTime=2m") == ["LoginGraceTime", "2m"])
        #expect(SSHDConfigSyntax.words("# KbdInteractiveAuthentication no").isEmpty)
        #expect(SSHDConfigSyntax.words("").isEmpty)
    }

    @Test func theOldKeywordIsTheNewOne() {
        #expect(SSHDConfigSyntax.keyword("ChallengeResponseAuthentication") == "kbdinteractiveauthentication")
        #expect(SSHDConfigSyntax.keyword("UsePAM") == "usepam")
    }

    @Test func testOutputKeepsTheFirstValue() {
        let values = SSHDConfigSyntax.values(fromTestOutput: "usepam yes\nlogingracetime 120\nusepam no\nsubsystem sftp /usr/lib/sftp-server\n")
        #expect(values == ["usepam": "yes", "logingracetime": "120", "subsystem": "sftp /usr/lib/sftp-server"])
    }

    @Test("sshd's time format", arguments: [("120", 120), ("2m", 120), ("1h30m", 5400), ("1w", 604800), ("0", 0), ("90S", 90)])
    func seconds(text: String, value: Int) {
        #expect(SSHDConfigSyntax.seconds(text) == value)
    }

    @Test("Not times", arguments: ["", "m", "2x", "1.5m", "99999999999"])
    func notSeconds(text: String) {
        #expect(SSHDConfigSyntax.seconds(text) == nil)
    }

    @Test func findings() {
        let ready = SSHDConfigSyntax.Effective(values: ["usepam": "yes", "kbdinteractiveauthentication": "yes", "logingracetime": "2m"], origins: [:], source: "sshd -T")
        #expect(SSHDConfigSyntax.findings(ready, loginTimeout: 110).isEmpty)

        let stock = SSHDConfigSyntax.Effective(values: ["usepam": "yes", "kbdinteractiveauthentication": "no"],
                                               origins: ["kbdinteractiveauthentication": "/etc/ssh/sshd_config:62"], source: "/etc/ssh/sshd_config")
        let f = SSHDConfigSyntax.findings(stock, loginTimeout: 110)
        #expect(f.count == 1 && f[0].fatal && f[0].text.contains("/etc/ssh/sshd_config:62"))

        let short = SSHDConfigSyntax.Effective(values: ["usepam": "yes", "logingracetime": "60"], origins: [:], source: "sshd -T")
        #expect(SSHDConfigSyntax.findings(short, loginTimeout: 110).map(\.fatal) == [false])

        let noPAM = SSHDConfigSyntax.Effective(values: [:], origins: [:], source: "sshd -T")
        #expect(SSHDConfigSyntax.findings(noPAM, loginTimeout: 110).map(\.fatal) == [true])
    }
}
