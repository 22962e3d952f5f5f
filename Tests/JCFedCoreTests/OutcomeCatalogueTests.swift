import Foundation
import Testing
@testable import JCFedCore

/// The catalogue of outcomes (Outcome.swift) against the published contract, pam_jcfed(8):
/// every reason's word is listed under the PAM code it returns in RETURN VALUES, every code
/// there is one the catalogue uses, and every sentence a person can see is under MESSAGES. A
/// reason added, moved or reworded without the man page fails here.
@Suite struct OutcomeCatalogueTests {
    static let manPage: String = {
        // Tests/JCFedCoreTests/OutcomeCatalogueTests.swift -> repository root
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        let path = parts.joined(separator: "/") + "/man/pam_jcfed.8"
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }()

    /// The lines of one `.SH` section.
    static func section(_ name: String) -> [Substring] {
        let lines = manPage.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(of: Substring(".SH " + name)) else { return [] }
        let rest = lines[(start + 1)...]
        let end = rest.firstIndex { $0.hasPrefix(".SH ") } ?? rest.endIndex
        return Array(rest[..<end])
    }

    /// RETURN VALUES as code -> the bold words of its paragraph (`.B`, `.BR`, `.RB` lines, with
    /// roff's `\-` read as `-` and punctuation around a word dropped).
    static func returnValues() -> [String: Set<String>] {
        var table: [String: Set<String>] = [:]
        var current: String?
        var lines = section("RETURN VALUES")[...]
        while let line = lines.popFirst() {
            if line == ".TP", let next = lines.first, next.hasPrefix(".B PAM_") {
                current = String(next.dropFirst(3))
                table[current ?? ""] = []
                lines = lines.dropFirst()
                continue
            }
            if line == ".PP" { current = nil }
            guard let code = current else { continue }
            guard line.hasPrefix(".B ") || line.hasPrefix(".BR ") || line.hasPrefix(".RB ") else { continue }
            let text = line.drop { $0 != " " }.replacingOccurrences(of: "\\-", with: "-")
            for token in text.split(separator: " ") {
                let word = token.trimmingCharacters(in: CharacterSet(charactersIn: "(),;:.\""))
                if !word.isEmpty { table[code, default: []].insert(word) }
            }
        }
        return table
    }

    /// MESSAGES with roff's escapes and font changes taken out, as one line of text.
    static func messages() -> String {
        section("MESSAGES").joined(separator: " ")
            .replacingOccurrences(of: "\\-", with: "-")
            .replacingOccurrences(of: "\\fI", with: "")
            .replacingOccurrences(of: "\\fP", with: "")
    }

    @Test func theManPageIsThere() {
        #expect(!Self.manPage.isEmpty, "man/pam_jcfed.8 not found next to the tests")
        #expect(Set(Self.returnValues().keys) == Set(PAMCode.allCases.map(\.rawValue)),
                "RETURN VALUES lists exactly the codes of the catalogue")
    }

    @Test(arguments: OutcomeReason.allCases)
    func everyReasonIsUnderItsCodeInReturnValues(reason: OutcomeReason) {
        let table = Self.returnValues()
        let listed = table[reason.pamCode.rawValue] ?? []
        #expect(listed.contains(reason.word),
                "pam_jcfed(8) RETURN VALUES must list \(reason.word) under \(reason.pamCode.rawValue)")
    }

    @Test func everyCodeOfTheContractIsUsed() {
        let used = Set(OutcomeReason.allCases.map(\.pamCode))
        #expect(used == Set(PAMCode.allCases))
        #expect(Set(Outcome.Kind.allCases.map(\.pamCode)) == Set(PAMCode.allCases))
        #expect(Set(Outcome.Kind.allCases.map(\.pamCode)).count == Outcome.Kind.allCases.count, "one code per kind")
    }

    @Test(arguments: OutcomeReason.allCases)
    func everySentenceForThePersonIsInMessages(reason: OutcomeReason) {
        let text = Self.messages()
        switch reason.entry.person {
        case .none: break
        case .fixed(let s):
            let shown = text.contains("\"" + s + "\"")
            #expect(shown, "MESSAGES must show \"\(s)\" (\(reason.word))")
        case .naming(let before, let after):
            let shown = text.contains("\"" + before)
            #expect(shown, "MESSAGES must show \"\(before)...\" (\(reason.word))")
            #expect(!after.isEmpty)
        }
    }

    @Test func theOfflineSentenceIsInMessages() {
        let shown = Self.messages().contains("\"" + Outcome.unavailableLocalPasswordMessage + "\"")
        #expect(shown)
    }

    /// `jcfed logins` reads reason=WORD result=KIND back from syslog: a word is one token, and
    /// word and kind together name one reason.
    @Test func wordsAreLogTokensAndNameOneReasonPerKind() {
        var seen: [String: OutcomeReason] = [:]
        for reason in OutcomeReason.allCases {
            #expect(!reason.word.isEmpty && reason.word.unicodeScalars.allSatisfy {
                (0x61...0x7A).contains($0.value) || (0x30...0x39).contains($0.value) || $0 == "-"
            }, "\(reason.word)")
            let key = reason.word + " " + reason.kind.rawValue
            #expect(seen[key] == nil, "\(key) names two reasons")
            seen[key] = reason
        }
    }

    /// People are told about problems only when they are federated: a service error always says
    /// "misconfigured", and nobody who is not federated is shown anything.
    @Test func sentencesFollowTheKind() {
        for reason in OutcomeReason.allCases {
            switch reason.kind {
            case .serviceError:
                #expect(reason.entry.person == .fixed(Outcome.misconfiguredMessage), "\(reason.word)")
            case .ignore, .userUnknown:
                #expect(reason.entry.person == .none, "\(reason.word)")
            default: break
            }
        }
    }

    @Test func theAccountStageRefusesUnboundUsersAndKeepsEverythingElse() {
        for reason in OutcomeReason.allCases where reason != .notBound {
            #expect(reason.atAccountStage == reason)
        }
        #expect(OutcomeReason.notBound.atAccountStage.pamCode == .permissionDenied)
        #expect(OutcomeReason.notBound.atAccountStage.word == OutcomeReason.notBound.word)
    }

    @Test func flowFailuresAndDiscoveryErrorsMapToReasons() {
        #expect(FlowFailure(.declined).reason == .declined)
        #expect(FlowFailure(.unavailable, transportError: .outOfMemory).reason == .outOfMemory)
        #expect(FlowFailure(.outOfOrder).reason.word == "internal")
        for code in FlowFailure.Code.allCases {
            let outcome = Outcome.flow(FlowFailure(code), loginTimeout: 110)
            #expect(outcome.reason == FlowFailure(code).reason)
            #expect(!outcome.adminDetail.isEmpty)
        }
        #expect(DiscoveryError.serverError(429).reason == .idpThrottled)
        #expect(DiscoveryError.serverError(503).reason == .idpUnavailable)
        #expect(DiscoveryError.unreachable(.outOfMemory).reason == .outOfMemory)
        #expect(DiscoveryError.tenantRequired("common").reason == .multiTenantAuthority)
        #expect(DiscoveryError.httpStatus(404).reason == .discovery)
    }
}
